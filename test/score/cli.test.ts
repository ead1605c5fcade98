import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_SHAPE, synthUsers } from '../../pipeline/data/synth.js';
import { sha256, type ModelCard } from '../../pipeline/model/card.js';
import { scoreFile } from '../../pipeline/score/score.js';
import type { ScoreSummary } from '../../pipeline/score/summary.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';
import { writeTestModel } from './model-fixture.js';

const dir = useTempDir('propensity-score-cli-');
const model = join(dir, 'model');
const input = join(dir, 'users.csv');
const filesIn = (path: string) => (existsSync(path) ? readdirSync(path) : []);

beforeAll(() => {
  writeTestModel(model, { levels: 50 });
  writeFixture(
    dir,
    'users.csv',
    [...synthUsers({ ...DEFAULT_USER_SHAPE, rows: 30_000, seed: 42 })].join('') + 'x,200,1,Male\n',
  );
});

describe('propensity score and merge as commands', () => {
  it('scores in a worker thread to the same bytes as on the main thread, and prints the summary with --json', async () => {
    const out = join(dir, 'cli-out');
    const run = await runCli([
      'score',
      '--model',
      model,
      '--input',
      input,
      '--out-dir',
      out,
      '--month',
      '2026-10',
      '--json',
    ]);
    expect(run.stderr).not.toContain('unexpected');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as ScoreSummary;
    expect(summary.rows).toMatchObject({ read: 30_001, scored: 30_000, rejected: 1 });
    expect(summary.reconciliation.holds).toBe(true);
    expect(summary.month).toBe('2026-10');
    expect(filesIn(out).sort()).toEqual([
      'predictions.csv',
      'profile.json',
      'rejects.csv',
      'summary.json',
      'top_prospects.csv',
    ]);
    const inProcess = join(dir, 'in-process');
    await scoreFile({ modelDir: model, input, outDir: inProcess, month: '2026-10', inference: 'main' });
    expect(readFileSync(join(out, 'predictions.csv'), 'utf8')).toBe(
      readFileSync(join(inProcess, 'predictions.csv'), 'utf8'),
    );
  });

  it('merges shard runs into the bytes of one run', async () => {
    const shards: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = join(dir, `shard-${i}`);
      const run = await runCli([
        'score',
        '--model',
        model,
        '--input',
        input,
        '--out-dir',
        out,
        '--month',
        '2026-10',
        '--shard',
        `${i}/3`,
      ]);
      expect(run.code, run.stderr).toBe(0);
      shards.push(out);
    }
    const merged = join(dir, 'merged');
    const run = await runCli(['merge', ...shards.flatMap((s) => ['--inputs', s]), '--out-dir', merged]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('reconciled');
    const whole = join(dir, 'whole');
    expect(
      (await runCli(['score', '--model', model, '--input', input, '--out-dir', whole, '--month', '2026-10']))
        .code,
    ).toBe(0);
    for (const file of ['predictions.csv', 'top_prospects.csv', 'rejects.csv']) {
      expect(readFileSync(join(merged, file), 'utf8')).toBe(readFileSync(join(whole, file), 'utf8'));
    }
  });

  it('refuses a model whose SHA-256 differs from its card: exit 2, a clear message, no outputs', async () => {
    const tampered = join(dir, 'tampered');
    cpSync(model, tampered, { recursive: true });
    appendFileSync(join(tampered, 'model.onnx'), Buffer.from([0]));
    const out = join(dir, 'tampered-out');
    const run = await runCli(['score', '--model', tampered, '--input', input, '--out-dir', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not match its card/);
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(filesIn(out)).toEqual([]);
  });

  it('refuses a model onnxruntime cannot load (its card matching): exit 2, its message, no outputs', async () => {
    const broken = join(dir, 'broken-model');
    cpSync(model, broken, { recursive: true });
    writeFileSync(join(broken, 'model.onnx'), 'not a model');
    const card = JSON.parse(readFileSync(join(broken, 'card.json'), 'utf8')) as ModelCard;
    card.model.sha256 = sha256('not a model');
    writeFileSync(join(broken, 'card.json'), JSON.stringify(card));
    const out = join(dir, 'broken-model-out');
    const run = await runCli(['score', '--model', broken, '--input', input, '--out-dir', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot be loaded by onnxruntime/);
    expect(filesIn(out)).toEqual([]);
  });

  it('stops on a file-level problem with exit 2 and leaves no partial outputs', async () => {
    const broken = writeFixture(dir, 'no-gender.csv', 'User ID,Age,AnnualSalary\n1,40,1000\n');
    const out = join(dir, 'broken-out');
    const run = await runCli(['score', '--model', model, '--input', broken, '--out-dir', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing column "Gender"/);
    expect(filesIn(out)).toEqual([]);
    const rejecty = writeFixture(
      dir,
      'rejecty.csv',
      'User ID,Age,AnnualSalary,Gender\n1,40,1000,Male\n2,4,1000,Male\n',
    );
    const run2 = await runCli([
      'score',
      '--model',
      model,
      '--input',
      rejecty,
      '--out-dir',
      out,
      '--max-reject-rate',
      '0.1',
    ]);
    expect(run2.code).toBe(2);
    expect(run2.stderr).toMatch(/1 of 2 rows/);
    expect(filesIn(out)).toEqual([]);
  });

  it('refuses bad usage with exit 2', async () => {
    const run = await runCli([
      'score',
      '--model',
      model,
      '--input',
      input,
      '--out-dir',
      join(dir, 'x'),
      '--shard',
      '4/4',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--shard must be i\/n/);
  });
});

/**
 * Tampering: a model, card, configuration, profile or shard output that is not what it claims is refused
 * with exit code 2 and a message that names the problem, and nothing is written from it (never half-used).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_SHAPE, synthHistory, synthUsers } from '../../pipeline/data/synth.js';
import { sha256 } from '../../pipeline/model/card.js';
import { REPO_ROOT, runCli, type CliRun } from '../helpers/cli.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';
import { testModelBytes, writeTestModel } from '../score/model-fixture.js';

const { onnx } = onnxProto;
const dir = useTempDir('propensity-tamper-');
let counter = 0;
let users: string;
let history: string;
const good = join(dir, 'good-model');

beforeAll(() => {
  users = writeFixture(
    dir,
    'users.csv',
    [...synthUsers({ ...DEFAULT_USER_SHAPE, rows: 300, seed: 11 })].join(''),
  );
  history = writeFixture(dir, 'history.csv', [...synthHistory({ rows: 400, seed: 12 })].join(''));
  writeTestModel(good);
});

/** Exit 2, the expected message, no stack trace. */
function expectRefused(run: CliRun, message: RegExp): void {
  expect(run.stderr, run.stderr).toMatch(message);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** A model directory whose card matches the given bytes exactly: only the graph itself is wrong. */
function modelDirWith(bytes: Uint8Array): string {
  const modelDir = join(dir, `model-${counter++}`);
  writeTestModel(modelDir);
  writeFileSync(join(modelDir, 'model.onnx'), bytes);
  const card = JSON.parse(readFileSync(join(modelDir, 'card.json'), 'utf8'));
  card.model.sha256 = sha256(bytes);
  writeFileSync(join(modelDir, 'card.json'), JSON.stringify(card));
  return modelDir;
}

/** The test model with a graph edit applied (rename an input or output, change a shape). */
type Graph = OnnxTypes.IGraphProto;

function editedModel(edit: (graph: Graph) => void): Uint8Array {
  const model = onnx.ModelProto.decode(testModelBytes());
  edit(model.graph!);
  return onnx.ModelProto.encode(model).finish();
}

function rename(graph: Graph, from: string, to: string): void {
  for (const value of [...(graph.input ?? []), ...(graph.output ?? [])])
    if (value.name === from) value.name = to;
  for (const node of graph.node ?? []) {
    node.input = (node.input ?? []).map((n) => (n === from ? to : n));
    node.output = (node.output ?? []).map((n) => (n === from ? to : n));
  }
}

async function score(modelDir: string): Promise<{ run: CliRun; outDir: string }> {
  const outDir = join(dir, `out-${counter++}`);
  const run = await runCli([
    'score',
    '--model',
    modelDir,
    '--input',
    users,
    '--out-dir',
    outDir,
    '--month',
    '2026-11',
  ]);
  return { run, outDir };
}

/** Nothing that looks like an output: no files at all, or only an empty directory. */
function expectNoOutputs(outDir: string): void {
  const left = existsSync(outDir) ? readdirSync(outDir) : [];
  expect(left).toEqual([]);
}

describe('a model that does not match its card', () => {
  it('is refused by score, naming both hashes; nothing is written', async () => {
    const modelDir = join(dir, 'swapped');
    writeTestModel(modelDir);
    // a different, perfectly valid model put in place of the carded one
    writeFileSync(join(modelDir, 'model.onnx'), testModelBytes({ levels: 10 }));
    const { run, outDir } = await score(modelDir);
    expectRefused(run, /model\.onnx does not match its card: its SHA-256 is [0-9a-f]{64}, the card says/);
    expect(run.stderr).toMatch(/fix: .*restore both from the same commit/);
    expectNoOutputs(outDir);
  });

  it('is refused by monthly and by compare', async () => {
    const modelDir = join(dir, 'flipped');
    writeTestModel(modelDir);
    const bytes = readFileSync(join(modelDir, 'model.onnx'));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(join(modelDir, 'model.onnx'), bytes);
    const reports = join(dir, 'reports-flipped');
    expectRefused(
      await runCli([
        'monthly',
        '--month',
        '2026-11',
        '--model',
        modelDir,
        '--users',
        users,
        '--reports',
        reports,
      ]),
      /does not match its card/,
    );
    expectNoOutputs(join(reports, '2026-11'));
    expectRefused(
      await runCli([
        'compare',
        '--champion',
        modelDir,
        '--challenger',
        good,
        '--data',
        history,
        '--config',
        join(REPO_ROOT, 'model', 'config.json'),
      ]),
      /does not match its card/,
    );
  });

  it('a card that is truncated, or whose fields have the wrong types, is refused', async () => {
    for (const [name, text, message] of [
      ['truncated', readFileSync(join(good, 'card.json'), 'utf8').slice(0, 60), /not valid JSON/],
      [
        'threshold-text',
        JSON.stringify({ ...cardOf(good), model: { ...cardOf(good).model, threshold: '0.5' } }),
        /threshold/,
      ],
      [
        'sha-short',
        JSON.stringify({ ...cardOf(good), model: { ...cardOf(good).model, sha256: 'abc' } }),
        /sha256/,
      ],
      ['array', '[]', /not a valid model card/],
      ['null', 'null', /not a valid model card/],
    ] as const) {
      const modelDir = join(dir, `card-${name}`);
      writeTestModel(modelDir);
      writeFileSync(join(modelDir, 'card.json'), text);
      const { run, outDir } = await score(modelDir);
      expectRefused(run, message);
      expectNoOutputs(outDir);
    }
  });
});

function cardOf(modelDir: string) {
  return JSON.parse(readFileSync(join(modelDir, 'card.json'), 'utf8'));
}

describe('a model whose card matches but whose graph breaks the contract', () => {
  const cases: [string, () => Uint8Array, RegExp][] = [
    [
      'an input no customer column provides',
      () => editedModel((g) => rename(g, 'AnnualSalary', 'CreditScore')),
      /does not follow the model contract.*inputs Age, CreditScore, Gender/,
    ],
    [
      'no probability output',
      () => editedModel((g) => rename(g, 'probability', 'score')),
      /does not follow the model contract.*outputs label, score/,
    ],
    [
      'a probability of the wrong shape',
      () =>
        editedModel((g) => {
          // [N, 2] instead of [N]: two numbers per customer
          const squeeze = g.node!.find((n) => n.opType === 'Squeeze')!;
          squeeze.opType = 'Concat';
          squeeze.input = [squeeze.input![0]!, squeeze.input![0]!];
          squeeze.attribute = [onnx.AttributeProto.create({ name: 'axis', type: 2, i: 1 })];
          g.output!.find((o) => o.name === 'probability')!.type!.tensorType!.shape!.dim = [
            { dimParam: 'N' },
            { dimValue: 2 },
          ];
          g.output!.find((o) => o.name === 'label')!.type!.tensorType!.shape!.dim = [
            { dimParam: 'N' },
            { dimValue: 2 },
          ];
        }),
      /returned \d+ probabilities .* for \d+ users|cannot be loaded/,
    ],
    [
      'bytes that are not ONNX at all',
      () => new TextEncoder().encode('not a model'),
      /cannot be loaded by onnxruntime/,
    ],
  ];

  it.each(cases)('%s: score refuses it with exit 2; nothing is written', async (_, bytes, message) => {
    const { run, outDir } = await score(modelDirWith(bytes()));
    expectRefused(run, message);
    expectNoOutputs(outDir);
  });

  it('a probability of the wrong shape on a file of several batches: exit 2, not a crash', async () => {
    // three batches in flight: the failure of one must not leave the others' rejections unhandled
    const big = writeFixture(
      dir,
      'big-users.csv',
      [...synthUsers({ ...DEFAULT_USER_SHAPE, rows: 140_000, seed: 13 })].join(''),
    );
    const modelDir = modelDirWith(cases[2]![1]());
    const outDir = join(dir, `out-${counter++}`);
    const run = await runCli(['score', '--model', modelDir, '--input', big, '--out-dir', outDir]);
    expectRefused(run, /returned \d+ probabilities/);
    expect(run.stderr).not.toMatch(/terminate called|Aborted|Node\.js v/);
    expectNoOutputs(outDir);
  });

  it.each(cases)('%s: compare refuses it as a champion with exit 2', async (_, bytes, message) => {
    const run = await runCli([
      'compare',
      '--champion',
      modelDirWith(bytes()),
      '--challenger',
      good,
      '--data',
      history,
      '--config',
      join(REPO_ROOT, 'model', 'config.json'),
    ]);
    expectRefused(run, message);
  });
});

describe('a configuration that is not what it claims', () => {
  // the project's own configuration, then changed
  const base = JSON.parse(readFileSync(join(REPO_ROOT, 'model', 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  it.each([
    ['truncated JSON', JSON.stringify(base).slice(0, 10), /not valid JSON/],
    ['a threshold as text', JSON.stringify({ ...base, threshold: '0.5' }), /threshold/],
    ['a holdout share out of range', JSON.stringify({ ...base, holdout_share: 7 }), /holdout_share/],
    ['an array', '[1,2]', /configuration|object/],
    ['drift settings of the wrong type', JSON.stringify({ ...base, drift: { psi: 'high' } }), /drift/],
  ])('train refuses %s with exit 2 and writes no model', async (_, text, message) => {
    const config = writeFixture(dir, `config-${counter++}.json`, text);
    const out = join(dir, `trained-${counter++}`);
    const run = await runCli(['train', '--data', history, '--config', config, '--out', out]);
    expectRefused(run, message);
    expectNoOutputs(out);
  });

  it('monthly refuses bad drift settings before scoring: no month left scored but unchecked', async () => {
    const modelDir = join(dir, 'bad-drift-config-monthly');
    writeTestModel(modelDir);
    writeFileSync(join(modelDir, 'config.json'), JSON.stringify({ drift: { psi: { watch: -1, act: 'x' } } }));
    writeFileSync(join(modelDir, 'reference-profile.json'), readFileSync(await profileOf(users)));
    const reports = join(dir, `reports-${counter++}`);
    const run = await runCli([
      'monthly',
      '--month',
      '2026-11',
      '--model',
      modelDir,
      '--users',
      users,
      '--reports',
      reports,
    ]);
    expectRefused(run, /invalid drift settings/);
    expectNoOutputs(join(reports, '2026-11'));
  });

  it('drift refuses a model directory whose config.json has bad drift settings', async () => {
    const modelDir = join(dir, 'bad-drift-config');
    writeTestModel(modelDir);
    writeFileSync(join(modelDir, 'config.json'), JSON.stringify({ drift: { psi: { watch: -1, act: 'x' } } }));
    const profile = await profileOf(users);
    writeFileSync(join(modelDir, 'reference-profile.json'), readFileSync(profile));
    const out = join(dir, `drift-${counter++}`);
    const run = await runCli(['drift', '--reference', modelDir, '--current', profile, '--out-dir', out]);
    expectRefused(run, /invalid drift settings|drift/);
    expectNoOutputs(out);
  });
});

let genuine: Promise<string> | undefined;

/** A month profile made by the scorer itself (so the tests start from a genuine one); made once. */
function profileOf(input: string): Promise<string> {
  genuine ??= scoredProfile(input);
  return genuine;
}

async function scoredProfile(input: string): Promise<string> {
  const outDir = join(dir, `genuine-${counter++}`);
  const run = await runCli([
    'score',
    '--model',
    good,
    '--input',
    input,
    '--out-dir',
    outDir,
    '--month',
    '2026-10',
  ]);
  expect(run.code, run.stderr).toBe(0);
  return join(outDir, 'profile.json');
}

/** A profile as parsed JSON, to be changed freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tampered = any;

describe('a profile that is not what it claims', () => {
  const edits: [string, (p: Tampered) => unknown, RegExp][] = [
    ['a negative count', (p) => ((p.numeric.Age.counts[5] = -3), p), /counts must be/],
    ['bins that differ from the fixed edges', (p) => ((p.numeric.AnnualSalary.bins.width = 250), p), /bins/],
    ['counts of the wrong length', (p) => (p.numeric.Age.counts.pop(), p), /counts must be/],
    ['rows that do not add up', (p) => ((p.rows += 1), p), /must equal rows/],
    ['a count as text', (p) => ((p.numeric.Age.count = String(p.numeric.Age.count)), p), /count must be/],
    ['an unknown gender', (p) => ((p.categorical.Gender.counts.Other = 0), p), /unknown categories/],
    ['another version', (p) => ((p.version = 2), p), /version must be 1/],
  ];

  it.each(edits)('drift refuses a current profile with %s (exit 2, no report)', async (_, edit, message) => {
    const genuine = await profileOf(users);
    const profile = JSON.parse(readFileSync(genuine, 'utf8'));
    const tampered = writeFixture(dir, `tampered-${counter++}.json`, JSON.stringify(edit(profile)));
    const out = join(dir, `drift-${counter++}`);
    const run = await runCli(['drift', '--reference', genuine, '--current', tampered, '--out-dir', out]);
    expectRefused(run, message);
    expectNoOutputs(out);
  });

  it('monthly refuses a tampered reference profile before scoring anything', async () => {
    const modelDir = join(dir, 'tampered-reference');
    writeTestModel(modelDir);
    const profile = JSON.parse(readFileSync(await profileOf(users), 'utf8'));
    profile.numeric.Age.counts[4] = -1;
    writeFileSync(join(modelDir, 'reference-profile.json'), JSON.stringify(profile));
    const reports = join(dir, `reports-${counter++}`);
    const run = await runCli([
      'monthly',
      '--month',
      '2026-11',
      '--model',
      modelDir,
      '--users',
      users,
      '--reports',
      reports,
    ]);
    expectRefused(run, /reference-profile\.json is not a valid data profile/);
    expectNoOutputs(join(reports, '2026-11'));
  });

  it('drift refuses a truncated profile', async () => {
    const genuine = await profileOf(users);
    const truncated = writeFixture(dir, 'truncated.json', readFileSync(genuine, 'utf8').slice(0, 200));
    const out = join(dir, `drift-${counter++}`);
    const run = await runCli(['drift', '--reference', truncated, '--current', genuine, '--out-dir', out]);
    expectRefused(run, /not valid JSON/);
    expectNoOutputs(out);
  });
});

describe('shard outputs that are not what they claim', () => {
  async function shards(): Promise<string[]> {
    const dirs: string[] = [];
    for (let index = 0; index < 2; index++) {
      const outDir = join(dir, `shard-${counter++}`);
      const run = await runCli([
        'score',
        '--model',
        good,
        '--input',
        users,
        '--out-dir',
        outDir,
        '--month',
        '2026-11',
        '--shard',
        `${index}/2`,
      ]);
      expect(run.code, run.stderr).toBe(0);
      dirs.push(outDir);
    }
    return dirs;
  }

  it('merge refuses a shard whose profile was tampered with (negative counts), and writes nothing', async () => {
    const [a, b] = await shards();
    const profile = JSON.parse(readFileSync(join(b!, 'profile.json'), 'utf8'));
    profile.numeric.Age.counts[3] = -100;
    writeFileSync(join(b!, 'profile.json'), JSON.stringify(profile));
    const out = join(dir, `merged-${counter++}`);
    expectRefused(await runCli(['merge', '--inputs', a!, '--inputs', b!, '--out-dir', out]), /profile/);
    expectNoOutputs(out);
  });

  it('merge refuses a shard whose summary counts are not numbers, and writes nothing', async () => {
    const [a, b] = await shards();
    const summary = JSON.parse(readFileSync(join(b!, 'summary.json'), 'utf8'));
    summary.rows.scored = '150';
    writeFileSync(join(b!, 'summary.json'), JSON.stringify(summary));
    const out = join(dir, `merged-${counter++}`);
    expectRefused(await runCli(['merge', '--inputs', a!, '--inputs', b!, '--out-dir', out]), /summary/);
    expectNoOutputs(out);
  });
});

mkdirSync(dir, { recursive: true });

/**
 * A scoring run killed with SIGKILL at random moments (a runner lost, an out-of-memory kill) never leaves
 * an output that looks complete but is not: every file under its final name is whole, and the summary (the
 * mark of a complete set) only ever stands beside the files of its own run. A re-run then writes exactly
 * what an undisturbed run writes, and clears what the killed runs left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_SHAPE, synthUsers } from '../../pipeline/data/synth.js';
import { createRng } from '../../pipeline/random.js';
import { Staging } from '../../pipeline/score/run-options.js';
import { OUTPUT_FILES } from '../../pipeline/score/score.js';
import { CLI, runCli } from '../helpers/cli.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';
import { writeTestModel } from '../score/model-fixture.js';

const dir = useTempDir('propensity-kill-');
const model = join(dir, 'model');
const SUMMARY = 'summary.json';

/** The bytes of each output of an undisturbed run, summary without its timing. */
type Outputs = Record<string, string>;

function outputsOf(outDir: string): Outputs {
  const files: Outputs = {};
  for (const name of OUTPUT_FILES) {
    const path = join(outDir, name);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    files[name] = name === SUMMARY ? JSON.stringify({ ...JSON.parse(text), timing: null }) : text;
  }
  return files;
}

function scoreArgs(input: string, outDir: string): string[] {
  return ['score', '--model', model, '--input', input, '--out-dir', outDir, '--month', '2026-11'];
}

/** Starts a scoring run and kills it with SIGKILL after `ms` (if it is still running). */
function scoreAndKill(input: string, outDir: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...scoreArgs(input, outDir)], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? `exit ${code}`);
    });
  });
}

let oldInput: string;
let newInput: string;
let before: Outputs; // an earlier, complete run in the same folder (last month's file, say)
let after: Outputs; // what an undisturbed run on the new file writes

beforeAll(async () => {
  writeTestModel(model);
  oldInput = writeFixture(
    dir,
    'old.csv',
    [...synthUsers({ ...DEFAULT_USER_SHAPE, rows: 60_000, seed: 1 })].join(''),
  );
  newInput = writeFixture(
    dir,
    'new.csv',
    [...synthUsers({ ...DEFAULT_USER_SHAPE, rows: 200_000, seed: 2 })].join(''),
  );
  for (const [input, out] of [
    [oldInput, 'ref-old'],
    [newInput, 'ref-new'],
  ] as const) {
    const run = await runCli(scoreArgs(input, join(dir, out)));
    expect(run.code, run.stderr).toBe(0);
  }
  before = outputsOf(join(dir, 'ref-old'));
  after = outputsOf(join(dir, 'ref-new'));
  expect(Object.keys(after).sort()).toEqual([...OUTPUT_FILES].sort());
  expect(after['predictions.csv']).not.toBe(before['predictions.csv']);
});

/** Every file under a final name is one run's whole file; a summary stands only beside its own run's files. */
function expectNothingHalfDone(outDir: string, label: string): void {
  const now = outputsOf(outDir);
  for (const [name, text] of Object.entries(now)) {
    expect([before[name], after[name]], `${label}: ${name} is neither run's whole file`).toContain(text);
  }
  if (now[SUMMARY] !== undefined) {
    const run = now[SUMMARY] === after[SUMMARY] ? after : before;
    for (const name of OUTPUT_FILES)
      expect(now[name], `${label}: ${name} beside the summary`).toBe(run[name]);
  }
}

describe('a scoring run killed with SIGKILL', () => {
  it('at random moments leaves no output that looks complete and is not; a re-run writes what one run writes', async () => {
    const outDir = join(dir, 'month');
    expect((await runCli(scoreArgs(oldInput, outDir))).code).toBe(0);
    const rng = createRng(20261126);
    const endings: string[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const ms = rng.int(40, 1_400);
      endings.push(`${ms} ms: ${await scoreAndKill(newInput, outDir, ms)}`);
      expectNothingHalfDone(outDir, `kill after ${ms} ms`);
    }
    // most attempts were really killed mid-run (not all finished before the signal)
    expect(endings.filter((e) => e.endsWith('SIGKILL')).length, endings.join('\n')).toBeGreaterThanOrEqual(5);

    const rerun = await runCli(scoreArgs(newInput, outDir));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(outputsOf(outDir)).toEqual(after);
    // the killed runs' staging folders are gone: the folder holds the outputs and nothing else
    expect(readdirSync(outDir).sort()).toEqual([...OUTPUT_FILES].sort());
  });
});

describe('publishing a staged run', () => {
  it('stopped half-way (a file missing) leaves no summary beside a mix of old and new files', async () => {
    const outDir = join(dir, 'half');
    mkdirSync(outDir, { recursive: true });
    for (const name of OUTPUT_FILES) writeFileSync(join(outDir, name), `old ${name}\n`);
    const staging = await Staging.open(outDir);
    for (const name of OUTPUT_FILES)
      if (name !== 'profile.json') writeFileSync(join(staging.dir, name), 'new\n');
    await expect(staging.publish(OUTPUT_FILES, SUMMARY)).rejects.toThrow(/ENOENT/);
    expect(existsSync(join(outDir, SUMMARY))).toBe(false);
    expect(readFileSync(join(outDir, 'profile.json'), 'utf8')).toBe('old profile.json\n');
    await staging.discard();
  });

  it("removes a dead run's staging folder, and keeps a live one's", async () => {
    const outDir = join(dir, 'stale');
    mkdirSync(outDir, { recursive: true });
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('exit', () => resolve(child.pid!));
    });
    mkdirSync(join(outDir, `.partial-${dead}-abc123`));
    writeFileSync(join(outDir, `.partial-${dead}-abc123`, 'predictions.csv'), 'half');
    mkdirSync(join(outDir, `.partial-${process.ppid}-def456`)); // the test runner's parent: alive
    const staging = await Staging.open(outDir);
    const left = readdirSync(outDir).sort();
    expect(left).not.toContain(`.partial-${dead}-abc123`);
    expect(left).toContain(`.partial-${process.ppid}-def456`);
    await staging.discard();
  });
});

// npm run bench [-- --rows 10000000] [--model DIR] [--runs K]: scoring speed and peak memory, as JSON.
// Generates a synthetic users batch (cached in the OS temp folder), runs `propensity score` on it as a
// child process K times, and reports wall time, rows per second and the child's peak RSS (median of runs).
// A benchmark, not a test: it prints figures and asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'propensity.js');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    model: { type: 'string' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const work = join(tmpdir(), 'propensity-bench');
mkdirSync(work, { recursive: true });

function propensity(args) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`propensity ${args.join(' ')} failed with exit ${result.status}`);
  return result.stdout;
}

// the model: --model, else the champion in model/, else one trained on the bundled history
let model = values.model ?? join(root, 'model');
if (!existsSync(join(model, 'card.json'))) {
  model = join(work, 'model');
  if (!existsSync(join(model, 'card.json')))
    propensity(['train', '--data', join(root, 'data', 'training'), '--out', model]);
}

const batch = join(work, `users-${rows}.csv`);
if (!existsSync(batch)) propensity(['synth', 'users', '--rows', String(rows), '--seed', '1', '--out', batch]);

/** Runs score in a child whose exit hook reports its own peak RSS (worker threads included). */
function scoreOnce(outDir) {
  const hook =
    "import { isMainThread } from 'node:worker_threads';" +
    "if (isMainThread) process.on('exit', () => process.stderr.write('RUSAGE ' + JSON.stringify(process.resourceUsage()) + '\\n'));";
  const args = [
    'score',
    '--model',
    model,
    '--input',
    batch,
    '--out-dir',
    outDir,
    '--month',
    '2026-11',
    '--threads',
    values.threads,
    '--json',
  ];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, cli, ...args],
      { cwd: root },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`score failed (exit ${code}):\n${stderr}`));
      const usage = JSON.parse(/RUSAGE (.*)/.exec(stderr)[1]);
      resolve({ seconds, maxRssMb: usage.maxRSS / 1024, summary: JSON.parse(stdout) });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (let i = 0; i < runs; i++) {
  const outDir = join(work, 'out');
  rmSync(outDir, { recursive: true, force: true });
  results.push(await scoreOnce(outDir));
}
const card = JSON.parse(readFileSync(join(model, 'card.json'), 'utf8'));
const wall = median(results.map((r) => r.seconds));
process.stdout.write(
  JSON.stringify(
    {
      rows,
      runs,
      model: { version: card.version, learner: card.model.learner, sha256: card.model.sha256 },
      wall_seconds_median: Math.round(wall * 1000) / 1000,
      rows_per_second_wall: Math.round(rows / wall),
      rows_per_second_reported: median(results.map((r) => r.summary.timing.rows_per_second)),
      peak_rss_mb_median: Math.round(median(results.map((r) => r.maxRssMb))),
      peak_rss_mb_max: Math.round(Math.max(...results.map((r) => r.maxRssMb))),
      wall_seconds: results.map((r) => Math.round(r.seconds * 1000) / 1000),
      node: process.version,
    },
    null,
    2,
  ) + '\n',
);

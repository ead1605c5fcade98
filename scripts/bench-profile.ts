// Figures for drift profiles (a benchmark, not a test): profiling N rows through ProfileBuilder in a
// loop, the resident memory while it runs (it must not grow with N), the profile's JSON size, merging
// shard profiles, and comparing the month with a reference.
//   npx tsx scripts/bench-profile.ts [--rows 10000000] [--shards 4]
// Rows are drawn like `propensity synth users` (age 18..63, salary 15000..152500, 50% men) with a stand-in
// probability, from the seeded generator.
import { parseArgs } from 'node:util';
import { compareProfiles } from '../pipeline/drift/compare.js';
import { DEFAULT_DRIFT_CONFIG } from '../pipeline/drift/config.js';
import { mergeProfiles, ProfileBuilder, type Profile } from '../pipeline/drift/profile.js';
import { createRng } from '../pipeline/random.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '10000000' }, shards: { type: 'string', default: '4' } },
});
const rows = Number(values.rows);
const shardCount = Number(values.shards);
const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;

function profileRows(n: number, seed: number, sample: (rss: number) => void): Profile {
  const rng = createRng(seed);
  const builder = new ProfileBuilder({ withProbability: true });
  for (let i = 0; i < n; i++) {
    const age = rng.int(18, 63);
    const salary = rng.int(15000, 152500);
    const gender = rng.next() < 0.5 ? 'Male' : 'Female';
    builder.addRow(age, salary, gender, 1 / (1 + Math.exp(-(0.2 * (age - 42) + (salary - 80000) / 20000))));
    if ((i + 1) % 1_000_000 === 0) sample(process.memoryUsage().rss);
  }
  return builder.toJSON();
}

global.gc?.();
const rssBefore = process.memoryUsage().rss;
const samples: number[] = [];
const started = process.hrtime.bigint();
const month = profileRows(rows, 1, (rss) => samples.push(rss));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

const reference = profileRows(1000, 2, () => {});
const shardRows = Math.floor(rows / shardCount / 10);
const shards = Array.from({ length: shardCount }, (_, k) => profileRows(shardRows, 10 + k, () => {}));
const mergeStarted = process.hrtime.bigint();
const merged = mergeProfiles(shards);
const mergeMs = Number(process.hrtime.bigint() - mergeStarted) / 1e6;
const compareStarted = process.hrtime.bigint();
const drift = compareProfiles(reference, month, DEFAULT_DRIFT_CONFIG);
const compareMs = Number(process.hrtime.bigint() - compareStarted) / 1e6;

process.stdout.write(
  JSON.stringify(
    {
      rows,
      seconds: Math.round(seconds * 100) / 100,
      rows_per_second: Math.round(rows / seconds),
      rss_mb_before: mb(rssBefore),
      rss_mb_per_million_rows: samples.map(mb),
      rss_mb_first_million: mb(samples[0] ?? 0),
      rss_mb_last_million: mb(samples[samples.length - 1] ?? 0),
      profile_json_bytes: JSON.stringify(month).length,
      merge: {
        shards: shardCount,
        rows_each: shardRows,
        ms: Math.round(mergeMs * 10) / 10,
        rows: merged.rows,
      },
      compare_ms: Math.round(compareMs * 10) / 10,
      dataset_drift: drift.dataset_drift,
    },
    null,
    2,
  ) + '\n',
);

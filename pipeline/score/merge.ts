/**
 * `propensity merge`: the outputs of n shard runs (`score --shard i/n`) combined into exactly what one
 * unsharded run writes: predictions re-ranked by a k-way merge of the shards' predictions (each is already
 * in rank order), rejects merged by line number, counts summed, profiles merged. Only `timing` differs.
 *
 * It refuses shards that do not belong together: different input, model, month or threshold, a shard
 * missing or given twice.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { REJECTS_HEADER, rejectLine } from '../data/rejects.js';
import type { RejectReason } from '../data/schema.js';
import { mergeProfiles, readProfile } from '../drift/profile.js';
import { InvalidArtifactError } from '../errors.js';
import { openAtomicWriter, writeJsonAtomic } from '../io/atomic.js';
import { log } from '../log.js';
import { readJsonFile, type ModelCard } from '../model/card.js';
import { PREDICTIONS_FILE, writeRanked } from './ranked-output.js';
import { parseMicro, SortedFileSource } from './ranking.js';
import { Staging } from './run-options.js';
import { OUTPUT_FILES } from './score.js';
import {
  buildSummary,
  PROFILE_FILE,
  REJECTS_FILE,
  SUMMARY_FILE,
  SUMMARY_FORMAT,
  type ScoreSummary,
} from './summary.js';

export interface MergeOptions {
  inputs: string[];
  outDir: string;
}

const isCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;

/** What in a shard's summary the merge adds up or compares, and is not what it should be. */
function shardSummaryProblems(summary: ScoreSummary): string[] {
  const problems: string[] = [];
  const rows = summary.rows ?? {};
  for (const key of ['read', 'scored', 'rejected', 'opted_out'] as const) {
    if (!isCount(rows[key])) problems.push(`rows.${key} must be a whole number >= 0`);
  }
  if (problems.length === 0 && rows.read !== rows.scored + rows.rejected + rows.opted_out) {
    problems.push('rows.read must equal scored + rejected + opted_out');
  }
  if (!Object.values(rows.rejected_by_reason ?? { x: -1 }).every(isCount)) {
    problems.push('rows.rejected_by_reason must hold whole numbers >= 0');
  }
  for (const gender of ['Female', 'Male'] as const) {
    const counts = summary.fairness?.by_gender?.[gender];
    if (!isCount(counts?.scored) || !isCount(counts?.likely_buyers)) {
      problems.push(`fairness.by_gender.${gender} must hold whole numbers >= 0`);
    }
  }
  if (typeof summary.threshold !== 'number' || !(summary.threshold > 0 && summary.threshold < 1)) {
    problems.push('threshold must be a number between 0 and 1');
  }
  const shard = summary.shard!;
  if (!isCount(shard.index) || !isCount(shard.count) || shard.index >= shard.count) {
    problems.push('shard must be {index, count} with 0 <= index < count');
  }
  return problems;
}

async function readShard(dir: string): Promise<ScoreSummary> {
  const summary = await readJsonFile<ScoreSummary>(join(dir, SUMMARY_FILE), 'shard summary');
  if (
    typeof summary !== 'object' ||
    summary === null ||
    summary.format !== SUMMARY_FORMAT ||
    !summary.shard
  ) {
    throw new InvalidArtifactError(
      `${dir} is not the output of a sharded scoring run (its ${SUMMARY_FILE} has no shard)`,
      'pass the --out-dir of each `propensity score --shard i/n` run',
    );
  }
  const problems = shardSummaryProblems(summary);
  if (problems.length > 0) {
    throw new InvalidArtifactError(
      `${join(dir, SUMMARY_FILE)} is not a valid shard summary: ${problems.join('; ')}`,
      'score that shard again',
    );
  }
  return summary;
}

/** The shards must be one month's run of one model on one file, every shard exactly once. */
function checkShards(summaries: ScoreSummary[], dirs: string[]): void {
  const first = summaries[0]!;
  const count = first.shard!.count;
  const same = (what: string, value: (s: ScoreSummary) => unknown) => {
    summaries.forEach((s, i) => {
      if (JSON.stringify(value(s)) !== JSON.stringify(value(first))) {
        throw new InvalidArtifactError(
          `${dirs[i]} and ${dirs[0]} differ in ${what}: they are not shards of one run`,
          'merge the shards of a single `propensity score` run (same input, model, month, threshold and shard count)',
        );
      }
    });
  };
  same('input', (s) => s.input);
  same('model', (s) => s.model);
  same('month', (s) => s.month);
  same('threshold', (s) => s.threshold);
  same('--top', (s) => s.top_prospects.requested);
  same('shard count', (s) => s.shard!.count);
  const indices = summaries.map((s) => s.shard!.index).sort((a, b) => a - b);
  const expected = Array.from({ length: count }, (_, i) => i);
  if (JSON.stringify(indices) !== JSON.stringify(expected)) {
    throw new InvalidArtifactError(
      `the shards given are ${indices.join(', ')} of ${count}: every shard 0..${count - 1} is needed exactly once`,
      'pass the output directory of every shard run',
    );
  }
}

interface RejectRow {
  line: number;
  fields: string[];
}

/** rejects.csv of each shard, merged in line order (each is in line order already). */
async function mergeRejects(dirs: string[], out: string): Promise<void> {
  const rows: RejectRow[] = [];
  for (const dir of dirs) {
    const parser = createReadStream(join(dir, REJECTS_FILE)).pipe(parse({ from_line: 2 }));
    for await (const fields of parser as AsyncIterable<string[]>)
      rows.push({ line: Number(fields[0]), fields });
  }
  rows.sort((a, b) => a.line - b.line);
  const writer = await openAtomicWriter(out);
  try {
    await writer.write(REJECTS_HEADER);
    for (const { line, fields } of rows) {
      await writer.write(
        rejectLine({
          line,
          userId: fields[1] ?? '',
          reason: fields[2] as RejectReason,
          detail: fields[3] ?? '',
        }),
      );
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

export async function mergeShards(options: MergeOptions): Promise<{ summary: ScoreSummary; outDir: string }> {
  const startedAt = new Date();
  const started = performance.now();
  if (options.inputs.length === 0)
    throw new InvalidArtifactError('no shard directories given', 'pass --inputs DIR for each shard');
  const summaries = await Promise.all(options.inputs.map(readShard));
  checkShards(summaries, options.inputs);
  const staging = await Staging.open(options.outDir);
  try {
    const threshold = summaries[0]!.threshold;
    const total = summaries.reduce((n, s) => n + s.rows.scored, 0);
    const sources = options.inputs.map(
      (dir) =>
        new SortedFileSource(
          join(dir, PREDICTIONS_FILE),
          (rest) => parseMicro(rest.slice(0, rest.indexOf(','))),
          true,
        ),
    );
    const ranked = await writeRanked(sources, total, {
      dir: staging.dir,
      threshold,
      top: summaries[0]!.top_prospects.requested ?? undefined,
    });
    await mergeRejects(options.inputs, join(staging.dir, REJECTS_FILE));
    // checked as any profile is: a shard's profile that is not one is refused, not half-merged
    const profiles = await Promise.all(options.inputs.map((dir) => readProfile(join(dir, PROFILE_FILE))));
    await writeJsonAtomic(join(staging.dir, PROFILE_FILE), mergeProfiles(profiles));
    const first = summaries[0]!;
    const sum = (value: (s: ScoreSummary) => number) => summaries.reduce((n, s) => n + value(s), 0);
    const rejectsByReason = Object.fromEntries(
      Object.keys(first.rows.rejected_by_reason).map((reason) => [
        reason,
        sum((s) => s.rows.rejected_by_reason[reason as RejectReason]),
      ]),
    );
    const genders = {
      Female: {
        scored: sum((s) => s.fairness.by_gender.Female.scored),
        likely_buyers: sum((s) => s.fairness.by_gender.Female.likely_buyers),
      },
      Male: {
        scored: sum((s) => s.fairness.by_gender.Male.scored),
        likely_buyers: sum((s) => s.fairness.by_gender.Male.likely_buyers),
      },
    };
    const summary = buildSummary({
      month: first.month,
      inputFile: first.input.file,
      read: {
        sha256: first.input.sha256,
        columns: first.input.columns,
        extraColumns: first.input.ignored_columns,
        rowsRead: sum((s) => s.rows.read),
        valid: sum((s) => s.rows.scored),
        rejected: sum((s) => s.rows.rejected),
        optedOut: sum((s) => s.rows.opted_out),
        rejectsByReason,
      },
      card: {
        version: first.model.version,
        model: { ...first.model, features: first.model.features as ModelCard['model']['features'] },
      },
      top: first.top_prospects.requested ?? undefined,
      shard: null,
      threshold,
      ranked,
      genders,
      files: OUTPUT_FILES,
      startedAt,
      seconds: (performance.now() - started) / 1000,
    });
    await writeJsonAtomic(join(staging.dir, SUMMARY_FILE), summary);
    await staging.publish(OUTPUT_FILES, SUMMARY_FILE);
    log.info(
      `merged ${summaries.length} shards: ${summary.rows.scored} customers ranked; outputs in ${options.outDir}`,
    );
    return { summary, outDir: options.outDir };
  } catch (error) {
    await staging.discard();
    throw error;
  }
}

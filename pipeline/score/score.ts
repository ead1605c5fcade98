/**
 * `propensity score`: one users file (or one shard of it) through a verified model into the month's
 * outputs. Reading, validating and scoring stream in batches; ranking spills sorted runs to disk; memory
 * does not grow with the file beyond the duplicate-ID set (8 bytes a slot).
 *
 * Everything is written to a staging directory inside --out-dir and renamed into place only when all of
 * it succeeded, so a failed run (bad file, too many rejects, wrong model) leaves no partial outputs.
 */
import { mkdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { assertRejectRate } from '../data/reader.js';
import { REJECTS_HEADER, rejectLine } from '../data/rejects.js';
import { openAtomicWriter, writeJsonAtomic } from '../io/atomic.js';
import { log, progressReporter } from '../log.js';
import { loadVerifiedModel } from '../model/card.js';
import { estimateRows, scanUsersFile, type UserColumns } from './fast-reader.js';
import { RUN_ROWS } from './ranking.js';
import { PREDICTIONS_FILE, TOP_PROSPECTS_FILE } from './ranked-output.js';
import { openSink, type Sink } from './sink.js';
import { readSuppressionList, resolveMonth, Staging, type Shard } from './run-options.js';
import { buildSummary, PROFILE_FILE, REJECTS_FILE, SUMMARY_FILE, type ScoreSummary } from './summary.js';

export interface ScoreOptions {
  modelDir: string;
  input: string;
  outDir: string;
  /** YYYY-MM; the current month (UTC) by default. */
  month?: string;
  /** Likely-buyer threshold; the model card's by default. */
  threshold?: number;
  /** Rows in top_prospects.csv; the first decile by default. */
  top?: number;
  shard?: Shard;
  suppressFile?: string;
  /** Share of rows that may be rejected before the run fails (default 0.01). */
  maxRejectRate?: number;
  /** Run the model in a worker thread (default) or on the main thread. */
  inference?: 'worker' | 'main';
  /** onnxruntime threads (default 1: the other core parses). */
  threads?: number;
  /** Rows per sorted run kept in memory before spilling (default 2^20). */
  runRows?: number;
  batchSize?: number;
}

export interface ScoreResult {
  outDir: string;
  files: string[];
  summary: ScoreSummary;
}

export const OUTPUT_FILES = [PREDICTIONS_FILE, TOP_PROSPECTS_FILE, REJECTS_FILE, SUMMARY_FILE, PROFILE_FILE];

/** Batches handed to the scoring thread and not yet done: enough to keep both cores busy. */
const IN_FLIGHT = 2;

/**
 * A file of up to a million-odd rows is ranked in one run in memory (nothing spilled: fastest); a bigger
 * one in runs of RUN_ROWS spilled to disk, which keeps memory flat however big the file.
 */
async function runRowsFor(input: string): Promise<number> {
  const rows = estimateRows((await stat(input).catch(() => undefined))?.size ?? 0);
  return rows <= IN_MEMORY_ROWS ? IN_MEMORY_ROWS : RUN_ROWS;
}

const IN_MEMORY_ROWS = 1_250_000;

export async function scoreFile(options: ScoreOptions): Promise<ScoreResult> {
  const startedAt = new Date();
  const started = performance.now();
  const month = resolveMonth(options.month);
  const model = await loadVerifiedModel(options.modelDir);
  const threshold = options.threshold ?? model.card.model.threshold;
  const suppressed = options.suppressFile ? await readSuppressionList(options.suppressFile) : undefined;
  const shard = options.shard;
  const staging = await Staging.open(options.outDir);
  let sink: Sink | undefined;
  try {
    const runsDir = join(staging.dir, 'runs');
    await mkdir(runsDir);
    sink = await openSink(
      {
        onnx: model.onnx,
        threads: options.threads ?? 1,
        threshold,
        runsDir,
        runRows: options.runRows ?? (await runRowsFor(options.input)),
      },
      options.inference === 'main',
    );
    const rejects = await openAtomicWriter(join(staging.dir, REJECTS_FILE));
    await rejects.write(REJECTS_HEADER);
    const progress = progressReporter(`scoring ${options.input}`);
    const inFlight: Promise<void>[] = [];
    const free: UserColumns[] = [];
    let sent = 0;

    log.debug(`score: model and scoring thread ready after ${Math.round(performance.now() - started)} ms`);
    const read = await scanUsersFile(options.input, {
      batchSize: options.batchSize,
      recycle: () => free.pop(),
      ownsHash: shard ? (hash) => hash % shard.count === shard.index : undefined,
      isSuppressed: suppressed ? (id) => suppressed.has(id) : undefined,
      onBatch: async (batch) => {
        if (batch.rejects.length > 0) await rejects.write(batch.rejects.map(rejectLine).join(''));
        if (batch.count === 0) return;
        sent += batch.count;
        const added = sink!.add(batch).then((done) => void free.push(done));
        // awaited in order below; marked handled now, so a later batch failing while an earlier one is
        // awaited is not an unhandled rejection (which would crash the process instead of exiting 2)
        added.catch(() => {});
        inFlight.push(added);
        while (inFlight.length > IN_FLIGHT) await inFlight.shift();
        progress(sent);
      },
    });
    for (const pending of inFlight.splice(0)) await pending;
    log.debug(`score: file read and scored after ${Math.round(performance.now() - started)} ms`);
    await rejects.commit();
    assertRejectRate(read, options.maxRejectRate ?? 0.01);

    const { ranked, profile, genders } = await sink.finish({ dir: staging.dir, top: options.top });
    log.debug(`score: ranked files written after ${Math.round(performance.now() - started)} ms`);
    if (ranked.scored !== read.valid)
      throw new Error(`scored ${ranked.scored} customers, but ${read.valid} valid rows were read`);
    await staging.removeScratch('runs');
    await writeJsonAtomic(join(staging.dir, PROFILE_FILE), profile);
    const summary = buildSummary({
      month,
      inputFile: basename(options.input),
      read,
      card: model.card,
      shard: shard ?? null,
      threshold,
      top: options.top,
      ranked,
      genders,
      files: OUTPUT_FILES,
      startedAt,
      seconds: (performance.now() - started) / 1000,
    });
    await writeJsonAtomic(join(staging.dir, SUMMARY_FILE), summary);
    await staging.publish(OUTPUT_FILES, SUMMARY_FILE);
    log.info(
      `scored ${summary.rows.scored} of ${summary.rows.read} rows (${summary.rows.rejected} rejected, ${summary.rows.opted_out} opted out) in ${summary.timing.seconds} s; outputs in ${options.outDir}`,
    );
    return { outDir: options.outDir, files: OUTPUT_FILES.map((file) => join(options.outDir, file)), summary };
  } catch (error) {
    await staging.discard();
    throw error;
  } finally {
    await sink?.close();
  }
}

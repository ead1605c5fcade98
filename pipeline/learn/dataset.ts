/**
 * The labeled history a retrain learns from, and how it is split.
 *
 * - A data path is one CSV file or a directory of them (read in name order, so the same files always give
 *   the same records and the same SHA-256).
 * - The holdout is decided per customer by a hash of the User ID, never by row position: as history grows
 *   a customer stays on the side they were on, so a champion trained earlier never saw the challenger's
 *   holdout customers either.
 * - Cross-validation folds are stratified (each fold keeps the buyer share) and seeded.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { idHash } from '../data/ids.js';
import { assertRejectRate, readAll } from '../data/reader.js';
import type { TrainingRecord } from '../data/schema.js';
import { DataFileError } from '../errors.js';
import { log } from '../log.js';
import { createRng } from '../random.js';

export interface TrainingData {
  records: TrainingRecord[];
  /** The CSV files read, in order. */
  files: string[];
  /** SHA-256 over the files' bytes, concatenated in that order. */
  sha256: string;
  rowsRead: number;
  rejected: number;
  optedOut: number;
  /** Records dropped because an earlier file already had their User ID. */
  duplicatesAcrossFiles: number;
}

/** The CSV files of a path: the file itself, or a directory's `*.csv` files sorted by name. */
export async function dataFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new DataFileError(path, 'no such file or directory', 'check the path given to --data');
  if (info.isFile()) return [path];
  const names = (await readdir(path)).filter((name) => name.toLowerCase().endsWith('.csv')).sort();
  if (names.length === 0)
    throw new DataFileError(path, 'holds no .csv files', 'put the labeled history there as CSV files');
  return names.map((name) => join(path, name));
}

/** Reads every labeled record of a file or directory, checking each file's reject rate. */
export async function loadTrainingData(path: string, maxRejectRate = 0.01): Promise<TrainingData> {
  const files = await dataFiles(path);
  const hash = createHash('sha256');
  const records: TrainingRecord[] = [];
  const seen = new Set<string>();
  const totals = { rowsRead: 0, rejected: 0, optedOut: 0, duplicatesAcrossFiles: 0 };
  for (const file of files) {
    const { records: fileRecords, summary } = await readAll(file, 'training');
    assertRejectRate(summary, maxRejectRate);
    hash.update(await readFile(file));
    totals.rowsRead += summary.rowsRead;
    totals.rejected += summary.rejected;
    totals.optedOut += summary.optedOut;
    for (const record of fileRecords) {
      if (seen.has(record.userId)) {
        totals.duplicatesAcrossFiles++;
        continue;
      }
      seen.add(record.userId);
      records.push(record);
    }
  }
  if (totals.duplicatesAcrossFiles > 0) {
    log.warn(
      `${totals.duplicatesAcrossFiles} customers appear in more than one file; the first file's row is used`,
    );
  }
  const classes = new Set(records.map((r) => r.purchased));
  if (classes.size < 2) {
    throw new DataFileError(
      path,
      'has buyers only or non-buyers only',
      'a model needs labeled customers of both kinds (Purchased 0 and 1)',
    );
  }
  return { records, files, sha256: hash.digest('hex'), ...totals };
}

/** File names as recorded on the card: names only, no machine paths. */
export const fileNames = (files: readonly string[]): string[] => files.map((file) => basename(file));

const HASH_RANGE = 2 ** 53;

/** Whether a customer belongs to the holdout: the top `share` of the 53-bit User ID hash range. */
export function isHoldout(userId: string, share: number): boolean {
  return idHash(userId) / HASH_RANGE < share;
}

export function splitHoldout<T extends { userId: string }>(
  records: readonly T[],
  share: number,
): { train: T[]; holdout: T[] } {
  const train: T[] = [];
  const holdout: T[] = [];
  for (const record of records) (isHoldout(record.userId, share) ? holdout : train).push(record);
  return { train, holdout };
}

export function labelsOf(records: readonly TrainingRecord[]): Uint8Array {
  return Uint8Array.from(records, (r) => r.purchased);
}

export interface Fold {
  /** Which repeat (0-based) and fold within it. */
  repeat: number;
  fold: number;
  train: Uint32Array;
  test: Uint32Array;
}

/**
 * Repeated stratified k-fold: in each repeat the buyers and the non-buyers are shuffled separately and dealt
 * round-robin to the folds, so every fold has (almost) the same buyer share. Seeded: same labels and seed,
 * same folds.
 */
export function stratifiedFolds(y: Uint8Array, folds: number, repeats: number, seed: number): Fold[] {
  const rng = createRng(seed);
  const result: Fold[] = [];
  const byClass = [0, 1].map((label) => Uint32Array.from(y.keys()).filter((i) => y[i] === label));
  for (let repeat = 0; repeat < repeats; repeat++) {
    const assignment = new Uint8Array(y.length);
    let dealt = 0;
    for (const members of byClass) {
      const order = rng.permutation(members.length);
      for (let k = 0; k < members.length; k++) assignment[members[order[k]!]!] = (dealt + k) % folds;
      dealt += members.length;
    }
    for (let fold = 0; fold < folds; fold++) {
      const test: number[] = [];
      const train: number[] = [];
      for (let i = 0; i < y.length; i++) (assignment[i] === fold ? test : train).push(i);
      result.push({ repeat, fold, train: Uint32Array.from(train), test: Uint32Array.from(test) });
    }
  }
  return result;
}

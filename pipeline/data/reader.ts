/**
 * Streaming reader for the data contract: reads a CSV file of any size in constant memory, validates every
 * row, and hands out valid records and rejects in batches. Every row read ends up counted as valid,
 * opted out or rejected, so nothing disappears silently.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse';
import { DataFileError, RejectRateError } from '../errors.js';
import { idHash, IdSet, type HashSet } from './ids.js';
import {
  resolveHeader,
  validateRow,
  type ColumnMap,
  type Kind,
  type RecordOf,
  type Reject,
  type RejectReason,
} from './schema.js';

export interface Batch<K extends Kind> {
  records: RecordOf<K>[];
  rejects: Reject[];
}

export interface ReadSummary {
  file: string;
  kind: Kind;
  /** SHA-256 of the file's bytes, as read. */
  sha256: string;
  columns: string[];
  /** Columns the contract does not use: ignored. */
  extraColumns: string[];
  /** Data rows read (of this shard, when a filter is given). */
  rowsRead: number;
  valid: number;
  optedOut: number;
  rejected: number;
  rejectsByReason: Partial<Record<RejectReason, number>>;
}

export interface ReadOptions<K extends Kind> {
  kind: K;
  onBatch: (batch: Batch<K>) => void | Promise<void>;
  batchSize?: number;
  /** Rows whose User ID this returns false for belong to someone else (another shard): not read at all. */
  owns?: (userId: string) => boolean;
  /** The same as `owns`, given `idHash(userId)` (the scorer's shards: no ID text needed). */
  ownsHash?: (hash: number) => boolean;
  /** IDs on a suppression list count as opted out. */
  isSuppressed?: (userId: string) => boolean;
}

const UTF8_HINT = 'save the file as "CSV UTF-8" (in a spreadsheet: Save As, CSV UTF-8) and try again';

export function binaryFileError(file: string, offset: number): DataFileError {
  return new DataFileError(file, `holds binary data (a NUL byte near byte ${offset}): it is not a CSV text file`, UTF8_HINT);
}

export function notUtf8Error(file: string, offset: number | undefined): DataFileError {
  return new DataFileError(
    file,
    offset === undefined ? 'is not valid UTF-8 text (it ends in the middle of a character)' : `is not valid UTF-8 text (bad bytes near byte ${offset})`,
    UTF8_HINT,
  );
}

/** Bytes to text, refusing anything that is not UTF-8 or that holds binary data. */
export async function* decodeUtf8(file: string, chunks: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    if (chunk.includes(0)) throw binaryFileError(file, offset + chunk.indexOf(0));
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch {
      throw notUtf8Error(file, offset);
    }
    offset += chunk.length;
  }
  try {
    yield decoder.decode();
  } catch {
    throw notUtf8Error(file, undefined);
  }
}

export function csvProblem(file: string, error: CsvError): DataFileError {
  const line = (error as CsvError & { lines?: number }).lines;
  const where = line ? ` at line ${line}` : '';
  // csv-parse quotes the offending field ("value is ..."): a User ID or salary must not reach a log
  const message = error.message.replace(/,? value is [\s\S]*$/, '');
  return new DataFileError(
    file,
    `is not well-formed CSV${where}: ${message}`,
    'check that quoted fields open and close with a double quote ("), and that quotes inside a field are doubled ("")',
  );
}

function emptySummary(file: string, kind: Kind): ReadSummary {
  return {
    file,
    kind,
    sha256: '',
    columns: [],
    extraColumns: [],
    rowsRead: 0,
    valid: 0,
    optedOut: 0,
    rejected: 0,
    rejectsByReason: {},
  };
}

/**
 * What happens to each parsed row, whoever parsed it (csv-parse here, the scorer's fast tokenizer):
 * the header is matched, every row of ours is counted as valid, opted out or rejected, duplicates found.
 * One place, so every reader reconciles the same way.
 */
export class RowTally<K extends Kind> {
  readonly summary: ReadSummary;
  map: ColumnMap | undefined;
  /** Data rows in the file, whoever owns them. */
  dataLines = 0;
  private readonly seen: HashSet;

  constructor(
    readonly file: string,
    private readonly options: Pick<ReadOptions<K>, 'kind' | 'owns' | 'ownsHash' | 'isSuppressed'> & {
      expectedRows?: number;
      /** The duplicate-ID set to use (default: an IdSet sized for `expectedRows`). */
      idSet?: HashSet;
    },
  ) {
    this.summary = emptySummary(file, options.kind);
    this.seen = options.idSet ?? new IdSet(options.expectedRows);
  }

  header(record: string[]): void {
    this.map = resolveHeader(this.file, record, this.options.kind);
    this.summary.columns = record.map((name) => name.trim());
    this.summary.extraColumns = this.map.extra;
  }

  /** A data row at 1-based `line`: the valid record, its reject, or undefined (not ours, or opted out). */
  row(record: string[], line: number): RecordOf<K> | Reject | undefined {
    const map = this.map!;
    if (!this.ours((record[map.userId] ?? '').trim())) return undefined;
    const verdict = validateRow(record, map, this.options.kind);
    if (verdict.status === 'rejected') return this.reject(line, verdict.userId, verdict.reason, verdict.detail);
    const admitted = this.admit(verdict.userId, line, verdict.status === 'opted_out');
    return admitted === true ? (verdict as { record: RecordOf<K> }).record : admitted;
  }

  /** Counts a data row; answers whether it belongs to this reader (its shard). */
  ours(userId: string, hash?: number): boolean {
    this.dataLines++;
    const { owns, ownsHash } = this.options;
    if (owns && !owns(userId)) return false;
    if (ownsHash && !ownsHash(hash ?? idHash(userId))) return false;
    this.summary.rowsRead++;
    return true;
  }

  /**
   * Settles a row that passed validation: a repeated ID is rejected, an opt-out (or a suppressed ID) is
   * counted; true means the row is to be scored.
   */
  admit(userId: string, line: number, optedOut: boolean): true | Reject | undefined {
    return this.admitHashed(idHash(userId), line, optedOut, () => userId);
  }

  /** `admit` for a row known by the hash of its ID; `idText` makes the ID when it is needed. */
  admitHashed(hash: number, line: number, optedOut: boolean, idText: () => string): true | Reject | undefined {
    if (this.seen.addHashIfAbsent(hash)) {
      const userId = idText();
      return this.reject(line, userId, 'duplicate_user_id', `User ID ${userId} appears earlier in the file`);
    }
    if (optedOut || this.options.isSuppressed?.(idText())) {
      this.summary.optedOut++;
      return undefined;
    }
    this.summary.valid++;
    return true;
  }

  /** The file-level checks once every row is in: a header, and at least one row. */
  finish(sha256: string): ReadSummary {
    if (!this.map) throw new DataFileError(this.file, 'is empty', 'export the data again: the file has no header and no rows');
    if (this.dataLines === 0) throw new DataFileError(this.file, 'has a header but no rows', 'export the data again with its rows');
    this.summary.sha256 = sha256;
    return this.summary;
  }

  private reject(line: number, userId: string, reason: RejectReason, detail: string): Reject {
    this.summary.rejected++;
    this.summary.rejectsByReason[reason] = (this.summary.rejectsByReason[reason] ?? 0) + 1;
    return { line, userId, reason, detail };
  }
}

export const isReject = (value: object): value is Reject => 'reason' in value;

/** Refuses a path that is not a non-empty file, before any reading. */
export async function assertReadableFile(file: string): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new DataFileError(file, 'no such file', 'check the path');
  if (info.size === 0) throw new DataFileError(file, 'is empty', 'export the data again: the file has no header and no rows');
  return info.size;
}

export async function readDataFile<K extends Kind>(file: string, options: ReadOptions<K>): Promise<ReadSummary> {
  await assertReadableFile(file);
  const batchSize = options.batchSize ?? 10_000;
  const hash = createHash('sha256');
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
  const text = decodeUtf8(file, createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  const feeding = (async () => {
    for await (const piece of text) if (!parser.write(piece)) await new Promise((r) => parser.once('drain', r));
    parser.end();
  })();
  feeding.catch((error: unknown) => parser.destroy(error as Error));

  const tally = new RowTally<K>(file, options);
  let batch: Batch<K> = { records: [], rejects: [] };
  try {
    for await (const { record, info: at } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!tally.map) {
        tally.header(record);
        continue;
      }
      const outcome = tally.row(record, at.lines);
      if (outcome === undefined) continue;
      if (isReject(outcome)) batch.rejects.push(outcome);
      else batch.records.push(outcome);
      if (batch.records.length + batch.rejects.length >= batchSize) {
        await options.onBatch(batch);
        batch = { records: [], rejects: [] };
      }
    }
  } catch (error) {
    if (error instanceof CsvError) throw csvProblem(file, error);
    throw error;
  }
  await feeding;
  const summary = tally.finish(hash.digest('hex'));
  if (batch.records.length + batch.rejects.length > 0) await options.onBatch(batch);
  return summary;
}

/** Reads a whole (small) file into memory: training data, a reference sample. */
export async function readAll<K extends Kind>(
  file: string,
  kind: K,
): Promise<{ records: RecordOf<K>[]; rejects: Reject[]; summary: ReadSummary }> {
  const records: RecordOf<K>[] = [];
  const rejects: Reject[] = [];
  const summary = await readDataFile(file, {
    kind,
    onBatch: (batch) => {
      for (const r of batch.records) records.push(r);
      for (const r of batch.rejects) rejects.push(r);
    },
  });
  return { records, rejects, summary };
}

/** Stops the run when more rows were rejected than the limit allows (a share, 0.01 = 1%). */
export function assertRejectRate(summary: ReadSummary, limit: number): void {
  if (summary.rowsRead === 0) return;
  const rate = summary.rejected / summary.rowsRead;
  if (rate > limit) {
    const reasons = Object.entries(summary.rejectsByReason)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    throw new RejectRateError(
      `${summary.file}: ${summary.rejected} of ${summary.rowsRead} rows (${(100 * rate).toFixed(2)}%) break the data contract, more than the limit of ${(100 * limit).toFixed(2)}% (${reasons})`,
      'fix the export (see rejects.csv for each bad row and its reason), or raise the limit with --max-reject-rate if these rows are expected',
    );
  }
}

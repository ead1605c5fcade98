/**
 * Ranking scored customers in constant memory, the same way for one run and for merged shards.
 *
 * The order is defined on what the file shows: probability as printed (6 decimals) descending, ties by
 * the User ID field as printed, ascending (plain string compare). Probabilities are kept as integer
 * micro-units (round(p * 1e6)), so sums and comparisons are exact and do not depend on the order rows
 * arrive in, which is what makes shards merge into the bytes of one run.
 *
 * Rows are collected in runs of up to `runRows`; a full run is sorted (a counting sort on the micro-units,
 * then a string sort within equal probabilities) and spilled to a temporary file as `id,micro` lines. The
 * final pass merges the runs (k-way) and numbers them: rank = position, decile = floor((rank-1)*10/N)+1.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { openAtomicWriter } from '../io/atomic.js';

export const MICRO = 1_000_000;

/** Rows per sorted run held in memory: about 20 MB of IDs, whatever the size of the file (PROPENSITY_RUN_ROWS overrides it, for measurements). */
export const RUN_ROWS = Number(process.env.PROPENSITY_RUN_ROWS) || 1 << 18;

/** A probability in micro-units, as it will be printed. */
export function toMicro(probability: number): number {
  if (!(probability >= 0 && probability <= 1)) {
    throw new Error(`the model returned a probability outside 0..1: ${probability}`);
  }
  return Math.round(probability * MICRO);
}

/** "0.123456": micro-units printed with 6 decimals, without floating-point formatting. */
export function formatMicro(micro: number): string {
  if (micro >= MICRO) return '1.000000';
  const digits = String(micro);
  return '0.' + '000000'.slice(digits.length) + digits;
}

/** The micro-units of a probability printed by `formatMicro`. */
export function parseMicro(text: string): number {
  const value = Number(text.replace('.', ''));
  if (!Number.isInteger(value) || value < 0 || value > MICRO || !/^[01]\.\d{6}$/.test(text)) {
    throw new Error(`not a probability with 6 decimals: "${text}"`);
  }
  return value;
}

/** A source of (id, micro) in rank order. `next()` answers false when it must `refill()` (or is done). */
export interface SortedSource {
  readonly id: string;
  micro: number;
  /** Writes the ID's bytes at `at` (when the source can without making the ID's text); returns the end. */
  writeId?(buffer: Uint8Array, at: number): number;
  next(): boolean;
  /** Loads more; answers false at the end. */
  refill(): Promise<boolean>;
}

/** Whether a ranks before b. */
export function ranksBefore(aMicro: number, aId: string, bMicro: number, bId: string): boolean {
  return aMicro !== bMicro ? aMicro > bMicro : aId < bId;
}

let buckets: Int32Array | undefined;

/** Sorts one run in rank order: counting sort on micro-units, then IDs sorted within each probability. */
export function sortRun(
  ids: string[],
  micros: Int32Array,
  count: number,
): { ids: string[]; micros: Int32Array } {
  buckets ??= new Int32Array(MICRO + 2);
  buckets.fill(0);
  for (let i = 0; i < count; i++) buckets[MICRO - micros[i]! + 1]!++;
  for (let b = 1; b < buckets.length; b++) buckets[b]! += buckets[b - 1]!;
  const sortedIds = new Array<string>(count);
  const sortedMicros = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const at = buckets[MICRO - micros[i]!]!++;
    sortedIds[at] = ids[i]!;
    sortedMicros[at] = micros[i]!;
  }
  for (let start = 0; start < count;) {
    let end = start + 1;
    while (end < count && sortedMicros[end] === sortedMicros[start]) end++;
    if (end - start > 1) {
      const tied = sortedIds.slice(start, end).sort();
      for (let k = 0; k < tied.length; k++) sortedIds[start + k] = tied[k]!;
    }
    start = end;
  }
  return { ids: sortedIds, micros: sortedMicros };
}

/**
 * Most banks number their customers: for a User ID of 1 to 9 digits, one number orders rows exactly as
 * (probability descending, ID ascending as text) does. The ID's digits count 1..10 in base 11, padded with
 * 0 (so "1" < "10" < "9", as strings compare), under the micro-units counted down. A run of such numbers
 * sorts natively in a Float64Array: no strings, no string comparisons.
 */
const KEY_DIGITS = 9;
const KEY_SPAN = 11 ** KEY_DIGITS;

/** The key of a run row whose ID is bytes[from..to), or -1 when the ID is not 1 to 9 digits. */
export function rankKey(micro: number, bytes: Uint8Array, from: number, to: number): number {
  const length = to - from;
  if (length < 1 || length > KEY_DIGITS) return -1;
  let key = 0;
  for (let i = 0; i < KEY_DIGITS; i++) {
    let digit = 0;
    if (i < length) {
      const c = bytes[from + i]!;
      if (c < 48 || c > 57) return -1;
      digit = c - 47;
    }
    key = key * 11 + digit;
  }
  return (MICRO - micro) * KEY_SPAN + key;
}

const digits = Buffer.alloc(KEY_DIGITS);

/** The ID of the ID part of a rank key (its digits are a prefix, the padding follows them). */
function idOfRankKey(idPart: number): string {
  return digits.latin1Slice(0, writeIdDigits(idPart, digits, 0));
}

/** The micro-units of a rank key. */
const microOfRankKey = (key: number): number => MICRO - (key - (key % KEY_SPAN)) / KEY_SPAN;

/** The micro-units and the ID of a rank key. */
export function fromRankKey(key: number): { micro: number; id: string } {
  return { micro: microOfRankKey(key), id: idOfRankKey(key % KEY_SPAN) };
}

/** A sorted run of rank keys held in memory. */
class KeySource implements SortedSource {
  micro = 0;
  /** The ID part of the current key. */
  private idPart = 0;
  private text: string | undefined;
  private at = 0;
  constructor(private readonly keys: Float64Array) {}
  /** The ID as text, made only when a merge compares it. */
  get id(): string {
    return (this.text ??= idOfRankKey(this.idPart));
  }
  next(): boolean {
    if (this.at >= this.keys.length) return false;
    const key = this.keys[this.at++]!;
    this.idPart = key % KEY_SPAN;
    this.micro = MICRO - (key - this.idPart) / KEY_SPAN;
    this.text = undefined;
    return true;
  }
  writeId(buffer: Uint8Array, at: number): number {
    return writeIdDigits(this.idPart, buffer, at);
  }
  async refill(): Promise<boolean> {
    return false;
  }
}

/**
 * Writes the digits of an ID part (base 11, see rankKey) at `at`; returns the end. The part is split in
 * two numbers below 2^31 so that the digits come out of integer arithmetic.
 */
function writeIdDigits(idPart: number, buffer: Uint8Array, at: number): number {
  const high = Math.floor(idPart / LOW_SPAN);
  let low = (idPart - high * LOW_SPAN) | 0;
  let rest = high | 0;
  let end = 0;
  for (let i = KEY_DIGITS - 1; i >= 0; i--) {
    let digit: number;
    if (i >= KEY_DIGITS - LOW_DIGITS) {
      digit = low % 11;
      low = (low / 11) | 0;
    } else {
      digit = rest % 11;
      rest = (rest / 11) | 0;
    }
    if (digit > 0) {
      buffer[at + i] = 47 + digit;
      if (end === 0) end = i + 1;
    }
  }
  return at + end;
}

const LOW_DIGITS = 4;
const LOW_SPAN = 11 ** LOW_DIGITS;

/** A sorted run held in memory. */
class MemorySource implements SortedSource {
  id = '';
  micro = 0;
  private at = 0;
  constructor(
    private readonly ids: string[],
    private readonly micros: Int32Array,
  ) {}
  next(): boolean {
    if (this.at >= this.ids.length) return false;
    this.id = this.ids[this.at]!;
    this.micro = this.micros[this.at]!;
    this.at++;
    return true;
  }
  async refill(): Promise<boolean> {
    return false;
  }
}

/**
 * Reads CSV lines whose first field is a User ID as printed by `csvText` (quoted when needed, so it may hold
 * commas or line breaks) and whose other fields are plain: spilled runs (`id,micro`) and predictions files.
 * `micro` is read from field `microField` of the rest (0 = the field right after the ID).
 */
export class SortedFileSource implements SortedSource {
  id = '';
  micro = 0;
  /** The fields after the ID, as text. */
  rest = '';
  private text = '';
  private at = 0;
  private readonly chunks: AsyncIterator<string>;
  private ended = false;

  constructor(
    readonly path: string,
    private readonly parseMicroField: (rest: string) => number,
    skipHeader: boolean,
  ) {
    // small reads: a merge of a 10-million-row month has dozens of these open at once
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
    this.chunks = (stream as AsyncIterable<string>)[Symbol.asyncIterator]();
    this.skipHeader = skipHeader;
  }
  private skipHeader: boolean;

  next(): boolean {
    const text = this.text;
    let i = this.at;
    if (i >= text.length) return false;
    let idEnd: number;
    if (text.charCodeAt(i) === 34) {
      let j = i + 1;
      for (;;) {
        j = text.indexOf('"', j);
        if (j < 0) return false;
        if (text.charCodeAt(j + 1) === 34) j += 2;
        else break;
      }
      idEnd = j + 1;
      if (idEnd >= text.length) return false;
    } else {
      idEnd = text.indexOf(',', i);
      if (idEnd < 0) return false;
    }
    const lineEnd = text.indexOf('\n', idEnd);
    if (lineEnd < 0) return false;
    if (this.skipHeader) {
      this.skipHeader = false;
      this.at = lineEnd + 1;
      return this.next();
    }
    this.id = text.slice(i, idEnd);
    this.rest = text.slice(idEnd + 1, lineEnd);
    this.micro = this.parseMicroField(this.rest);
    i = lineEnd + 1;
    this.at = i;
    return true;
  }

  async refill(): Promise<boolean> {
    if (this.ended) return false;
    const { value, done } = await this.chunks.next();
    if (done) {
      this.ended = true;
      if (this.at < this.text.length) throw new Error(`${this.path}: the last line has no line end`);
      return false;
    }
    this.text = this.text.slice(this.at) + (value as string);
    this.at = 0;
    return true;
  }
}

/** Pulls the next row of a source, loading more when needed; false at its end. */
export async function advance(source: SortedSource): Promise<boolean> {
  while (!source.next()) if (!(await source.refill())) return false;
  return true;
}

/** Merges sorted sources into one sorted stream, handing out rows in rank order. */
export async function mergeSorted(
  sources: SortedSource[],
  emit: (row: SortedSource) => void | Promise<void>,
): Promise<void> {
  const heap: SortedSource[] = [];
  for (const source of sources) if (await advance(source)) heap.push(source);
  const before = (a: SortedSource, b: SortedSource) => ranksBefore(a.micro, a.id, b.micro, b.id);
  const down = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && before(heap[l]!, heap[best]!)) best = l;
      if (r < heap.length && before(heap[r]!, heap[best]!)) best = r;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best]!, heap[i]!];
      i = best;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    const pending = emit(top);
    if (pending) await pending;
    if (top.next() || (await advance(top))) down(0);
    else {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
      down(0);
    }
  }
}

/** Collects (id, micro) pairs; keeps one run in memory and spills full runs, sorted, to `dir`. */
export class RunCollector {
  private ids: string[] = [];
  private micros: Int32Array;
  private count = 0;
  /** Rank keys of the run in hand, while every ID so far was 1 to 9 digits. */
  private keys: Float64Array;
  private keyCount = 0;
  private numeric = true;
  private readonly spilled: string[] = [];
  total = 0;

  constructor(
    private readonly dir: string,
    private readonly runRows = RUN_ROWS,
  ) {
    this.micros = new Int32Array(1 << 16);
    this.keys = new Float64Array(1 << 16);
  }

  /** Adds a row by its rank key (see rankKey); false when keys are not in use any more: add it as text. */
  addKey(key: number): boolean {
    if (!this.numeric) return false;
    if (this.keyCount === this.keys.length) {
      const bigger = new Float64Array(this.keys.length * 2);
      bigger.set(this.keys);
      this.keys = bigger;
    }
    this.keys[this.keyCount++] = key;
    this.total++;
    return true;
  }

  add(id: string, micro: number): void {
    if (this.numeric) this.stopKeys();
    if (this.count === this.micros.length) {
      const bigger = new Int32Array(this.micros.length * 2);
      bigger.set(this.micros);
      this.micros = bigger;
    }
    this.ids.push(id);
    this.micros[this.count++] = micro;
    this.total++;
  }

  /** An ID that is not a number came: the rows kept as keys become text rows, and keys are not used again. */
  private stopKeys(): void {
    this.numeric = false;
    const keys = this.keys.subarray(0, this.keyCount);
    this.keyCount = 0;
    this.keys = new Float64Array(0);
    for (const key of keys) {
      const { micro, id } = fromRankKey(key);
      this.total--;
      this.add(id, micro);
    }
  }

  /** Spills the run in memory once it holds `runRows` rows (call between batches). */
  async spillWhenFull(): Promise<void> {
    if (this.count + this.keyCount >= this.runRows) await this.spill();
  }

  private sortedRun(): SortedSource {
    if (this.keyCount > 0) {
      const keys = this.keys.slice(0, this.keyCount).sort();
      this.keyCount = 0;
      return new KeySource(keys);
    }
    const sorted = sortRun(this.ids, this.micros, this.count);
    this.ids = [];
    this.count = 0;
    return new MemorySource(sorted.ids, sorted.micros);
  }

  private async spill(): Promise<void> {
    const run = this.sortedRun();
    const path = join(this.dir, `run-${this.spilled.length}.csv`);
    const writer = await openAtomicWriter(path);
    try {
      let piece = '';
      while (run.next()) {
        piece += `${run.id},${run.micro}\n`;
        if (piece.length >= 1 << 20) {
          await writer.write(piece);
          piece = '';
        }
      }
      if (piece) await writer.write(piece);
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    this.spilled.push(path);
  }

  /** The sorted sources: the spilled runs and the run in memory. */
  sources(): SortedSource[] {
    return [...this.spilled.map((path) => new SortedFileSource(path, Number, false)), this.sortedRun()];
  }
}

/**
 * The final pass of a scoring run (or of a merge of shards): rows in rank order become predictions.csv and
 * top_prospects.csv, and the per-decile figures of the summary are counted on the way.
 */
import { join } from 'node:path';
import { openAtomicWriter, type AtomicWriter } from '../io/atomic.js';
import { csvLine } from '../data/csv.js';
import { mergeSorted, MICRO, type SortedSource } from './ranking.js';

export const PREDICTIONS_FILE = 'predictions.csv';
export const TOP_PROSPECTS_FILE = 'top_prospects.csv';
export const PREDICTIONS_HEADER = csvLine(['User ID', 'probability', 'likely_buyer', 'decile', 'rank']);

/** The summary's line for one decile. */
export interface DecileSummary {
  decile: number;
  customers: number;
  /** Sum of the probabilities: how many of them are expected to buy. */
  expected_buyers: number;
  min_probability: number | null;
  max_probability: number | null;
  likely_buyers: number;
}

export interface RankedTotals {
  scored: number;
  expectedBuyersMicro: number;
  likelyBuyers: number;
  deciles: DecileSummary[];
  /** Customers per probability bin of width 0.05 (the last bin includes 1). */
  histogram: number[];
  topCount: number;
}

export const HISTOGRAM_BINS = 20;

const FLUSH_AT = 1 << 20;

declare global {
  interface Buffer {
    /** Buffer.write without its argument checks (Node's own fast path). */
    utf8Write(text: string, offset: number, length: number): number;
  }
}

/**
 * Prediction lines written straight into bytes (no string per line): the ID as text, then the
 * probability, flag, decile and rank as ASCII digits.
 */
class LineWriter {
  private buffer = Buffer.allocUnsafe(FLUSH_AT + (1 << 16));
  private at = 0;
  constructor(private readonly writer: AtomicWriter) {}

  get full(): boolean {
    return this.at >= FLUSH_AT;
  }

  text(value: string): void {
    if (this.at + value.length * 3 > this.buffer.length) this.grow(value.length * 3);
    this.at += this.buffer.utf8Write(value, this.at, this.buffer.length - this.at);
  }

  /** The digits of the rank of the next line, counted up in place (no division per line). */
  private readonly rank = Buffer.from('0000000000000000');
  private rankStart = this.rank.length;
  private lastMicro = -1;
  private readonly probability = Buffer.alloc(8);

  /** Appends the line of the next rank (lines come in rank order: 1, 2, 3, ...). */
  line(row: SortedSource, likely: number, decile: number): void {
    const micro = row.micro;
    if (row.writeId) {
      if (this.at + 64 > this.buffer.length) this.grow(64);
      this.at = row.writeId(this.buffer, this.at);
    } else this.text(row.id);
    const b = this.buffer;
    let at = this.at;
    b[at++] = 44;
    // probability "0.dddddd" (or "1.000000"): sorted rows often repeat the last one
    if (micro !== this.lastMicro) {
      this.lastMicro = micro;
      const p = this.probability;
      p[0] = micro >= MICRO ? 49 : 48;
      p[1] = 46;
      let fraction = micro >= MICRO ? 0 : micro;
      for (let k = 7; k >= 2; k--) {
        const next = (fraction / 10) | 0;
        p[k] = 48 + fraction - next * 10;
        fraction = next;
      }
    }
    const p = this.probability;
    for (let k = 0; k < 8; k++) b[at++] = p[k]!;
    b[at++] = 44;
    b[at++] = 48 + likely;
    b[at++] = 44;
    if (decile === 10) {
      b[at++] = 49;
      b[at++] = 48;
    } else b[at++] = 48 + decile;
    b[at++] = 44;
    at += this.nextRank(b, at);
    b[at++] = 10;
    this.at = at;
  }

  private nextRank(b: Buffer, at: number): number {
    const digits = this.rank;
    let k = digits.length - 1;
    while (digits[k] === 57) digits[k--] = 48;
    digits[k]!++;
    if (k < this.rankStart) this.rankStart = k;
    for (let d = this.rankStart; d < digits.length; d++) b[at++] = digits[d]!;
    return digits.length - this.rankStart;
  }

  async flush(): Promise<void> {
    if (this.at === 0) return;
    const bytes = this.buffer.subarray(0, this.at);
    this.buffer = Buffer.allocUnsafe(this.buffer.length);
    this.at = 0;
    await this.writer.write(bytes);
  }

  async commit(): Promise<void> {
    await this.flush();
    await this.writer.commit();
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }

  private grow(extra: number): void {
    const bigger = Buffer.allocUnsafe(this.buffer.length * 2 + extra);
    this.buffer.copy(bigger, 0, 0, this.at);
    this.buffer = bigger;
  }
}

/** Whether a printed probability makes a likely buyer at `threshold`. */
export function isLikelyBuyer(micro: number, threshold: number): boolean {
  return micro / MICRO >= threshold;
}

/** The decile (1 = most likely) of the customer at 1-based `rank` among `total`. */
export function decileOf(rank: number, total: number): number {
  return Math.floor(((rank - 1) * 10) / total) + 1;
}

/** How many rows the top-prospects file gets: `top`, or by default the first decile. */
export function topCount(total: number, top: number | undefined): number {
  return Math.min(total, top ?? Math.ceil(total / 10));
}

/** Micro-units to a rounded JSON number (exact sums stay exact to 6 decimals). */
export const microToNumber = (micro: number): number => Math.round(micro) / MICRO;

export async function writeRanked(
  sources: SortedSource[],
  total: number,
  options: { dir: string; threshold: number; top?: number },
): Promise<RankedTotals> {
  const top = topCount(total, options.top);
  const deciles = Array.from({ length: 10 }, () => ({ customers: 0, sum: 0, min: -1, max: -1, likely: 0 }));
  const histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  const predictions = new LineWriter(await openAtomicWriter(join(options.dir, PREDICTIONS_FILE)));
  const prospects = new LineWriter(await openAtomicWriter(join(options.dir, TOP_PROSPECTS_FILE)));
  let rank = 0;
  let likelyBuyers = 0;
  let sum = 0;
  try {
    predictions.text(PREDICTIONS_HEADER);
    prospects.text(PREDICTIONS_HEADER);
    await mergeSorted(sources, (row) => {
      const micro = row.micro;
      rank++;
      const decile = decileOf(rank, total);
      const likely = isLikelyBuyer(micro, options.threshold);
      const d = deciles[decile - 1]!;
      d.customers++;
      d.sum += micro;
      if (d.max < 0) d.max = micro;
      d.min = micro;
      if (likely) {
        d.likely++;
        likelyBuyers++;
      }
      sum += micro;
      histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor((micro * HISTOGRAM_BINS) / MICRO))]!++;
      predictions.line(row, likely ? 1 : 0, decile);
      if (rank <= top) prospects.line(row, likely ? 1 : 0, decile);
      if (!predictions.full && !prospects.full) return undefined;
      return Promise.all([predictions.flush(), prospects.flush()]).then(() => undefined);
    });
    if (rank !== total) throw new Error(`ranked ${rank} rows, expected ${total}`);
    await predictions.commit();
    await prospects.commit();
  } catch (error) {
    await predictions.abort();
    await prospects.abort();
    throw error;
  }
  return {
    scored: total,
    expectedBuyersMicro: sum,
    likelyBuyers,
    histogram,
    topCount: top,
    deciles: deciles.map((d, i) => ({
      decile: i + 1,
      customers: d.customers,
      expected_buyers: microToNumber(d.sum),
      min_probability: d.customers ? d.min / MICRO : null,
      max_probability: d.customers ? d.max / MICRO : null,
      likely_buyers: d.likely,
    })),
  };
}

/**
 * The final pass of a scoring run (or of a merge of shards): rows in rank order become predictions.csv and
 * top_prospects.csv, and the per-decile figures of the summary are counted on the way.
 */
import { join } from 'node:path';
import { openAtomicWriter, type AtomicWriter } from '../io/atomic.js';
import { csvLine } from '../data/csv.js';
import { formatMicro, mergeSorted, MICRO, type SortedSource } from './ranking.js';

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
  const predictions = await openAtomicWriter(join(options.dir, PREDICTIONS_FILE));
  const prospects = await openAtomicWriter(join(options.dir, TOP_PROSPECTS_FILE));
  const writers: AtomicWriter[] = [predictions, prospects];
  let rank = 0;
  let likelyBuyers = 0;
  let sum = 0;
  let piece = PREDICTIONS_HEADER;
  let topPiece = PREDICTIONS_HEADER;
  try {
    await mergeSorted(sources, (id, micro) => {
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
      const line = `${id},${formatMicro(micro)},${likely ? 1 : 0},${decile},${rank}\n`;
      piece += line;
      if (rank <= top) topPiece += line;
      if (piece.length < 1 << 20 && topPiece.length < 1 << 20) return undefined;
      const [full, fullTop] = [piece, topPiece];
      piece = '';
      topPiece = '';
      return Promise.all([predictions.write(full), prospects.write(fullTop)]).then(() => undefined);
    });
    if (rank !== total) throw new Error(`ranked ${rank} rows, expected ${total}`);
    await predictions.write(piece);
    await prospects.write(topPiece);
    for (const writer of writers) await writer.commit();
  } catch (error) {
    for (const writer of writers) await writer.abort();
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

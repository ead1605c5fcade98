/**
 * summary.json of a scoring run: what was read, what became of every row (the reconciliation), what the
 * scores say (expected buyers overall and per decile, the distribution, selection rates by gender), and
 * which model and input produced it. Everything but `timing` is a function of the input, the model and the
 * options, so a re-run, and shards merged, give the same bytes apart from `timing`.
 */
import type { ReadSummary } from '../data/reader.js';
import { GENDERS, REJECT_REASONS, type Gender, type RejectReason } from '../data/schema.js';
import type { ModelCard } from '../model/card.js';
import { HISTOGRAM_BINS, microToNumber, type DecileSummary, type RankedTotals } from './ranked-output.js';

export const SUMMARY_FILE = 'summary.json';
export const REJECTS_FILE = 'rejects.csv';
export const PROFILE_FILE = 'profile.json';
export const SUMMARY_FORMAT = 'propensity-score-summary/1';

/** Scored customers and likely buyers of one gender: what selection rates are computed from. */
export interface GenderCounts {
  scored: number;
  likely_buyers: number;
  selection_rate: number | null;
}

export interface ScoreSummary {
  format: typeof SUMMARY_FORMAT;
  month: string;
  input: { file: string; sha256: string; columns: string[]; ignored_columns: string[] };
  model: { version: number; sha256: string; learner: string; features: string[] };
  /** This run's part of a sharded month, or null for a whole month (one run, or shards merged). */
  shard: { index: number; count: number } | null;
  threshold: number;
  rows: {
    read: number;
    scored: number;
    rejected: number;
    opted_out: number;
    rejected_by_reason: Record<RejectReason, number>;
  };
  /** read = scored + rejected + opted_out, checked. */
  reconciliation: { read: number; accounted_for: number; holds: boolean };
  /** Sum of the probabilities: how many customers are expected to buy. */
  expected_buyers: number;
  /** Customers at or above the threshold. */
  likely_buyers: number;
  deciles: DecileSummary[];
  score_distribution: { from: number; to: number; customers: number }[];
  fairness: {
    by_gender: Record<Gender, GenderCounts>;
    /** Lower selection rate over the higher (1 = parity); the four-fifths rule asks for at least 0.8. */
    selection_rate_ratio: number | null;
    four_fifths_rule_holds: boolean | null;
  };
  /** Rows in top_prospects.csv, and the --top asked for (null: the first decile). */
  top_prospects: { rows: number; requested: number | null };
  files: string[];
  timing: { started_at: string; seconds: number; rows_per_second: number };
}

export interface SummaryParts {
  month: string;
  inputFile: string;
  read: Pick<
    ReadSummary,
    'sha256' | 'columns' | 'extraColumns' | 'rowsRead' | 'valid' | 'rejected' | 'optedOut' | 'rejectsByReason'
  >;
  card: { version: number; model: Pick<ModelCard['model'], 'sha256' | 'learner' | 'features'> };
  top: number | undefined;
  shard: { index: number; count: number } | null;
  threshold: number;
  ranked: RankedTotals;
  genders: Record<Gender, { scored: number; likely_buyers: number }>;
  files: string[];
  startedAt: Date;
  seconds: number;
}

const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export function buildSummary(parts: SummaryParts): ScoreSummary {
  const { read, ranked } = parts;
  const byReason = Object.fromEntries(
    REJECT_REASONS.map((reason) => [reason, read.rejectsByReason[reason] ?? 0]),
  ) as Record<RejectReason, number>;
  const byGender = Object.fromEntries(
    GENDERS.map((gender) => {
      const { scored, likely_buyers } = parts.genders[gender];
      return [gender, { scored, likely_buyers, selection_rate: rate(likely_buyers, scored) }];
    }),
  ) as Record<Gender, GenderCounts>;
  const rates = GENDERS.map((g) => byGender[g].selection_rate);
  const ratio =
    rates.every((r) => r !== null) && Math.max(...(rates as number[])) > 0
      ? Math.min(...(rates as number[])) / Math.max(...(rates as number[]))
      : null;
  const accounted = read.valid + read.rejected + read.optedOut;
  return {
    format: SUMMARY_FORMAT,
    month: parts.month,
    input: {
      file: parts.inputFile,
      sha256: read.sha256,
      columns: read.columns,
      ignored_columns: read.extraColumns,
    },
    model: {
      version: parts.card.version,
      sha256: parts.card.model.sha256,
      learner: parts.card.model.learner,
      features: parts.card.model.features,
    },
    shard: parts.shard,
    threshold: parts.threshold,
    rows: {
      read: read.rowsRead,
      scored: read.valid,
      rejected: read.rejected,
      opted_out: read.optedOut,
      rejected_by_reason: byReason,
    },
    reconciliation: {
      read: read.rowsRead,
      accounted_for: accounted,
      holds: accounted === read.rowsRead && ranked.scored === read.valid,
    },
    expected_buyers: microToNumber(ranked.expectedBuyersMicro),
    likely_buyers: ranked.likelyBuyers,
    deciles: ranked.deciles,
    score_distribution: ranked.histogram.map((customers, i) => ({
      from: i / HISTOGRAM_BINS,
      to: (i + 1) / HISTOGRAM_BINS,
      customers,
    })),
    fairness: {
      by_gender: byGender,
      selection_rate_ratio: ratio,
      four_fifths_rule_holds: ratio === null ? null : ratio >= 0.8,
    },
    top_prospects: { rows: ranked.topCount, requested: parts.top ?? null },
    files: parts.files,
    timing: {
      started_at: parts.startedAt.toISOString(),
      seconds: Math.round(parts.seconds * 1000) / 1000,
      rows_per_second: parts.seconds > 0 ? Math.round(read.rowsRead / parts.seconds) : 0,
    },
  };
}

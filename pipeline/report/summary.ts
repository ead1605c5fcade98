/**
 * Reads what the reports show from a month's `summary.json` (the scorer's `ScoreSummary`,
 * pipeline/score/summary.ts; a few older or alternative key names are accepted too) without trusting its
 * shape: every field is optional, numbers are checked, and a section is shown only when it is complete.
 * Aggregates over fewer than MIN_GROUP customers are suppressed, so no individual can be singled out.
 */

/** Aggregates over fewer customers than this are not shown. */
export const MIN_GROUP = 10;

export interface DecileRow {
  decile: number;
  customers: number;
  minProbability: number | null;
  maxProbability: number | null;
  meanProbability: number | null;
  expectedConversions: number | null;
  likelyBuyers: number | null;
}

export interface FairnessRow {
  group: string;
  customers: number;
  selected: number | null;
  selectionRate: number;
}

export interface MonthFacts {
  month: string | null;
  rowsRead: number | null;
  scored: number | null;
  rejected: number | null;
  optedOut: number | null;
  expectedBuyers: number | null;
  deciles: DecileRow[];
  fairness: { rows: FairnessRow[]; ratio: number | null } | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** The first of several accepted names that holds a number. */
function pick(o: Record<string, unknown>, ...names: string[]): number | null {
  for (const name of names) {
    const value = num(o[name]);
    if (value !== null) return value;
  }
  return null;
}

function readDeciles(value: unknown): DecileRow[] {
  if (!Array.isArray(value)) return [];
  const rows: DecileRow[] = [];
  value.forEach((raw, i) => {
    const o = obj(raw);
    if (!o) return;
    const customers = pick(o, 'customers', 'count', 'rows', 'n');
    if (customers === null) return;
    const expected = pick(
      o,
      'expected_buyers',
      'expected_conversions',
      'expectedConversions',
      'expectedBuyers',
    );
    const mean =
      pick(o, 'mean_probability', 'meanProbability', 'mean') ??
      (expected !== null && customers > 0 ? expected / customers : null);
    rows.push({
      decile: pick(o, 'decile', 'index') ?? i + 1,
      customers,
      minProbability: pick(o, 'min_probability', 'minProbability', 'min'),
      maxProbability: pick(o, 'max_probability', 'maxProbability', 'max'),
      meanProbability: mean,
      expectedConversions: expected ?? (mean !== null ? mean * customers : null),
      likelyBuyers: pick(o, 'likely_buyers', 'likelyBuyers'),
    });
  });
  return rows;
}

function readFairness(value: unknown): MonthFacts['fairness'] {
  const o = obj(value);
  if (!o) return null;
  const groups =
    obj(o.by_gender) ?? obj(o.byGender) ?? obj(o.groups) ?? obj(o.selection_rate) ?? obj(o.selectionRate);
  if (!groups) return null;
  const rows: FairnessRow[] = [];
  for (const [group, raw] of Object.entries(groups)) {
    const g = obj(raw);
    if (g) {
      const customers = pick(g, 'scored', 'customers', 'count', 'n', 'rows');
      const rate = pick(g, 'selection_rate', 'selectionRate', 'rate');
      if (customers === null || rate === null) continue;
      rows.push({
        group,
        customers,
        selected: pick(g, 'likely_buyers', 'selected', 'positives'),
        selectionRate: rate,
      });
    } else if (num(raw) !== null) {
      rows.push({ group, customers: NaN, selected: null, selectionRate: num(raw)! });
    }
  }
  if (rows.length === 0) return null;
  return { rows, ratio: pick(o, 'selection_rate_ratio', 'ratio', 'disparate_impact') };
}

/**
 * Figures computed over a group of fewer than MIN_GROUP customers are dropped here, where every report
 * and page gets its facts: a decile of one customer would otherwise show that customer's own score as its
 * probability range and mean, and a month of six its expected buyers. (Counts themselves are shown as
 * "< 10" by the pages.)
 */
function withoutSmallGroups(facts: MonthFacts): MonthFacts {
  const small = (n: number | null) => n !== null && suppressed(n) === null;
  return {
    ...facts,
    expectedBuyers: small(facts.scored) ? null : facts.expectedBuyers,
    deciles: facts.deciles.map((d) =>
      small(d.customers)
        ? {
            ...d,
            minProbability: null,
            maxProbability: null,
            meanProbability: null,
            expectedConversions: null,
          }
        : d,
    ),
  };
}

/** The facts a report can show from a summary.json value (anything: unknown shapes give empty sections). */
export function monthFacts(summary: unknown): MonthFacts {
  return withoutSmallGroups(readMonthFacts(summary));
}

function readMonthFacts(summary: unknown): MonthFacts {
  const o = obj(summary) ?? {};
  const counts = obj(o.rows) ?? obj(o.counts) ?? o;
  return {
    month: typeof o.month === 'string' && /^\d{4}-\d{2}$/.test(o.month) ? o.month : null,
    rowsRead: pick(counts, 'read', 'rows_read', 'rowsRead'),
    scored: pick(counts, 'scored', 'rows_scored'),
    rejected: pick(counts, 'rejected'),
    optedOut: pick(counts, 'opted_out', 'optedOut'),
    expectedBuyers: pick(
      o,
      'expected_buyers',
      'expectedBuyers',
      'expected_conversions',
      'expectedConversions',
    ),
    deciles: readDeciles(o.deciles),
    fairness: readFairness(o.fairness),
  };
}

/** A count for display, or null (shown as "<10") when it describes fewer than MIN_GROUP customers. */
export function suppressed(count: number): number | null {
  return count > 0 && count < MIN_GROUP ? null : count;
}

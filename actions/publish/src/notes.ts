/**
 * Release notes for the commercial team, rendered from a handlebars template: how many to call, the
 * expected buyers per decile, the drift verdict, and where the report is.
 */
import Handlebars from 'handlebars';
import builtIn from '../templates/release-notes.hbs';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The first number found at any of the dotted paths. */
export function pick(source: unknown, ...paths: string[]): number | undefined {
  for (const path of paths) {
    let value: unknown = source;
    for (const key of path.split('.')) value = isObject(value) ? value[key] : undefined;
    const found = num(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface DriftColumn {
  name: string;
  drift: boolean;
  test?: string;
  statistic?: number;
  p_value?: number | null;
  psi?: number;
}

export interface DriftResult {
  dataset_drift: boolean;
  share_drifted?: number;
  columns: DriftColumn[];
}

const count = (v: number | undefined) =>
  v === undefined ? undefined : Math.round(v).toLocaleString('en-US');
/** A count worth a sentence: undefined (the template leaves the sentence out) when absent or zero. */
const nonZero = (v: number | undefined) => (v ? count(v) : undefined);

function decileRows(summary: unknown): Array<Record<string, string>> {
  const raw = isObject(summary) ? summary.deciles : undefined;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((d, i) => {
    const customers = pick(d, 'customers');
    const expected = pick(d, 'expected_buyers');
    const rate = customers && expected !== undefined ? expected / customers : undefined;
    return {
      decile: String(pick(d, 'decile') ?? i + 1),
      customers: count(customers) ?? '—',
      expected: expected === undefined ? '—' : expected.toLocaleString('en-US', { maximumFractionDigits: 1 }),
      rate: rate === undefined ? '—' : `${(100 * rate).toFixed(1)}%`,
    };
  });
}

/** Expected buyers among the top prospects, when the list is exactly the first decile (the default). */
function topExpected(summary: unknown, topCount: number): string | undefined {
  const first =
    isObject(summary) && Array.isArray(summary.deciles) ? (summary.deciles[0] as unknown) : undefined;
  if (pick(first, 'customers') !== topCount) return undefined;
  const expected = pick(first, 'expected_buyers');
  return expected === undefined ? undefined : expected.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

export function releaseNotes(options: {
  month: string;
  summary: unknown;
  drift: DriftResult;
  topCount: number;
  modelVersion: string;
  pagesUrl: string | undefined;
  template?: string;
}): string {
  const { summary, drift } = options;
  const render = Handlebars.compile(options.template ?? builtIn, { noEscape: true });
  const deciles = decileRows(summary);
  const drifted = drift.columns.filter((c) => c.drift).map((c) => c.name);
  return render({
    month: options.month,
    topCount: options.topCount.toLocaleString('en-US'),
    topExpected: topExpected(summary, options.topCount),
    // Field names of summary.json as `propensity score` writes it (format propensity-score-summary/1).
    likelyBuyers: nonZero(pick(summary, 'likely_buyers')),
    scored: count(pick(summary, 'rows.scored')),
    rejected: nonZero(pick(summary, 'rows.rejected')),
    optedOut: nonZero(pick(summary, 'rows.opted_out')),
    expected: count(pick(summary, 'expected_buyers')),
    deciles,
    drift: drift.dataset_drift,
    driftedCount: drifted.length,
    columnCount: drift.columns.length,
    driftedColumns: drifted.join(', '),
    pagesUrl: options.pagesUrl,
    modelVersion: options.modelVersion,
  });
}

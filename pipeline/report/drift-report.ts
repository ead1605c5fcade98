/**
 * The monthly drift report (`drift.html`, and the month page of the site): the verdict first, the column
 * table, overlaid histograms per column, the score distribution and its PSI, the deciles with expected
 * conversions, fairness, the model card in brief, and the previous month beside this one.
 *
 * Self-contained and safe to open from a downloaded file: no script, no network (a CSP meta tag forbids
 * both), charts as inline SVG, every value escaped by handlebars. Its size does not grow with the rows:
 * charts use a fixed number of display bins and the tables have one row per column or decile.
 */
import type { ModelCard } from '../model/card.js';
import type { ColumnDrift, Comparison } from '../drift/compare.js';
import type { DriftReport, ReportContext } from '../drift/drift.js';
import { BIN_SPECS, type NumericColumnName, type Profile } from '../drift/profile.js';
import { barChart, formatNumber, type ChartModel, type Series } from './charts.js';
import { MIN_GROUP, monthFacts, suppressed, type MonthFacts } from './summary.js';
import { renderTemplate } from './templates.js';

const TARGET_DISPLAY_BINS = 24;
const NICE_FACTORS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];

export const fmt = (value: number | null | undefined, digits = 3): string =>
  value === null || value === undefined ? '—' : formatNumber(value, digits);
const fmtInt = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value)
    ? '—'
    : Math.round(value).toLocaleString('en-US');
const fmtPercent = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(1)}%`;

interface NamedProfile {
  name: string;
  cls: string;
  profile: Profile;
}

/** Counts on display bins: the fixed fine bins grouped by a nice factor over the occupied range. */
function displayBins(
  column: NumericColumnName,
  profiles: NamedProfile[],
): { labels: string[]; counts: number[][] } | undefined {
  const spec = BIN_SPECS[column];
  const fine = profiles.map((p) => p.profile.numeric[column]?.counts);
  if (fine.some((c) => !c)) return undefined;
  let first = Infinity;
  let last = -Infinity;
  for (const counts of fine as number[][]) {
    counts.forEach((c, i) => {
      if (c > 0) {
        first = Math.min(first, i);
        last = Math.max(last, i);
      }
    });
  }
  if (!Number.isFinite(first)) return undefined;
  const span = last - first + 1;
  const factor =
    NICE_FACTORS.find((f) => span / f <= TARGET_DISPLAY_BINS) ?? Math.ceil(span / TARGET_DISPLAY_BINS);
  // Align display bins to multiples of the factor (counting fine bins from the spec's start: index 1).
  const startGroup = Math.floor((first - 1) / factor);
  const endGroup = Math.floor((last - 1) / factor);
  const labels: string[] = [];
  for (let g = startGroup; g <= endGroup; g++) {
    const index = g * factor + 1;
    if (index < 1) labels.push(`< ${formatNumber(spec.start)}`);
    else if (index > spec.count) labels.push(`≥ ${formatNumber(spec.start + spec.count * spec.width)}`);
    else labels.push(formatNumber(spec.start + (index - 1) * spec.width));
  }
  const counts = (fine as number[][]).map((c) => {
    const out = new Array<number>(endGroup - startGroup + 1).fill(0);
    c.forEach((n, i) => {
      if (n > 0) out[Math.floor((i - 1) / factor) - startGroup]! += n;
    });
    return out;
  });
  return { labels, counts };
}

/** Shares per display bin; a bin with fewer than MIN_GROUP customers is drawn empty. */
function shares(counts: number[]): { values: number[]; hidden: number } {
  const total = counts.reduce((a, b) => a + b, 0);
  let hidden = 0;
  const values = counts.map((c) => {
    if (suppressed(c) === null) {
      hidden++;
      return 0;
    }
    return total > 0 ? c / total : 0;
  });
  return { values, hidden };
}

function histogramChart(
  title: string,
  labels: string[],
  named: NamedProfile[],
  counts: number[][],
): ChartModel {
  let hidden = 0;
  const series: Series[] = named.map((p, k) => {
    const s = shares(counts[k]!);
    hidden += s.hidden;
    return { name: p.name, cls: p.cls, values: s.values };
  });
  const note = hidden > 0 ? `Bins with fewer than ${MIN_GROUP} customers are drawn empty.` : '';
  return barChart(title, labels, series, { format: fmtPercent, note });
}

function columnChart(name: string, named: NamedProfile[]): ChartModel | undefined {
  if (name === 'Gender') {
    const categories = [
      ...new Set(named.flatMap((p) => Object.keys(p.profile.categorical.Gender.counts))),
    ].sort();
    const counts = named.map((p) => categories.map((c) => p.profile.categorical.Gender.counts[c] ?? 0));
    return histogramChart(`${name}: share of customers`, categories, named, counts);
  }
  const bins = displayBins(name as NumericColumnName, named);
  if (!bins) return undefined;
  return histogramChart(`${name}: share of customers`, bins.labels, named, bins.counts);
}

/** One profile's distribution of a numeric column (the data profile page). */
export function profileHistogram(column: NumericColumnName, profile: Profile): ChartModel {
  const named = [{ name: `customers (${fmtInt(profile.rows)})`, cls: 'cur', profile }];
  const bins = displayBins(column, named);
  return histogramChart(`${column}: share of customers`, bins?.labels ?? [], named, bins?.counts ?? [[]]);
}

function columnRows(columns: ColumnDrift[]) {
  return columns.map((c) => ({
    name: c.name,
    type: c.type === 'num' ? 'numeric' : 'categorical',
    test: TEST_LABEL[c.test],
    testShort: TEST_SHORT[c.test],
    statistic: fmt(c.statistic, 4),
    pValue: c.p_value === null ? '—' : fmt(c.p_value, 4),
    threshold: `${c.p_value === null ? '≥' : c.test === 'ks' ? 'p ≤' : 'p <'} ${fmt(c.threshold)}`,
    drift: c.drift ? 'drift' : 'no drift',
    driftCls: c.drift ? 'yes' : 'no',
    psi: fmt(c.psi, 4),
    band: c.psi_band,
    exact: c.exact ? 'raw values' : 'histograms',
  }));
}

/** One row per column with its result against the reference and against the previous month. */
function pairRows(reference: ReturnType<typeof columnRows>, previous: ReturnType<typeof columnRows>) {
  const names = [...new Set([...reference.map((r) => r.name), ...previous.map((r) => r.name)])];
  return names.map((name) => ({
    name,
    ref: reference.find((r) => r.name === name) ?? null,
    prev: previous.find((r) => r.name === name) ?? null,
  }));
}

const TEST_SHORT: Record<ColumnDrift['test'], string> = {
  ks: 'KS',
  wasserstein: 'Wasserstein',
  jensenshannon: 'Jensen-Shannon',
  chisquare: 'chi-square',
  z: 'Z',
  psi: 'PSI',
};

const TEST_LABEL: Record<ColumnDrift['test'], string> = {
  ks: 'Kolmogorov-Smirnov',
  wasserstein: 'Wasserstein (normed)',
  jensenshannon: 'Jensen-Shannon',
  chisquare: 'chi-square',
  z: 'Z-test (proportions)',
  psi: 'PSI',
};

function verdict(comparison: Comparison, against: string) {
  const n = comparison.columns.length;
  const names = comparison.columns.filter((c) => c.drift).map((c) => c.name);
  const score = comparison.score;
  const act = score?.psi_band === 'act';
  const moved = names.length > 0 ? `, and ${names.join(', ')} moved` : '';
  const short = comparison.dataset_drift
    ? 'data drift detected'
    : act
      ? `the scores moved (PSI ${fmt(score!.psi, 3)})${moved}`
      : names.length > 0
        ? `no dataset drift, but ${names.join(', ')} moved`
        : 'no data drift';
  const headline = comparison.dataset_drift
    ? `Data drift detected against ${against}`
    : act
      ? `The scores moved against ${against}${moved}`
      : names.length > 0
        ? `No dataset drift against ${against}, but ${names.join(', ')} moved`
        : `No data drift against ${against}`;
  const detail =
    `${comparison.drifted_columns} of ${n} columns drifted (share ${fmt(comparison.share_drifted, 2)}; ` +
    `dataset drift at ${fmt(comparison.share_threshold, 2)} or more).` +
    (score ? ` Score PSI ${fmt(score.psi, 3)}: ${score.psi_band}.` : '');
  return {
    cls:
      comparison.dataset_drift || act
        ? 'bad'
        : names.length > 0 || score?.psi_band === 'watch'
          ? 'warn'
          : 'ok',
    headline,
    short,
    detail,
  };
}

function cardBrief(card: ModelCard | undefined) {
  if (!card) return null;
  const holdout = card.holdout ?? null;
  const items: { label: string; value: string }[] = [
    { label: 'Version', value: String(card.version) },
    { label: 'Learner', value: String(card.model?.learner ?? '—') },
    { label: 'Features', value: (card.model?.features ?? []).join(', ') },
    { label: 'Likely-buyer threshold', value: fmt(card.model?.threshold) },
    { label: 'Trained on', value: `${fmtInt(card.data?.rows)} customers` },
    { label: 'Holdout AUC', value: fmt(holdout?.auc ?? null) },
    { label: 'Holdout accuracy', value: fmt(holdout?.accuracy ?? null) },
    { label: 'Model SHA-256', value: String(card.model?.sha256 ?? '').slice(0, 12) },
  ];
  return items;
}

/** A count of customers, or "< 10" when it is about fewer than MIN_GROUP of them. */
const fmtCount = (n: number | null): string =>
  n !== null && suppressed(n) === null ? `< ${MIN_GROUP}` : fmtInt(n);

function decileRows(facts: MonthFacts) {
  return facts.deciles.map((d) => ({
    decile: String(d.decile),
    customers: suppressed(d.customers) === null ? `< ${MIN_GROUP}` : fmtInt(d.customers),
    range:
      d.minProbability !== null && d.maxProbability !== null
        ? `${fmt(d.minProbability)} – ${fmt(d.maxProbability)}`
        : '—',
    mean: fmt(d.meanProbability),
    expected: suppressed(d.customers) === null ? '—' : fmt(d.expectedConversions, 1),
    likely:
      d.likelyBuyers === null || suppressed(d.likelyBuyers) === null
        ? d.likelyBuyers === null
          ? '—'
          : `< ${MIN_GROUP}`
        : fmtInt(d.likelyBuyers),
  }));
}

function fairnessView(facts: MonthFacts) {
  if (!facts.fairness) return null;
  const rows = facts.fairness.rows.map((r) => {
    const hide = Number.isFinite(r.customers) && suppressed(r.customers) === null;
    return {
      group: r.group,
      customers: Number.isFinite(r.customers) ? (hide ? `< ${MIN_GROUP}` : fmtInt(r.customers)) : '—',
      rate: hide ? '—' : fmtPercent(r.selectionRate),
    };
  });
  const hiddenAny = facts.fairness.rows.some(
    (r) => Number.isFinite(r.customers) && suppressed(r.customers) === null,
  );
  const ratio = facts.fairness.ratio;
  return {
    rows,
    ratio: hiddenAny ? '—' : fmt(ratio),
    ratioCls: ratio !== null && !hiddenAny ? (ratio >= 0.8 ? 'no' : 'yes') : '',
    ratioNote: 'Lowest selection rate divided by the highest; below 0.8 fails the four-fifths rule.',
  };
}

export interface RenderOptions {
  /** Links shown at the top (the site's navigation); none for a stand-alone report. */
  nav?: { href: string; text: string }[];
}

/** The view model of the report: only strings, numbers and chart geometry. */
export function driftReportView(report: DriftReport, context: ReportContext, options: RenderOptions = {}) {
  const profiles = context.profiles;
  const facts = monthFacts(context.summary);
  const month = context.month ?? facts.month ?? null;
  const named: NamedProfile[] = [];
  if (profiles) {
    named.push({
      name: `reference (${fmtInt(profiles.reference.rows)})`,
      cls: 'ref',
      profile: profiles.reference,
    });
    if (profiles.previous)
      named.push({
        name: `previous month (${fmtInt(profiles.previous.rows)})`,
        cls: 'prev',
        profile: profiles.previous,
      });
    named.push({
      name: `this month (${fmtInt(profiles.current.rows)})`,
      cls: 'cur',
      profile: profiles.current,
    });
  }
  const charts = report.columns
    .map((c) => columnChart(c.name, named))
    .filter((c): c is ChartModel => c !== undefined);
  const withScore = named.filter(
    (p) => p.profile.numeric.probability && p.profile.numeric.probability.count > 0,
  );
  const scoreBins = withScore.length > 0 ? displayBins('probability', withScore) : undefined;
  const scoreChart = scoreBins
    ? histogramChart(
        'Predicted probability of buying: share of customers',
        scoreBins.labels,
        withScore,
        scoreBins.counts,
      )
    : null;
  const score = report.score ?? report.previous?.score ?? null;
  return {
    title: month ? `Drift report ${month}` : 'Drift report',
    nav: options.nav ?? [],
    month,
    verdict: verdict(report, 'the training data'),
    previousVerdict: report.previous ? verdict(report.previous, 'the previous month') : null,
    reference: { label: report.reference.label, rows: fmtInt(report.reference.rows) },
    current: { label: report.current.label, rows: fmtInt(report.current.rows) },
    previousLabel: report.previous
      ? `${report.previous.against.label} (${fmtInt(report.previous.against.rows)} rows)`
      : null,
    columns: columnRows(report.columns),
    previousColumns: report.previous ? columnRows(report.previous.columns) : null,
    pairs: report.previous ? pairRows(columnRows(report.columns), columnRows(report.previous.columns)) : [],
    charts,
    scoreChart,
    score: score
      ? {
          psi: fmt(score.psi, 4),
          band: score.psi_band,
          against: report.score ? 'the training data' : 'the previous month',
          test: TEST_LABEL[score.test],
          statistic: fmt(score.statistic, 4),
        }
      : null,
    counts:
      facts.rowsRead !== null
        ? {
            rowsRead: fmtCount(facts.rowsRead),
            scored: fmtCount(facts.scored),
            rejected: fmtCount(facts.rejected),
            optedOut: fmtCount(facts.optedOut),
          }
        : null,
    expectedBuyers: facts.expectedBuyers !== null ? fmt(facts.expectedBuyers, 1) : null,
    deciles: facts.deciles.length > 0 ? decileRows(facts) : null,
    fairness: fairnessView(facts),
    card: cardBrief(context.card),
  };
}

/** drift.html: the report as one self-contained HTML page. */
export function renderDriftReport(
  report: DriftReport,
  context: ReportContext,
  options: RenderOptions = {},
): string {
  return renderTemplate('drift', driftReportView(report, context, options));
}

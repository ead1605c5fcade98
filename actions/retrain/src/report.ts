/**
 * The PR comment (and job summary) of a retrain: verdict first, then the metrics side by side with a
 * chart GitHub renders (mermaid), what changed in data and configuration, and what happens next.
 * Aggregates only: no row of customer data ever goes into a comment.
 */
import type { ModelCard } from '../../../pipeline/model/card.js';

export interface MetricRow {
  name: string;
  champion: number | undefined;
  challenger: number;
  /** True when a larger value is better (AUC), false when smaller is (log-loss). */
  higherIsBetter: boolean;
}

export type Delivery =
  | { kind: 'committed'; sha: string; branch: string }
  | { kind: 'unchanged'; branch: string }
  | { kind: 'artifact'; artifact: string; runUrl: string }
  | { kind: 'kept' }
  | { kind: 'push-disabled' };

export interface RetrainReport {
  promote: boolean;
  reasons: string[];
  /** The comparison as `propensity compare --markdown` renders it (tables, paired tests). */
  comparisonMarkdown: string | undefined;
  metrics: MetricRow[];
  champion: ModelCard | undefined;
  challenger: ModelCard;
  configChanges: string[];
  delivery: Delivery;
  headSha: string;
}

const fmt = (value: number | undefined, digits = 4): string =>
  value === undefined ? '—' : value.toFixed(digits);

function delta(row: MetricRow): string {
  if (row.champion === undefined) return '—';
  const change = row.challenger - row.champion;
  const better = row.higherIsBetter ? change > 0 : change < 0;
  const sign = change > 0 ? '+' : '';
  return `${sign}${change.toFixed(4)}${change === 0 ? '' : better ? ' ✅' : ' ⚠️'}`;
}

function metricTable(rows: MetricRow[]): string {
  const lines = ['| metric | champion | challenger | change |', '| --- | ---: | ---: | ---: |'];
  for (const row of rows)
    lines.push(`| ${row.name} | ${fmt(row.champion)} | ${fmt(row.challenger)} | ${delta(row)} |`);
  return lines.join('\n');
}

/** A grouped bar chart GitHub renders in comments: champion first, challenger second, per metric. */
export function mermaidChart(rows: MetricRow[]): string {
  const names = rows.map((r) => JSON.stringify(r.name)).join(', ');
  const bars = (pick: (r: MetricRow) => number | undefined) =>
    rows.map((r) => (pick(r) ?? 0).toFixed(4)).join(', ');
  const lines = [
    '```mermaid',
    'xychart-beta',
    '  title "Holdout metrics: champion (first bar) vs challenger (second bar)"',
    `  x-axis [${names}]`,
    '  y-axis "value" 0 --> 1',
  ];
  if (rows.some((r) => r.champion !== undefined)) lines.push(`  bar [${bars((r) => r.champion)}]`);
  lines.push(`  bar [${bars((r) => r.challenger)}]`, '```');
  return lines.join('\n');
}

function dataChanges(report: RetrainReport): string {
  const { champion, challenger } = report;
  const lines = ['| | champion | challenger |', '| --- | --- | --- |'];
  const rows = champion ? challenger.data.rows - champion.data.rows : undefined;
  lines.push(
    `| training rows | ${champion?.data.rows ?? '—'} | ${challenger.data.rows}${rows === undefined ? '' : ` (${rows >= 0 ? '+' : ''}${rows})`} |`,
  );
  lines.push(
    `| data SHA-256 | \`${champion?.data.sha256.slice(0, 16) ?? '—'}…\` | \`${challenger.data.sha256.slice(0, 16)}…\` |`,
  );
  lines.push(`| learner | ${champion?.model.learner ?? '—'} | ${challenger.model.learner} |`);
  lines.push(
    `| features | ${champion?.model.features.join(', ') ?? '—'} | ${challenger.model.features.join(', ')} |`,
  );
  lines.push(`| model version | ${champion?.version ?? '—'} | ${challenger.version} |`);
  const config =
    report.configChanges.length === 0
      ? 'Configuration: unchanged.'
      : `Configuration changed: ${report.configChanges.map((c) => `\`${c}\``).join(', ')}.`;
  const sameData =
    champion && champion.data.sha256 === challenger.data.sha256 ? ' The training data is unchanged.' : '';
  return `${lines.join('\n')}\n\n${config}${sameData}`;
}

function nextStep(report: RetrainReport): string {
  const d = report.delivery;
  switch (d.kind) {
    case 'committed':
      return `The challenger was committed to \`${d.branch}\` as ${d.sha.slice(0, 7)}. Merging this pull request makes it the champion.`;
    case 'unchanged':
      return `The challenger is already committed on \`${d.branch}\`. Merging this pull request makes it the champion.`;
    case 'artifact':
      return [
        'This pull request comes from a fork, so the workflow cannot push to it (its token is read-only).',
        `The challenger was uploaded as the workflow artifact **${d.artifact}** ([this run](${d.runUrl})). To adopt it:`,
        '',
        `1. download **${d.artifact}** from the run page and unzip it;`,
        '2. copy `model.onnx`, `card.json` and `CARD.md` into `model/` on your branch;',
        '3. commit and push; this check then runs again and finds the same model.',
      ].join('\n');
    case 'push-disabled':
      return 'Pushing is turned off for this workflow (`push: false`), so nothing was committed.';
    case 'kept':
      return 'Nothing was committed: the champion stays. Change the data or the configuration and push again to retry.';
  }
}

export function renderReport(report: RetrainReport): string {
  const title = report.promote
    ? report.champion
      ? '### 🏆 Retrain: the challenger wins'
      : '### 🏆 Retrain: first model (no champion on the base branch)'
    : '### Retrain: the challenger does not win; the champion stays';
  const parts = [
    title,
    `Commit ${report.headSha.slice(0, 7) || '(unknown)'}: challenger version ${report.challenger.version} (${report.challenger.model.learner})${report.champion ? ` against champion version ${report.champion.version} (${report.champion.model.learner})` : ''}.`,
  ];
  if (report.comparisonMarkdown) {
    // The pipeline's comparison: verdict and rule checks, metrics with deltas, paired tests, fairness, chart.
    parts.push(report.comparisonMarkdown.trim());
  } else {
    parts.push(
      report.reasons.map((r) => `- ${r}`).join('\n'),
      '#### Holdout metrics',
      metricTable(report.metrics),
      mermaidChart(report.metrics),
    );
  }
  parts.push('#### What changed', dataChanges(report), '#### Next step', nextStep(report));
  return parts.filter((p) => p !== '').join('\n\n') + '\n';
}

/** Dotted paths of the configuration fields that differ between the champion's and the PR's config. */
export function configDifferences(before: unknown, after: unknown, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(before) || !isObject(after)) return [path || '(whole file)'];
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key) => configDifferences(a[key], b[key], path ? `${path}.${key}` : key));
}

/**
 * The comparison as the pull-request comment shows it: verdict first, then the metrics side by side with
 * deltas, the paired tests, fairness, and a mermaid bar chart. Aggregates only: no customer-level data.
 */
import { COMPARED_METRICS, LOWER_IS_BETTER, type ComparedMetric, type ComparisonResult } from './compare.js';

const LABELS: Record<ComparedMetric, string> = {
  auc: 'ROC-AUC',
  accuracy: 'accuracy',
  precision: 'precision',
  recall: 'recall',
  f1: 'F1',
  logloss: 'log-loss',
  brier: 'Brier score',
};

/** The metrics on a 0..1 scale where higher is better: the ones the chart shows. */
const CHARTED: readonly ComparedMetric[] = ['auc', 'accuracy', 'precision', 'recall', 'f1'];

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
const signed = (x: number): string =>
  Number.isFinite(x) ? `${x >= 0 ? '+' : '\u2212'}${Math.abs(x).toFixed(4)}` : 'n/a';
const pValue = (p: number): string => (p < 0.0001 ? '< 0.0001' : p.toFixed(4));
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

function better(metric: ComparedMetric, delta: number): string {
  if (delta === 0) return '';
  const improved = LOWER_IS_BETTER.includes(metric) ? delta < 0 : delta > 0;
  return improved ? ' \u2705' : ' \u26a0\ufe0f';
}

function chart(result: ComparisonResult): string {
  const { champion, challenger } = result;
  const labels = CHARTED.flatMap((m) => [
    `${LABELS[m]} v${champion.version}`,
    `${LABELS[m]} v${challenger.version}`,
  ]);
  const values = CHARTED.flatMap((m) => [champion.metrics[m], challenger.metrics[m]]);
  const low = Math.max(0, Math.floor(Math.min(...values) * 10) / 10 - 0.1);
  return [
    '```mermaid',
    'xychart-beta',
    `  title "Holdout metrics: champion v${champion.version} and challenger v${challenger.version}"`,
    `  x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`,
    `  y-axis "value" ${low.toFixed(1)} --> 1`,
    `  bar [${values.map((v) => v.toFixed(4)).join(', ')}]`,
    '```',
  ].join('\n');
}

export function renderComparisonMarkdown(result: ComparisonResult): string {
  const { champion, challenger, tests, verdict, holdout } = result;
  const heading = verdict.promote
    ? `**Verdict: promote the challenger** (v${challenger.version} replaces v${champion.version}) \u2705`
    : `**Verdict: keep the champion** (v${champion.version}); the challenger does not pass the promotion rule \u274c`;
  const rows = COMPARED_METRICS.map(
    (m) =>
      `| ${LABELS[m]} | ${f4(champion.metrics[m])} | ${f4(challenger.metrics[m])} | ${signed(result.deltas[m])}${better(m, result.deltas[m])} |`,
  );
  const auc = tests.auc;
  const mc = tests.accuracy;
  return [
    '### Champion vs challenger',
    '',
    heading,
    '',
    ...result.warnings.map((w) => `> \u26a0\ufe0f ${w}`),
    ...(result.warnings.length > 0 ? [''] : []),
    ...verdict.checks.map((c) => `- ${c.passed ? '\u2705' : '\u274c'} ${c.detail}`),
    '',
    `Both models scored by onnxruntime on the same holdout: ${holdout.rows} customers (${holdout.buyers} buyers), ` +
      `the ${holdout.share} share chosen by a hash of User ID, so neither model trained on them.`,
    '',
    `| metric | champion v${champion.version} | challenger v${challenger.version} | change |`,
    '| --- | --- | --- | --- |',
    ...rows,
    `| selection-rate ratio (Gender) | ${champion.fairness.ratio?.toFixed(3) ?? 'n/a'} | ${challenger.fairness.ratio?.toFixed(3) ?? 'n/a'} | |`,
    '',
    '**Paired tests**',
    '',
    `- ROC-AUC difference (DeLong): ${signed(auc.difference)}, 95% CI [${signed(auc.ci95[0])}, ${signed(auc.ci95[1])}], ` +
      `z = ${auc.z.toFixed(2)}, p = ${pValue(auc.pValue)}`,
    `- Accuracy (McNemar, ${mc.method}): ${mc.onlyA} customers right only by the champion, ${mc.onlyB} only by the challenger, ` +
      `p = ${pValue(mc.pValue)}`,
    '',
    `Selection rate by gender at threshold ${champion.fairness.threshold}: champion Female ${pct(champion.fairness.selectionRate.Female)}, ` +
      `Male ${pct(champion.fairness.selectionRate.Male)}; challenger Female ${pct(challenger.fairness.selectionRate.Female)}, ` +
      `Male ${pct(challenger.fairness.selectionRate.Male)}.`,
    '',
    chart(result),
    '',
    `<sub>champion \`${champion.sha256.slice(0, 12)}\` (${champion.setting ?? champion.learner}); challenger \`${challenger.sha256.slice(0, 12)}\` ` +
      `(${challenger.setting ?? challenger.learner}); data \`${holdout.dataSha256.slice(0, 12)}\`</sub>`,
    '',
  ].join('\n');
}

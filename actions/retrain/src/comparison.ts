/**
 * The few facts of `propensity compare --json` (the pipeline's ComparisonResult) that the action needs:
 * the verdict and its reasons, and the metrics of both models on the same holdout. Without a champion
 * (the first model of a repository) the challenger's own holdout figures from its card are shown.
 */
import type { ModelCard } from '../../../pipeline/model/card.js';
import type { MetricRow } from './report.js';

const METRICS: Array<{ key: string; name: string; higherIsBetter: boolean }> = [
  { key: 'auc', name: 'ROC-AUC', higherIsBetter: true },
  { key: 'accuracy', name: 'accuracy', higherIsBetter: true },
  { key: 'f1', name: 'F1', higherIsBetter: true },
  { key: 'logloss', name: 'log-loss', higherIsBetter: false },
  { key: 'brier', name: 'Brier score', higherIsBetter: false },
];

type Metrics = Record<string, unknown>;

/** The part of `propensity compare --json` the action reads. */
export interface Comparison {
  champion: { metrics: Metrics };
  challenger: { metrics: Metrics };
  verdict: { promote: boolean; reasons: string[] };
}

function number(source: Metrics | undefined, key: string): number | undefined {
  const value = source?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function metricRows(comparison: Comparison | undefined, challenger: ModelCard): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const metric of METRICS) {
    const challengerValue = comparison
      ? number(comparison.challenger.metrics, metric.key)
      : number(challenger.holdout, metric.key);
    if (challengerValue === undefined) continue;
    rows.push({
      name: metric.name,
      champion: comparison ? number(comparison.champion.metrics, metric.key) : undefined,
      challenger: challengerValue,
      higherIsBetter: metric.higherIsBetter,
    });
  }
  return rows;
}

export function verdictOf(comparison: Comparison): { promote: boolean; reasons: string[] } {
  const verdict = comparison.verdict as Partial<Comparison['verdict']> | undefined;
  if (typeof verdict?.promote !== 'boolean') {
    throw new Error('propensity compare printed no verdict (expected verdict.promote in its JSON)');
  }
  return {
    promote: verdict.promote,
    reasons: Array.isArray(verdict.reasons) ? verdict.reasons.map(String) : [],
  };
}

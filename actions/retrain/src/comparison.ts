/**
 * Reading what `propensity compare --json` and `propensity train` produce into the few facts the
 * comment and the promotion need. Tolerant of extra fields: the CLI owns the format.
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

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The metrics object of one side: `comparison.champion.metrics`, `comparison.champion`, or `comparison.metrics.champion`. */
function side(comparison: Json, name: 'champion' | 'challenger'): Json | undefined {
  const direct = comparison[name];
  if (isObject(direct)) return isObject(direct.metrics) ? direct.metrics : direct;
  const metrics = comparison.metrics;
  if (isObject(metrics) && isObject(metrics[name])) return metrics[name] as Json;
  return undefined;
}

function number(source: Json | undefined, key: string): number | undefined {
  const value = source?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Metric rows from the comparison (same holdout for both), else from the cards' own holdout figures. */
export function metricRows(
  comparison: Json | undefined,
  champion: ModelCard | undefined,
  challenger: ModelCard,
): MetricRow[] {
  const fromComparison = comparison
    ? { champion: side(comparison, 'champion'), challenger: side(comparison, 'challenger') }
    : undefined;
  const rows: MetricRow[] = [];
  for (const metric of METRICS) {
    const challengerValue =
      number(fromComparison?.challenger, metric.key) ??
      number(challenger.holdout as Json | undefined, metric.key);
    if (challengerValue === undefined) continue;
    const championValue = fromComparison?.champion
      ? number(fromComparison.champion, metric.key)
      : number(champion?.holdout as Json | undefined, metric.key);
    rows.push({
      name: metric.name,
      champion: championValue,
      challenger: challengerValue,
      higherIsBetter: metric.higherIsBetter,
    });
  }
  return rows;
}

/** The verdict of `propensity compare`: `promote: true`, or a `verdict` string naming the challenger. */
export function verdictOf(comparison: Json): { promote: boolean; reasons: string[] } {
  const verdict = isObject(comparison.verdict) ? comparison.verdict : comparison;
  let promote: boolean | undefined;
  if (typeof verdict.promote === 'boolean') promote = verdict.promote;
  else if (typeof verdict.promoted === 'boolean') promote = verdict.promoted;
  else if (typeof verdict.winner === 'string') promote = verdict.winner === 'challenger';
  else if (typeof verdict.verdict === 'string')
    promote =
      /promot|challenger/i.test(verdict.verdict) && !/keep|champion stays|reject/i.test(verdict.verdict);
  else if (typeof verdict.decision === 'string') promote = /promot|challenger/i.test(verdict.decision);
  if (promote === undefined)
    throw new Error('propensity compare printed no verdict (expected a `promote` field)');
  const rawReasons = verdict.reasons ?? comparison.reasons;
  const reasons = Array.isArray(rawReasons)
    ? rawReasons.map(String)
    : typeof rawReasons === 'string'
      ? [rawReasons]
      : [];
  return { promote, reasons };
}

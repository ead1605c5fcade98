/**
 * Fairness figures for the model card: how often each gender is selected (predicted a likely buyer), and
 * the ratio of the lower rate to the higher. The US "four-fifths rule" (EEOC Uniform Guidelines, 29 CFR
 * 1607.4(D)) treats a ratio under 0.8 as evidence of adverse impact; such a model is flagged.
 */
import { GENDERS, type Gender, type UserRecord } from '../data/schema.js';

export const FOUR_FIFTHS = 0.8;

export interface FairnessReport {
  attribute: 'Gender';
  threshold: number;
  /** Customers per gender. */
  counts: Record<Gender, number>;
  /** Share predicted a likely buyer, per gender (null when there is nobody of that gender). */
  selectionRate: Record<Gender, number | null>;
  /** Lower selection rate / higher (1 = equal; null when undefined). */
  ratio: number | null;
  minRatio: number;
  /** True when the ratio is under minRatio. */
  flagged: boolean;
}

export function selectionRates(
  records: readonly UserRecord[],
  probabilities: ArrayLike<number>,
  threshold: number,
  minRatio = FOUR_FIFTHS,
): FairnessReport {
  const counts = { Female: 0, Male: 0 } as Record<Gender, number>;
  const selected = { Female: 0, Male: 0 } as Record<Gender, number>;
  records.forEach((record, i) => {
    counts[record.gender]++;
    if (probabilities[i]! >= threshold) selected[record.gender]++;
  });
  const selectionRate = {} as Record<Gender, number | null>;
  for (const g of GENDERS) selectionRate[g] = counts[g] > 0 ? selected[g] / counts[g] : null;
  const rates = GENDERS.map((g) => selectionRate[g]);
  let ratio: number | null = null;
  if (rates.every((r) => r !== null)) {
    const [low, high] = [Math.min(...(rates as number[])), Math.max(...(rates as number[]))];
    ratio = high === 0 ? 1 : low / high;
  }
  return {
    attribute: 'Gender',
    threshold,
    counts,
    selectionRate,
    ratio,
    minRatio,
    flagged: ratio !== null && ratio < minRatio,
  };
}

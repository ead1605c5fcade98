/**
 * Tests for two models scored on the same customers. Paired, because both see the same holdout: the
 * difference between them is far less noisy than either figure alone.
 *
 * - DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under two or more correlated receiver
 *   operating characteristic curves: a nonparametric approach", Biometrics 44:837-845. The AUC is a
 *   Mann-Whitney statistic; its placement values (structural components) give the covariance of two AUCs
 *   computed on the same cases.
 * - McNemar (1947) for the two models' accuracies: only the customers on whom the models disagree count.
 *   Exact binomial test when those are few (under 25), chi-square with continuity correction otherwise.
 */
import jStat from 'jstat';
import type { Labels, Probabilities } from './metrics.js';

export interface DeLongResult {
  aucA: number;
  aucB: number;
  /** aucB - aucA. */
  difference: number;
  /** Standard error of the difference. */
  se: number;
  z: number;
  /** Two-sided. */
  pValue: number;
  /** 95% confidence interval of the difference. */
  ci95: [number, number];
}

interface Placements {
  auc: number;
  /** For each positive: the share of negatives it outscores. */
  v10: Float64Array;
  /** For each negative: the share of positives that outscore it. */
  v01: Float64Array;
}

/**
 * Placement values by sorting: for each positive, (negatives below + half the negatives tied) / n, the
 * mean of the Mann-Whitney kernel (1 above, 1/2 tied) over the negatives, in O(N log N) rather than the
 * O(m n) double loop of the definition.
 */
function placements(y: Labels, p: Probabilities): Placements {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < y.length; i++) (y[i] === 1 ? pos : neg).push(p[i]!);
  const m = pos.length;
  const n = neg.length;
  const sortedNeg = Float64Array.from(neg).sort();
  const sortedPos = Float64Array.from(pos).sort();
  const below = (sorted: Float64Array, x: number): number => {
    // Count of values < x plus half of those == x.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    let equalEnd = lo;
    while (equalEnd < sorted.length && sorted[equalEnd] === x) equalEnd++;
    return lo + (equalEnd - lo) / 2;
  };
  const v10 = Float64Array.from(pos, (x) => below(sortedNeg, x) / n);
  const v01 = Float64Array.from(neg, (x) => (m - below(sortedPos, x)) / m);
  const auc = v10.reduce((a, b) => a + b, 0) / m;
  return { auc, v10, v01 };
}

/** Sample covariance (n - 1) of two equally long vectors. */
function covariance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (n < 2) return 0;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= n;
  meanB /= n;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (a[i]! - meanA) * (b[i]! - meanB);
  return sum / (n - 1);
}

/** DeLong's variance of one AUC: S10/m + S01/n. */
export function delongVariance(y: Labels, p: Probabilities): number {
  const { v10, v01 } = placements(y, p);
  return covariance(v10, v10) / v10.length + covariance(v01, v01) / v01.length;
}

/** DeLong's test of AUC(B) - AUC(A) for two sets of probabilities on the same labeled customers. */
export function delongTest(y: Labels, pA: Probabilities, pB: Probabilities): DeLongResult {
  if (pA.length !== y.length || pB.length !== y.length)
    throw new Error('both models must score the same customers');
  const a = placements(y, pA);
  const b = placements(y, pB);
  const m = a.v10.length;
  const n = a.v01.length;
  if (m < 2 || n < 2) throw new Error('DeLong needs at least two customers of each class');
  const s10 = covariance(a.v10, a.v10) + covariance(b.v10, b.v10) - 2 * covariance(a.v10, b.v10);
  const s01 = covariance(a.v01, a.v01) + covariance(b.v01, b.v01) - 2 * covariance(a.v01, b.v01);
  const variance = Math.max(0, s10 / m + s01 / n);
  const se = Math.sqrt(variance);
  const difference = b.auc - a.auc;
  // Identical rankings: no difference and no uncertainty about it.
  const z = se === 0 ? 0 : difference / se;
  const pValue = se === 0 ? 1 : 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1));
  const half = 1.959963984540054 * se;
  return {
    aucA: a.auc,
    aucB: b.auc,
    difference,
    se,
    z,
    pValue,
    ci95: [difference - half, difference + half],
  };
}

export interface McNemarResult {
  /** A right, B wrong. */
  onlyA: number;
  /** B right, A wrong. */
  onlyB: number;
  method: 'exact binomial' | 'chi-square with continuity correction';
  /** The chi-square statistic (null for the exact test). */
  statistic: number | null;
  /** Two-sided. */
  pValue: number;
}

/** From the counts of discordant pairs. */
export function mcnemarFromCounts(onlyA: number, onlyB: number): McNemarResult {
  const discordant = onlyA + onlyB;
  if (discordant === 0) return { onlyA, onlyB, method: 'exact binomial', statistic: null, pValue: 1 };
  if (discordant < 25) {
    const tail = jStat.binomial.cdf(Math.min(onlyA, onlyB), discordant, 0.5);
    return { onlyA, onlyB, method: 'exact binomial', statistic: null, pValue: Math.min(1, 2 * tail) };
  }
  const statistic = (Math.abs(onlyA - onlyB) - 1) ** 2 / discordant;
  return {
    onlyA,
    onlyB,
    method: 'chi-square with continuity correction',
    statistic,
    pValue: 1 - jStat.chisquare.cdf(statistic, 1),
  };
}

/** McNemar's test of two models' accuracies at a threshold, on the same labeled customers. */
export function mcnemarTest(y: Labels, pA: Probabilities, pB: Probabilities, threshold = 0.5): McNemarResult {
  if (pA.length !== y.length || pB.length !== y.length)
    throw new Error('both models must score the same customers');
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < y.length; i++) {
    const rightA = (pA[i]! >= threshold ? 1 : 0) === y[i];
    const rightB = (pB[i]! >= threshold ? 1 : 0) === y[i];
    if (rightA && !rightB) onlyA++;
    else if (rightB && !rightA) onlyB++;
  }
  return mcnemarFromCounts(onlyA, onlyB);
}

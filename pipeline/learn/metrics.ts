/**
 * Classification metrics for a binary outcome (1 = bought a car) and predicted probabilities, defined the
 * way scikit-learn and the statistics literature define them, so figures can be compared with theirs.
 */

/** Labels are 0/1; probabilities are P(y = 1). */
export type Labels = ArrayLike<number>;
export type Probabilities = ArrayLike<number>;

function assertSameLength(y: Labels, p: Probabilities): void {
  if (y.length !== p.length)
    throw new Error(`labels (${y.length}) and probabilities (${p.length}) differ in length`);
  if (y.length === 0) throw new Error('no observations to score');
}

/**
 * Area under the ROC curve as the Mann-Whitney U statistic divided by (positives x negatives): the chance
 * that a random buyer scores above a random non-buyer, ties counting one half (mid-ranks). NaN when one
 * class is absent.
 */
export function rocAuc(y: Labels, p: Probabilities): number {
  assertSameLength(y, p);
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && p[order[end + 1]!] === p[order[start]!]) end++;
    // Ranks start..end (1-based start+1..end+1) share their mean.
    const midRank = (start + end + 2) / 2;
    for (let k = start; k <= end; k++) {
      if (y[order[k]!] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export type ConfusionMatrix = {
  /** Predicted buyer, bought. */
  tp: number;
  /** Predicted buyer, did not buy. */
  fp: number;
  tn: number;
  fn: number;
};

/** A customer is predicted a buyer when the probability is at or above the threshold. */
export function confusionMatrix(y: Labels, p: Probabilities, threshold = 0.5): ConfusionMatrix {
  assertSameLength(y, p);
  const m = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < y.length; i++) {
    const predicted = p[i]! >= threshold;
    if (y[i] === 1) {
      if (predicted) m.tp++;
      else m.fn++;
    } else if (predicted) m.fp++;
    else m.tn++;
  }
  return m;
}

/** Zero when the denominator is zero, as scikit-learn's `zero_division=0`. */
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export const accuracy = (m: ConfusionMatrix): number => (m.tp + m.tn) / (m.tp + m.tn + m.fp + m.fn);
/** Positive predictive value: of those predicted buyers, the share who bought. */
export const precision = (m: ConfusionMatrix): number => ratio(m.tp, m.tp + m.fp);
/** Sensitivity: of the buyers, the share predicted. */
export const recall = (m: ConfusionMatrix): number => ratio(m.tp, m.tp + m.fn);
export const f1 = (m: ConfusionMatrix): number => ratio(2 * m.tp, 2 * m.tp + m.fp + m.fn);

/** Mean negative log-likelihood (cross-entropy), probabilities clipped to [eps, 1 - eps]. */
export function logLoss(y: Labels, p: Probabilities, eps = 1e-15): number {
  assertSameLength(y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - eps, Math.max(eps, p[i]!));
    sum -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return sum / y.length;
}

/** Mean squared difference between probability and outcome. */
export function brierScore(y: Labels, p: Probabilities): number {
  assertSameLength(y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (p[i]! - y[i]!) ** 2;
  return sum / y.length;
}

export type CalibrationBin = {
  /** 1 = the tenth of customers with the highest probabilities, 10 = the lowest (as in the scored lists). */
  decile: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
  minProbability: number;
  maxProbability: number;
};

/**
 * Reliability table: customers sorted by probability (highest first; ties by position, so the table is
 * deterministic) and cut into ten groups of (nearly) equal size; a calibrated model has meanPredicted close
 * to observedRate in every group. Fewer than ten customers give fewer, non-empty groups.
 */
export function calibrationByDecile(y: Labels, p: Probabilities): CalibrationBin[] {
  assertSameLength(y, p);
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b]! - p[a]! || a - b);
  const bins: CalibrationBin[] = [];
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((d * n) / 10);
    const to = Math.floor(((d + 1) * n) / 10);
    if (to === from) continue;
    let predicted = 0;
    let observed = 0;
    for (let k = from; k < to; k++) {
      predicted += p[order[k]!]!;
      observed += y[order[k]!]!;
    }
    bins.push({
      decile: d + 1,
      count: to - from,
      meanPredicted: predicted / (to - from),
      observedRate: observed / (to - from),
      minProbability: p[order[to - 1]!]!,
      maxProbability: p[order[from]!]!,
    });
  }
  return bins;
}

/** The headline figures used for selection and in summaries. */
export type CoreMetrics = {
  auc: number;
  accuracy: number;
  logloss: number;
  brier: number;
};

/** A type alias, not an interface, so it fits the card's open `holdout` record. */
export type ClassificationReport = CoreMetrics & {
  n: number;
  positives: number;
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: ConfusionMatrix;
  calibration: CalibrationBin[];
};

export function coreMetrics(y: Labels, p: Probabilities, threshold = 0.5): CoreMetrics {
  return {
    auc: rocAuc(y, p),
    accuracy: accuracy(confusionMatrix(y, p, threshold)),
    logloss: logLoss(y, p),
    brier: brierScore(y, p),
  };
}

/** Every metric of the model card's holdout section. */
export function classificationReport(y: Labels, p: Probabilities, threshold = 0.5): ClassificationReport {
  const confusion = confusionMatrix(y, p, threshold);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  return {
    n: y.length,
    positives,
    threshold,
    auc: rocAuc(y, p),
    accuracy: accuracy(confusion),
    precision: precision(confusion),
    recall: recall(confusion),
    f1: f1(confusion),
    logloss: logLoss(y, p),
    brier: brierScore(y, p),
    confusion,
    calibration: calibrationByDecile(y, p),
  };
}

/** Mean and sample standard deviation (n - 1), the way CV results are reported. */
export function meanAndSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sd: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}

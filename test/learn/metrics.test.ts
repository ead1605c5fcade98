import { describe, expect, it } from 'vitest';
import {
  accuracy,
  brierScore,
  calibrationByDecile,
  classificationReport,
  confusionMatrix,
  f1,
  logLoss,
  meanAndSd,
  precision,
  recall,
  rocAuc,
} from '../../pipeline/learn/metrics.js';
import { createRng } from '../../pipeline/random.js';

/** The definition: share of (positive, negative) pairs ordered correctly, ties one half. O(m n). */
function aucByPairs(y: number[], p: number[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < y.length; j++) {
      if (y[i] === 1 && y[j] === 0) {
        pairs++;
        sum += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
      }
    }
  }
  return sum / pairs;
}

describe('rocAuc', () => {
  it("matches scikit-learn's documented example", () => {
    // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it('counts ties as one half', () => {
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    // positives 0.7, 0.5; negatives 0.5, 0.1: pairs 1, 1, 0.5, 1 -> 3.5 / 4
    expect(rocAuc([1, 1, 0, 0], [0.7, 0.5, 0.5, 0.1])).toBe(0.875);
  });

  it('equals the pairwise definition on random data with many ties', () => {
    const rng = createRng(7);
    const y = Array.from({ length: 300 }, () => (rng.next() < 0.4 ? 1 : 0));
    const p = y.map((label) => Math.round((rng.next() + 0.3 * label) * 10) / 10);
    expect(rocAuc(y, p)).toBeCloseTo(aucByPairs(y, p), 12);
  });

  it('is NaN when a class is missing', () => {
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });
});

describe('threshold metrics', () => {
  const y = [1, 1, 1, 0, 0, 0, 0, 1];
  const p = [0.9, 0.6, 0.4, 0.5, 0.2, 0.1, 0.7, 0.5];
  it('builds the confusion matrix at the threshold, inclusive', () => {
    // predicted: 1 1 0 1 0 0 1 1
    expect(confusionMatrix(y, p, 0.5)).toEqual({ tp: 3, fp: 2, tn: 2, fn: 1 });
  });
  it('derives accuracy, precision, recall and F1 from it', () => {
    const m = confusionMatrix(y, p, 0.5);
    expect(accuracy(m)).toBe(5 / 8);
    expect(precision(m)).toBe(3 / 5);
    expect(recall(m)).toBe(3 / 4);
    expect(f1(m)).toBeCloseTo((2 * (3 / 5) * (3 / 4)) / (3 / 5 + 3 / 4), 12);
  });
  it('gives 0 rather than NaN when nobody is predicted a buyer', () => {
    const m = confusionMatrix([1, 0], [0.1, 0.2], 0.5);
    expect(precision(m)).toBe(0);
    expect(f1(m)).toBe(0);
  });
});

describe('probability metrics', () => {
  it("log-loss matches scikit-learn's documented example", () => {
    // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) == 0.21616...
    expect(logLoss([1, 0, 0, 1], [0.9, 0.1, 0.2, 0.65])).toBeCloseTo(0.21616187468057912, 12);
  });
  it('log-loss clips certain mistakes instead of returning Infinity', () => {
    const value = logLoss([1], [0], 1e-15);
    expect(value).toBeCloseTo(-Math.log(1e-15), 9);
    expect(Number.isFinite(value)).toBe(true);
  });
  it("Brier score matches scikit-learn's documented example", () => {
    // brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]) == 0.0375
    expect(brierScore([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])).toBeCloseTo(0.0375, 12);
  });
});

describe('calibrationByDecile', () => {
  it('cuts 100 customers into ten groups of ten, highest probabilities first', () => {
    const p = Array.from({ length: 100 }, (_, i) => i / 100);
    const y = p.map((q) => (q >= 0.8 ? 1 : 0));
    const bins = calibrationByDecile(y, p);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.count)).toEqual(Array(10).fill(10));
    expect(bins[0]).toMatchObject({ decile: 1, observedRate: 1, minProbability: 0.9, maxProbability: 0.99 });
    expect(bins[0]!.meanPredicted).toBeCloseTo(0.945, 12);
    expect(bins[2]!.observedRate).toBe(0);
    expect(bins[9]!.maxProbability).toBe(0.09);
  });
  it('keeps every customer when the count is not a multiple of ten', () => {
    const bins = calibrationByDecile([1, 0, 1, 0, 1, 0, 1], [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6]);
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(7);
    expect(bins.every((b) => b.count > 0)).toBe(true);
  });
});

describe('classificationReport and meanAndSd', () => {
  it('collects every metric', () => {
    const report = classificationReport([1, 0, 1, 0], [0.8, 0.3, 0.4, 0.6]);
    expect(report).toMatchObject({
      n: 4,
      positives: 2,
      auc: 0.75,
      accuracy: 0.5,
      precision: 0.5,
      recall: 0.5,
    });
    expect(report.calibration.length).toBeGreaterThan(0);
  });
  it('uses the sample standard deviation', () => {
    expect(meanAndSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3) });
    expect(meanAndSd([3])).toEqual({ mean: 3, sd: 0 });
  });
});

// Labeled data for learner tests: the project's synthetic history, parsed in memory.
import { purchaseProbability, synthHistoryRecords } from '../../pipeline/data/synth.js';
import type { TrainingRecord } from '../../pipeline/data/schema.js';
import { matrixFromRecords, type Matrix } from '../../pipeline/learn/learner.js';
import type { FeatureName } from '../../pipeline/model/card.js';

export const ALL_FEATURES: readonly FeatureName[] = ['Age', 'AnnualSalary', 'Gender'];

export const syntheticRecords = (rows: number, seed: number): TrainingRecord[] =>
  synthHistoryRecords({ rows, seed });

export interface Labeled {
  records: TrainingRecord[];
  x: Matrix;
  y: Uint8Array;
  /** The generator's own purchase probability for each row. */
  truth: Float64Array;
}

export function labeled(
  rows: number,
  seed: number,
  features: readonly FeatureName[] = ALL_FEATURES,
): Labeled {
  const records = syntheticRecords(rows, seed);
  return {
    records,
    x: matrixFromRecords(records, features),
    y: Uint8Array.from(records.map((r) => r.purchased)),
    truth: Float64Array.from(records.map((r) => purchaseProbability(r.age, r.salary, r.gender))),
  };
}

/** ROC-AUC by the rank-sum (Mann-Whitney) formula, ties counted half. */
export function auc(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const order = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1]!] === p[order[i]!]) j++;
    for (let t = i; t <= j; t++) {
      if (y[order[t]!] === 1) {
        rankSum += (i + j) / 2 + 1;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = y.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The rows of a tree's training data reaching each node (walks every row down the tree). */
export function rowsPerLeaf(
  tree: { feature: Int32Array; threshold: Float32Array; left: Int32Array; right: Int32Array },
  x: Matrix,
): Map<number, number[]> {
  const k = x.features.length;
  const leaves = new Map<number, number[]>();
  for (let i = 0; i < x.rows; i++) {
    let node = 0;
    while (tree.feature[node]! >= 0) {
      const v = Math.fround(x.values[i * k + tree.feature[node]!]!);
      node = v < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
    }
    leaves.set(node, [...(leaves.get(node) ?? []), i]);
  }
  return leaves;
}

import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../pipeline/learn/learner.js';
import type { Tree } from '../../pipeline/learn/tree-model.js';
import { DecisionTree } from '../../pipeline/learn/tree.js';
import { treeDepth } from '../../pipeline/onnx/compile-trees.js';
import { createRng } from '../../pipeline/random.js';
import { auc, labeled, rowsPerLeaf } from './synthetic.js';

function treeOf(model: { structure: { kind: string } }): Tree {
  const structure = model.structure as { kind: 'trees'; trees: Tree[] };
  expect(structure.kind).toBe('trees');
  expect(structure.trees).toHaveLength(1);
  return structure.trees[0]!;
}

function randomMatrix(n: number, seed: number): { x: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const values = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const age = rng.int(18, 65);
    const salary = rng.int(15, 150) * 500;
    const male = rng.int(0, 1);
    values.set([age, salary, male], i * 3);
    y[i] = rng.next() < (age > 45 || salary > 60000 ? 0.8 : 0.15) ? 1 : 0;
  }
  return { x: { rows: n, features: ['Age', 'AnnualSalary', 'Gender'], values }, y };
}

/** Summed gini impurity of a split (weighted by rows): the quantity CART minimizes. */
function splitImpurity(x: Matrix, y: Uint8Array, feature: number, threshold: number): number {
  const k = x.features.length;
  const side = [
    [0, 0],
    [0, 0],
  ];
  for (let i = 0; i < x.rows; i++) {
    const s = x.values[i * k + feature]! < threshold ? 0 : 1;
    side[s]![0]! += 1;
    side[s]![1]! += y[i]!;
  }
  return side.reduce((sum, [n, pos]) => (n! === 0 ? sum : sum + 2 * pos! * (1 - pos! / n!)), 0);
}

describe('DecisionTree (CART)', () => {
  it('finds a clean threshold midway between the classes', () => {
    const ages = Array.from({ length: 20 }, (_, i) => 20 + i);
    const x: Matrix = { rows: 20, features: ['Age'], values: Float64Array.from(ages) };
    const y = Uint8Array.from(ages.map((a) => (a >= 30 ? 1 : 0)));
    const tree = treeOf(new DecisionTree({ max_depth: 3, min_samples_leaf: 1 }).fit(x, y, 0));
    expect(tree.feature[0]).toBe(0);
    expect(tree.threshold[0]).toBe(29.5);
    expect(tree.feature.length).toBe(3);
    expect(Array.from(new DecisionTree().fit(x, y, 0).predictProba(x))).toEqual(Array.from(y));
  });

  it('picks the split of least gini impurity (checked against brute force over all midpoints)', () => {
    for (const seed of [1, 2, 3]) {
      const { x, y } = randomMatrix(300, seed);
      const tree = treeOf(new DecisionTree({ max_depth: 1, min_samples_leaf: 1 }).fit(x, y, 0));
      let best = Infinity;
      for (let f = 0; f < 3; f++) {
        const distinct = [...new Set(Array.from({ length: x.rows }, (_, i) => x.values[i * 3 + f]!))].sort(
          (a, b) => a - b,
        );
        for (let d = 1; d < distinct.length; d++) {
          best = Math.min(best, splitImpurity(x, y, f, (distinct[d - 1]! + distinct[d]!) / 2));
        }
      }
      expect(splitImpurity(x, y, tree.feature[0]!, tree.threshold[0]!)).toBeCloseTo(best, 9);
    }
  });

  it('respects max_depth and min_samples_leaf, and a leaf predicts its share of buyers', () => {
    const { x, y } = randomMatrix(500, 4);
    const tree = treeOf(new DecisionTree({ max_depth: 4, min_samples_leaf: 12 }).fit(x, y, 0));
    expect(treeDepth(tree)).toBeLessThanOrEqual(4);
    expect(treeDepth(tree)).toBeGreaterThan(1);
    for (const [leaf, rows] of rowsPerLeaf(tree, x)) {
      expect(rows.length).toBeGreaterThanOrEqual(12);
      const share = rows.reduce((s, i) => s + y[i]!, 0) / rows.length;
      expect(tree.value[leaf]).toBeCloseTo(share, 12);
    }
  });

  it('splits an impure node even without an immediate gain, as scikit-learn does (XOR)', () => {
    const values = Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
    const x: Matrix = { rows: 4, features: ['Age', 'Gender'], values };
    const y = Uint8Array.from([0, 1, 1, 0]);
    const p = new DecisionTree({ max_depth: 2, min_samples_leaf: 1 }).fit(x, y, 0).predictProba(x);
    expect(Array.from(p)).toEqual([0, 1, 1, 0]);
  });

  it('leaves pure nodes alone', () => {
    const x: Matrix = { rows: 6, features: ['Age'], values: Float64Array.from([1, 2, 3, 4, 5, 6]) };
    const tree = treeOf(
      new DecisionTree({ max_depth: 5, min_samples_leaf: 1 }).fit(x, new Uint8Array(6).fill(1), 0),
    );
    expect(tree.feature.length).toBe(1);
    expect(tree.value[0]).toBe(1);
  });

  it('fits the same tree twice', () => {
    const { x, y } = randomMatrix(400, 5);
    const a = treeOf(new DecisionTree().fit(x, y, 1));
    const b = treeOf(new DecisionTree().fit(x, y, 2));
    expect(b).toEqual(a);
  });

  it('learns the synthetic history nearly as well as its true probabilities rank it', () => {
    const train = labeled(3000, 11);
    const test = labeled(3000, 12);
    const p = new DecisionTree({ max_depth: 5, min_samples_leaf: 10 })
      .fit(train.x, train.y, 0)
      .predictProba(test.x);
    const oracle = auc(test.y, test.truth);
    expect(auc(test.y, p)).toBeGreaterThan(oracle - 0.03);
  });
});

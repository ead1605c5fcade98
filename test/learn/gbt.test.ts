import { describe, expect, it } from 'vitest';
import { GradientBoostedTrees, stratifiedHoldout } from '../../pipeline/learn/gbt.js';
import type { FittedModel, Matrix } from '../../pipeline/learn/learner.js';
import type { Tree } from '../../pipeline/learn/tree-model.js';
import { createRng } from '../../pipeline/random.js';
import { auc, labeled, rowsPerLeaf } from './synthetic.js';

function treesOf(model: FittedModel): Tree[] {
  if (model.structure.kind !== 'trees') throw new Error('expected trees');
  return [...model.structure.trees];
}

function noise(n: number, seed: number): { x: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const values = new Float64Array(n * 2);
  for (let i = 0; i < n * 2; i++) values[i] = rng.int(0, 1000);
  const y = Uint8Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
  return { x: { rows: n, features: ['Age', 'AnnualSalary'], values }, y };
}

/** XGBoost's split gain on the first round (all margins 0: g = 0.5 - y, h = 0.25). */
function firstRoundGain(
  x: Matrix,
  y: Uint8Array,
  feature: number,
  threshold: number,
  lambda: number,
): number {
  const k = x.features.length;
  const sums = [0, 0, 0, 0];
  for (let i = 0; i < x.rows; i++) {
    const s = x.values[i * k + feature]! < threshold ? 0 : 2;
    sums[s]! += 0.5 - y[i]!;
    sums[s + 1]! += 0.25;
  }
  const score = (g: number, h: number): number => (g * g) / (h + lambda);
  const [gl, hl, gr, hr] = sums as [number, number, number, number];
  return score(gl, hl) + score(gr, hr) - score(gl + gr, hl + hr);
}

describe('GradientBoostedTrees', () => {
  it('grows the first tree from the second-order expansion: best gain, leaf weight -G/(H+lambda)*eta', () => {
    const { x, y } = labeled(400, 21);
    const lambda = 2;
    const eta = 0.3;
    const model = new GradientBoostedTrees({ n_estimators: 1, max_depth: 1, lambda, learning_rate: eta }).fit(
      x,
      y,
      0,
    );
    const [tree] = treesOf(model);
    let best = -Infinity;
    for (let f = 0; f < 3; f++) {
      const distinct = [...new Set(Array.from({ length: x.rows }, (_, i) => x.values[i * 3 + f]!))].sort(
        (a, b) => a - b,
      );
      for (let d = 1; d < distinct.length; d++) {
        best = Math.max(best, firstRoundGain(x, y, f, (distinct[d - 1]! + distinct[d]!) / 2, lambda));
      }
    }
    expect(firstRoundGain(x, y, tree!.feature[0]!, tree!.threshold[0]!, lambda)).toBeCloseTo(best, 9);
    for (const [leaf, rows] of rowsPerLeaf(tree!, x)) {
      const g = rows.reduce((s, i) => s + 0.5 - y[i]!, 0);
      expect(tree!.value[leaf]).toBeCloseTo((-g / (0.25 * rows.length + lambda)) * eta, 12);
    }
  });

  it('does not split below min_child_weight, and gamma prunes weak splits', () => {
    const { x, y } = labeled(200, 22);
    // Each side of a split needs hessian >= 30, but the root only has 200 * 0.25 = 50.
    const heavy = new GradientBoostedTrees({ n_estimators: 1, min_child_weight: 30 }).fit(x, y, 0);
    expect(treesOf(heavy)[0]!.feature.length).toBe(1);
    const pruned = new GradientBoostedTrees({ n_estimators: 5, gamma: 1e6 }).fit(x, y, 0);
    for (const tree of treesOf(pruned)) expect(tree.feature.length).toBe(1);
    const free = new GradientBoostedTrees({ n_estimators: 5, gamma: 0 }).fit(x, y, 0);
    expect(treesOf(free)[0]!.feature.length).toBeGreaterThan(1);
  });

  it('gives the same model for the same seed, with row and column subsampling', () => {
    const { x, y } = labeled(500, 23);
    const learner = new GradientBoostedTrees({ n_estimators: 30, subsample: 0.7, colsample: 0.67 });
    const a = learner.fit(x, y, 99);
    const b = learner.fit(x, y, 99);
    const c = learner.fit(x, y, 100);
    expect(treesOf(b)).toEqual(treesOf(a));
    expect(treesOf(c)).not.toEqual(treesOf(a));
  });

  it('stops early when the validation loss stops improving, and reports the trees kept', () => {
    const { x, y } = noise(600, 24);
    const model = new GradientBoostedTrees({
      n_estimators: 300,
      learning_rate: 0.3,
      max_depth: 4,
      early_stopping_rounds: 10,
    }).fit(x, y, 1);
    const kept = model.params.trees_kept!;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(300);
    expect(treesOf(model)).toHaveLength(kept);
  });

  it('holds out a stratified validation share', () => {
    const y = Uint8Array.from({ length: 1000 }, (_, i) => (i % 5 < 2 ? 1 : 0));
    const held = stratifiedHoldout(y, 0.2, createRng(3));
    const positives = y.reduce((s, v, i) => s + (held[i] ? v : 0), 0);
    expect(held.reduce((s, v) => s + v, 0)).toBe(200);
    expect(positives).toBe(80);
  });

  it('rejects parameters out of range, naming them', () => {
    expect(() => new GradientBoostedTrees({ learning_rate: 0 })).toThrow(/learning_rate/);
    expect(() => new GradientBoostedTrees({ max_depth: 2.5 })).toThrow(/max_depth/);
    expect(() => new GradientBoostedTrees({ subsample: 1.5 })).toThrow(/subsample/);
  });

  it('learns the synthetic history nearly as well as its true probabilities rank it', () => {
    const train = labeled(3000, 25);
    const test = labeled(3000, 26);
    const p = new GradientBoostedTrees().fit(train.x, train.y, 0).predictProba(test.x);
    const oracle = auc(test.y, test.truth);
    expect(auc(test.y, p)).toBeGreaterThan(oracle - 0.01);
  });
});

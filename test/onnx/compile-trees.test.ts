import { describe, expect, it } from 'vitest';
import { GradientBoostedTrees } from '../../pipeline/learn/gbt.js';
import { matrixFromRecords, type Matrix } from '../../pipeline/learn/learner.js';
import { predictEnsemble, type TreeEnsemble } from '../../pipeline/learn/tree-model.js';
import { compileEnsemble, thresholdGrid, treeDepth } from '../../pipeline/onnx/compile-trees.js';
import { createRng } from '../../pipeline/random.js';
import { ALL_FEATURES, labeled } from '../learn/synthetic.js';

function ensembleOf(structure: { kind: string }): TreeEnsemble {
  expect(structure.kind).toBe('trees');
  return structure as TreeEnsemble;
}

/** Rows at every threshold, just below it (float32), and far outside, mixed with random other values. */
function probeRows(ensemble: TreeEnsemble, k: number, seed: number): Matrix {
  const grid = thresholdGrid(ensemble, k);
  const rng = createRng(seed);
  const rows: number[][] = [];
  const randomRow = (): number[] => [rng.int(18, 100), rng.int(0, 200_000), rng.int(0, 1)].slice(0, k);
  grid.thresholds.forEach((thresholds, f) => {
    for (const t of thresholds) {
      const below = new Float32Array([t]);
      new Int32Array(below.buffer)[0]! -= 1; // the next float32 below t (t > 0 here)
      for (const v of [t, below[0]!]) {
        const row = randomRow();
        row[f] = v;
        rows.push(row);
      }
    }
  });
  for (let i = 0; i < 500; i++) rows.push(randomRow());
  rows.push([18, 0, 0].slice(0, k), [100, 1e12, 1].slice(0, k), [-5, -1, 0].slice(0, k));
  return { rows: rows.length, features: ALL_FEATURES.slice(0, k), values: Float64Array.from(rows.flat()) };
}

describe('compileEnsemble', () => {
  for (const k of [3, 2]) {
    it(`reproduces a boosted ensemble exactly with one shallow tree (${k} features)`, () => {
      const data = labeled(1000, 41, ALL_FEATURES.slice(0, k));
      const model = new GradientBoostedTrees({ n_estimators: 120, max_depth: 3 }).fit(data.x, data.y, 0);
      const ensemble = ensembleOf(model.structure);
      const compiled = compileEnsemble(ensemble, k)!;
      expect(compiled.trees).toHaveLength(1);
      const grid = thresholdGrid(ensemble, k);
      const bound = grid.thresholds.reduce((s, t) => s + Math.ceil(Math.log2(t.length + 1)), 0);
      expect(treeDepth(compiled.trees[0]!)).toBeLessThanOrEqual(bound);
      expect(treeDepth(compiled.trees[0]!)).toBeLessThan(ensemble.trees.length * 3);
      const probe = probeRows(ensemble, k, 5);
      expect(Array.from(predictEnsemble(compiled, probe))).toEqual(
        Array.from(predictEnsemble(ensemble, probe)),
      );
      expect(Array.from(predictEnsemble(compiled, data.x))).toEqual(
        Array.from(predictEnsemble(ensemble, data.x)),
      );
    });
  }

  it('keeps a nonzero base and collapses regions where the sum is constant', () => {
    const tree = {
      feature: Int32Array.from([0, -1, -1]),
      threshold: Float32Array.from([30, 0, 0]),
      left: Int32Array.from([1, -1, -1]),
      right: Int32Array.from([2, -1, -1]),
      value: Float64Array.from([0, -1, 1]),
    };
    const constant = { ...tree, feature: Int32Array.from([1, -1, -1]), value: Float64Array.from([0, 2, 2]) };
    const ensemble: TreeEnsemble = { kind: 'trees', trees: [tree, constant], base: 0.25, link: 'logistic' };
    const compiled = compileEnsemble(ensemble, 2)!;
    // Feature 1 changes nothing (both leaves 2): the compiled tree splits on feature 0 only.
    expect(Array.from(compiled.trees[0]!.feature)).toEqual([0, -1, -1]);
    const x = matrixFromRecords(
      [29, 30, 31].map((age) => ({ userId: '1', age, salary: 5, gender: 'Male' as const })),
      ['Age', 'AnnualSalary'],
    );
    expect(Array.from(predictEnsemble(compiled, x))).toEqual(Array.from(predictEnsemble(ensemble, x)));
  });

  it('gives up when the grid would be too large', () => {
    const data = labeled(600, 42);
    const ensemble = ensembleOf(
      new GradientBoostedTrees({ n_estimators: 50 }).fit(data.x, data.y, 0).structure,
    );
    const cells = thresholdGrid(ensemble, 3).cells;
    expect(compileEnsemble(ensemble, 3, cells - 1)).toBeNull();
    expect(compileEnsemble(ensemble, 3, cells)).not.toBeNull();
  });
});

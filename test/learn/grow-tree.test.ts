import { describe, expect, it } from 'vitest';
import { GBT_DEFAULTS, xgboostCriterion } from '../../pipeline/learn/gbt.js';
import { growTree, midpoint, prepareColumns } from '../../pipeline/learn/grow-tree.js';
import { giniCriterion } from '../../pipeline/learn/tree.js';
import { createRng } from '../../pipeline/random.js';

function randomData(
  n: number,
  seed: number,
): { values: Float64Array; g: Float64Array; h: Float64Array; y: Float64Array } {
  const rng = createRng(seed);
  const values = Float64Array.from({ length: n * 3 }, (_, i) =>
    i % 3 === 2 ? rng.int(0, 1) : rng.int(0, 400) / 4,
  );
  const y = Float64Array.from({ length: n }, (_, i) =>
    rng.next() < (values[i * 3]! > 50 ? 0.7 : 0.2) ? 1 : 0,
  );
  const p = Float64Array.from({ length: n }, () => 0.2 + 0.6 * rng.next());
  return {
    values,
    y,
    g: Float64Array.from(p, (q, i) => q - y[i]!),
    h: Float64Array.from(p, (q) => q * (1 - q)),
  };
}

describe('growTree', () => {
  it('finds the same splits by sweeping sorted columns and by histograms of distinct values', () => {
    for (const seed of [1, 2, 3]) {
      const { values, g, h, y } = randomData(700, seed);
      const sweep = prepareColumns(values, 700, 3, 0);
      const histogram = prepareColumns(values, 700, 3, Infinity);
      const options = { maxDepth: 6, allowedFeatures: [0, 1, 2], inSample: null };
      const criteria = [xgboostCriterion({ ...GBT_DEFAULTS, min_child_weight: 0.5 }), giniCriterion(3)];
      for (const criterion of criteria) {
        const [gs, hs] = criterion === criteria[0] ? [g, h] : [y, new Float64Array(700).fill(1)];
        const a = growTree(sweep, gs, hs, criterion, options);
        const b = growTree(histogram, gs, hs, criterion, options);
        expect(a.feature.length).toBeGreaterThan(15);
        expect(Array.from(b.feature)).toEqual(Array.from(a.feature));
        expect(Array.from(b.threshold)).toEqual(Array.from(a.threshold));
        for (let i = 0; i < a.value.length; i++) expect(b.value[i]).toBeCloseTo(a.value[i]!, 12);
      }
    }
  });

  it('ignores rows outside the sample', () => {
    const { values, y } = randomData(400, 4);
    const columns = prepareColumns(values, 400, 3);
    const inSample = Uint8Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const ones = new Float64Array(400).fill(1);
    const options = { maxDepth: 3, allowedFeatures: [0, 1, 2], inSample };
    const half = growTree(columns, y, ones, giniCriterion(1), options);
    const even = (a: Float64Array, k: number) => a.filter((_, i) => Math.floor(i / k) % 2 === 0);
    const alone = growTree(
      prepareColumns(even(values, 3), 200, 3),
      even(y, 1),
      ones.subarray(0, 200),
      giniCriterion(1),
      {
        ...options,
        inSample: null,
      },
    );
    expect(half).toEqual(alone);
  });

  it('uses only the allowed features', () => {
    const { values, y } = randomData(300, 5);
    const tree = growTree(
      prepareColumns(values, 300, 3),
      y,
      new Float64Array(300).fill(1),
      giniCriterion(1),
      {
        maxDepth: 4,
        allowedFeatures: [1],
        inSample: null,
      },
    );
    expect(new Set(Array.from(tree.feature).filter((f) => f >= 0))).toEqual(new Set([1]));
  });

  it('places thresholds strictly above the lower value and at most the upper one, in float32', () => {
    expect(midpoint(29, 30)).toBe(29.5);
    const a = Math.fround(0.1);
    const next = new Float32Array([a]);
    new Int32Array(next.buffer)[0]! += 1;
    const t = midpoint(a, next[0]!);
    expect(t > a && t <= next[0]!).toBe(true);
    expect(Math.fround(t)).toBe(t);
  });
});

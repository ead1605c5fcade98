import { describe, expect, it } from 'vitest';
import {
  delongTest,
  delongVariance,
  mcnemarFromCounts,
  mcnemarTest,
} from '../../pipeline/learn/paired-tests.js';
import { rocAuc } from '../../pipeline/learn/metrics.js';
import { createRng } from '../../pipeline/random.js';

/** DeLong's covariance of two AUCs straight from the definition (double loops), for cross-checking. */
function delongByDefinition(y: number[], a: number[], b: number[]): { diff: number; variance: number } {
  const pos = y.flatMap((v, i) => (v === 1 ? [i] : []));
  const neg = y.flatMap((v, i) => (v === 0 ? [i] : []));
  const psi = (x: number, z: number) => (x > z ? 1 : x === z ? 0.5 : 0);
  const comps = (p: number[]) => ({
    v10: pos.map((i) => neg.reduce((s, j) => s + psi(p[i]!, p[j]!), 0) / neg.length),
    v01: neg.map((j) => pos.reduce((s, i) => s + psi(p[i]!, p[j]!), 0) / pos.length),
  });
  const ca = comps(a);
  const cb = comps(b);
  const cov = (u: number[], v: number[]) => {
    const mu = u.reduce((s, x) => s + x, 0) / u.length;
    const mv = v.reduce((s, x) => s + x, 0) / v.length;
    return u.reduce((s, x, k) => s + (x - mu) * (v[k]! - mv), 0) / (u.length - 1);
  };
  const s10 = cov(ca.v10, ca.v10) + cov(cb.v10, cb.v10) - 2 * cov(ca.v10, cb.v10);
  const s01 = cov(ca.v01, ca.v01) + cov(cb.v01, cb.v01) - 2 * cov(ca.v01, cb.v01);
  return { diff: rocAuc(y, b) - rocAuc(y, a), variance: s10 / pos.length + s01 / neg.length };
}

describe('DeLong', () => {
  it('gives the hand-computed variance of one AUC', () => {
    // positives 0.9, 0.4; negatives 0.6, 0.1. V10 = (1, 0.5), V01 = (0.5, 1): S10 = S01 = 0.125,
    // variance = 0.125 / 2 + 0.125 / 2 = 0.125.
    expect(delongVariance([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1])).toBeCloseTo(0.125, 12);
  });

  it('equals the double-loop definition on correlated random scores with ties', () => {
    const rng = createRng(11);
    const y = Array.from({ length: 200 }, () => (rng.next() < 0.4 ? 1 : 0));
    const a = y.map((v) => Math.round((v * 0.8 + rng.normal()) * 4) / 4);
    const b = a.map((x, i) => x + 0.5 * y[i]! + 0.3 * rng.normal());
    const result = delongTest(y, a, b);
    const expected = delongByDefinition(y, a, b);
    expect(result.difference).toBeCloseTo(expected.diff, 12);
    expect(result.se ** 2).toBeCloseTo(expected.variance, 12);
    // b adds signal to a: DeLong should find it, and the interval should sit above zero.
    expect(result.difference).toBeGreaterThan(0);
    expect(result.pValue).toBeLessThan(0.01);
    expect(result.ci95[0]).toBeGreaterThan(0);
  });

  it('reports no difference for two models that rank alike', () => {
    const y = [1, 0, 1, 0, 1, 0];
    const a = [0.9, 0.2, 0.7, 0.4, 0.5, 0.1];
    const result = delongTest(
      y,
      a,
      a.map((x) => x / 2),
    );
    expect(result).toMatchObject({ difference: 0, se: 0, pValue: 1 });
  });
});

describe('McNemar', () => {
  it('uses the exact binomial test for few discordant pairs', () => {
    // 1 vs 9 discordant: 2 * P(X <= 1 | n = 10, 1/2) = 2 * 11 / 1024
    const result = mcnemarFromCounts(1, 9);
    expect(result.method).toBe('exact binomial');
    expect(result.pValue).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarFromCounts(5, 5).pValue).toBe(1);
    expect(mcnemarFromCounts(0, 0).pValue).toBe(1);
  });

  it('uses chi-square with continuity correction for many', () => {
    // Wikipedia's example: b = 121, c = 35; corrected statistic (|121 - 35| - 1)^2 / 156 = 46.3141
    const result = mcnemarFromCounts(121, 35);
    expect(result.method).toBe('chi-square with continuity correction');
    expect(result.statistic).toBeCloseTo(7225 / 156, 10);
    expect(result.pValue).toBeLessThan(1e-10);
    // (|30 - 20| - 1)^2 / 50 = 1.62: p = 0.2031 (chi-square, 1 df)
    expect(mcnemarFromCounts(30, 20).pValue).toBeCloseTo(0.20309, 4);
  });

  it('counts the discordant customers at the threshold', () => {
    const y = [1, 1, 0, 0, 1];
    const a = [0.9, 0.4, 0.2, 0.6, 0.7]; // right: yes, no, yes, no, yes
    const b = [0.8, 0.6, 0.3, 0.4, 0.2]; // right: yes, yes, yes, yes, no
    expect(mcnemarTest(y, a, b)).toMatchObject({ onlyA: 1, onlyB: 2 });
  });
});

import { describe, expect, it } from 'vitest';
import { LogisticRegression } from '../../pipeline/learn/logistic.js';
import type { FittedModel, LinearStructure, Matrix } from '../../pipeline/learn/learner.js';
import { createRng } from '../../pipeline/random.js';

function randomProblem(n: number, seed: number): { x: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const values = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const age = rng.int(18, 70);
    const salary = rng.int(15, 150) * 1000;
    const male = rng.next() < 0.5 ? 1 : 0;
    values.set([age, salary, male], i * 3);
    const margin = -12 + 0.2 * age + 0.00004 * salary + 0.3 * male;
    y[i] = rng.next() < 1 / (1 + Math.exp(-margin)) ? 1 : 0;
  }
  return { x: { rows: n, features: ['Age', 'AnnualSalary', 'Gender'], values }, y };
}

const logit = (p: number): number => Math.log(p / (1 - p));

function linearOf(model: FittedModel): LinearStructure {
  if (model.structure.kind !== 'linear') throw new Error('expected a linear model');
  return model.structure;
}

describe('LogisticRegression', () => {
  it('reaches a stationary point of the penalized objective (gradient ~ 0)', () => {
    const { x, y } = randomProblem(400, 7);
    const C = 0.5;
    const model = new LogisticRegression({ C }).fit(x, y, 0);
    const p = model.predictProba(x);
    const k = 3;
    // Recompute the standardization here: the penalty applies to coefficients on the standardized scale.
    for (let j = 0; j < k; j++) {
      let mean = 0;
      for (let i = 0; i < x.rows; i++) mean += x.values[i * k + j]! / x.rows;
      let variance = 0;
      for (let i = 0; i < x.rows; i++) variance += (x.values[i * k + j]! - mean) ** 2 / x.rows;
      const sd = Math.sqrt(variance);
      const w = linearOf(model).coefficients[j]! * sd;
      let gradient = w / C;
      for (let i = 0; i < x.rows; i++) gradient += (p[i]! - y[i]!) * ((x.values[i * k + j]! - mean) / sd);
      expect(Math.abs(gradient)).toBeLessThan(1e-6);
    }
    let interceptGradient = 0;
    for (let i = 0; i < x.rows; i++) interceptGradient += p[i]! - y[i]!;
    expect(Math.abs(interceptGradient)).toBeLessThan(1e-6);
  });

  it('matches the closed-form maximum likelihood for one binary feature when C is huge', () => {
    // 2x2 table: group 0 has 30 of 100 buyers, group 1 has 70 of 80; the MLE reproduces the group rates.
    const rows: [number, number][] = [];
    for (let i = 0; i < 100; i++) rows.push([0, i < 30 ? 1 : 0]);
    for (let i = 0; i < 80; i++) rows.push([1, i < 70 ? 1 : 0]);
    const x: Matrix = {
      rows: rows.length,
      features: ['Gender'],
      values: Float64Array.from(rows.map((r) => r[0])),
    };
    const y = Uint8Array.from(rows.map((r) => r[1]));
    const model = new LogisticRegression({ C: 1e12 }).fit(x, y, 0);
    const linear = linearOf(model);
    expect(linear.intercept).toBeCloseTo(logit(0.3), 6);
    expect(linear.coefficients[0]).toBeCloseTo(logit(70 / 80) - logit(0.3), 6);
  });

  it('shrinks coefficients to zero under strong regularization, leaving the base rate', () => {
    const { x, y } = randomProblem(300, 3);
    const model = new LogisticRegression({ C: 1e-9 }).fit(x, y, 0);
    const rate = y.reduce((s, v) => s + v, 0) / y.length;
    const p = model.predictProba(x);
    for (const value of p) expect(value).toBeCloseTo(rate, 5);
  });

  it('converges on perfectly separable data (the penalty keeps the solution finite)', () => {
    const values = Float64Array.from([20, 25, 30, 35, 50, 55, 60, 65]);
    const y = Uint8Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const model = new LogisticRegression().fit({ rows: 8, features: ['Age'], values }, y, 0);
    const p = model.predictProba({ rows: 8, features: ['Age'], values });
    for (let i = 0; i < 8; i++) expect(Number.isFinite(p[i]!)).toBe(true);
    expect(p[0]!).toBeLessThan(0.2);
    expect(p[7]!).toBeGreaterThan(0.8);
  });

  it('rejects a non-positive C', () => {
    expect(() => new LogisticRegression({ C: 0 })).toThrow(/C must be > 0/);
  });
});

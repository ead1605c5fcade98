/**
 * L2-regularized logistic regression, fitted by Newton's method (IRLS) on standardized inputs.
 *
 * Objective as scikit-learn's `LogisticRegression(C=...)`: minimize
 *   sum_i logloss(y_i, sigmoid(b + w . z_i)) + ||w||^2 / (2 C),
 * where z are the standardized features and the intercept b is not penalized. The fitted coefficients are
 * mapped back to the raw feature scale, so the exported graph needs no separate scaling step.
 */
import {
  assertSameFeatures,
  type FittedModel,
  type Learner,
  type LinearStructure,
  type Matrix,
  type Params,
} from './learner.js';
import { sigmoid } from './tree-model.js';

export const LOGISTIC_DEFAULTS: Readonly<{ C: number }> = { C: 1 };

const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-10;

/** Solves a * s = b for a symmetric positive definite a (Cholesky); a is m x m row-major. */
export function solveSpd(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * m + j]!;
      for (let p = 0; p < j; p++) sum -= l[i * m + p]! * l[j * m + p]!;
      l[i * m + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * m + j]!;
    }
  }
  const z = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let sum = b[i]!;
    for (let p = 0; p < i; p++) sum -= l[i * m + p]! * z[p]!;
    z[i] = sum / l[i * m + i]!;
  }
  const s = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let p = i + 1; p < m; p++) sum -= l[p * m + i]! * s[p]!;
    s[i] = sum / l[i * m + i]!;
  }
  return s;
}

/** log(1 + exp(t)) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

interface Standardized {
  z: Float64Array;
  mean: Float64Array;
  sd: Float64Array;
}

function standardize(x: Matrix): Standardized {
  const k = x.features.length;
  const n = x.rows;
  const mean = new Float64Array(k);
  const sd = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x.values[i * k + j]!;
    mean[j] = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (x.values[i * k + j]! - mean[j]!) ** 2;
    // A constant column carries no information; a unit scale keeps its coefficient at zero.
    sd[j] = squares > 0 ? Math.sqrt(squares / n) : 1;
  }
  const z = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) z[i * k + j] = (x.values[i * k + j]! - mean[j]!) / sd[j]!;
  }
  return { z, mean, sd };
}

/** Newton iterations on theta = [b, w_1..w_k] (standardized scale); returns theta. */
function newtonLogistic(z: Float64Array, y: Uint8Array, n: number, k: number, c: number): Float64Array {
  const m = k + 1;
  const theta = new Float64Array(m);
  const margin = (t: Float64Array, i: number): number => {
    let s = t[0]!;
    for (let j = 0; j < k; j++) s += t[j + 1]! * z[i * k + j]!;
    return s;
  };
  const objective = (t: Float64Array): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const s = margin(t, i);
      sum += softplus(s) - (y[i] === 1 ? s : 0);
    }
    for (let j = 1; j < m; j++) sum += (t[j]! * t[j]!) / (2 * c);
    return sum;
  };
  let current = objective(theta);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const gradient = new Float64Array(m);
    const hessian = new Float64Array(m * m);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margin(theta, i));
      const residual = p - y[i]!;
      const weight = Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < m; a++) {
        const za = a === 0 ? 1 : z[i * k + a - 1]!;
        gradient[a] = gradient[a]! + residual * za;
        for (let b = 0; b <= a; b++) {
          const zb = b === 0 ? 1 : z[i * k + b - 1]!;
          hessian[a * m + b] = hessian[a * m + b]! + weight * za * zb;
        }
      }
    }
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) hessian[a * m + b] = hessian[b * m + a]!;
    for (let j = 1; j < m; j++) {
      gradient[j] = gradient[j]! + theta[j]! / c;
      hessian[j * m + j] = hessian[j * m + j]! + 1 / c;
    }
    const step = solveSpd(hessian, gradient, m);
    // Backtracking keeps each step a descent step even far from the optimum (nearly separable data).
    let scale = 1;
    let next = theta.map((t, j) => t - step[j]!);
    let value = objective(next);
    while (value > current && scale > 1e-10) {
      scale /= 2;
      next = theta.map((t, j) => t - scale * step[j]!);
      value = objective(next);
    }
    theta.set(next);
    current = value;
    if (Math.max(...step.map((s) => Math.abs(s * scale))) < TOLERANCE) break;
  }
  return theta;
}

export class LogisticRegression implements Learner {
  readonly family = 'logistic';
  readonly params: Params;

  constructor(params: Partial<typeof LOGISTIC_DEFAULTS> = {}) {
    this.params = { ...LOGISTIC_DEFAULTS, ...params };
    if (!(this.params.C! > 0)) throw new RangeError(`logistic: C must be > 0, got ${this.params.C}`);
  }

  fit(x: Matrix, y: Uint8Array, _seed: number): FittedModel {
    const k = x.features.length;
    const { z, mean, sd } = standardize(x);
    const theta = newtonLogistic(z, y, x.rows, k, this.params.C!);
    const coefficients = Array.from({ length: k }, (_, j) => theta[j + 1]! / sd[j]!);
    let intercept = theta[0]!;
    for (let j = 0; j < k; j++) intercept -= coefficients[j]! * mean[j]!;
    return new FittedLinear(this.params, x.features, { kind: 'linear', intercept, coefficients });
  }
}

class FittedLinear implements FittedModel {
  readonly family = 'logistic';
  constructor(
    readonly params: Params,
    readonly features: Matrix['features'],
    readonly structure: LinearStructure,
  ) {}

  predictProba(x: Matrix): Float64Array {
    assertSameFeatures(this.features, x);
    return predictLinear(this.structure, x);
  }
}

export function predictLinear(linear: LinearStructure, x: Matrix): Float64Array {
  const k = x.features.length;
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let s = linear.intercept;
    for (let j = 0; j < k; j++) s += linear.coefficients[j]! * x.values[i * k + j]!;
    out[i] = sigmoid(s);
  }
  return out;
}

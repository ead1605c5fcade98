/**
 * Gradient-boosted trees in the XGBoost formulation (Chen & Guestrin 2016), for the logistic loss.
 *
 * Each round fits a tree to the second-order expansion of the loss around the current margins: with
 * g = p - y and h = p (1 - p), a leaf's weight is -G / (H + lambda) (times the learning rate eta) and a
 * split's gain is GL^2/(HL+lambda) + GR^2/(HR+lambda) - G^2/(H+lambda), the expression XGBoost's code
 * compares with gamma (splits below gamma are pruned bottom-up, as XGBoost's pruner does). Splits need
 * min_child_weight of hessian on each side. Rows (subsample, per tree, Bernoulli like XGBoost) and
 * features (colsample, per tree) are drawn with the seeded generator.
 *
 * Early stopping (early_stopping_rounds > 0): a stratified share of the rows (validation_share) is held
 * out, rounds stop when the validation log-loss has not improved for that many rounds, and the model is
 * refitted on all rows with the best number of trees, reported as `trees_kept`.
 */
import { growTree, prepareColumns, type Columns, type SplitCriterion } from './grow-tree.js';
import type { FittedModel, Learner, Matrix, Params } from './learner.js';
import { createRng, type Rng } from '../random.js';
import { sigmoid, treeValue, type Tree } from './tree-model.js';
import { FittedTrees } from './tree.js';

export const GBT_DEFAULTS: Readonly<{
  n_estimators: number;
  learning_rate: number;
  max_depth: number;
  min_child_weight: number;
  lambda: number;
  gamma: number;
  subsample: number;
  colsample: number;
  early_stopping_rounds: number;
  validation_share: number;
}> = {
  n_estimators: 200,
  learning_rate: 0.05,
  max_depth: 3,
  min_child_weight: 1,
  lambda: 1,
  gamma: 0,
  subsample: 1,
  colsample: 1,
  early_stopping_rounds: 0,
  validation_share: 0.2,
};

type GbtParams = typeof GBT_DEFAULTS;

/** XGBoost's base_score 0.5: the starting margin logit(0.5) = 0. */
const BASE_MARGIN = 0;

export function xgboostCriterion(p: GbtParams): SplitCriterion {
  return {
    minChildWeight: p.min_child_weight,
    // XGBoost's kRtEps: a split must improve the objective by more than rounding noise.
    minGain: 1e-6,
    canSplit: (_g, h) => h >= 2 * p.min_child_weight,
    shift: 0,
    lambda: p.lambda,
    leafValue: (g, h) => (h < p.min_child_weight || h <= 0 ? 0 : (-g / (h + p.lambda)) * p.learning_rate),
    pruneBelow: p.gamma,
  };
}

function validate(p: GbtParams): void {
  const problems: string[] = [];
  const wholeAtLeast = (name: keyof GbtParams, min: number): void => {
    if (!(Number.isInteger(p[name]) && p[name] >= min))
      problems.push(`${name} must be a whole number >= ${min}`);
  };
  wholeAtLeast('n_estimators', 1);
  wholeAtLeast('max_depth', 1);
  wholeAtLeast('early_stopping_rounds', 0);
  if (!(p.learning_rate > 0 && p.learning_rate <= 1)) problems.push('learning_rate must be in (0, 1]');
  if (!(p.min_child_weight >= 0)) problems.push('min_child_weight must be >= 0');
  if (!(p.lambda >= 0)) problems.push('lambda must be >= 0');
  if (!(p.gamma >= 0)) problems.push('gamma must be >= 0');
  if (!(p.subsample > 0 && p.subsample <= 1)) problems.push('subsample must be in (0, 1]');
  if (!(p.colsample > 0 && p.colsample <= 1)) problems.push('colsample must be in (0, 1]');
  if (!(p.validation_share > 0 && p.validation_share < 1))
    problems.push('validation_share must be in (0, 1)');
  if (problems.length > 0) throw new RangeError(`gbt: ${problems.join('; ')}`);
}

/** A stratified random subset of about `share` of each class; 1 marks a validation row. */
export function stratifiedHoldout(y: Uint8Array, share: number, rng: Rng): Uint8Array {
  const held = new Uint8Array(y.length);
  for (const label of [0, 1]) {
    const members: number[] = [];
    y.forEach((value, i) => {
      if (value === label) members.push(i);
    });
    const order = rng.permutation(members.length);
    const take = Math.round(share * members.length);
    for (let r = 0; r < take; r++) held[members[order[r]!]!] = 1;
  }
  return held;
}

interface Boosted {
  trees: Tree[];
  /** Validation log-loss after each round (empty without a validation set). */
  validationLoss: number[];
}

function logloss(p: number, y: number): number {
  const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
  return y === 1 ? -Math.log(q) : -Math.log(1 - q);
}

/** Runs the boosting rounds on the rows not marked in `validation` (null: all rows). */
function boost(
  columns: Columns,
  y: Uint8Array,
  p: GbtParams,
  rounds: number,
  seed: number,
  validation: Uint8Array | null,
): Boosted {
  const n = columns.rows;
  const k = columns.features;
  const rng = createRng(seed);
  const criterion = xgboostCriterion(p);
  const margin = new Float64Array(n).fill(BASE_MARGIN);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const inSample = new Uint8Array(n);
  const featureCount = Math.max(1, Math.round(p.colsample * k));
  const trees: Tree[] = [];
  const validationLoss: number[] = [];
  let validationRows = 0;
  if (validation) for (let i = 0; i < n; i++) validationRows += validation[i]!;
  let best = Infinity;
  let bestRound = -1;
  let row = 0;
  const at = (j: number): number => columns.values[j * n + row]!;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < n; i++) {
      const prob = sigmoid(margin[i]!);
      g[i] = prob - y[i]!;
      h[i] = Math.max(prob * (1 - prob), 1e-16);
      const training = validation === null || validation[i] === 0;
      inSample[i] = training && (p.subsample >= 1 || rng.next() < p.subsample) ? 1 : 0;
    }
    const allowed =
      featureCount >= k
        ? Array.from({ length: k }, (_, j) => j)
        : Array.from(rng.permutation(k).subarray(0, featureCount)).sort((a, b) => a - b);
    const tree = growTree(columns, g, h, criterion, {
      maxDepth: p.max_depth,
      allowedFeatures: allowed,
      inSample,
    });
    trees.push(tree);
    let loss = 0;
    for (row = 0; row < n; row++) {
      margin[row] = margin[row]! + treeValue(tree, at);
      if (validation && validation[row] === 1) loss += logloss(sigmoid(margin[row]!), y[row]!);
    }
    if (validation) {
      const mean = loss / Math.max(1, validationRows);
      validationLoss.push(mean);
      if (mean < best) {
        best = mean;
        bestRound = round;
      } else if (round - bestRound >= p.early_stopping_rounds) break;
    }
  }
  return { trees, validationLoss };
}

export class GradientBoostedTrees implements Learner {
  readonly family = 'gbt';
  readonly params: Params;
  private readonly settings: GbtParams;

  constructor(params: Partial<GbtParams> = {}) {
    this.settings = { ...GBT_DEFAULTS, ...params };
    validate(this.settings);
    this.params = { ...this.settings };
  }

  fit(x: Matrix, y: Uint8Array, seed: number): FittedModel {
    const p = this.settings;
    const columns = prepareColumns(x.values, x.rows, x.features.length);
    let rounds = p.n_estimators;
    if (p.early_stopping_rounds > 0) {
      const validation = stratifiedHoldout(y, p.validation_share, createRng(seed ^ 0x5eed));
      const held = validation.reduce((sum, v) => sum + v, 0);
      // Too few rows to hold any out (or to keep any): no early stopping, all rounds.
      if (held > 0 && held < y.length) {
        const { validationLoss } = boost(columns, y, p, rounds, seed, validation);
        rounds = validationLoss.indexOf(Math.min(...validationLoss)) + 1;
      }
    }
    const { trees } = boost(columns, y, p, rounds, seed, null);
    const params = { ...this.params, trees_kept: trees.length };
    return new FittedTrees('gbt', params, x.features, {
      kind: 'trees',
      trees,
      base: BASE_MARGIN,
      link: 'logistic',
    });
  }
}

/**
 * The small interface every learner shares, in the spirit of scikit-learn's estimators: configure with
 * parameters, `fit` on a feature matrix, then predict probabilities and export the fitted model to ONNX.
 *
 * A fitted model also exposes its `structure`: a linear model or a tree ensemble, in the plain numbers
 * the ONNX exporter (`pipeline/onnx/`) turns into a graph. Predictions in TypeScript are computed from that
 * same structure, so what the graph computes and what `predictProba` returns cannot drift apart.
 */
import type { FeatureName } from '../model/card.js';
import type { UserRecord } from '../data/schema.js';
import type { TreeEnsemble } from './tree-model.js';

/** Row-major feature matrix. Gender is encoded 1 for Male, 0 for Female. */
export interface Matrix {
  rows: number;
  features: readonly FeatureName[];
  /** rows * features.length values; row i, feature j at i * features.length + j. */
  values: Float64Array;
}

export type Params = Readonly<Record<string, number>>;

export interface Learner {
  /** 'logistic' | 'tree' | 'gbt' */
  readonly family: string;
  readonly params: Params;
  /** Learns from a matrix and 0/1 labels. `seed` drives any randomness (subsampling, inner splits). */
  fit(x: Matrix, y: Uint8Array, seed: number): FittedModel;
}

/** probability = sigmoid(intercept + sum_j coefficients[j] * x_j), on the raw (unscaled) features. */
export interface LinearStructure {
  kind: 'linear';
  intercept: number;
  coefficients: readonly number[];
}

export type ModelStructure = LinearStructure | TreeEnsemble;

export interface FittedModel {
  readonly family: string;
  /** The parameters used, including any settled during fitting (e.g. trees kept after early stopping). */
  readonly params: Params;
  readonly features: readonly FeatureName[];
  /** What the exporter writes to ONNX; predictions are computed from it. */
  readonly structure: ModelStructure;
  /** P(purchase) for each row. */
  predictProba(x: Matrix): Float64Array;
}

/** Guards predictions against a matrix whose columns are not the ones the model was fitted on. */
export function assertSameFeatures(model: readonly FeatureName[], x: Matrix): void {
  if (model.length !== x.features.length || model.some((f, j) => x.features[j] !== f)) {
    throw new Error(`the model uses features ${model.join(',')} but the matrix has ${x.features.join(',')}`);
  }
}

/** The numeric value of one feature of a customer (Gender: Male 1, Female 0). */
export function featureValue(record: UserRecord, feature: FeatureName): number {
  switch (feature) {
    case 'Age':
      return record.age;
    case 'AnnualSalary':
      return record.salary;
    case 'Gender':
      return record.gender === 'Male' ? 1 : 0;
  }
}

/** Builds the feature matrix of some customers, features in the given order. */
export function matrixFromRecords(records: readonly UserRecord[], features: readonly FeatureName[]): Matrix {
  const k = features.length;
  const values = new Float64Array(records.length * k);
  records.forEach((record, i) => {
    for (let j = 0; j < k; j++) values[i * k + j] = featureValue(record, features[j]!);
  });
  return { rows: records.length, features, values };
}

/** The rows `indices` of a matrix (a fold, a subsample), as a new matrix. */
export function selectRows(x: Matrix, indices: ArrayLike<number>): Matrix {
  const k = x.features.length;
  const values = new Float64Array(indices.length * k);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i]! * k;
    for (let j = 0; j < k; j++) values[i * k + j] = x.values[from + j]!;
  }
  return { rows: indices.length, features: x.features, values };
}

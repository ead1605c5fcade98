/**
 * The small interface every learner shares, in the spirit of scikit-learn's estimators: configure with
 * parameters, `fit` on a feature matrix, then predict probabilities and export the fitted model to ONNX.
 */
import type { FeatureName } from '../model/card.js';

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

export interface FittedModel {
  readonly family: string;
  /** The parameters used, including any settled during fitting (e.g. trees kept after early stopping). */
  readonly params: Params;
  readonly features: readonly FeatureName[];
  /** P(purchase) for each row. */
  predictProba(x: Matrix): Float64Array;
}

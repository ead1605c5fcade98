/**
 * CART classification tree (Breiman et al.; scikit-learn's `DecisionTreeClassifier`): gini impurity, a
 * maximum depth and a minimum number of rows per leaf. A leaf predicts the share of buyers among its
 * training rows.
 */
import { growTree, prepareColumns, type SplitCriterion } from './grow-tree.js';
import { assertSameFeatures, type FittedModel, type Learner, type Matrix, type Params } from './learner.js';
import { predictEnsemble, type TreeEnsemble } from './tree-model.js';

export const TREE_DEFAULTS: Readonly<{ max_depth: number; min_samples_leaf: number }> = {
  max_depth: 5,
  min_samples_leaf: 5,
};

/**
 * Gini with g = number of buyers and h = number of rows: a node's weighted impurity is h * 2p(1-p),
 * proportional to g (h - g) / h, so score = g (g - h) / h (shift 1, lambda 0) and the gain is the
 * impurity decrease.
 */
export function giniCriterion(minSamplesLeaf: number): SplitCriterion {
  return {
    minChildWeight: minSamplesLeaf,
    // Like scikit-learn, an impure node is split even when the best split does not lower the impurity.
    minGain: -1e-9,
    canSplit: (g, h) => g > 0 && g < h && h >= 2 * minSamplesLeaf,
    shift: 1,
    lambda: 0,
    leafValue: (g, h) => g / h,
    pruneBelow: 0,
  };
}

export class DecisionTree implements Learner {
  readonly family = 'tree';
  readonly params: Params;

  constructor(params: Partial<typeof TREE_DEFAULTS> = {}) {
    this.params = { ...TREE_DEFAULTS, ...params };
    const { max_depth, min_samples_leaf } = this.params;
    if (!(Number.isInteger(max_depth) && max_depth! >= 1))
      throw new RangeError(`tree: max_depth must be a whole number >= 1`);
    if (!(Number.isInteger(min_samples_leaf) && min_samples_leaf! >= 1)) {
      throw new RangeError(`tree: min_samples_leaf must be a whole number >= 1`);
    }
  }

  fit(x: Matrix, y: Uint8Array, _seed: number): FittedModel {
    const k = x.features.length;
    const columns = prepareColumns(x.values, x.rows, k);
    const g = Float64Array.from(y);
    const h = new Float64Array(x.rows).fill(1);
    const tree = growTree(columns, g, h, giniCriterion(this.params.min_samples_leaf!), {
      maxDepth: this.params.max_depth!,
      allowedFeatures: Array.from({ length: k }, (_, j) => j),
      inSample: null,
    });
    return new FittedTrees('tree', this.params, x.features, {
      kind: 'trees',
      trees: [tree],
      base: 0,
      link: 'identity',
    });
  }
}

/** A fitted model made of trees (a CART tree, a boosted ensemble). */
export class FittedTrees implements FittedModel {
  constructor(
    readonly family: string,
    readonly params: Params,
    readonly features: Matrix['features'],
    readonly structure: TreeEnsemble,
  ) {}

  predictProba(x: Matrix): Float64Array {
    assertSameFeatures(this.features, x);
    return predictEnsemble(this.structure, x);
  }
}

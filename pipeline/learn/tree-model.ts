/**
 * Fitted decision trees as flat arrays, and how they predict.
 *
 * One convention everywhere, the one XGBoost and ONNX's `BRANCH_LT` use: a row goes to the `left` child
 * when `x < threshold`. Thresholds are float32 values and inputs are compared as float32 (`Math.fround`),
 * because an ONNX runtime receives float32 inputs: a value exactly at a threshold takes the same branch in
 * TypeScript and in the exported graph.
 */
import type { Matrix } from './learner.js';

export interface Tree {
  /** Per node: the index of the split feature in the model's feature list, or -1 for a leaf. */
  feature: Int32Array;
  /** Per split node: a float32 value; `x < threshold` goes left. */
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  /** Per leaf: its value (a class-1 share for a tree, a margin contribution for boosting). */
  value: Float64Array;
}

/** output = link(base + sum of the leaf each tree assigns). */
export interface TreeEnsemble {
  kind: 'trees';
  trees: readonly Tree[];
  base: number;
  /** 'identity' for a single CART tree (leaves are probabilities), 'logistic' for boosted margins. */
  link: 'identity' | 'logistic';
}

export function sigmoid(margin: number): number {
  return 1 / (1 + Math.exp(-margin));
}

/** The leaf value of a row whose features are `at(j)` (already float32). */
export function treeValue(tree: Tree, at: (feature: number) => number): number {
  let node = 0;
  for (let f = tree.feature[0]!; f >= 0; f = tree.feature[node]!) {
    node = at(f) < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}

/** The matrix as float32, the precision an ONNX runtime sees. */
export function float32Values(x: Matrix): Float32Array {
  return Float32Array.from(x.values);
}

export function predictEnsemble(ensemble: TreeEnsemble, x: Matrix): Float64Array {
  const k = x.features.length;
  const values = float32Values(x);
  const out = new Float64Array(x.rows);
  let offset = 0;
  const at = (j: number): number => values[offset + j]!;
  for (let i = 0; i < x.rows; i++) {
    offset = i * k;
    let sum = ensemble.base;
    for (const tree of ensemble.trees) sum += treeValue(tree, at);
    out[i] = ensemble.link === 'logistic' ? sigmoid(sum) : sum;
  }
  return out;
}

/** Number of nodes over all trees (a size figure for cards and logs). */
export function nodeCount(ensemble: TreeEnsemble): number {
  return ensemble.trees.reduce((sum, tree) => sum + tree.feature.length, 0);
}

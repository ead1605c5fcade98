/**
 * The tree grower shared by CART and gradient boosting: exact greedy splits, grown level by level.
 *
 * Each feature is sorted once per fit (`prepareColumns`). Every row knows the node it sits in, and a level
 * is grown by scoring every candidate threshold of every node on it, per feature, in O(rows): either one
 * sweep over the sorted column with a running left-side sum per node (XGBoost's exact method), or, when
 * the feature has few distinct values, one pass over the rows into per-node histograms of those values
 * followed by a scan of the bins. Both enumerate the same candidates in the same order. A row carries a
 * first-order statistic `g` and a weight `h` (gradient and hessian for boosting; label and 1 for CART); a
 * `SplitCriterion` turns the sums into a split score and a leaf value.
 *
 * Thresholds sit midway between adjacent distinct (float32) values, rounded to float32 so that a row goes
 * left exactly when `x < threshold`, in TypeScript and in ONNX alike.
 */
import type { Tree } from './tree-model.js';

/** The training features, column-major as float32, with each column's row order by value. */
export interface Columns {
  rows: number;
  features: number;
  /** values[j * rows + i]: feature j of row i. */
  values: Float32Array;
  /** order[j]: row indices sorted by feature j, ascending (ties by row index). */
  order: Uint32Array[];
  /** sorted[j][r] = values of feature j at row order[j][r]: the sweep reads values in sequence. */
  sorted: Float32Array[];
  /** distinct[j]: the distinct values of feature j, ascending. */
  distinct: Float32Array[];
  /** rank[j][i]: the index in distinct[j] of row i's value (its histogram bin). */
  rank: Uint32Array[];
  /** Largest histogram (nodes x distinct values) used instead of a sweep. */
  histogramLimit: number;
  /** Reused histogram buffers (gradient, hessian and row count per node and bin), grown on demand. */
  scratch: { g: Float64Array; h: Float64Array; rows: Uint32Array };
}

/**
 * A level's split search per feature either sweeps the sorted column (cost: rows, in random access) or
 * fills a histogram over the feature's distinct values (cost: rows in sequence plus nodes x distinct
 * values). Both find the same splits; by default the histogram is used while it has at most two cells
 * per row.
 */
export const DEFAULT_HISTOGRAM_CELLS_PER_ROW = 2;

/** Sorts each feature once; reused by every tree of a fit. */
export function prepareColumns(
  rowMajor: Float64Array,
  rows: number,
  features: number,
  histogramCellsPerRow = DEFAULT_HISTOGRAM_CELLS_PER_ROW,
): Columns {
  const values = new Float32Array(rows * features);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < features; j++) values[j * rows + i] = rowMajor[i * features + j]!;
  }
  const order: Uint32Array[] = [];
  const sorted: Float32Array[] = [];
  const distinct: Float32Array[] = [];
  const rank: Uint32Array[] = [];
  for (let j = 0; j < features; j++) {
    const column = values.subarray(j * rows, (j + 1) * rows);
    const indices = new Uint32Array(rows);
    for (let i = 0; i < rows; i++) indices[i] = i;
    indices.sort((a, b) => column[a]! - column[b]! || a - b);
    order.push(indices);
    const inOrder = Float32Array.from(indices, (i) => column[i]!);
    sorted.push(inOrder);
    const ranks = new Uint32Array(rows);
    const levels: number[] = [];
    for (let r = 0; r < rows; r++) {
      if (r === 0 || inOrder[r] !== inOrder[r - 1]) levels.push(inOrder[r]!);
      ranks[indices[r]!] = levels.length - 1;
    }
    distinct.push(Float32Array.from(levels));
    rank.push(ranks);
  }
  const histogramLimit = histogramCellsPerRow * rows;
  const scratch = { g: new Float64Array(0), h: new Float64Array(0), rows: new Uint32Array(0) };
  return { rows, features, values, order, sorted, distinct, rank, histogramLimit, scratch };
}

export interface SplitCriterion {
  /** Each child needs at least this much summed weight `h`. */
  minChildWeight: number;
  /** A split is made only when its gain exceeds this. */
  minGain: number;
  /** Whether a node with these sums may be split at all (e.g. CART leaves pure nodes alone). */
  canSplit(g: number, h: number): boolean;
  /**
   * A node's score is g (g - shift h) / (h + lambda); gain = score(left) + score(right) - score(node),
   * higher is better. One formula covers both criteria (XGBoost: shift 0; gini: shift 1, lambda 0) and
   * keeps the innermost loop free of function calls.
   */
  shift: number;
  lambda: number;
  leafValue(g: number, h: number): number;
  /** After growing, a split whose gain is below this is undone, bottom-up (XGBoost's gamma). */
  pruneBelow: number;
}

export interface GrowOptions {
  maxDepth: number;
  /** Feature indices a split may use (column subsampling). */
  allowedFeatures: readonly number[];
  /** Per row: 1 when it takes part in this tree (row subsampling, inner validation); null = all rows. */
  inSample: Uint8Array | null;
}

/** Split threshold between adjacent distinct float32 values a < b: x < t holds for a and not for b. */
export function midpoint(a: number, b: number): number {
  const t = Math.fround((a + b) / 2);
  return t > a ? t : b;
}

export function nodeScore(criterion: SplitCriterion, g: number, h: number): number {
  return (g * (g - criterion.shift * h)) / (h + criterion.lambda);
}

interface Growing {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  gain: number[];
  g: number[];
  h: number[];
}

export function growTree(
  columns: Columns,
  g: Float64Array,
  h: Float64Array,
  criterion: SplitCriterion,
  options: GrowOptions,
): Tree {
  const n = columns.rows;
  const nodes: Growing = {
    feature: [-1],
    threshold: [0],
    left: [-1],
    right: [-1],
    gain: [0],
    g: [0],
    h: [0],
  };
  const position = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (options.inSample && options.inSample[i] === 0) {
      position[i] = -1;
      continue;
    }
    nodes.g[0]! += g[i]!;
    nodes.h[0]! += h[i]!;
  }
  let level = [0];
  for (let depth = 0; depth < options.maxDepth && level.length > 0; depth++) {
    const splitting = level.filter((node) => criterion.canSplit(nodes.g[node]!, nodes.h[node]!));
    if (splitting.length === 0) break;
    const split = findSplits(columns, g, h, position, nodes, splitting, criterion, options.allowedFeatures);
    const next: number[] = [];
    const childOf = new Int32Array(nodes.feature.length).fill(-1);
    for (const node of splitting) {
      if (!(split.gain[node]! > criterion.minGain)) continue;
      const left = addNode(nodes);
      const right = addNode(nodes);
      nodes.feature[node] = split.feature[node]!;
      nodes.threshold[node] = split.threshold[node]!;
      nodes.left[node] = left;
      nodes.right[node] = right;
      nodes.gain[node] = split.gain[node]!;
      childOf[node] = left;
      next.push(left, right);
    }
    if (next.length === 0) break;
    for (let i = 0; i < n; i++) {
      const node = position[i]!;
      if (node < 0 || childOf[node]! < 0) continue;
      const f = nodes.feature[node]!;
      const child =
        columns.values[f * n + i]! < nodes.threshold[node]! ? nodes.left[node]! : nodes.right[node]!;
      position[i] = child;
      nodes.g[child]! += g[i]!;
      nodes.h[child]! += h[i]!;
    }
    level = next;
  }
  if (criterion.pruneBelow > 0) prune(nodes, 0, criterion.pruneBelow);
  return compact(nodes, criterion);
}

function addNode(nodes: Growing): number {
  nodes.feature.push(-1);
  nodes.threshold.push(0);
  nodes.left.push(-1);
  nodes.right.push(-1);
  nodes.gain.push(0);
  nodes.g.push(0);
  nodes.h.push(0);
  return nodes.feature.length - 1;
}

/** The best split found for each node of a level (indexed by node id); gain -Infinity = none. */
interface BestSplits {
  gain: Float64Array;
  feature: Int32Array;
  threshold: Float32Array;
}

/** The state of one level's split search. */
interface Search {
  columns: Columns;
  g: Float64Array;
  h: Float64Array;
  position: Int32Array;
  splitting: readonly number[];
  nodeG: Float64Array;
  nodeH: Float64Array;
  parentScore: Float64Array;
  criterion: SplitCriterion;
  best: BestSplits;
}

function findSplits(
  columns: Columns,
  g: Float64Array,
  h: Float64Array,
  position: Int32Array,
  nodes: Growing,
  splitting: readonly number[],
  criterion: SplitCriterion,
  allowedFeatures: readonly number[],
): BestSplits {
  const count = nodes.feature.length;
  const nodeG = Float64Array.from(nodes.g);
  const nodeH = Float64Array.from(nodes.h);
  const parentScore = new Float64Array(count);
  for (const node of splitting) parentScore[node] = nodeScore(criterion, nodeG[node]!, nodeH[node]!);
  const best: BestSplits = {
    gain: new Float64Array(count).fill(-Infinity),
    feature: new Int32Array(count).fill(-1),
    threshold: new Float32Array(count),
  };
  const search: Search = { columns, g, h, position, splitting, nodeG, nodeH, parentScore, criterion, best };
  for (const f of allowedFeatures) {
    const cells = splitting.length * columns.distinct[f]!.length;
    if (cells <= columns.histogramLimit) histogramFeature(search, f);
    else sweepFeature(search, f);
  }
  return best;
}

/** Scores the split of `node` between adjacent present values `below` < `above`; keeps it if best so far. */
function consider(
  search: Search,
  node: number,
  f: number,
  gl: number,
  hl: number,
  below: number,
  above: number,
): void {
  const hr = search.nodeH[node]! - hl;
  const { minChildWeight, shift, lambda } = search.criterion;
  if (hl < minChildWeight || hr < minChildWeight) return;
  const gr = search.nodeG[node]! - gl;
  const gain =
    (gl * (gl - shift * hl)) / (hl + lambda) +
    (gr * (gr - shift * hr)) / (hr + lambda) -
    search.parentScore[node]!;
  if (gain > search.best.gain[node]!) {
    search.best.gain[node] = gain;
    search.best.feature[node] = f;
    search.best.threshold[node] = midpoint(below, above);
  }
}

/** One pass over the column in sorted order, every node of the level keeping its running left sums. */
function sweepFeature(search: Search, f: number): void {
  const { columns, g, h, position, splitting } = search;
  const n = columns.rows;
  const count = search.nodeG.length;
  const active = new Uint8Array(count);
  for (const node of splitting) active[node] = 1;
  const leftG = new Float64Array(count);
  const leftH = new Float64Array(count);
  const leftRows = new Uint32Array(count);
  const last = new Float32Array(count);
  const order = columns.order[f]!;
  const sorted = columns.sorted[f]!;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const node = position[i]!;
    if (node < 0 || active[node] === 0) continue;
    const v = sorted[r]!;
    if (leftRows[node]! > 0 && v !== last[node])
      consider(search, node, f, leftG[node]!, leftH[node]!, last[node]!, v);
    leftG[node] = leftG[node]! + g[i]!;
    leftH[node] = leftH[node]! + h[i]!;
    leftRows[node] = leftRows[node]! + 1;
    last[node] = v;
  }
}

/** Per node, sums by distinct value (rows read in sequence), then a scan of the bins from low to high. */
function histogramFeature(search: Search, f: number): void {
  const { columns, g, h, position, splitting } = search;
  const n = columns.rows;
  const distinct = columns.distinct[f]!;
  const bins = distinct.length;
  const rank = columns.rank[f]!;
  const slotOf = new Int32Array(search.nodeG.length).fill(-1);
  splitting.forEach((node, slot) => (slotOf[node] = slot));
  const used = splitting.length * bins;
  if (columns.scratch.g.length < used) {
    columns.scratch = { g: new Float64Array(used), h: new Float64Array(used), rows: new Uint32Array(used) };
  }
  const { g: binG, h: binH, rows: binRows } = columns.scratch;
  binG.fill(0, 0, used);
  binH.fill(0, 0, used);
  binRows.fill(0, 0, used);
  for (let i = 0; i < n; i++) {
    const node = position[i]!;
    if (node < 0) continue;
    const slot = slotOf[node]!;
    if (slot < 0) continue;
    const cell = slot * bins + rank[i]!;
    binG[cell] = binG[cell]! + g[i]!;
    binH[cell] = binH[cell]! + h[i]!;
    binRows[cell] = binRows[cell]! + 1;
  }
  splitting.forEach((node, slot) => {
    let gl = 0;
    let hl = 0;
    let last = NaN;
    for (let b = 0, cell = slot * bins; b < bins; b++, cell++) {
      if (binRows[cell] === 0) continue;
      if (!Number.isNaN(last)) consider(search, node, f, gl, hl, last, distinct[b]!);
      gl += binG[cell]!;
      hl += binH[cell]!;
      last = distinct[b]!;
    }
  });
}

function isLeaf(nodes: Growing, node: number): boolean {
  return nodes.feature[node]! < 0;
}

/** Undoes splits whose gain is below the bar, from the bottom up (a split above a kept split stays). */
function prune(nodes: Growing, node: number, bar: number): void {
  if (isLeaf(nodes, node)) return;
  prune(nodes, nodes.left[node]!, bar);
  prune(nodes, nodes.right[node]!, bar);
  if (isLeaf(nodes, nodes.left[node]!) && isLeaf(nodes, nodes.right[node]!) && nodes.gain[node]! < bar) {
    nodes.feature[node] = -1;
  }
}

/** The reachable nodes in depth-first order, as a fitted tree. */
function compact(nodes: Growing, criterion: SplitCriterion): Tree {
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    order.push(node);
    if (!isLeaf(nodes, node)) stack.push(nodes.right[node]!, nodes.left[node]!);
  }
  const index = new Map(order.map((node, i) => [node, i]));
  const size = order.length;
  const tree: Tree = {
    feature: new Int32Array(size),
    threshold: new Float32Array(size),
    left: new Int32Array(size).fill(-1),
    right: new Int32Array(size).fill(-1),
    value: new Float64Array(size),
  };
  order.forEach((node, i) => {
    if (isLeaf(nodes, node)) {
      tree.feature[i] = -1;
      tree.value[i] = criterion.leafValue(nodes.g[node]!, nodes.h[node]!);
    } else {
      tree.feature[i] = nodes.feature[node]!;
      tree.threshold[i] = nodes.threshold[node]!;
      tree.left[i] = index.get(nodes.left[node]!)!;
      tree.right[i] = index.get(nodes.right[node]!)!;
    }
  });
  return tree;
}

/**
 * Compiles a tree ensemble into ONE equivalent decision tree, so that scoring a row costs a few dozen
 * comparisons instead of one walk per tree.
 *
 * An ensemble over a few features is piecewise constant on the grid that all its thresholds draw: per
 * feature, the sorted distinct thresholds t_1 < ... < t_m cut the axis into m + 1 cells (x < t_1,
 * t_1 <= x < t_2, ..., x >= t_m). Every tree sends all points of a grid cell to the same leaf, so the
 * ensemble's output on a cell is one number: the sum of those leaves. A balanced tree that locates the
 * cell by bisecting each axis then reproduces the ensemble exactly (same float32 comparisons, same sum in
 * the same order), with depth about log2(number of cells). Regions where neighbouring cells agree collapse
 * into one leaf.
 */
import type { Tree, TreeEnsemble } from '../learn/tree-model.js';

/** Above this many cells the compiled tree would be too large to be worth it; the ensemble stays as is. */
export const MAX_GRID_CELLS = 500_000;

export interface Grid {
  /** Per feature: sorted distinct float32 thresholds used by any tree. */
  thresholds: Float32Array[];
  cells: number;
}

export function thresholdGrid(ensemble: TreeEnsemble, featureCount: number): Grid {
  const sets = Array.from({ length: featureCount }, () => new Set<number>());
  for (const tree of ensemble.trees) {
    tree.feature.forEach((f, node) => {
      if (f >= 0) sets[f]!.add(tree.threshold[node]!);
    });
  }
  const thresholds = sets.map((set) => Float32Array.from(set).sort());
  const cells = thresholds.reduce((product, t) => product * (t.length + 1), 1);
  return { thresholds, cells };
}

/** The ensemble's output (before the link) on every cell, row-major over features (last feature fastest). */
function cellValues(ensemble: TreeEnsemble, grid: Grid): Float64Array {
  const k = grid.thresholds.length;
  const size = grid.thresholds.map((t) => t.length + 1);
  const stride = new Array<number>(k).fill(1);
  for (let j = k - 2; j >= 0; j--) stride[j] = stride[j + 1]! * size[j + 1]!;
  const values = new Float64Array(grid.cells).fill(ensemble.base);
  const lo = new Array<number>(k).fill(0);
  const hi = [...size];
  // Adds a leaf's value to every cell of the box lo..hi (exclusive), i.e. the cells that reach the leaf.
  const fillBox = (leaf: number, dim: number, offset: number): void => {
    if (dim === k) {
      values[offset] = values[offset]! + leaf;
      return;
    }
    for (let c = lo[dim]!; c < hi[dim]!; c++) fillBox(leaf, dim + 1, offset + c * stride[dim]!);
  };
  const visit = (tree: Tree, node: number): void => {
    const f = tree.feature[node]!;
    if (f < 0) {
      fillBox(tree.value[node]!, 0, 0);
      return;
    }
    // Cell c holds x < t[c]; a row goes left (x < threshold = t[i]) exactly in cells 0..i.
    const split = grid.thresholds[f]!.indexOf(tree.threshold[node]!) + 1;
    const [savedLo, savedHi] = [lo[f]!, hi[f]!];
    hi[f] = Math.min(savedHi, split);
    if (lo[f]! < hi[f]!) visit(tree, tree.left[node]!);
    hi[f] = savedHi;
    lo[f] = Math.max(savedLo, split);
    if (lo[f]! < hi[f]!) visit(tree, tree.right[node]!);
    lo[f] = savedLo;
  };
  // Tree by tree, in order: each cell's sum is built exactly as predictEnsemble builds a row's sum.
  for (const tree of ensemble.trees) visit(tree, 0);
  return values;
}

/**
 * One tree equivalent to the ensemble (base and link unchanged, the base folded into the leaves), or
 * null when the grid has more than `maxCells` cells.
 */
export function compileEnsemble(
  ensemble: TreeEnsemble,
  featureCount: number,
  maxCells = MAX_GRID_CELLS,
): TreeEnsemble | null {
  const grid = thresholdGrid(ensemble, featureCount);
  if (grid.cells > maxCells) return null;
  const values = cellValues(ensemble, grid);
  const k = featureCount;
  const size = grid.thresholds.map((t) => t.length + 1);
  const stride = new Array<number>(k).fill(1);
  for (let j = k - 2; j >= 0; j--) stride[j] = stride[j + 1]! * size[j + 1]!;

  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const leaf: number[] = [];
  const lo = new Array<number>(k).fill(0);
  const hi = [...size];

  // The value shared by every cell of the box, or NaN when they differ.
  const uniform = (): number => {
    let first = NaN;
    let seen = false;
    let same = true;
    const scan = (dim: number, offset: number): void => {
      if (!same) return;
      if (dim === k) {
        const v = values[offset]!;
        if (!seen) {
          first = v;
          seen = true;
        } else if (v !== first) same = false;
        return;
      }
      for (let c = lo[dim]!; c < hi[dim]! && same; c++) scan(dim + 1, offset + c * stride[dim]!);
    };
    scan(0, 0);
    return same ? first : NaN;
  };

  const build = (): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    leaf.push(0);
    const value = uniform();
    if (!Number.isNaN(value)) {
      leaf[id] = value;
      return id;
    }
    // Bisect the feature with the most cells left in the box: a balanced search over the grid.
    let f = 0;
    for (let j = 1; j < k; j++) if (hi[j]! - lo[j]! > hi[f]! - lo[f]!) f = j;
    const mid = (lo[f]! + hi[f]!) >> 1;
    feature[id] = f;
    threshold[id] = grid.thresholds[f]![mid - 1]!;
    const [savedLo, savedHi] = [lo[f]!, hi[f]!];
    hi[f] = mid;
    left[id] = build();
    hi[f] = savedHi;
    lo[f] = mid;
    right[id] = build();
    lo[f] = savedLo;
    return id;
  };
  build();
  const tree: Tree = {
    feature: Int32Array.from(feature),
    threshold: Float32Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(leaf),
  };
  return { kind: 'trees', trees: [tree], base: 0, link: ensemble.link };
}

/** Depth of a tree (a leaf alone has depth 0). */
export function treeDepth(tree: Tree, node = 0): number {
  if (tree.feature[node]! < 0) return 0;
  return 1 + Math.max(treeDepth(tree, tree.left[node]!), treeDepth(tree, tree.right[node]!));
}

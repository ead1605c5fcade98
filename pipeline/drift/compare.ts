/**
 * Compares two profiles column by column, the way Evidently's DataDriftPreset does by default: a test
 * chosen by column type and reference size, dataset drift when a large enough share of columns drift, and
 * PSI for every column and for the predicted probability.
 *
 * Exact tests need the raw values, which small profiles keep. When either side only has histograms
 * (more than 5000 rows), KS, Wasserstein and PSI are computed from the fixed-edge histograms instead:
 * exact for Age (whole years in one-year bins), and for salary and probability within one fine bin
 * (500 a year; 0.001) of the exact value, far below the thresholds that decide drift.
 */
import {
  BIN_SPECS,
  columnMoments,
  DISTINCT_TRACKED,
  type NumericColumnName,
  type NumericColumnProfile,
  type Profile,
} from './profile.js';
import { P_VALUE_TESTS, psiBand, type DriftConfig, type PsiBand, type TestName } from './config.js';
import {
  chiSquareTest,
  countIntoBins,
  jensenShannonDistance,
  ksPValue,
  ksStatistic,
  ksStatisticFromCounts,
  psi,
  quantileSorted,
  standardDeviation,
  twoProportionZTest,
  wassersteinDistance,
  wassersteinFromCounts,
} from './statistics.js';

export type ColumnType = 'num' | 'cat';

/** One column's result, as `drift.json` and `--json` print it. */
export interface ColumnDrift {
  name: string;
  type: ColumnType;
  test: TestName;
  statistic: number;
  p_value: number | null;
  threshold: number;
  drift: boolean;
  psi: number;
  psi_band: PsiBand;
  /** False when computed from histograms rather than raw values. */
  exact: boolean;
  reference_rows: number;
  current_rows: number;
}

export interface Comparison {
  dataset_drift: boolean;
  share_drifted: number;
  drifted_columns: number;
  share_threshold: number;
  columns: ColumnDrift[];
  /** The predicted probability, when both profiles have it. Not counted in the share of drifted columns. */
  score: ColumnDrift | null;
}

/** Columns whose drift decides dataset drift: the model's features. */
export const FEATURE_COLUMNS = ['Age', 'AnnualSalary', 'Gender'] as const;

/** Columns whose values are whole numbers sitting on the lower edge of one-unit bins. */
const POINT_MASS: ReadonlySet<NumericColumnName> = new Set(['Age']);

/** A column reduced to what the tests need: categories with counts, or numbers. */
type ColumnData =
  | { kind: 'cat'; counts: Map<string, number> }
  | { kind: 'num'; column: NumericColumnProfile; name: NumericColumnName };

function binEdges(name: NumericColumnName): number[] {
  const spec = BIN_SPECS[name];
  // The underflow and overflow bins get one bin width each: they are empty for data within the contract.
  return Array.from({ length: spec.count + 3 }, (_, i) => spec.start + (i - 1) * spec.width);
}

/**
 * Value counts of a numeric column with few distinct values: from the raw values when both sides have
 * them, otherwise from the bins holding the distinct values (both sides the same way, so keys match).
 */
function valueCounts(
  column: NumericColumnProfile,
  distinct: number[],
  name: NumericColumnName,
  fromValues: boolean,
): Map<string, number> {
  const counts = new Map<string, number>();
  if (fromValues && column.values) {
    for (const v of column.values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    return counts;
  }
  const spec = BIN_SPECS[name];
  const byBin = new Map<number, string>();
  for (const value of distinct) {
    const index = Math.min(Math.max(Math.floor((value - spec.start) / spec.width) + 1, 0), spec.count + 1);
    if (!byBin.has(index)) byBin.set(index, String(value));
  }
  for (const [index, key] of byBin) if (column.counts[index]! > 0) counts.set(key, column.counts[index]!);
  return counts;
}

function categoricalTest(
  name: string,
  reference: Map<string, number>,
  current: Map<string, number>,
  config: DriftConfig,
  override: TestName | undefined,
): Omit<ColumnDrift, 'threshold' | 'drift' | 'psi' | 'psi_band' | 'name' | 'type'> & { psiValue: number } {
  const keys = [...new Set([...reference.keys(), ...current.keys()])].sort();
  const ref = keys.map((k) => reference.get(k) ?? 0);
  const cur = keys.map((k) => current.get(k) ?? 0);
  const n1 = ref.reduce((a, b) => a + b, 0);
  const n2 = cur.reduce((a, b) => a + b, 0);
  const small = n1 <= config.small_reference_max_rows;
  const test: TestName = override ?? (small ? (keys.length > 2 ? 'chisquare' : 'z') : 'jensenshannon');
  const psiValue = psi(ref, cur, config.psi.floor);
  const base = { exact: true, reference_rows: n1, current_rows: n2, psiValue };
  switch (test) {
    case 'z': {
      if (keys.length <= 1) return { ...base, test, statistic: 0, p_value: 1 };
      // Evidently codes the first category (in sorted order) as 0 and every other as 1.
      const result = twoProportionZTest(n1 - ref[0]!, n1, n2 - cur[0]!, n2);
      return { ...base, test, statistic: result.statistic, p_value: result.pValue };
    }
    case 'chisquare': {
      const result = chiSquareTest(
        cur,
        ref.map((r) => (r * n2) / n1),
      );
      return { ...base, test, statistic: result.statistic, p_value: result.pValue };
    }
    case 'jensenshannon':
      return { ...base, test, statistic: jensenShannonDistance(ref, cur), p_value: null };
    case 'psi':
      return { ...base, test, statistic: psiValue, p_value: null };
    default:
      throw new RangeError(`the ${test} test needs numbers; column ${name} is categorical`);
  }
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * The k-th smallest value (0-based) of a sample known by its histogram: exact when the values sit on the
 * bins' lower edges, otherwise placed evenly within its bin.
 */
function orderStatistic(counts: number[], edges: number[], k: number, pointMass: boolean): number {
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (k < seen + c) {
      return pointMass ? edges[i]! : edges[i]! + ((k - seen + 0.5) / c) * (edges[i + 1]! - edges[i]!);
    }
    seen += c;
  }
  return edges[edges.length - 1]!;
}

/** The q-quantile from a histogram, interpolated between order statistics as numpy's default does. */
function quantileFromCounts(counts: number[], edges: number[], q: number, pointMass: boolean): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const position = q * (total - 1);
  const lo = Math.floor(position);
  const a = orderStatistic(counts, edges, lo, pointMass);
  const b = orderStatistic(counts, edges, Math.min(lo + 1, total - 1), pointMass);
  return a + (position - lo) * (b - a);
}

/** How many of a histogram's values fall in each PSI bin (-inf, e1], (e1, e2], ..., (e_last, inf). */
function countsIntoPsiBins(
  counts: number[],
  edges: number[],
  psiEdges: number[],
  pointMass: boolean,
): number[] {
  const out = new Array<number>(psiEdges.length + 1).fill(0);
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    const lo = edges[i]!;
    const hi = edges[i + 1]!;
    if (pointMass) {
      out[psiEdges.filter((e) => lo > e).length]! += c;
      continue;
    }
    // Spread evenly over (lo, hi]: each PSI bin gets the share of the fine bin it overlaps.
    let start = lo;
    for (let b = 0; b <= psiEdges.length && start < hi; b++) {
      const end = b < psiEdges.length ? Math.min(hi, psiEdges[b]!) : hi;
      if (end > start) {
        out[b]! += (c * (end - start)) / (hi - lo);
        start = end;
      }
    }
  }
  return out;
}

function numericPsi(
  reference: NumericColumnProfile,
  current: NumericColumnProfile,
  name: NumericColumnName,
  config: DriftConfig,
): number {
  const edges = binEdges(name);
  const pointMass = POINT_MASS.has(name);
  const innerEdges: number[] = [];
  const refSorted = reference.values ? sortedCopy(reference.values) : undefined;
  for (let k = 1; k < config.psi.bins; k++) {
    const q = k / config.psi.bins;
    const edge = refSorted
      ? quantileSorted(refSorted, q)
      : quantileFromCounts(reference.counts, edges, q, pointMass);
    if (innerEdges.length === 0 || edge > innerEdges[innerEdges.length - 1]!) innerEdges.push(edge);
  }
  const refCounts = refSorted
    ? countIntoBins(refSorted, innerEdges)
    : countsIntoPsiBins(reference.counts, edges, innerEdges, pointMass);
  const curCounts = current.values
    ? countIntoBins(sortedCopy(current.values), innerEdges)
    : countsIntoPsiBins(current.counts, edges, innerEdges, pointMass);
  return psi(refCounts, curCounts, config.psi.floor);
}

function numericTest(
  name: NumericColumnName,
  reference: NumericColumnProfile,
  current: NumericColumnProfile,
  config: DriftConfig,
  override: TestName | undefined,
): Omit<ColumnDrift, 'threshold' | 'drift' | 'psi' | 'psi_band' | 'name' | 'type'> & { psiValue: number } {
  const small = reference.count <= config.small_reference_max_rows;
  const test: TestName = override ?? (small ? 'ks' : 'wasserstein');
  const exact = reference.values !== null && current.values !== null;
  const psiValue = numericPsi(reference, current, name, config);
  const base = { exact, reference_rows: reference.count, current_rows: current.count, psiValue };
  switch (test) {
    case 'ks': {
      const d = exact
        ? ksStatistic(sortedCopy(reference.values!), sortedCopy(current.values!))
        : ksStatisticFromCounts(reference.counts, current.counts);
      const result = ksPValue(d, reference.count, current.count);
      return { ...base, test, statistic: result.statistic, p_value: result.pValue };
    }
    case 'wasserstein': {
      const distance = exact
        ? wassersteinDistance(sortedCopy(reference.values!), sortedCopy(current.values!))
        : wassersteinFromCounts(reference.counts, current.counts, binEdges(name), POINT_MASS.has(name));
      const std = reference.values ? standardDeviation(reference.values) : columnMoments(reference).std;
      // Evidently: the distance in units of the reference's standard deviation (at least 0.001).
      return { ...base, test, statistic: distance / Math.max(std, 0.001), p_value: null };
    }
    case 'psi':
      return { ...base, test, statistic: psiValue, p_value: null };
    default:
      throw new RangeError(
        `the ${test} test is for categories; use ks, wasserstein or psi for column ${name}`,
      );
  }
}

function decide(test: TestName, statistic: number, pValue: number | null, threshold: number): boolean {
  if (test === 'ks') return pValue! <= threshold;
  if (P_VALUE_TESTS.has(test)) return pValue! < threshold;
  return statistic >= threshold;
}

function columnData(profile: Profile, name: string): ColumnData | undefined {
  if (name === 'Gender') {
    const counts = new Map(Object.entries(profile.categorical.Gender.counts).filter(([, n]) => n > 0));
    return { kind: 'cat', counts };
  }
  const column = profile.numeric[name as NumericColumnName];
  return column ? { kind: 'num', column, name: name as NumericColumnName } : undefined;
}

/** Compares one column of two profiles; undefined when either profile lacks it or has no values in it. */
export function compareColumn(
  name: string,
  reference: Profile,
  current: Profile,
  config: DriftConfig,
): ColumnDrift | undefined {
  const ref = columnData(reference, name);
  const cur = columnData(current, name);
  if (!ref || !cur) return undefined;
  const override = config.columns[name];
  let result: ReturnType<typeof numericTest>;
  let type: ColumnType;
  if (ref.kind === 'num' && cur.kind === 'num') {
    if (ref.column.count === 0 || cur.column.count === 0) return undefined;
    const distinct = [...new Set([...ref.column.distinct, ...cur.column.distinct])];
    const bothRaw = ref.column.values !== null && cur.column.values !== null;
    const fewValues =
      distinct.length < DISTINCT_TRACKED && distinct.length <= config.categorical_max_distinct;
    type = fewValues ? 'cat' : 'num';
    result = fewValues
      ? categoricalTest(
          name,
          valueCounts(ref.column, distinct, ref.name, bothRaw),
          valueCounts(cur.column, distinct, cur.name, bothRaw),
          config,
          override?.test,
        )
      : numericTest(ref.name, ref.column, cur.column, config, override?.test);
  } else if (ref.kind === 'cat' && cur.kind === 'cat') {
    if (ref.counts.size === 0 || cur.counts.size === 0) return undefined;
    type = 'cat';
    result = categoricalTest(name, ref.counts, cur.counts, config, override?.test);
  } else {
    return undefined;
  }
  const threshold = override?.threshold ?? config.thresholds[result.test];
  const { psiValue, ...rest } = result;
  return {
    name,
    type,
    ...rest,
    threshold,
    drift: decide(result.test, result.statistic, result.p_value, threshold),
    psi: psiValue,
    psi_band: psiBand(psiValue, config),
  };
}

/** Every feature column of `current` against `reference`, plus the predicted probability when both have it. */
export function compareProfiles(reference: Profile, current: Profile, config: DriftConfig): Comparison {
  const columns = FEATURE_COLUMNS.map((name) => compareColumn(name, reference, current, config)).filter(
    (c): c is ColumnDrift => c !== undefined,
  );
  const drifted = columns.filter((c) => c.drift).length;
  const share = columns.length > 0 ? drifted / columns.length : 0;
  return {
    dataset_drift: columns.length > 0 && share >= config.share_threshold,
    share_drifted: share,
    drifted_columns: drifted,
    share_threshold: config.share_threshold,
    columns,
    score: compareColumn('probability', reference, current, config) ?? null,
  };
}

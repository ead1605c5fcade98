/**
 * Data profiles: what drift is measured on. A profile summarizes a data set in a size that does not grow
 * with the rows (histograms on fixed fine edges, moments, category counts), so a 10-million-row month is
 * profiled in constant memory, and profiles of shards merge into the profile of the whole.
 *
 * The bin edges are FIXED per column (not derived from the data), which is what makes histograms of two
 * profiles comparable and mergeable by adding counts. While a profile holds at most `RAW_VALUES_LIMIT` rows
 * it also keeps each numeric column's values (sorted, so no row can be put back together from them) for
 * the exact tests; merging past the limit drops them.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArtifactError } from '../errors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { GENDERS, type Gender, type UserRecord } from '../data/schema.js';

export const PROFILE_VERSION = 1;
/** Raw values are kept while a profile has at most this many rows (exact KS and Wasserstein). */
export const RAW_VALUES_LIMIT = 5000;
/** How many distinct values are tracked: enough to decide "more than 5 distinct values". */
export const DISTINCT_TRACKED = 6;

export type NumericColumnName = 'Age' | 'AnnualSalary' | 'probability';
export type CategoricalColumnName = 'Gender';

/** Bins `[start + i * width, start + (i + 1) * width)` for i in 0..count-1. */
export interface BinSpec {
  start: number;
  width: number;
  count: number;
}

/**
 * The fixed edges per numeric column. Age is an integer 18..100 (one bin per year); salary is binned by
 * 500 up to 1,000,000; the predicted probability in 1000 bins of 0.001 (1 itself falls in the last bin).
 */
export const BIN_SPECS: Readonly<Record<NumericColumnName, Readonly<BinSpec>>> = {
  Age: { start: 18, width: 1, count: 83 },
  AnnualSalary: { start: 0, width: 500, count: 2000 },
  probability: { start: 0, width: 0.001, count: 1000 },
};

/**
 * The grids the moments are summed on, as powers of two: each value (and its square) is rounded to a
 * multiple of 2^grid before it is added. Sums of such multiples are exact in floating point while they stay
 * below 2^(53 + grid), so they do not depend on the order of addition: shards merged give the very bytes
 * of the whole (up to about 100 million rows for salaries and probabilities). The rounding is far below
 * anything the statistics can see (2^-26 is 1.5e-8 of a probability; 2^8 is 256 on a squared salary).
 */
const MOMENT_GRID: Readonly<Record<NumericColumnName, { sum: number; squares: number }>> = {
  Age: { sum: 0, squares: 0 },
  AnnualSalary: { sum: -4, squares: 8 },
  probability: { sum: -26, squares: -26 },
};

export interface NumericColumnProfile {
  bins: BinSpec;
  /** `bins.count + 2` counts: below `start`, each bin, and at or above the last edge (overflow). */
  counts: number[];
  /** Values seen (missing or non-finite ones are counted in `missing`, not here). */
  count: number;
  missing: number;
  sum: number;
  sumSquares: number;
  min: number | null;
  max: number | null;
  /** The smallest distinct values, at most DISTINCT_TRACKED of them, ascending. */
  distinct: number[];
  /** All values, ascending, while the profile has at most RAW_VALUES_LIMIT rows; otherwise null. */
  values: number[] | null;
}

export interface CategoricalColumnProfile {
  counts: Record<string, number>;
  missing: number;
}

/** profile.json / reference-profile.json. */
export interface Profile {
  version: 1;
  rows: number;
  numeric: {
    Age: NumericColumnProfile;
    AnnualSalary: NumericColumnProfile;
    /** Present when the profile was built with predicted probabilities. */
    probability?: NumericColumnProfile;
  };
  categorical: {
    Gender: CategoricalColumnProfile;
  };
}

/** Index of the count a value goes to: 0 underflow, 1..count the bins, count+1 overflow. */
export function binIndex(spec: BinSpec, value: number): number {
  const i = Math.floor((value - spec.start) / spec.width);
  if (i < 0) return 0;
  if (i >= spec.count) {
    // The last edge of a closed range (probability 1) belongs to the last bin, as numpy.histogram does.
    return value === spec.start + spec.width * spec.count ? spec.count : spec.count + 1;
  }
  return i + 1;
}

/** Accumulates one numeric column; no allocation per value. */
class NumericAccumulator {
  readonly counts: Float64Array;
  count = 0;
  missing = 0;
  sum = 0;
  sumSquares = 0;
  min = Infinity;
  max = -Infinity;
  readonly distinct = new Float64Array(DISTINCT_TRACKED);
  distinctCount = 0;
  readonly raw = new Float64Array(RAW_VALUES_LIMIT);

  private readonly sumScale: number;
  private readonly squaresScale: number;

  constructor(
    readonly spec: BinSpec,
    grid: { sum: number; squares: number },
  ) {
    this.counts = new Float64Array(spec.count + 2);
    this.sumScale = 2 ** -grid.sum;
    this.squaresScale = 2 ** -grid.squares;
  }

  add(value: number, row: number): void {
    if (!Number.isFinite(value)) {
      this.missing++;
      return;
    }
    this.counts[binIndex(this.spec, value)]!++;
    this.count++;
    this.sum += Math.round(value * this.sumScale) / this.sumScale;
    this.sumSquares += Math.round(value * value * this.squaresScale) / this.squaresScale;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (row < RAW_VALUES_LIMIT) this.raw[this.count - 1] = value;
    this.track(value);
  }

  /** Keeps the DISTINCT_TRACKED smallest distinct values, sorted (so merging them is order-free). */
  private track(value: number): void {
    const d = this.distinct;
    let n = this.distinctCount;
    if (n === DISTINCT_TRACKED && value >= d[n - 1]!) return;
    let i = 0;
    while (i < n && d[i]! < value) i++;
    if (i < n && d[i] === value) return;
    if (n === DISTINCT_TRACKED) n--;
    for (let j = n; j > i; j--) d[j] = d[j - 1]!;
    d[i] = value;
    this.distinctCount = n + 1;
  }

  toJSON(rows: number): NumericColumnProfile {
    return {
      bins: { ...this.spec },
      counts: Array.from(this.counts),
      count: this.count,
      missing: this.missing,
      sum: this.sum,
      sumSquares: this.sumSquares,
      min: this.count > 0 ? this.min : null,
      max: this.count > 0 ? this.max : null,
      distinct: Array.from(this.distinct.subarray(0, this.distinctCount)),
      values:
        rows <= RAW_VALUES_LIMIT ? Array.from(this.raw.subarray(0, this.count)).sort((a, b) => a - b) : null,
    };
  }
}

/** Builds a profile row by row: called once per scored customer, so `addRow` stays cheap. */
export class ProfileBuilder {
  private rows = 0;
  private readonly age = new NumericAccumulator(BIN_SPECS.Age, MOMENT_GRID.Age);
  private readonly salary = new NumericAccumulator(BIN_SPECS.AnnualSalary, MOMENT_GRID.AnnualSalary);
  private probability: NumericAccumulator | undefined;
  private female = 0;
  private male = 0;
  private genderMissing = 0;

  /** `withProbability` makes the probability column exist even before (or without) any row carrying one. */
  constructor(options: { withProbability?: boolean } = {}) {
    if (options.withProbability)
      this.probability = new NumericAccumulator(BIN_SPECS.probability, MOMENT_GRID.probability);
  }

  addRow(age: number, salary: number, gender: Gender, probability?: number): void {
    const row = this.rows++;
    this.age.add(age, row);
    this.salary.add(salary, row);
    if (gender === 'Female') this.female++;
    else if (gender === 'Male') this.male++;
    else this.genderMissing++;
    if (probability !== undefined) {
      if (!this.probability) {
        this.probability = new NumericAccumulator(BIN_SPECS.probability, MOMENT_GRID.probability);
        this.probability.missing = row; // the rows before this one had no probability
      }
      this.probability.add(probability, row);
    } else if (this.probability) {
      this.probability.missing++;
    }
  }

  get rowCount(): number {
    return this.rows;
  }

  toJSON(): Profile {
    const profile: Profile = {
      version: PROFILE_VERSION,
      rows: this.rows,
      numeric: { Age: this.age.toJSON(this.rows), AnnualSalary: this.salary.toJSON(this.rows) },
      categorical: {
        Gender: { counts: { Female: this.female, Male: this.male }, missing: this.genderMissing },
      },
    };
    if (this.probability) profile.numeric.probability = this.probability.toJSON(this.rows);
    return profile;
  }
}

/** The profile of records already in memory, with their predicted probabilities when given. */
export function profileRecords(records: readonly UserRecord[], probabilities?: ArrayLike<number>): Profile {
  if (probabilities && probabilities.length !== records.length) {
    throw new RangeError(
      `profileRecords: ${records.length} records but ${probabilities.length} probabilities`,
    );
  }
  const builder = new ProfileBuilder({ withProbability: probabilities !== undefined });
  records.forEach((r, i) =>
    builder.addRow(r.age, r.salary, r.gender, probabilities ? probabilities[i] : undefined),
  );
  return builder.toJSON();
}

function sameBins(a: BinSpec, b: BinSpec): boolean {
  return a.start === b.start && a.width === b.width && a.count === b.count;
}

function mergeNumeric(columns: NumericColumnProfile[], rows: number, name: string): NumericColumnProfile {
  const first = columns[0]!;
  for (const c of columns) {
    if (!sameBins(c.bins, first.bins)) {
      throw new InvalidArtifactError(
        `cannot merge profiles: column ${name} has different bin edges in different profiles`,
      );
    }
  }
  const counts = first.counts.map((_, i) => columns.reduce((total, c) => total + c.counts[i]!, 0));
  const withValues = columns.filter((c) => c.count > 0);
  const distinct = [...new Set(columns.flatMap((c) => c.distinct))]
    .sort((a, b) => a - b)
    .slice(0, DISTINCT_TRACKED);
  const keepValues = rows <= RAW_VALUES_LIMIT && columns.every((c) => c.values !== null);
  return {
    bins: { ...first.bins },
    counts,
    count: columns.reduce((t, c) => t + c.count, 0),
    missing: columns.reduce((t, c) => t + c.missing, 0),
    sum: columns.reduce((t, c) => t + c.sum, 0),
    sumSquares: columns.reduce((t, c) => t + c.sumSquares, 0),
    min: withValues.length > 0 ? Math.min(...withValues.map((c) => c.min!)) : null,
    max: withValues.length > 0 ? Math.max(...withValues.map((c) => c.max!)) : null,
    distinct,
    values: keepValues ? columns.flatMap((c) => c.values!).sort((a, b) => a - b) : null,
  };
}

/**
 * The profile of the union of the profiled data sets (shards of one month, say). Counts and moments add;
 * raw values are kept only while the total stays within RAW_VALUES_LIMIT rows. Associative and commutative
 * (up to floating-point rounding of the sums).
 */
export function mergeProfiles(profiles: readonly Profile[]): Profile {
  if (profiles.length === 0) throw new RangeError('mergeProfiles needs at least one profile');
  const rows = profiles.reduce((t, p) => t + p.rows, 0);
  const genderCounts: Record<string, number> = {};
  for (const p of profiles) {
    for (const [category, count] of Object.entries(p.categorical.Gender.counts)) {
      genderCounts[category] = (genderCounts[category] ?? 0) + count;
    }
  }
  const merged: Profile = {
    version: PROFILE_VERSION,
    rows,
    numeric: {
      Age: mergeNumeric(
        profiles.map((p) => p.numeric.Age),
        rows,
        'Age',
      ),
      AnnualSalary: mergeNumeric(
        profiles.map((p) => p.numeric.AnnualSalary),
        rows,
        'AnnualSalary',
      ),
    },
    categorical: {
      Gender: {
        counts: genderCounts,
        missing: profiles.reduce((t, p) => t + p.categorical.Gender.missing, 0),
      },
    },
  };
  const probabilities = profiles.map((p) => p.numeric.probability);
  if (probabilities.some((c) => c !== undefined)) {
    // A shard without probabilities contributes rows whose probability is missing.
    const columns = profiles.map(
      (p) =>
        p.numeric.probability ?? {
          ...emptyNumeric(BIN_SPECS.probability),
          missing: p.rows,
          values: p.rows <= RAW_VALUES_LIMIT ? [] : null,
        },
    );
    merged.numeric.probability = mergeNumeric(columns, rows, 'probability');
  }
  return merged;
}

function emptyNumeric(spec: BinSpec): NumericColumnProfile {
  return {
    bins: { ...spec },
    counts: new Array<number>(spec.count + 2).fill(0),
    count: 0,
    missing: 0,
    sum: 0,
    sumSquares: 0,
    min: null,
    max: null,
    distinct: [],
    values: [],
  };
}

// ---- validation -------------------------------------------------------------------------------------

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function numericProblems(name: string, c: unknown, rows: number): string[] {
  if (typeof c !== 'object' || c === null) return [`numeric.${name} is missing`];
  const col = c as Partial<NumericColumnProfile>;
  const problems: string[] = [];
  const at = (what: string) => `numeric.${name}.${what}`;
  const bins = col.bins;
  if (
    !bins ||
    !isFiniteNumber(bins.start) ||
    !(isFiniteNumber(bins.width) && bins.width > 0) ||
    !isCount(bins.count) ||
    bins.count < 1
  ) {
    return [`${at('bins')} must be {start, width > 0, count >= 1}`];
  }
  if (!Array.isArray(col.counts) || col.counts.length !== bins.count + 2 || !col.counts.every(isCount)) {
    problems.push(`${at('counts')} must be ${bins.count + 2} whole numbers >= 0`);
  }
  if (!isCount(col.count)) problems.push(`${at('count')} must be a whole number >= 0`);
  if (!isCount(col.missing)) problems.push(`${at('missing')} must be a whole number >= 0`);
  if (problems.length > 0) return problems;
  const binned = col.counts!.reduce((t, n) => t + n, 0);
  if (binned !== col.count) problems.push(`${at('counts')} add up to ${binned}, but count is ${col.count}`);
  if (col.count! + col.missing! !== rows) problems.push(`${at('count')} + missing must equal rows (${rows})`);
  if (!isFiniteNumber(col.sum) || !isFiniteNumber(col.sumSquares) || col.sumSquares < 0) {
    problems.push(`${at('sum')} and sumSquares must be finite numbers`);
  }
  if (
    col.count! > 0
      ? !isFiniteNumber(col.min) || !isFiniteNumber(col.max) || col.min > col.max
      : col.min !== null || col.max !== null
  ) {
    problems.push(`${at('min')}/max must be numbers (min <= max), or null when count is 0`);
  }
  if (
    !Array.isArray(col.distinct) ||
    col.distinct.length > DISTINCT_TRACKED ||
    !col.distinct.every(isFiniteNumber)
  ) {
    problems.push(`${at('distinct')} must list at most ${DISTINCT_TRACKED} numbers`);
  } else if (col.count! > 0 && col.distinct.length === 0) {
    problems.push(`${at('distinct')} is empty although the column has values`);
  }
  if (col.values !== null) {
    if (!Array.isArray(col.values) || col.values.length !== col.count || !col.values.every(isFiniteNumber)) {
      problems.push(`${at('values')} must be null or the column's ${col.count} values`);
    } else if (rows > RAW_VALUES_LIMIT) {
      problems.push(`${at('values')} must be null above ${RAW_VALUES_LIMIT} rows`);
    } else if (col.values.some((v, i) => i > 0 && v < col.values![i - 1]!)) {
      problems.push(`${at('values')} must be sorted ascending`);
    }
  }
  return problems;
}

/** Why `value` is not a profile, or an empty list when it is one. */
export function profileProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['it is not a JSON object'];
  const p = value as Partial<Profile>;
  if (p.version !== PROFILE_VERSION)
    return [`version must be ${PROFILE_VERSION}, got ${JSON.stringify(p.version)}`];
  if (!isCount(p.rows)) return ['rows must be a whole number >= 0'];
  if (typeof p.numeric !== 'object' || p.numeric === null) return ['numeric is missing'];
  if (typeof p.categorical !== 'object' || p.categorical === null) return ['categorical is missing'];
  const problems = [
    ...numericProblems('Age', p.numeric.Age, p.rows),
    ...numericProblems('AnnualSalary', p.numeric.AnnualSalary, p.rows),
    ...(p.numeric.probability !== undefined
      ? numericProblems('probability', p.numeric.probability, p.rows)
      : []),
  ];
  for (const name of ['Age', 'AnnualSalary', 'probability'] as const) {
    const column = p.numeric[name];
    if (column?.bins && !sameBins(column.bins, BIN_SPECS[name])) {
      problems.push(`numeric.${name}.bins differ from this version's fixed edges`);
    }
  }
  const gender = p.categorical.Gender;
  if (
    typeof gender !== 'object' ||
    gender === null ||
    typeof gender.counts !== 'object' ||
    gender.counts === null
  ) {
    problems.push('categorical.Gender.counts is missing');
  } else {
    const counts = Object.entries(gender.counts);
    if (!counts.every(([, n]) => isCount(n)) || !isCount(gender.missing)) {
      problems.push('categorical.Gender counts must be whole numbers >= 0');
    } else if (counts.reduce((t, [, n]) => t + n, 0) + gender.missing !== p.rows) {
      problems.push('categorical.Gender counts + missing must equal rows');
    }
    const unknown = counts.map(([k]) => k).filter((k) => !(GENDERS as readonly string[]).includes(k));
    if (unknown.length > 0)
      problems.push(`categorical.Gender has unknown categories ${JSON.stringify(unknown)}`);
  }
  return problems;
}

/** Reads and checks a profile file; anything that is not a complete profile is refused, never half-used. */
export async function readProfile(path: string): Promise<Profile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InvalidArtifactError(
      `profile not found at ${path}`,
      'check the path (a model directory holds reference-profile.json; a month folder holds profile.json)',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArtifactError(
      `${path} is not valid JSON: ${(error as Error).message}`,
      'rebuild it (retrain for the reference, re-score for a month)',
    );
  }
  const problems = profileProblems(value);
  if (problems.length > 0) {
    throw new InvalidArtifactError(
      `${path} is not a valid data profile: ${problems.slice(0, 5).join('; ')}`,
      'rebuild it with the current version (retrain for the reference profile, re-score for a month profile)',
    );
  }
  return value as Profile;
}

export async function writeProfile(path: string, profile: Profile): Promise<void> {
  await writeJsonAtomic(path, profile);
}

/** Mean and population standard deviation (ddof 0, as numpy.std) from the moments. */
export function columnMoments(column: NumericColumnProfile): { mean: number; std: number } {
  if (column.count === 0) return { mean: NaN, std: NaN };
  const mean = column.sum / column.count;
  const variance = Math.max(0, column.sumSquares / column.count - mean * mean);
  return { mean, std: Math.sqrt(variance) };
}

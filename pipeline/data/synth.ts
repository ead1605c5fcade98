/**
 * Synthetic data, since the bank's real data never leaves the bank.
 *
 * Users are drawn as the original project drew its monthly batch (age uniform 18..63, salary uniform
 * 15000..152500, gender 50/50), with knobs to shift them for testing drift monitoring.
 *
 * Labeled history follows the purchase rates of the public reference data by age band and salary band:
 * rows fall into the bands as often as in the reference, and within a band the purchase probability varies
 * smoothly (bilinear between band centres) around the band's rate, so each band's mean is the reference rate.
 */
import { csvLine } from './csv.js';
import { AGE_MAX, AGE_MIN, type TrainingRecord } from './schema.js';
import { createRng, type Rng } from '../random.js';

/**
 * `uniform`: as the original project drew its monthly batch. `reference`: ages and salaries spread over the
 * bands as the customers of the labeled history are, so a month drawn this way does not drift from it.
 */
export type Population = 'uniform' | 'reference';
export const POPULATIONS: readonly Population[] = ['uniform', 'reference'];

export interface UserShape {
  rows: number;
  seed: number;
  population: Population;
  /** Years added to every age (ages stay within the contract's 18..100). */
  ageShift: number;
  /** Factor applied to every salary. */
  salaryScale: number;
  /** Share of men, 0..1. */
  maleShare: number;
  /** Share of users who objected to marketing; 0 leaves the MarketingOptOut column out. */
  optOutShare: number;
}

export const DEFAULT_USER_SHAPE: Omit<UserShape, 'rows' | 'seed'> = {
  population: 'uniform',
  ageShift: 0,
  salaryScale: 1,
  maleShare: 0.5,
  optOutShare: 0,
};

/** Yields the CSV text of a users file in chunks of about `chunkRows` lines. */
export function* synthUsers(shape: UserShape, chunkRows = 8192): Generator<string> {
  const rng = createRng(shape.seed);
  const withOptOut = shape.optOutShare > 0;
  yield csvLine(['User ID', 'Age', 'AnnualSalary', 'Gender', ...(withOptOut ? ['MarketingOptOut'] : [])]);
  let chunk = '';
  const draw = shape.population === 'reference' ? drawReferenceCustomer : drawUniformCustomer;
  for (let i = 1; i <= shape.rows; i++) {
    const customer = draw(rng);
    const age = Math.min(AGE_MAX, Math.max(AGE_MIN, customer.age + shape.ageShift));
    const salary = Math.round(customer.salary * shape.salaryScale);
    const gender = rng.next() < shape.maleShare ? 'Male' : 'Female';
    chunk += `${i},${age},${salary},${gender}`;
    if (withOptOut) chunk += rng.next() < shape.optOutShare ? ',true' : ',false';
    chunk += '\n';
    if (i % chunkRows === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Bands of the reference data: age (lo, hi] in years, salary (lo, hi] with the range actually observed. */
export const AGE_BANDS = [
  [17, 25],
  [25, 35],
  [35, 45],
  [45, 55],
  [55, 63],
] as const;
export const SALARY_BANDS = [
  [15000, 40000],
  [40000, 70000],
  [70000, 100000],
  [100000, 130000],
  [130000, 152500],
] as const;

/** Purchase rate per age band (rows) and salary band (columns) in the reference data. */
export const PURCHASE_RATE = [
  [0.0, 0.0, 0.0, 0.0, 0.0],
  [0.0, 0.0, 0.06, 0.54, 1.0],
  [0.21, 0.01, 0.27, 0.89, 0.94],
  [0.96, 0.56, 0.71, 0.89, 0.81],
  [1.0, 0.88, 0.9, 1.0, 1.0],
];

/** How many of the reference's 1000 customers fall in each band. */
export const BAND_COUNT = [
  [32, 27, 33, 0, 0],
  [55, 63, 77, 24, 13],
  [19, 140, 136, 36, 32],
  [68, 34, 49, 27, 37],
  [19, 24, 20, 21, 14],
];

const FEMALE_SHARE = 0.516;
/** Half the gap between women's (0.424) and men's (0.378) purchase rates in the reference. */
const GENDER_EFFECT = 0.023;

const centre = (band: readonly [number, number]): number => (band[0] + band[1]) / 2;
const AGE_CENTRES = AGE_BANDS.map(centre);
const SALARY_CENTRES = SALARY_BANDS.map(centre);

function interpolate(centres: number[], x: number): [number, number, number] {
  if (x <= centres[0]!) return [0, 0, 0];
  const last = centres.length - 1;
  if (x >= centres[last]!) return [last, last, 0];
  let i = 0;
  while (x > centres[i + 1]!) i++;
  return [i, i + 1, (x - centres[i]!) / (centres[i + 1]! - centres[i]!)];
}

/** The smooth surface: bilinear between band centres, flat beyond the outer centres. */
function smoothRate(age: number, salary: number): number {
  const [a0, a1, ta] = interpolate(AGE_CENTRES, age);
  const [s0, s1, ts] = interpolate(SALARY_CENTRES, salary);
  const r = (a: number, s: number) => PURCHASE_RATE[a]![s]!;
  return (1 - ta) * ((1 - ts) * r(a0, s0) + ts * r(a0, s1)) + ta * ((1 - ts) * r(a1, s0) + ts * r(a1, s1));
}

const ageValues = (band: number): number[] => {
  const [lo, hi] = AGE_BANDS[band]!;
  return Array.from({ length: hi - lo }, (_, i) => lo + 1 + i);
};
const salaryValues = (band: number): number[] => {
  const [lo, hi] = SALARY_BANDS[band]!;
  const first = band === 0 ? lo : lo + 500;
  return Array.from({ length: (hi - first) / 500 + 1 }, (_, i) => first + 500 * i);
};

/**
 * Per band, how far the smooth surface's deviation from its band mean is followed (0..1), chosen as large
 * as possible while every probability stays within [0, 1]. Then each band's mean is exactly its rate.
 */
function bandModel(a: number, s: number): (age: number, salary: number) => number {
  const rate = PURCHASE_RATE[a]![s]!;
  const ages = ageValues(a);
  const salaries = salaryValues(s);
  let sum = 0;
  let low = Infinity;
  let high = -Infinity;
  for (const age of ages) {
    for (const salary of salaries) {
      const v = smoothRate(age, salary);
      sum += v;
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
  }
  const mean = sum / (ages.length * salaries.length);
  const up = high - mean > 0 ? (1 - rate) / (high - mean) : 1;
  const down = mean - low > 0 ? rate / (mean - low) : 1;
  const follow = Math.max(0, Math.min(1, up, down));
  return (age, salary) => Math.min(1, Math.max(0, rate + follow * (smoothRate(age, salary) - mean)));
}

export function purchaseProbability(age: number, salary: number, gender: 'Male' | 'Female'): number {
  const a = Math.max(0, AGE_BANDS.findIndex(([lo, hi]) => age > lo && age <= hi));
  const s = Math.max(0, SALARY_BANDS.findIndex(([lo, hi]) => salary > lo && salary <= hi));
  const p = BAND_MODELS[a]![s]!(age, salary);
  if (p < GENDER_EFFECT || p > 1 - GENDER_EFFECT) return p;
  return gender === 'Female' ? p + GENDER_EFFECT : p - GENDER_EFFECT;
}

const BAND_MODELS = AGE_BANDS.map((_, a) => SALARY_BANDS.map((__, s) => bandModel(a, s)));

function pickBand(rng: Rng, cumulative: number[]): number {
  const u = rng.next() * cumulative[cumulative.length - 1]!;
  let i = 0;
  while (u >= cumulative[i]!) i++;
  return i;
}

let total = 0;
const CUMULATIVE_BAND_COUNT = BAND_COUNT.flat().map((count) => (total += count));
const AGE_VALUES = AGE_BANDS.map((_, a) => ageValues(a));
const SALARY_VALUES = SALARY_BANDS.map((_, s) => salaryValues(s));

interface Customer {
  age: number;
  salary: number;
}

function drawUniformCustomer(rng: Rng): Customer {
  return { age: rng.int(18, 63), salary: rng.int(15000, 152500) };
}

/** A band as often as in the reference, then an age and a salary (on its grid of 500) within the band. */
function drawReferenceCustomer(rng: Rng): Customer {
  const band = pickBand(rng, CUMULATIVE_BAND_COUNT);
  const ages = AGE_VALUES[Math.floor(band / SALARY_BANDS.length)]!;
  const salaries = SALARY_VALUES[band % SALARY_BANDS.length]!;
  return { age: ages[rng.int(0, ages.length - 1)]!, salary: salaries[rng.int(0, salaries.length - 1)]! };
}

/** Yields the CSV text of a labeled history file (the reference's column order). */
export function* synthHistory(options: { rows: number; seed: number }, chunkRows = 8192): Generator<string> {
  const rng = createRng(options.seed);
  yield csvLine(['User ID', 'Gender', 'Age', 'AnnualSalary', 'Purchased']);
  let chunk = '';
  for (let i = 1; i <= options.rows; i++) {
    const { age, salary } = drawReferenceCustomer(rng);
    const gender = rng.next() < FEMALE_SHARE ? 'Female' : 'Male';
    const purchased = rng.next() < purchaseProbability(age, salary, gender) ? 1 : 0;
    chunk += `${i},${gender},${age},${salary},${purchased}\n`;
    if (i % chunkRows === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The labeled history as records, for code that learns from it in memory (tests, benchmarks). */
export function synthHistoryRecords(options: { rows: number; seed: number }): TrainingRecord[] {
  const lines = [...synthHistory(options)].join('').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [userId, gender, age, salary, purchased] = line.split(',');
    return {
      userId: userId!,
      gender: gender === 'Male' ? 'Male' : 'Female',
      age: Number(age),
      salary: Number(salary),
      purchased: purchased === '1' ? 1 : 0,
    };
  });
}

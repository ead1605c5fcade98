import { describe, expect, it } from 'vitest';
import {
  AGE_BANDS,
  BAND_COUNT,
  PURCHASE_RATE,
  SALARY_BANDS,
  synthHistory,
  synthUsers,
  DEFAULT_USER_SHAPE,
} from '../../pipeline/data/synth.js';

const text = (chunks: Iterable<string>) => [...chunks].join('');
const rows = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));

describe('synthetic users', () => {
  const shape = { ...DEFAULT_USER_SHAPE, rows: 20_000, seed: 3 };

  it('gives the same bytes for the same arguments and other bytes for another seed', () => {
    expect(text(synthUsers(shape))).toBe(text(synthUsers(shape)));
    expect(text(synthUsers({ ...shape, seed: 4 }))).not.toBe(text(synthUsers(shape)));
  });

  it('draws as the original project did: age 18..63, salary 15000..152500, gender 50/50', () => {
    const data = rows(text(synthUsers(shape)));
    expect(data).toHaveLength(20_000);
    const ages = data.map((r) => Number(r[1]));
    const salaries = data.map((r) => Number(r[2]));
    expect(Math.min(...ages)).toBe(18);
    expect(Math.max(...ages)).toBe(63);
    expect(Math.min(...salaries)).toBeGreaterThanOrEqual(15000);
    expect(Math.max(...salaries)).toBeLessThanOrEqual(152500);
    const maleShare = data.filter((r) => r[3] === 'Male').length / data.length;
    expect(Math.abs(maleShare - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / data.length));
    expect(new Set(data.map((r) => r[0])).size).toBe(data.length);
  });

  it('shifts ages, scales salaries and changes the gender mix on request', () => {
    const base = rows(text(synthUsers(shape)));
    const shifted = rows(text(synthUsers({ ...shape, ageShift: 5, salaryScale: 1.3, maleShare: 0.7 })));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(shifted.map((r) => Number(r[1]))) - mean(base.map((r) => Number(r[1])))).toBeCloseTo(5, 0);
    expect(mean(shifted.map((r) => Number(r[2]))) / mean(base.map((r) => Number(r[2])))).toBeCloseTo(1.3, 1);
    const maleShare = shifted.filter((r) => r[3] === 'Male').length / shifted.length;
    expect(Math.abs(maleShare - 0.7)).toBeLessThan(4 * Math.sqrt(0.21 / shifted.length));
  });

  it('spreads a reference population over the bands as the labeled history does', () => {
    const users = rows(text(synthUsers({ ...shape, population: 'reference' })));
    const history = rows(text(synthHistory({ rows: 20_000, seed: 3 })));
    const share = (data: string[][], age: number, column: number) =>
      data.filter((r) => Number(r[column]) <= age).length / data.length;
    // Users (Age in column 1) and history (Age in column 2) agree with the reference on the share aged 35 or less.
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const reference = sum([...BAND_COUNT[0]!, ...BAND_COUNT[1]!]) / sum(BAND_COUNT.flat());
    expect(Math.abs(share(users, 35, 1) - reference)).toBeLessThan(0.02);
    expect(Math.abs(share(history, 35, 2) - reference)).toBeLessThan(0.02);
    expect(users.every((r) => Number(r[2]) % 500 === 0)).toBe(true);
  });

  it('adds a MarketingOptOut column when asked for opted-out users', () => {
    const csv = text(synthUsers({ ...shape, rows: 1000, optOutShare: 0.2 }));
    expect(csv.split('\n')[0]).toBe('User ID,Age,AnnualSalary,Gender,MarketingOptOut');
    const share = rows(csv).filter((r) => r[4] === 'true').length / 1000;
    expect(share).toBeGreaterThan(0.14);
    expect(share).toBeLessThan(0.26);
  });
});

describe('synthetic labeled history', () => {
  const n = 100_000;
  const data = rows(text(synthHistory({ rows: n, seed: 11 })));
  const bandOf = (bands: readonly (readonly [number, number])[], value: number) =>
    bands.findIndex(([lo, hi]) => value > lo && value <= hi);

  it('is deterministic and in the reference column order', () => {
    const a = text(synthHistory({ rows: 500, seed: 2 }));
    expect(a).toBe(text(synthHistory({ rows: 500, seed: 2 })));
    expect(a.split('\n')[0]).toBe('User ID,Gender,Age,AnnualSalary,Purchased');
  });

  it('follows the reference purchase rate in every age band x salary band, within sampling error', () => {
    const buyers = AGE_BANDS.map(() => SALARY_BANDS.map(() => 0));
    const counts = AGE_BANDS.map(() => SALARY_BANDS.map(() => 0));
    for (const [, , age, salary, purchased] of data) {
      const a = bandOf(AGE_BANDS, Number(age));
      const s = bandOf(SALARY_BANDS, Number(salary));
      counts[a]![s]!++;
      buyers[a]![s]! += Number(purchased);
    }
    const total = BAND_COUNT.flat().reduce((x, y) => x + y, 0);
    AGE_BANDS.forEach((_, a) =>
      SALARY_BANDS.forEach((__, s) => {
        const expectedShare = BAND_COUNT[a]![s]! / total;
        const count = counts[a]![s]!;
        expect(Math.abs(count / n - expectedShare)).toBeLessThan(4 * Math.sqrt((expectedShare * (1 - expectedShare)) / n) + 1e-9);
        if (count === 0) return;
        const rate = PURCHASE_RATE[a]![s]!;
        const error = 4 * Math.sqrt(Math.max(rate * (1 - rate), 0.01) / count) + 0.005;
        expect(Math.abs(buyers[a]![s]! / count - rate), `band ${a},${s}`).toBeLessThan(error);
      }),
    );
  });

  it('has about 40% buyers, and salaries on the reference grid of 500', () => {
    const share = data.filter((r) => r[4] === '1').length / n;
    expect(share).toBeGreaterThan(0.39);
    expect(share).toBeLessThan(0.415);
    expect(data.every((r) => Number(r[3]) % 500 === 0)).toBe(true);
  });

  it('varies the purchase probability within a band rather than being constant', () => {
    // Older customers in the middle band buy more often than younger ones in the same band.
    const band = data.filter((r) => Number(r[2]) > 35 && Number(r[2]) <= 45 && Number(r[3]) > 70000 && Number(r[3]) <= 100000);
    const rate = (rs: string[][]) => rs.filter((r) => r[4] === '1').length / rs.length;
    const young = band.filter((r) => Number(r[2]) <= 38);
    const old = band.filter((r) => Number(r[2]) >= 43);
    expect(rate(old) - rate(young)).toBeGreaterThan(0.1);
  });
});

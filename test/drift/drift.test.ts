import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthUsers, DEFAULT_USER_SHAPE, type UserShape } from '../../pipeline/data/synth.js';
import { compareProfiles, type Comparison } from '../../pipeline/drift/compare.js';
import { DEFAULT_DRIFT_CONFIG, loadDriftConfig, resolveDriftConfig } from '../../pipeline/drift/config.js';
import { profileDataFile } from '../../pipeline/drift/drift.js';
import { mergeProfiles, ProfileBuilder, type Profile } from '../../pipeline/drift/profile.js';
import { parseGender } from '../../pipeline/data/schema.js';
import { createRng } from '../../pipeline/random.js';
import { InvalidArtifactError } from '../../pipeline/errors.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';

const dir = useTempDir('drift-');

function usersCsv(shape: Partial<UserShape> & { rows: number; seed: number }): string {
  return [...synthUsers({ ...DEFAULT_USER_SHAPE, ...shape })].join('');
}

async function profileOf(
  name: string,
  shape: Partial<UserShape> & { rows: number; seed: number },
): Promise<Profile> {
  return profileDataFile(writeFixture(dir, `${name}.csv`, usersCsv(shape)));
}

const drifted = (c: Comparison): string[] => c.columns.filter((col) => col.drift).map((col) => col.name);

const SHIFTS: [string, Partial<UserShape>, string][] = [
  ['age +5 years', { ageShift: 5 }, 'Age'],
  ['salary x1.3', { salaryScale: 1.3 }, 'AnnualSalary'],
  ['70% male', { maleShare: 0.7 }, 'Gender'],
];

describe.each([1000, 20000])('known shifts at %i rows', (rows) => {
  it('the shifted column drifts and the others do not; a fresh sample does not drift', async () => {
    const reference = await profileOf(`ref-${rows}`, { rows, seed: 11 });
    const small = rows <= 1000;
    for (const [label, shift, column] of SHIFTS) {
      const current = await profileOf(`cur-${rows}-${column}`, { rows, seed: 12, ...shift });
      const result = compareProfiles(reference, current, DEFAULT_DRIFT_CONFIG);
      expect(drifted(result), label).toEqual([column]);
      expect(result.dataset_drift, label).toBe(false);
      const tests = result.columns.map((c) => c.test);
      expect(tests).toEqual(small ? ['ks', 'ks', 'z'] : ['wasserstein', 'wasserstein', 'jensenshannon']);
      expect(result.columns.map((c) => c.exact)).toEqual([small, small, true]); // category counts are always exact
      const moved = result.columns.find((c) => c.name === column)!;
      expect(moved.psi_band, `${label}: PSI ${moved.psi}`).not.toBe('stable');
    }
    const fresh = await profileOf(`fresh-${rows}`, { rows, seed: 13 });
    const same = compareProfiles(reference, fresh, DEFAULT_DRIFT_CONFIG);
    expect(same.dataset_drift).toBe(false);
    expect(drifted(same)).toEqual([]);
    expect(same.columns.every((c) => c.psi_band === 'stable')).toBe(true);
  });
});

describe('drift decisions', () => {
  it('two shifted columns out of three make dataset drift', async () => {
    const reference = await profileOf('ref-two', { rows: 1000, seed: 21 });
    const current = await profileOf('cur-two', { rows: 1000, seed: 22, ageShift: 5, maleShare: 0.7 });
    const result = compareProfiles(reference, current, DEFAULT_DRIFT_CONFIG);
    expect(drifted(result)).toEqual(['Age', 'Gender']);
    expect(result.share_drifted).toBeCloseTo(2 / 3, 12);
    expect(result.dataset_drift).toBe(true);
  });

  it('a small reference against a large month mixes raw values with histograms and still finds the shift', async () => {
    const reference = await profileOf('ref-mixed', { rows: 1000, seed: 31 });
    const current = await profileOf('cur-mixed', { rows: 20000, seed: 32, salaryScale: 1.3 });
    const result = compareProfiles(reference, current, DEFAULT_DRIFT_CONFIG);
    expect(drifted(result)).toEqual(['AnnualSalary']);
    expect(result.columns.map((c) => c.exact)).toEqual([false, false, true]);
  });

  it('histogram statistics stay close to the exact ones', async () => {
    const a = await profileOf('exact-a', { rows: 4000, seed: 41 });
    const b = await profileOf('exact-b', { rows: 4000, seed: 42, salaryScale: 1.1 });
    const strip = (p: Profile): Profile => ({
      ...p,
      numeric: {
        Age: { ...p.numeric.Age, values: null },
        AnnualSalary: { ...p.numeric.AnnualSalary, values: null },
      },
    });
    for (const test of ['ks', 'wasserstein', 'psi'] as const) {
      const config = resolveDriftConfig({ columns: { Age: { test }, AnnualSalary: { test } } });
      const exact = compareProfiles(a, b, config);
      const binned = compareProfiles(strip(a), strip(b), config);
      for (const name of ['Age', 'AnnualSalary']) {
        const e = exact.columns.find((c) => c.name === name)!;
        const h = binned.columns.find((c) => c.name === name)!;
        expect(h.exact).toBe(false);
        // Age sits on whole-year bins: exact. Salary: within one 500 bin's worth.
        const tolerance = name === 'Age' ? 1e-12 : test === 'wasserstein' ? 0.01 : 0.01;
        expect(Math.abs(h.statistic - e.statistic), `${test} ${name}`).toBeLessThan(tolerance);
        expect(Math.abs(h.psi - e.psi), `${test} ${name} psi`).toBeLessThan(name === 'Age' ? 1e-12 : 0.01);
      }
    }
  });

  it('for whole years the histograms give exactly the raw-value results, whatever the sample', () => {
    const profile = (seed: number, shift: number): Profile => {
      const rng = createRng(seed);
      const builder = new ProfileBuilder();
      const rows = 300 + rng.int(0, 3000);
      for (let i = 0; i < rows; i++)
        builder.addRow(Math.min(100, rng.int(18, 40 + rng.int(0, 40)) + shift), 50000, 'Male');
      return builder.toJSON();
    };
    const withoutValues = (p: Profile): Profile => ({
      ...p,
      numeric: { ...p.numeric, Age: { ...p.numeric.Age, values: null } },
    });
    for (let seed = 1; seed <= 12; seed++) {
      const a = profile(seed, 0);
      const b = profile(seed + 100, seed % 3);
      for (const test of ['ks', 'wasserstein', 'psi'] as const) {
        const config = resolveDriftConfig({ columns: { Age: { test } } });
        const exact = compareProfiles(a, b, config).columns[0]!;
        const binned = compareProfiles(withoutValues(a), withoutValues(b), config).columns[0]!;
        expect(binned.exact).toBe(false);
        expect(Math.abs(binned.statistic - exact.statistic), `seed ${seed} ${test}`).toBeLessThan(1e-12);
        expect(Math.abs((binned.p_value ?? 0) - (exact.p_value ?? 0))).toBeLessThan(1e-12);
        expect(Math.abs(binned.psi - exact.psi), `seed ${seed} psi`).toBeLessThan(1e-12);
      }
    }
  });

  it('merged shard profiles give the same drift result as the whole', async () => {
    const reference = await profileOf('ref-shards', { rows: 1000, seed: 51 });
    for (const rows of [4000, 20000]) {
      const text = usersCsv({ rows, seed: 52, ageShift: 2 });
      const whole = new ProfileBuilder();
      const shards = [0, 1, 2, 3].map(() => new ProfileBuilder());
      text
        .split('\n')
        .slice(1)
        .filter((line) => line !== '')
        .forEach((line, i) => {
          const [, age, salary, gender] = line.split(',');
          for (const b of [whole, shards[i % 4]!])
            b.addRow(Number(age), Number(salary), parseGender(gender!)!);
        });
      const merged = mergeProfiles(shards.map((s) => s.toJSON()).reverse());
      const expected = compareProfiles(reference, whole.toJSON(), DEFAULT_DRIFT_CONFIG);
      const actual = compareProfiles(reference, merged, DEFAULT_DRIFT_CONFIG);
      expect(actual.dataset_drift).toBe(expected.dataset_drift);
      actual.columns.forEach((c, i) => {
        const e = expected.columns[i]!;
        expect({ ...c, statistic: 0, p_value: 0, psi: 0 }).toEqual({
          ...e,
          statistic: 0,
          p_value: 0,
          psi: 0,
        });
        expect(c.statistic).toBeCloseTo(e.statistic, 9);
        expect(c.p_value ?? 0).toBeCloseTo(e.p_value ?? 0, 9);
        expect(c.psi).toBeCloseTo(e.psi, 9);
      });
    }
  });
});

describe('numbers with few distinct values are tested as categories', () => {
  function fewAges(rows: number, ages: number[], weights: number[]): Profile {
    const builder = new ProfileBuilder();
    const total = weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < rows; i++) {
      let u = ((i * 7919) % rows) / rows;
      let k = 0;
      while (u >= weights[k]! / total && k < ages.length - 1) u -= weights[k++]! / total;
      builder.addRow(ages[k]!, 50000 + (i % 97) * 1000, i % 2 ? 'Male' : 'Female');
    }
    return builder.toJSON();
  }

  it('chi-square for three values and a Z-test for two (small reference), Jensen-Shannon for a large one', () => {
    const three = compareProfiles(
      fewAges(900, [30, 40, 50], [1, 1, 1]),
      fewAges(900, [30, 40, 50], [1, 1, 2]),
      DEFAULT_DRIFT_CONFIG,
    );
    const age3 = three.columns.find((c) => c.name === 'Age')!;
    expect([age3.type, age3.test, age3.drift]).toEqual(['cat', 'chisquare', true]);
    const two = compareProfiles(
      fewAges(900, [30, 40], [1, 1]),
      fewAges(900, [30, 40], [1, 1]),
      DEFAULT_DRIFT_CONFIG,
    );
    const age2 = two.columns.find((c) => c.name === 'Age')!;
    expect([age2.type, age2.test, age2.drift]).toEqual(['cat', 'z', false]);
    // Past 5000 rows the values are gone: the counts come from the one-year bins, with the same answer.
    const large = compareProfiles(
      fewAges(8000, [30, 40, 50], [1, 1, 1]),
      fewAges(8000, [30, 40, 50], [1, 1, 3]),
      DEFAULT_DRIFT_CONFIG,
    );
    const ageL = large.columns.find((c) => c.name === 'Age')!;
    expect([ageL.type, ageL.test, ageL.exact, ageL.drift]).toEqual(['cat', 'jensenshannon', true, true]);
  });
});

describe('drift settings', () => {
  it('overrides tests and thresholds per column and refuses unknown or bad keys', async () => {
    const config = resolveDriftConfig({
      share_threshold: 0.3,
      columns: { Age: { test: 'psi', threshold: 0.2 } },
    });
    expect(config.share_threshold).toBe(0.3);
    expect(config.thresholds.ks).toBe(0.05);
    const reference = await profileOf('ref-cfg', { rows: 1000, seed: 61 });
    const current = await profileOf('cur-cfg', { rows: 1000, seed: 62, ageShift: 5 });
    const result = compareProfiles(reference, current, config);
    const age = result.columns.find((c) => c.name === 'Age')!;
    expect(age.test).toBe('psi');
    expect(age.threshold).toBe(0.2);
    expect(age.statistic).toBe(age.psi);
    expect(result.dataset_drift).toBe(true); // one of three is at least 0.3
    expect(() => resolveDriftConfig({ thresholds: { ks: 2, kss: 0.1 } })).toThrow(InvalidArtifactError);
    expect(() => resolveDriftConfig({ columns: { Age: { test: 'magic' } } })).toThrow(/must be one of/);
    expect(() => resolveDriftConfig({ psi: { watch: 0.3, act: 0.2 } })).toThrow(/at least/);
  });

  it('reads the "drift" section of the model configuration, whose defaults match the code', async () => {
    const fromRepo = await loadDriftConfig(join(process.cwd(), 'model', 'config.json'));
    expect(fromRepo).toEqual(DEFAULT_DRIFT_CONFIG);
    const path = writeFixture(
      dir,
      'config.json',
      JSON.stringify({ drift: { small_reference_max_rows: 50 } }),
    );
    expect((await loadDriftConfig(path)).small_reference_max_rows).toBe(50);
    expect(await loadDriftConfig(join(dir, 'absent.json'))).toEqual(DEFAULT_DRIFT_CONFIG);
  });
});

describe('propensity drift (CLI)', () => {
  it('compares two exports and prints the promised JSON', async () => {
    const ref = writeFixture(dir, 'cli-ref.csv', usersCsv({ rows: 1000, seed: 71 }));
    const cur = writeFixture(
      dir,
      'cli-cur.csv',
      usersCsv({ rows: 1000, seed: 72, ageShift: 5, maleShare: 0.7 }),
    );
    const out = join(dir, 'cli-out');
    const run = await runCli([
      'drift',
      '--reference-data',
      ref,
      '--current-data',
      cur,
      '--out-dir',
      out,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.dataset_drift).toBe(true);
    expect(printed.share_drifted).toBeCloseTo(2 / 3, 12);
    for (const column of printed.columns) {
      expect(Object.keys(column)).toEqual(
        expect.arrayContaining(['name', 'type', 'test', 'statistic', 'p_value', 'threshold', 'drift', 'psi']),
      );
    }
    expect(JSON.parse(await readFile(join(out, 'drift.json'), 'utf8'))).toEqual(printed);
    const html = await readFile(join(out, 'drift.html'), 'utf8');
    expect(html).toContain('Data drift detected');
    const again = await runCli([
      'drift',
      '--reference-data',
      ref,
      '--current-data',
      cur,
      '--out-dir',
      out,
      '--json',
    ]);
    expect(again.stdout).toBe(run.stdout);
    expect(await readFile(join(out, 'drift.html'), 'utf8')).toBe(html);
  });

  it('exits 2 with a fix for a file that is not a profile, and for missing arguments', async () => {
    const bad = writeFixture(dir, 'not-a-profile.json', '{"version": 1, "rows": 3}');
    const cur = writeFixture(dir, 'cli-cur2.csv', usersCsv({ rows: 50, seed: 73 }));
    const run = await runCli([
      'drift',
      '--reference',
      bad,
      '--current-data',
      cur,
      '--out-dir',
      join(dir, 'x'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not a valid data profile/);
    const missing = await runCli(['drift', '--current-data', cur, '--out-dir', join(dir, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--reference or --reference-data/);
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArtifactError } from '../../pipeline/errors.js';
import { createRng } from '../../pipeline/random.js';
import type { Gender, UserRecord } from '../../pipeline/data/schema.js';
import {
  binIndex,
  BIN_SPECS,
  mergeProfiles,
  ProfileBuilder,
  profileRecords,
  readProfile,
  RAW_VALUES_LIMIT,
  writeProfile,
  type Profile,
} from '../../pipeline/drift/profile.js';

function records(rows: number, seed: number): UserRecord[] {
  const rng = createRng(seed);
  return Array.from({ length: rows }, (_, i) => ({
    userId: String(i + 1),
    age: rng.int(18, 63),
    salary: rng.int(15000, 152500),
    gender: (rng.next() < 0.5 ? 'Male' : 'Female') as Gender,
  }));
}

describe('profile', () => {
  it('counts rows, bins, moments, categories and keeps sorted raw values while small', () => {
    const data: UserRecord[] = [
      { userId: 'a', age: 20, salary: 1000, gender: 'Male' },
      { userId: 'b', age: 30, salary: 2500, gender: 'Female' },
      { userId: 'c', age: 20, salary: 2_000_000, gender: 'Female' },
    ];
    const p = profileRecords(data, [0.1, 1, 0.0005]);
    expect(p.rows).toBe(3);
    expect(p.numeric.Age.counts[binIndex(BIN_SPECS.Age, 20)]).toBe(2);
    expect(p.numeric.Age.sum).toBe(70);
    expect(p.numeric.Age.sumSquares).toBe(400 + 900 + 400);
    expect(p.numeric.Age.values).toEqual([20, 20, 30]);
    expect(p.numeric.Age.distinct).toEqual([20, 30]);
    expect(p.numeric.AnnualSalary.counts.at(-1)).toBe(1); // overflow
    expect(p.numeric.probability!.counts[1000]).toBe(1); // probability 1 falls in the last bin
    expect(p.numeric.probability!.counts[1]).toBe(1);
    expect(p.categorical.Gender.counts).toEqual({ Female: 2, Male: 1 });
  });

  it('tracks at most six distinct values, the smallest ones', () => {
    const b = new ProfileBuilder();
    for (const age of [50, 40, 30, 20, 60, 70, 19, 80, 19, 25]) b.addRow(age, 1, 'Male');
    expect(b.toJSON().numeric.Age.distinct).toEqual([19, 20, 25, 30, 40, 50]);
  });

  it('drops raw values past the limit, in building and in merging', () => {
    const big = profileRecords(records(RAW_VALUES_LIMIT + 1, 1));
    expect(big.numeric.Age.values).toBeNull();
    const a = profileRecords(records(3000, 2));
    const b = profileRecords(records(3000, 3));
    expect(a.numeric.Age.values).toHaveLength(3000);
    expect(mergeProfiles([a, b]).numeric.Age.values).toBeNull();
  });

  it('merging shards gives the profile of the whole, in any order and grouping', () => {
    const all = records(4000, 7);
    const probabilities = all.map((_, i) => (i % 997) / 997);
    const whole = profileRecords(all, probabilities);
    const shards = [0, 1000, 2500].map((start, k, starts) => {
      const end = starts[k + 1] ?? all.length;
      return profileRecords(all.slice(start, end), probabilities.slice(start, end));
    });
    const [s0, s1, s2] = shards as [Profile, Profile, Profile];
    for (const merged of [
      mergeProfiles([s0, s1, s2]),
      mergeProfiles([s2, s0, s1]),
      mergeProfiles([mergeProfiles([s1, s2]), s0]),
    ]) {
      expect(merged.rows).toBe(whole.rows);
      expect(merged.numeric.Age.counts).toEqual(whole.numeric.Age.counts);
      expect(merged.numeric.AnnualSalary.values).toEqual(whole.numeric.AnnualSalary.values);
      expect(merged.numeric.probability!.counts).toEqual(whole.numeric.probability!.counts);
      expect(merged.numeric.AnnualSalary.sum).toBeCloseTo(whole.numeric.AnnualSalary.sum, 3);
      expect(merged.numeric.Age.distinct).toEqual(whole.numeric.Age.distinct);
      expect(merged.categorical).toEqual(whole.categorical);
    }
  });

  it('shard profiles merge into the very bytes of the whole, in any order and grouping', () => {
    for (const rows of [4000, 30000]) {
      const rng = createRng(rows);
      const whole = new ProfileBuilder({ withProbability: true });
      const shards = [0, 1, 2, 3, 4].map(() => new ProfileBuilder({ withProbability: true }));
      for (let i = 0; i < rows; i++) {
        const age = rng.int(18, 100);
        const salary = rng.int(0, 400000) + (i % 3) * 0.25;
        const gender = rng.next() < 0.4 ? 'Male' : 'Female';
        const p = rng.next();
        whole.addRow(age, salary, gender, p);
        shards[rng.int(0, 4)]!.addRow(age, salary, gender, p);
      }
      const expected = JSON.stringify(whole.toJSON());
      const parts = shards.map((b) => b.toJSON());
      const [a, b, c, d, e] = parts as [Profile, Profile, Profile, Profile, Profile];
      expect(JSON.stringify(mergeProfiles(parts))).toBe(expected);
      expect(JSON.stringify(mergeProfiles([e, c, a, d, b]))).toBe(expected);
      expect(
        JSON.stringify(mergeProfiles([mergeProfiles([d, a]), mergeProfiles([b, mergeProfiles([e, c])])])),
      ).toBe(expected);
    }
  });

  it('round-trips through a file and refuses what is not a profile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'profile-'));
    const p = profileRecords(records(50, 9));
    await writeProfile(join(dir, 'p.json'), p);
    expect(await readProfile(join(dir, 'p.json'))).toEqual(p);
    const broken = {
      ...p,
      numeric: { ...p.numeric, Age: { ...p.numeric.Age, counts: p.numeric.Age.counts.slice(1) } },
    };
    for (const [name, text] of [
      ['not-json.json', '{'],
      ['array.json', '[]'],
      ['version.json', JSON.stringify({ ...p, version: 2 })],
      ['broken.json', JSON.stringify(broken)],
      ['rows.json', JSON.stringify({ ...p, rows: 51 })],
    ] as const) {
      await writeFile(join(dir, name), text);
      await expect(readProfile(join(dir, name))).rejects.toBeInstanceOf(InvalidArtifactError);
    }
    await expect(readProfile(join(dir, 'absent.json'))).rejects.toBeInstanceOf(InvalidArtifactError);
  });
});

describe('profile memory', () => {
  it('profiles millions of rows in constant memory', () => {
    const rng = createRng(99);
    const builder = new ProfileBuilder({ withProbability: true });
    const rss: number[] = [];
    const rows = 4_000_000;
    for (let i = 1; i <= rows; i++) {
      builder.addRow(
        rng.int(18, 63),
        rng.int(15000, 152500),
        rng.next() < 0.5 ? 'Male' : 'Female',
        rng.next(),
      );
      if (i % 1_000_000 === 0) rss.push(process.memoryUsage().rss);
    }
    const profile = builder.toJSON();
    expect(profile.rows).toBe(rows);
    expect(profile.numeric.Age.values).toBeNull();
    // Keeping the values would take 4M x 3 x 8 bytes = 96 MB; the profile grows by (almost) nothing.
    expect(rss[rss.length - 1]! - rss[0]!).toBeLessThan(16 * 2 ** 20);
    expect(JSON.stringify(profile).length).toBeLessThan(64 * 1024);
  });
});

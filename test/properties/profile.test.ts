/**
 * Profile merging is what lets shards scored apart give one month's drift: it must not depend on how the
 * rows were split or in which order the parts are merged. Checked on random parts, including parts that
 * cross the raw-values limit, values outside the fixed edges, and parts without probabilities.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Gender } from '../../pipeline/data/schema.js';
import {
  mergeProfiles,
  ProfileBuilder,
  profileProblems,
  RAW_VALUES_LIMIT,
  type NumericColumnProfile,
  type Profile,
} from '../../pipeline/drift/profile.js';

interface Row {
  age: number;
  salary: number;
  gender: Gender;
  probability: number | undefined;
}

const row: fc.Arbitrary<Row> = fc.record({
  age: fc.oneof(fc.integer({ min: 18, max: 100 }), fc.integer({ min: -5, max: 130 })),
  salary: fc.oneof(
    fc.integer({ min: 0, max: 200_000 }),
    fc.integer({ min: 0, max: 4_000 }).map((k) => k * 500), // on the edges, and past the last one
    fc.double({ min: 0, max: 2e6, noNaN: true }),
  ),
  gender: fc.constantFrom<Gender>('Female', 'Male'),
  probability: fc.oneof(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom(0, 0.001, 0.999, 1),
    fc.constant(undefined),
  ),
});

/** A part: some rows, each repeated (so parts reach past RAW_VALUES_LIMIT cheaply). */
const part = fc.record({
  rows: fc.array(fc.tuple(row, fc.integer({ min: 1, max: 1_500 })), { minLength: 0, maxLength: 6 }),
  withProbability: fc.boolean(),
});
type Part = { rows: [Row, number][]; withProbability: boolean };

function rowsOf(p: Part): Row[] {
  return p.rows.flatMap(([r, times]) => Array.from({ length: times }, () => r));
}

function profileOf(rows: Row[], withProbability: boolean): Profile {
  const builder = new ProfileBuilder({ withProbability });
  for (const r of rows) builder.addRow(r.age, r.salary, r.gender, r.probability);
  return builder.toJSON();
}

const closeTo = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Equal but for the floating-point sums (the order of additions differs; that is the only rounding the
 * merge may introduce). Gender counts compare as a map: key order is no meaning.
 */
function expectSameProfile(actual: Profile, expected: Profile, label: string): void {
  const strip = (p: Profile) => {
    const copy = structuredClone(p);
    for (const column of Object.values(copy.numeric) as NumericColumnProfile[]) {
      column.sum = 0;
      column.sumSquares = 0;
    }
    // a category with no rows is the same as a category not listed
    copy.categorical.Gender.counts = Object.fromEntries(
      Object.entries(copy.categorical.Gender.counts).filter(([, n]) => n > 0),
    );
    return copy;
  };
  expect(strip(actual), label).toEqual(strip(expected));
  for (const name of Object.keys(expected.numeric) as (keyof Profile['numeric'])[]) {
    const a = actual.numeric[name]!;
    const e = expected.numeric[name]!;
    expect(closeTo(a.sum, e.sum), `${label}: ${name}.sum ${a.sum} vs ${e.sum}`).toBe(true);
    expect(closeTo(a.sumSquares, e.sumSquares), `${label}: ${name}.sumSquares`).toBe(true);
  }
}

const settings = { numRuns: 60 };

describe('mergeProfiles', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 2, maxLength: 4 }), fc.nat(), (parts, seed) => {
        const profiles = parts.map((p) => profileOf(rowsOf(p), p.withProbability));
        const shuffled = [...profiles].sort(
          (a, b) => ((profiles.indexOf(a) * 7919 + seed) % 13) - ((profiles.indexOf(b) * 7919 + seed) % 13),
        );
        expectSameProfile(mergeProfiles(shuffled), mergeProfiles(profiles), 'shuffled');
        expectSameProfile(
          mergeProfiles([profiles[1]!, profiles[0]!]),
          mergeProfiles([profiles[0]!, profiles[1]!]),
          'swapped',
        );
      }),
      settings,
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(part, part, part, (a, b, c) => {
        const [pa, pb, pc] = [a, b, c].map((p) => profileOf(rowsOf(p), p.withProbability)) as [
          Profile,
          Profile,
          Profile,
        ];
        const left = mergeProfiles([mergeProfiles([pa, pb]), pc]);
        const right = mergeProfiles([pa, mergeProfiles([pb, pc])]);
        expectSameProfile(left, right, '(a+b)+c vs a+(b+c)');
        expectSameProfile(mergeProfiles([pa, pb, pc]), left, 'a+b+c vs (a+b)+c');
      }),
      settings,
    );
  });

  it('gives the profile of all rows at once, a valid profile', () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        const merged = mergeProfiles(parts.map((p) => profileOf(rowsOf(p), p.withProbability)));
        const all = parts.flatMap(rowsOf);
        // the whole has a probability column when any part had one (rows without it count as missing)
        const whole = profileOf(
          all,
          parts.some((p) => p.withProbability || rowsOf(p).some((r) => r.probability !== undefined)),
        );
        expectSameProfile(merged, whole, 'merged vs whole');
        expect(profileProblems(merged)).toEqual([]);
        expect(merged.numeric.Age.values === null).toBe(all.length > RAW_VALUES_LIMIT);
      }),
      settings,
    );
  });
});

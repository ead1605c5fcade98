/**
 * Scoring a month in n shards and merging them must give what one run gives: the same ranked predictions,
 * top prospects and rejects byte for byte, the same counts, and the same profile (up to the rounding of
 * its floating-point sums). Checked on random users files (ties, rejects, duplicates, opt-outs, IDs that
 * need quoting or neutralizing) and random shard counts and --top.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvText } from '../../pipeline/data/csv.js';
import type { Profile } from '../../pipeline/drift/profile.js';
import { mergeShards } from '../../pipeline/score/merge.js';
import { scoreFile } from '../../pipeline/score/score.js';
import type { ScoreSummary } from '../../pipeline/score/summary.js';
import { writeTestModel } from '../score/model-fixture.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';

const dir = useTempDir('propensity-props-shards-');
const model = join(dir, 'model');
let counter = 0;

beforeAll(() => {
  writeTestModel(model, { levels: 25, threshold: 0.4 }); // coarse probabilities: many ties across shards
});

const id = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 400 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('=SUM(A1)', '+1', '-x', '@me', 'a,b', 'q"t', ' spaced ', 'é🚗', ''),
  },
);
const line = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(
        id,
        fc.integer({ min: 18, max: 100 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.constantFrom('Male', 'Female'),
        fc.constantFrom('false', 'false', 'false', 'true'),
      )
      .map(([i, age, salary, gender, optOut]) => [csvText(i), age, salary, gender, optOut].join(',')),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('x,200,1,Male,false', 'y,40,-1,Male,no', 'z,40,1,Other,0', 'short,1'),
  },
);

const withoutTiming = (s: ScoreSummary) => ({ ...s, timing: undefined });

function expectSameProfile(actual: Profile, expected: Profile): void {
  const strip = (p: Profile) => {
    const copy = structuredClone(p);
    for (const column of Object.values(copy.numeric)) {
      column.sum = Math.round(column.sum * 1e6) / 1e6;
      column.sumSquares = Math.round(column.sumSquares * 1e6) / 1e6;
    }
    return copy;
  };
  expect(strip(actual)).toEqual(strip(expected));
}

describe('sharded and merged scoring', () => {
  it('equals the unsharded run for random files, shard counts and --top', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
        async (lines, shards, top) => {
          const run = counter++;
          const input = writeFixture(
            dir,
            `users-${run}.csv`,
            `User ID,Age,AnnualSalary,Gender,MarketingOptOut\n${lines.join('\n')}\n`,
          );
          const common = { modelDir: model, input, month: '2026-11', inference: 'main' as const, top };
          const settings = { ...common, maxRejectRate: 1 };
          const whole = await scoreFile({ ...settings, outDir: join(dir, `whole-${run}`) });
          const parts = [];
          for (let index = 0; index < shards; index++) {
            parts.push(
              await scoreFile({
                ...settings,
                outDir: join(dir, `shard-${run}-${index}`),
                shard: { index, count: shards },
                runRows: 7, // spill sorted runs to disk, as a big month does
              }),
            );
          }
          const outDir = join(dir, `merged-${run}`);
          const merged = await mergeShards({ inputs: parts.map((p) => p.outDir), outDir });
          for (const file of ['predictions.csv', 'top_prospects.csv', 'rejects.csv']) {
            expect(readFileSync(join(outDir, file), 'utf8'), file).toBe(
              readFileSync(join(whole.outDir, file), 'utf8'),
            );
          }
          expect(withoutTiming(merged.summary)).toEqual(withoutTiming(whole.summary));
          expect(merged.summary.reconciliation.holds).toBe(true);
          const profile = (d: string) => JSON.parse(readFileSync(join(d, 'profile.json'), 'utf8')) as Profile;
          expectSameProfile(profile(outDir), profile(whole.outDir));
        },
      ),
      { numRuns: 25 },
    );
  });
});

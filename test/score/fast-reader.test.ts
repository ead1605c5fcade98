import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDataFile, type ReadSummary } from '../../pipeline/data/reader.js';
import { shardOf } from '../../pipeline/data/ids.js';
import { idAt, scanUsersFile } from '../../pipeline/score/fast-reader.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';

const dir = useTempDir();
let counter = 0;

type Outcome = { records: unknown[]; rejects: unknown[]; summary: ReadSummary } | { error: string };

interface ReadOptions {
  owns?: (id: string) => boolean;
  ownsHash?: (hash: number) => boolean;
  chunkBytes?: number;
}

async function viaCsvParse(file: string, options: ReadOptions): Promise<Outcome> {
  const records: unknown[] = [];
  const rejects: unknown[] = [];
  try {
    const summary = await readDataFile(file, {
      kind: 'users',
      owns: options.owns,
      isSuppressed: (id) => id.endsWith('9'),
      batchSize: 7,
      onBatch: (batch) => {
        records.push(...batch.records);
        rejects.push(...batch.rejects);
      },
    });
    return { records, rejects, summary };
  } catch (error) {
    return { error: (error as Error).constructor.name };
  }
}

async function viaScan(file: string, options: ReadOptions): Promise<Outcome> {
  const records: unknown[] = [];
  const rejects: unknown[] = [];
  try {
    const summary = await scanUsersFile(file, {
      owns: options.owns,
      ownsHash: options.ownsHash,
      isSuppressed: (id) => id.endsWith('9'),
      batchSize: 5,
      chunkBytes: options.chunkBytes,
      onBatch: (batch) => {
        for (let i = 0; i < batch.count; i++) {
          const gender = batch.male[i] ? 'Male' : 'Female';
          records.push({ userId: idAt(batch, i), age: batch.age[i], salary: batch.salary[i], gender });
        }
        rejects.push(...batch.rejects);
      },
    });
    return { records, rejects, summary };
  } catch (error) {
    return { error: (error as Error).constructor.name };
  }
}

const cell = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('1', '18', '40', '100', '17', '0', '-3', '72000', '1.5e4', 'x', '', ' 42 '),
  },
  { weight: 3, arbitrary: fc.constantFrom('Male', 'female', 'MALE', 'Other', 'true', 'no', 'yes') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('"a,b"', '"q""x"', '"multi\nline"', '"cr\r\nlf"', '"1"', '""', 'é€', '"🚗"'),
  },
  { weight: 1, arbitrary: fc.constantFrom('"open', 'x"y', '\r', '"z" ') },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9a-zA-Z ]{0,4}$/) },
);

const row = fc.array(cell, { minLength: 2, maxLength: 6 });

const fileText = fc.record({
  header: fc.constantFrom(
    'User ID,Age,AnnualSalary,Gender',
    'User ID,Gender,Age,AnnualSalary,Purchased',
    'Gender, user id ,AGE,AnnualSalary,MarketingOptOut',
    'User ID,Age,AnnualSalary',
  ),
  rows: fc.array(
    fc.oneof({ weight: 5, arbitrary: row }, { weight: 1, arbitrary: fc.constant([] as string[]) }),
    { maxLength: 25 },
  ),
  ids: fc.array(fc.constantFrom('1', '2', '3', '19', 'u4', ' 5'), { minLength: 25, maxLength: 25 }),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  bom: fc.boolean(),
  finalEol: fc.boolean(),
  valid: fc.boolean(),
  canonical: fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
  picks: fc.array(fc.nat(), { minLength: 25, maxLength: 25 }),
});

/** Values in the form an export usually has them (the fast route), and a few near misses. */
const TYPICAL: Record<string, string[]> = {
  'user id': ['7', '19', 'u 8', '12', ' 9'],
  age: ['18', '40', '100', '17', '101', '040', '4x'],
  annualsalary: ['0', '72000', '1234.5', '1.', '.5', '12e3', '-1'],
  gender: ['Male', 'FEMALE', 'female', 'Mal'],
  purchased: ['1', '0'],
  marketingoptout: ['true', 'no', '', 'YES', '0', 'maybe'],
};

type FileSpec = typeof fileText extends fc.Arbitrary<infer T> ? T : never;

function render(spec: FileSpec): string {
  const width = spec.header.split(',').length;
  const names = spec.header.split(',').map((name) => name.trim().toLowerCase());
  const lines = spec.rows.map((cells, i) => {
    if (spec.canonical[i]) {
      return names
        .map((name, k) => {
          const options = TYPICAL[name] ?? ['x'];
          return options[((spec.picks[i] ?? 0) >> k) % options.length];
        })
        .join(',');
    }
    if (!spec.valid) return cells.join(',');
    // mostly well-formed rows: an ID first, then cells
    const fields = [spec.ids[i] ?? '1', ...cells].slice(0, width);
    return fields.join(',');
  });
  return (
    (spec.bom ? '\uFEFF' : '') + [spec.header, ...lines].join(spec.eol) + (spec.finalEol ? spec.eol : '')
  );
}

describe('fast reader', () => {
  it('gives exactly the records, rejects, counts and errors of readDataFile', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileText,
        fc.constantFrom('whole', 'by text', 'by hash'),
        fc.option(fc.integer({ min: 1, max: 64 })),
        async (spec, sharding, chunkBytes) => {
          const file = writeFixture(dir, `p${counter++}.csv`, render(spec));
          const owns = sharding === 'whole' ? undefined : (id: string) => shardOf(id, 3) === 1;
          const expected = await viaCsvParse(file, { owns });
          const actual = await viaScan(file, {
            owns: sharding === 'by text' ? owns : undefined,
            ownsHash: sharding === 'by hash' ? (hash) => hash % 3 === 1 : undefined,
            chunkBytes: chunkBytes ?? undefined,
          });
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads a large file cut into chunks anywhere the same way', async () => {
    const lines = ['User ID,Age,AnnualSalary,Gender'];
    for (let i = 0; i < 60_000; i++)
      lines.push(`${i},${18 + (i % 90)},${(i * 37) % 150000},${i % 3 ? 'Male' : 'Female'}`);
    lines.push('"quoted, id",40,1000,Male', 'dup,40,1,Male', 'dup,41,1,Male', 'é,50,1.5,female');
    for (const eol of ['\n', '\r\n']) {
      const file = writeFixture(dir, `big${counter++}.csv`, lines.join(eol) + eol);
      const expected = await viaCsvParse(file, {});
      const actual = await viaScan(file, {});
      expect(actual).toEqual(expected);
      if ('error' in actual) throw new Error(actual.error);
      expect(actual.summary.rejected).toBeGreaterThan(0);
      expect(actual.records.length).toBeGreaterThan(50_000);
    }
  });
});

/**
 * Whatever bytes a users or history file holds, both readers (csv-parse's `readDataFile` and the scorer's
 * `scanUsersFile`) either hand out records and rejects that reconcile with their counts, or refuse the file
 * with a user-facing error (exit code 2). They never crash otherwise, and never hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDataFile, type ReadSummary } from '../../pipeline/data/reader.js';
import type { Kind } from '../../pipeline/data/schema.js';
import { synthHistory, synthUsers, DEFAULT_USER_SHAPE } from '../../pipeline/data/synth.js';
import { isUserError } from '../../pipeline/errors.js';
import { scanUsersFile } from '../../pipeline/score/fast-reader.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';

const dir = useTempDir('propensity-props-reader-');
let counter = 0;

/** A read must finish well within this, or it is counted as a hang. */
const HANG_MS = 5_000;

interface Outcome {
  summary?: ReadSummary;
  records: number;
  rejects: number;
  error?: unknown;
}

async function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function viaReader(file: string, kind: Kind, owns?: (id: string) => boolean): Promise<Outcome> {
  const outcome: Outcome = { records: 0, rejects: 0 };
  try {
    outcome.summary = await withDeadline(
      readDataFile(file, {
        kind,
        owns,
        batchSize: 13,
        isSuppressed: (id) => id.endsWith('7'),
        onBatch: (batch) => {
          outcome.records += batch.records.length;
          outcome.rejects += batch.rejects.length;
        },
      }),
      'readDataFile',
    );
  } catch (error) {
    outcome.error = error;
  }
  return outcome;
}

async function viaScanner(
  file: string,
  chunkBytes: number,
  owns?: (id: string) => boolean,
): Promise<Outcome> {
  const outcome: Outcome = { records: 0, rejects: 0 };
  try {
    outcome.summary = await withDeadline(
      scanUsersFile(file, {
        owns,
        batchSize: 11,
        chunkBytes,
        isSuppressed: (id) => id.endsWith('7'),
        onBatch: (batch) => {
          outcome.records += batch.count;
          outcome.rejects += batch.rejects.length;
          // the columns hold only what the contract allows
          for (let i = 0; i < batch.count; i++) {
            if (!(batch.age[i]! >= 18 && batch.age[i]! <= 100)) throw new Error(`age ${batch.age[i]}`);
            if (!(batch.salary[i]! >= 0 && Number.isFinite(batch.salary[i]!)))
              throw new Error(`salary ${batch.salary[i]}`);
          }
        },
      }),
      'scanUsersFile',
    );
  } catch (error) {
    outcome.error = error;
  }
  return outcome;
}

/** Either a user-facing refusal, or counts that add up and match what was handed out. */
function expectSound(outcome: Outcome, label: string): void {
  if (outcome.error !== undefined) {
    const error = outcome.error as Error;
    expect(isUserError(error), `${label}: ${error?.stack ?? String(error)}`).toBe(true);
    expect(error.message.length, label).toBeGreaterThan(0);
    return;
  }
  const s = outcome.summary!;
  expect(s.rowsRead, `${label}: read = valid + rejected + opted out`).toBe(s.valid + s.rejected + s.optedOut);
  expect(outcome.records, `${label}: records handed out`).toBe(s.valid);
  expect(outcome.rejects, `${label}: rejects handed out`).toBe(s.rejected);
  const byReason = Object.values(s.rejectsByReason).reduce((t, n) => t + n, 0);
  expect(byReason, `${label}: rejects by reason`).toBe(s.rejected);
}

const usersText = [...synthUsers({ ...DEFAULT_USER_SHAPE, rows: 40, seed: 7, optOutShare: 0.2 })].join('');
const historyText = [...synthHistory({ rows: 40, seed: 8 })].join('');

/** Bytes worth putting into a CSV file to break it. */
const nasty = fc.constantFrom(
  ...[
    '"',
    ',',
    '\r',
    '\n',
    '\r\n',
    '\uFEFF',
    '\u202E',
    '\u0000',
    '=cmd|',
    ' ',
    ';',
    '\t',
    '-1',
    '1e400',
    'NaN',
    'Infinity',
    '0x10',
    '999',
    'é',
    '🚗',
    '""',
    'Male',
  ].map((s) => Buffer.from(s, 'utf8')),
  Buffer.from([0xff]),
  Buffer.from([0xc3]), // a UTF-8 lead byte without its continuation
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xef, 0xbb, 0xbf]),
);

type Mutation =
  | { kind: 'insert'; at: number; bytes: Buffer }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: nasty }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: position,
    length: fc.integer({ min: 1, max: 80 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);

function mutate(original: string, mutations: Mutation[]): Buffer {
  let bytes = Buffer.from(original, 'utf8');
  for (const m of mutations) {
    const at = Math.floor(m.at * (bytes.length + 1));
    if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    else if (m.kind === 'delete')
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    else if (m.kind === 'flip' && at < bytes.length) {
      bytes = Buffer.from(bytes);
      bytes[at] = m.value;
    } else if (m.kind === 'duplicate') {
      const piece = bytes.subarray(at, at + m.length);
      bytes = Buffer.concat([bytes.subarray(0, at), piece, piece, bytes.subarray(at + piece.length)]);
    } else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
  }
  return bytes;
}

const shardOwner = fc
  .option(fc.integer({ min: 2, max: 4 }), { nil: undefined })
  .map((n) => (n === undefined ? undefined : (id: string) => id.length % n === 0));

describe('readers under arbitrary input', () => {
  it('arbitrary bytes: records that reconcile, or a user-facing refusal', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom<Kind>('users', 'training'),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, kind, chunkBytes) => {
          const file = writeFixture(dir, `bytes-${counter++}.csv`, bytes);
          expectSound(await viaReader(file, kind), 'readDataFile');
          expectSound(await viaScanner(file, chunkBytes), 'scanUsersFile');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a valid header, then arbitrary text: the same', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('User ID,Age,AnnualSalary,Gender\n', 'User ID,Gender,Age,AnnualSalary,Purchased\r\n'),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        async (header, body, chunkBytes) => {
          const file = writeFixture(dir, `text-${counter++}.csv`, header + body);
          const kind: Kind = header.includes('Purchased') ? 'training' : 'users';
          expectSound(await viaReader(file, kind), 'readDataFile');
          expectSound(await viaScanner(file, chunkBytes), 'scanUsersFile');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random mutations of valid files: the same, for both kinds and shards', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Kind>('users', 'training'),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 200 }),
        shardOwner,
        async (kind, mutations, chunkBytes, owns) => {
          const bytes = mutate(kind === 'users' ? usersText : historyText, mutations);
          const file = writeFixture(dir, `mutated-${counter++}.csv`, bytes);
          expectSound(await viaReader(file, kind, owns), 'readDataFile');
          if (kind === 'users') expectSound(await viaScanner(file, chunkBytes, owns), 'scanUsersFile');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the property is live: an unmutated file reads clean, and a NUL byte is refused', async () => {
    const clean = writeFixture(dir, 'clean.csv', usersText);
    const read = await viaReader(clean, 'users');
    expect(read.error).toBeUndefined();
    expect(read.summary!.rowsRead).toBe(40);
    const binary = writeFixture(dir, 'nul.csv', mutate(usersText, [{ kind: 'flip', at: 0.5, value: 0 }]));
    const refused = await viaScanner(binary, 64);
    expect(isUserError(refused.error)).toBe(true);
    expect((refused.error as Error).message).toMatch(/binary data/);
  });
});

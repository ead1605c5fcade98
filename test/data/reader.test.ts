import { describe, expect, it } from 'vitest';
import { assertRejectRate, readAll, readDataFile } from '../../pipeline/data/reader.js';
import { DataFileError, RejectRateError } from '../../pipeline/errors.js';
import type { Reject } from '../../pipeline/data/schema.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';

const dir = useTempDir();
let counter = 0;
const file = (content: string | Uint8Array) => writeFixture(dir, `f${counter++}.csv`, content);

async function rejectsOf(content: string, kind: 'users' | 'training' = 'users'): Promise<Reject[]> {
  return (await readAll(file(content), kind)).rejects;
}

describe('header matching', () => {
  it('finds columns by name in any order, case and surrounding spaces ignored', async () => {
    const { records, summary } = await readAll(file(' gender ,ANNUALSALARY, user id ,age\nMale,50000,u1,30\n'), 'users');
    expect(records).toEqual([{ userId: 'u1', age: 30, salary: 50000, gender: 'Male' }]);
    expect(summary.extraColumns).toEqual([]);
  });

  it('accepts a byte-order mark, CRLF line ends and quoted fields', async () => {
    const text = '\uFEFFUser ID,Age,AnnualSalary,Gender\r\n"a,1",40,"72000",female\r\n"b ""2""",41,0,MALE\r\n';
    const { records } = await readAll(file(text), 'users');
    expect(records).toEqual([
      { userId: 'a,1', age: 40, salary: 72000, gender: 'Female' },
      { userId: 'b "2"', age: 41, salary: 0, gender: 'Male' },
    ]);
  });

  it('ignores and lists extra columns', async () => {
    const { summary, records } = await readAll(file('User ID,Age,Branch,AnnualSalary,Gender,Note\n1,30,X,1000,Male,hi\n'), 'users');
    expect(summary.extraColumns).toEqual(['Branch', 'Note']);
    expect(records).toHaveLength(1);
  });

  it('reads training data in the reference order, and users files ignore a Purchased column', async () => {
    const text = 'User ID,Gender,Age,AnnualSalary,Purchased\n7,Female,35,20000,1\n';
    expect((await readAll(file(text), 'training')).records).toEqual([
      { userId: '7', gender: 'Female', age: 35, salary: 20000, purchased: 1 },
    ]);
    const asUsers = await readAll(file(text), 'users');
    expect(asUsers.records).toEqual([{ userId: '7', gender: 'Female', age: 35, salary: 20000 }]);
    expect(asUsers.summary.extraColumns).toEqual(['Purchased']);
  });
});

describe('row validation', () => {
  const header = 'User ID,Age,AnnualSalary,Gender\n';
  it.each([
    ['1,30,1000\n', 'wrong_field_count'],
    [',30,1000,Male\n', 'missing_user_id'],
    ['1,,1000,Male\n', 'age_missing'],
    ['1,30.5,1000,Male\n', 'age_not_integer'],
    ['1,abc,1000,Male\n', 'age_not_integer'],
    ['1,17,1000,Male\n', 'age_out_of_range'],
    ['1,101,1000,Male\n', 'age_out_of_range'],
    ['1,30,,Male\n', 'salary_missing'],
    ['1,30,lots,Male\n', 'salary_not_number'],
    ['1,30,Infinity,Male\n', 'salary_not_number'],
    ['1,30,-5,Male\n', 'salary_negative'],
    ['1,30,1000,X\n', 'gender_invalid'],
    ['1,30,1000,\n', 'gender_invalid'],
  ])('rejects %j as %s', async (row, reason) => {
    const rejects = await rejectsOf(header + row);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ line: 2, reason });
    expect(rejects[0]!.detail.length).toBeGreaterThan(5);
  });

  it('accepts the bounds of the contract', async () => {
    const { records, rejects } = await readAll(file(header + '1,18,0,Male\n2,100,1e9,female\n'), 'users');
    expect(rejects).toEqual([]);
    expect(records.map((r) => [r.age, r.salary])).toEqual([
      [18, 0],
      [100, 1e9],
    ]);
  });

  it('rejects a repeated User ID after its first row, with the line number', async () => {
    const rejects = await rejectsOf(header + 'a,30,1,Male\nb,30,1,Male\na,31,2,Female\n');
    expect(rejects).toEqual([
      { line: 4, userId: 'a', reason: 'duplicate_user_id', detail: 'User ID a appears earlier in the file' },
    ]);
  });

  it('rejects a Purchased value that is not 0 or 1', async () => {
    const rejects = await rejectsOf('User ID,Gender,Age,AnnualSalary,Purchased\n1,Male,30,1000,2\n2,Male,30,1000,yes\n', 'training');
    expect(rejects.map((r) => r.reason)).toEqual(['purchased_invalid', 'purchased_invalid']);
  });

  it('counts line numbers as the file has them, blank lines included', async () => {
    const rejects = await rejectsOf(header + '1,30,1,Male\n\n2,200,1,Male\n');
    expect(rejects[0]!.line).toBe(4);
  });
});

describe('opting out', () => {
  const text = 'User ID,Age,AnnualSalary,Gender,MarketingOptOut\n1,30,1,Male,true\n2,30,1,Male,NO\n3,30,1,Male,1\n4,30,1,Male,\n5,30,1,Male,maybe\n';
  it('counts opted-out customers and does not hand them out', async () => {
    const { records, rejects, summary } = await readAll(file(text), 'users');
    expect(records.map((r) => r.userId)).toEqual(['2', '4']);
    expect(rejects.map((r) => [r.userId, r.reason])).toEqual([['5', 'opt_out_invalid']]);
    expect(summary).toMatchObject({ rowsRead: 5, valid: 2, optedOut: 2, rejected: 1 });
  });

  it('treats a suppression list as opting out, and reads only the rows a shard owns', async () => {
    const path = file('User ID,Age,AnnualSalary,Gender\n1,30,1,Male\n2,30,1,Male\n3,30,1,Male\n');
    const seen: string[] = [];
    const summary = await readDataFile(path, {
      kind: 'users',
      owns: (id) => id !== '3',
      isSuppressed: (id) => id === '2',
      onBatch: (batch) => batch.records.forEach((r) => seen.push(r.userId)),
    });
    expect(seen).toEqual(['1']);
    expect(summary).toMatchObject({ rowsRead: 2, valid: 1, optedOut: 1, rejected: 0 });
  });
});

describe('reconciliation', () => {
  it('accounts for every row read as valid, opted out or rejected', async () => {
    const rows = ['User ID,Age,AnnualSalary,Gender,MarketingOptOut'];
    for (let i = 0; i < 500; i++) {
      const age = i % 17 === 0 ? 'x' : String(18 + (i % 80));
      const id = i % 23 === 0 ? 'dup' : String(i);
      rows.push(`${id},${age},${i * 10},${i % 2 ? 'Male' : 'Female'},${i % 11 === 0 ? 'yes' : 'no'}`);
    }
    const { records, rejects, summary } = await readAll(file(rows.join('\n') + '\n'), 'users');
    expect(summary.rowsRead).toBe(500);
    expect(summary.valid + summary.optedOut + summary.rejected).toBe(500);
    expect(records).toHaveLength(summary.valid);
    expect(rejects).toHaveLength(summary.rejected);
    expect(Object.values(summary.rejectsByReason).reduce((a, b) => a + b, 0)).toBe(summary.rejected);
  });

  it('stops a run whose reject rate is above the limit, naming the reasons', async () => {
    const { summary } = await readAll(file('User ID,Age,AnnualSalary,Gender\n1,30,1,Male\n2,3,1,Male\n'), 'users');
    expect(() => assertRejectRate(summary, 0.01)).toThrow(RejectRateError);
    expect(() => assertRejectRate(summary, 0.01)).toThrow(/1 of 2 rows \(50.00%\).*age_out_of_range 1/);
    expect(() => assertRejectRate(summary, 0.5)).not.toThrow();
  });
});

describe('file-level problems', () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['an empty file', '', /is empty/],
    ['a header without rows', 'User ID,Age,AnnualSalary,Gender\n', /header but no rows/],
    ['a missing column', 'User ID,Age,Gender\n1,30,Male\n', /missing column "AnnualSalary"/],
    ['a semicolon-separated file', 'User ID;Age;AnnualSalary;Gender\n1;30;1;Male\n', /not comma-separated/],
    ['a repeated column', 'User ID,Age,Age,AnnualSalary,Gender\n1,30,30,1,Male\n', /"Age" appears twice/],
    ['Latin-1 text', Buffer.from('User ID,Age,AnnualSalary,Gender\n1,30,1,M\xe4le\n', 'latin1'), /not valid UTF-8/],
    ['binary data', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x10, 0]), /binary data/],
    ['an unclosed quote', 'User ID,Age,AnnualSalary,Gender\n"1,30,1,Male\n', /not well-formed CSV/],
  ];
  it.each(cases)('refuses %s with a message that names the problem and the fix', async (_, content, message) => {
    const path = file(content);
    const error = await readAll(path, 'users').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).message).toMatch(message);
    expect((error as DataFileError).message).toContain(path);
    expect((error as DataFileError).hint).toBeTruthy();
  });

  it('refuses a training file without Purchased', async () => {
    await expect(readAll(file('User ID,Age,AnnualSalary,Gender\n1,30,1,Male\n'), 'training')).rejects.toThrow(
      /missing column "Purchased"/,
    );
  });

  it('refuses a path that is not there', async () => {
    await expect(readAll(`${dir}/nope.csv`, 'users')).rejects.toThrow(/no such file/);
  });
});

describe('large files', () => {
  it('hashes the bytes it reads and hands them out in batches', async () => {
    const rows = Array.from({ length: 25_000 }, (_, i) => `${i},${18 + (i % 60)},${i},Male`);
    const content = 'User ID,Age,AnnualSalary,Gender\n' + rows.join('\n') + '\n';
    const sizes: number[] = [];
    const summary = await readDataFile(file(content), {
      kind: 'users',
      batchSize: 10_000,
      onBatch: (batch) => void sizes.push(batch.records.length),
    });
    expect(sizes).toEqual([10_000, 10_000, 5_000]);
    const { createHash } = await import('node:crypto');
    expect(summary.sha256).toBe(createHash('sha256').update(content).digest('hex'));
  });
});

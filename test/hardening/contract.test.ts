/**
 * Values that JavaScript would read as numbers but an export never means as a salary (hex, binary, octal,
 * Infinity) are rejected by both readers, with the same reason; ordinary decimal forms are kept.
 */
import { describe, expect, it } from 'vitest';
import { readAll } from '../../pipeline/data/reader.js';
import { scanUsersFile } from '../../pipeline/score/fast-reader.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';

const dir = useTempDir('propensity-contract-');

const ACCEPTED: [string, number][] = [
  ['72000', 72000],
  ['72000.50', 72000.5],
  ['7.2e4', 72000],
  ['+72000', 72000],
  ['.5', 0.5],
  [' 72000 ', 72000],
];
const REJECTED = ['0x1F', '0b101', '0o17', 'Infinity', '1e400', '72,000', '72000abc', '1_000', '--5'];

describe('AnnualSalary', () => {
  const lines = [...ACCEPTED.map(([text]) => text), ...REJECTED].map(
    (salary, i) => `U${i},40,"${salary}",Male`,
  );
  const file = writeFixture(dir, 'salaries.csv', `User ID,Age,AnnualSalary,Gender\n${lines.join('\n')}\n`);

  it('reads decimal forms and rejects the rest as salary_not_number, in both readers', async () => {
    const { records, rejects } = await readAll(file, 'users');
    expect(records.map((r) => r.salary)).toEqual(ACCEPTED.map(([, value]) => value));
    expect(rejects.map((r) => r.reason)).toEqual(REJECTED.map(() => 'salary_not_number'));

    const salaries: number[] = [];
    const reasons: string[] = [];
    await scanUsersFile(file, {
      onBatch: (batch) => {
        for (let i = 0; i < batch.count; i++) salaries.push(batch.salary[i]!);
        reasons.push(...batch.rejects.map((r) => r.reason));
      },
    });
    expect(salaries).toEqual(ACCEPTED.map(([, value]) => value));
    expect(reasons).toEqual(REJECTED.map(() => 'salary_not_number'));
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';

const dir = useTempDir();

describe('propensity CLI', () => {
  it('lists its commands on --help and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Commands:/);
    expect(run.stdout).toMatch(/validate/);
    expect(run.stdout).toMatch(/synth users/);
  });

  it("shows a command's options on --help", async () => {
    const run = await runCli(['validate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--input FILE/);
    expect(run.stdout).toMatch(/--rejects FILE/);
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['synth'], /use one of: synth users, synth history/],
    [['validate'], /--input is required/],
    [['validate', '--input', 'x.csv', '--bogus'], /Unknown option '--bogus'/],
    [['synth', 'users', '--rows=-3', '--out', 'x.csv'], /--rows must be at least 1/],
    [['synth', 'users', '--rows', 'ten', '--out', 'x.csv'], /--rows must be a number/],
  ])('answers bad usage %j with exit 2, the problem, and no stack trace', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('propensity validate', () => {
  it('reports every row of the bundled users file valid', async () => {
    const run = await runCli(['validate', '--input', 'data/users/active_users.csv', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.rowsRead).toBeGreaterThan(0);
    expect(report.valid).toBe(report.rowsRead);
    expect(report.rejected).toBe(0);
  });

  it('counts rejects by reason and writes them, spreadsheet-safe, when asked', async () => {
    const input = writeFixture(
      dir,
      'mixed.csv',
      'User ID,Age,AnnualSalary,Gender,Branch\n1,30,100,Male,x\n=cmd,12,100,Male,y\n3,30,-1,Female,z\n1,40,5,Male,w\n',
    );
    const rejects = join(dir, 'rejects.csv');
    const run = await runCli(['validate', '--input', input, '--rejects', rejects, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      rowsRead: 4,
      valid: 1,
      rejected: 3,
      duplicateIds: 1,
      extraColumns: ['Branch'],
    });
    expect(report.rejectsByReason).toEqual({ age_out_of_range: 1, salary_negative: 1, duplicate_user_id: 1 });
    const lines = readFileSync(rejects, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('line,User ID,reason,detail');
    expect(lines[1]).toMatch(/^3,'=cmd,age_out_of_range,/);
    expect(lines).toHaveLength(4);
  });

  it('exits 2 with the problem and the fix for an unusable file', async () => {
    const input = writeFixture(dir, 'semicolons.csv', 'User ID;Age;AnnualSalary;Gender\n1;30;100;Male\n');
    const run = await runCli(['validate', '--input', input]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not comma-separated/);
    expect(run.stderr).toMatch(/fix: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('propensity synth', () => {
  it('writes byte-identical files for the same arguments', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    for (const out of [a, b]) {
      const run = await runCli(['synth', 'history', '--rows', '3000', '--seed', '5', '--out', out]);
      expect(run.code).toBe(0);
    }
    expect(readFileSync(a)).toEqual(readFileSync(b));
    const check = await runCli(['validate', '--input', a, '--kind', 'training', '--json']);
    expect(JSON.parse(check.stdout)).toMatchObject({ rowsRead: 3000, valid: 3000 });
  });

  it('keeps the knobs of synth users in the JSON result', async () => {
    const out = join(dir, 'shifted.csv');
    const run = await runCli([
      'synth',
      'users',
      '--rows',
      '10',
      '--seed',
      '1',
      '--age-shift',
      '5',
      '--out',
      out,
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      rows: 10,
      shape: { ageShift: 5, salaryScale: 1, maleShare: 0.5 },
    });
  });
});

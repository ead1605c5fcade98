import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_SHAPE, synthUsers } from '../../pipeline/data/synth.js';
import { mergeShards } from '../../pipeline/score/merge.js';
import { decileOf } from '../../pipeline/score/ranked-output.js';
import { scoreFile, type ScoreOptions } from '../../pipeline/score/score.js';
import type { ScoreSummary } from '../../pipeline/score/summary.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';
import { writeTestModel } from './model-fixture.js';

const dir = useTempDir('propensity-score-');
const model = join(dir, 'model');
const tiedModel = join(dir, 'model-tied');
const noGenderModel = join(dir, 'model-no-gender');
let counter = 0;

const users = (rows: number, seed: number, optOutShare = 0) =>
  [...synthUsers({ ...DEFAULT_USER_SHAPE, rows, seed, optOutShare })].join('');

/** A users file with every kind of bad row appended after `rows` good ones. */
function withBadRows(rows: number): string {
  return (
    users(rows, 7) +
    [
      '1,40,50000,Male', // duplicate of user 1
      'bad-age,17,50000,Female',
      'bad-salary,40,lots,Female',
      'bad-gender,40,50000,X',
      ',40,50000,Male',
      'short,40,50000',
      '"quoted, id",41,60000,female',
      '"=HYPERLINK(""x"")",50,90000,Male',
      '+danger,60,140000,Male',
      '-minus,60,140000,Female',
      '@at,60,140000,Female',
    ].join('\n') +
    '\n'
  );
}

async function score(input: string, options: Partial<ScoreOptions> = {}) {
  const outDir = join(dir, `out${counter++}`);
  const result = await scoreFile({
    modelDir: tiedModel,
    input,
    outDir,
    month: '2026-11',
    inference: 'main',
    ...options,
  });
  return { ...result, read: (name: string) => readFileSync(join(outDir, name), 'utf8') };
}

const withoutTiming = (summary: ScoreSummary) => ({ ...summary, timing: undefined });

beforeAll(() => {
  writeTestModel(model);
  writeTestModel(tiedModel, { levels: 40, threshold: 0.6 });
  writeTestModel(noGenderModel, { withGender: false });
});

describe('propensity score', () => {
  it('reconciles every row read: scored + rejected + opted out, with rejects by reason and line', async () => {
    const input = writeFixture(dir, 'bad.csv', withBadRows(3000));
    const { summary, read } = await score(input, { maxRejectRate: 0.5 });
    expect(summary.rows).toMatchObject({ read: 3011, scored: 3005, rejected: 6, opted_out: 0 });
    expect(summary.rows.rejected_by_reason).toMatchObject({
      duplicate_user_id: 1,
      age_out_of_range: 1,
      salary_not_number: 1,
      gender_invalid: 1,
      missing_user_id: 1,
      wrong_field_count: 1,
      age_missing: 0,
    });
    expect(summary.reconciliation).toEqual({ read: 3011, accounted_for: 3011, holds: true });
    const rejects = parse(read('rejects.csv'), { columns: true }) as Record<string, string>[];
    expect(rejects).toHaveLength(6);
    expect(rejects[0]).toMatchObject({ line: '3002', 'User ID': '1', reason: 'duplicate_user_id' });
    const predictions = parse(read('predictions.csv'), { columns: true }) as Record<string, string>[];
    expect(predictions).toHaveLength(summary.rows.scored);
    expect(summary.deciles.reduce((n, d) => n + d.customers, 0)).toBe(summary.rows.scored);
  });

  it('ranks by printed probability, ties by User ID; numbers ranks and deciles; top prospects are the first decile', async () => {
    const input = writeFixture(dir, 'rank.csv', users(2345, 11));
    const { summary, read } = await score(input);
    const rows = parse(read('predictions.csv'), { columns: true }) as Record<string, string>[];
    const n = rows.length;
    expect(n).toBe(2345);
    rows.forEach((row, i) => {
      expect(row.rank).toBe(String(i + 1));
      expect(row.decile).toBe(String(decileOf(i + 1, n)));
      expect(row.likely_buyer).toBe(Number(row.probability) >= 0.6 ? '1' : '0');
      expect(row.probability).toMatch(/^[01]\.\d{6}$/);
      if (i > 0) {
        const before = rows[i - 1]!;
        const ordered =
          Number(before.probability) > Number(row.probability) ||
          (before.probability === row.probability && before['User ID']! < row['User ID']!);
        expect(ordered, `rows ${i} and ${i + 1}`).toBe(true);
      }
    });
    // the tied model leaves many customers on the same probability: the tie order is exercised
    expect(new Set(rows.map((r) => r.probability)).size).toBeLessThan(41);
    const top = read('top_prospects.csv').split('\n');
    expect(top.length - 2).toBe(Math.ceil(n / 10));
    expect(read('predictions.csv').startsWith(top.join('\n'))).toBe(true);
    const expected = rows.reduce((sum, r) => sum + Math.round(Number(r.probability) * 1e6), 0) / 1e6;
    expect(summary.expected_buyers).toBeCloseTo(expected, 6);
    expect(summary.likely_buyers).toBe(rows.filter((r) => r.likely_buyer === '1').length);
    expect(summary.deciles[0]).toMatchObject({ decile: 1, customers: Math.ceil(n / 10) });
    expect(summary.score_distribution.reduce((s, b) => s + b.customers, 0)).toBe(n);
    const { Female, Male } = summary.fairness.by_gender;
    expect(Female.scored + Male.scored).toBe(n);
    expect(Female.likely_buyers + Male.likely_buyers).toBe(summary.likely_buyers);
  });

  it('gives the same bytes when the ranking spills sorted runs to disk', async () => {
    const input = writeFixture(dir, 'spill.csv', withBadRows(5000));
    const inMemory = await score(input, { maxRejectRate: 0.5 });
    const spilled = await score(input, { maxRejectRate: 0.5, runRows: 700, batchSize: 300 });
    for (const file of ['predictions.csv', 'top_prospects.csv', 'rejects.csv'])
      expect(spilled.read(file)).toBe(inMemory.read(file));
    expect(withoutTiming(spilled.summary)).toEqual(withoutTiming(inMemory.summary));
  });

  it('1 shard and 4 shards merged write identical predictions, rejects and summary (apart from timing)', async () => {
    const input = writeFixture(dir, 'shards.csv', withBadRows(6000));
    const whole = await score(input, { maxRejectRate: 0.5 });
    const shards = [];
    for (let index = 0; index < 4; index++)
      shards.push(await score(input, { maxRejectRate: 0.5, shard: { index, count: 4 }, runRows: 500 }));
    expect(shards.reduce((n, s) => n + s.summary.rows.read, 0)).toBe(whole.summary.rows.read);
    for (const shard of shards) expect(shard.summary.reconciliation.holds).toBe(true);
    const outDir = join(dir, 'merged');
    const merged = await mergeShards({ inputs: shards.map((s) => s.outDir), outDir });
    for (const file of ['predictions.csv', 'top_prospects.csv', 'rejects.csv']) {
      expect(readFileSync(join(outDir, file), 'utf8')).toBe(whole.read(file));
    }
    expect(withoutTiming(merged.summary)).toEqual(withoutTiming(whole.summary));
    const onDisk = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as ScoreSummary;
    expect(JSON.stringify(withoutTiming(onDisk))).toBe(
      JSON.stringify(withoutTiming(JSON.parse(whole.read('summary.json')))),
    );
    await expect(
      mergeShards({ inputs: shards.slice(0, 3).map((s) => s.outDir), outDir: join(dir, 'm2') }),
    ).rejects.toThrow(/every shard/);
  });

  it('scores the users format and the training format (extra Purchased column, other order) alike', async () => {
    const lines = users(500, 3).trim().split('\n').slice(1);
    const asUsers = writeFixture(
      dir,
      'users-format.csv',
      ['User ID,Age,AnnualSalary,Gender', ...lines].join('\n') + '\n',
    );
    const training = lines.map((line) => {
      const [id, age, salary, gender] = line.split(',');
      return `${id},${gender},${age},${salary},${Number(id) % 2}`;
    });
    const asTraining = writeFixture(
      dir,
      'training-format.csv',
      ['User ID,Gender,Age,AnnualSalary,Purchased', ...training].join('\r\n') + '\r\n',
    );
    const a = await score(asUsers);
    const b = await score(asTraining);
    expect(b.read('predictions.csv')).toBe(a.read('predictions.csv'));
    expect(b.summary.input.ignored_columns).toEqual(['Purchased']);
  });

  it('neither scores nor exports opted-out or suppressed customers, only counts them', async () => {
    const input = writeFixture(dir, 'optout.csv', users(2000, 5, 0.1));
    const suppress = writeFixture(dir, 'suppress.txt', '\uFEFF3\r\n4\n\n  5  \n999999\n');
    const { summary, read } = await score(input, { suppressFile: suppress });
    const optedOut = users(2000, 5, 0.1)
      .split('\n')
      .filter((line) => line.endsWith(',true'))
      .map((line) => line.split(',')[0]!);
    const hidden = new Set([...optedOut, '3', '4', '5']);
    expect(summary.rows.opted_out).toBe(hidden.size);
    expect(summary.rows.scored).toBe(2000 - hidden.size);
    const ids = (parse(read('predictions.csv'), { columns: true }) as Record<string, string>[]).map(
      (r) => r['User ID'],
    );
    expect(ids.filter((id) => hidden.has(id!))).toEqual([]);
    expect(read('predictions.csv')).not.toContain('MarketingOptOut');
  });

  it('writes spreadsheet-safe cells: no cell starts with = + - @ tab or CR', async () => {
    const input = writeFixture(
      dir,
      'inject.csv',
      withBadRows(100) + '"\tTAB",40,1000,Male\n"\rCR",41,1000,Male\n',
    );
    const { read } = await score(input, { maxRejectRate: 0.5 });
    for (const file of ['predictions.csv', 'top_prospects.csv', 'rejects.csv']) {
      const cells = (parse(read(file), { relax_column_count: true }) as string[][]).flat();
      expect(
        cells.filter((cell) => /^[=+\-@\t\r]/.test(cell)),
        file,
      ).toEqual([]);
    }
    const ids = (parse(read('predictions.csv'), { columns: true }) as Record<string, string>[]).map(
      (r) => r['User ID'],
    );
    // IDs are trimmed by the contract, so a leading tab or CR is gone before any output
    expect(ids).toEqual(expect.arrayContaining(['TAB', 'CR']));
    expect(ids).toEqual(
      expect.arrayContaining(['\'=HYPERLINK("x")', "'+danger", "'-minus", "'@at", 'quoted, id']),
    );
  });

  it('scores with a model that has no Gender input', async () => {
    const input = writeFixture(dir, 'nogender.csv', users(300, 9));
    const { summary } = await score(input, { modelDir: noGenderModel });
    expect(summary.rows.scored).toBe(300);
    expect(summary.model.features).toEqual(['Age', 'AnnualSalary']);
  });

  it('fails on too many rejects and leaves no outputs behind', async () => {
    const input = writeFixture(dir, 'rejecty.csv', withBadRows(50));
    const outDir = join(dir, 'rejecty');
    await expect(scoreFile({ modelDir: model, input, outDir, inference: 'main' })).rejects.toThrow(
      /break the data contract/,
    );
    expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
  });
});

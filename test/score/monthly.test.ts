import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_SHAPE, synthUsers } from '../../pipeline/data/synth.js';
import { readAll } from '../../pipeline/data/reader.js';
import { profileRecords } from '../../pipeline/drift/profile.js';
import { findUsersFile, previousMonth, runMonthly } from '../../pipeline/score/monthly.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';
import { writeTestModel } from './model-fixture.js';

const dir = useTempDir('propensity-monthly-');

describe('propensity monthly', () => {
  it('scores the users folder into reports/YYYY-MM, then drift against the reference and the previous month', async () => {
    const model = join(dir, 'model');
    writeTestModel(model);
    const users = join(dir, 'data', 'users');
    mkdirSync(users, { recursive: true });
    const reference = writeFixture(
      dir,
      'reference.csv',
      [...synthUsers({ ...DEFAULT_USER_SHAPE, rows: 800, seed: 1 })].join(''),
    );
    writeFileSync(
      join(model, 'reference-profile.json'),
      JSON.stringify(profileRecords((await readAll(reference, 'users')).records)),
    );
    writeFixture(
      users,
      'active_users.csv',
      [...synthUsers({ ...DEFAULT_USER_SHAPE, rows: 1200, seed: 2 })].join(''),
    );
    const reports = join(dir, 'reports');
    const october = await runMonthly({ month: '2026-10', modelDir: model, users, reportsDir: reports });
    expect(october.outDir).toBe(join(reports, '2026-10'));
    expect(october.score.summary.rows.scored).toBe(1200);
    expect(october.drift?.previousMonth).toBeNull();
    const november = await runMonthly({ month: '2026-11', modelDir: model, users, reportsDir: reports });
    expect(november.drift?.previousMonth).toBe('2026-10');
    expect(november.drift?.datasetDrift).toBe(false);
    for (const file of [
      'predictions.csv',
      'top_prospects.csv',
      'rejects.csv',
      'summary.json',
      'profile.json',
      'drift.json',
      'drift.html',
    ]) {
      expect(existsSync(join(reports, '2026-11', file)), file).toBe(true);
    }
  });

  it('takes the one CSV of a folder and refuses a folder with several', async () => {
    const folder = join(dir, 'two');
    mkdirSync(folder);
    writeFixture(folder, 'a.csv', 'x');
    expect(await findUsersFile(folder)).toBe(join(folder, 'a.csv'));
    writeFixture(folder, 'b.csv', 'x');
    await expect(findUsersFile(folder)).rejects.toThrow(/2 CSV files/);
  });

  it('knows the month before', () => {
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-11')).toBe('2026-10');
  });
});

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeDrift, runDrift } from '../../pipeline/drift/drift.js';
import { DEFAULT_DRIFT_CONFIG } from '../../pipeline/drift/config.js';
import { renderDriftReport } from '../../pipeline/report/drift-report.js';
import { buildSite } from '../../pipeline/report/site.js';
import { profileData, renderDataProfile } from '../../pipeline/report/eda.js';
import { synthHistory } from '../../pipeline/data/synth.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';
import { runCli } from '../helpers/cli.js';
import { CARD, month, writeHistory, writeModelDir, XSS, XSS_IMG } from './fixtures.js';

const dir = useTempDir('report-');
const reference = month({ rows: 1000, seed: 1 }).profile;

const svgCount = (html: string): number => (html.match(/<svg\b/g) ?? []).length;

function render(current: ReturnType<typeof month>, withPrevious = true) {
  const previous = withPrevious ? month({ rows: 2000, seed: 3 }) : undefined;
  const report = computeDrift(
    { profile: reference, label: 'reference-profile.json' },
    { profile: current.profile, label: '2026-11/profile.json' },
    DEFAULT_DRIFT_CONFIG,
    previous ? { profile: previous.profile, label: '2026-10/profile.json' } : undefined,
  );
  return renderDriftReport(report, {
    month: '2026-11',
    summary: current.summary,
    card: CARD,
    profiles: { reference, current: current.profile, previous: previous?.profile },
  });
}

describe('drift report', () => {
  it('leads with the verdict and has every section, self-contained', () => {
    const html = render(month({ rows: 3000, seed: 2, ageShift: 5, salaryScale: 1.3 }));
    const verdict = html.indexOf('id="verdict"');
    expect(verdict).toBeGreaterThan(0);
    expect(verdict).toBeLessThan(html.indexOf('<h2>Columns'));
    expect(html).toContain('Data drift detected against the training data');
    for (const section of ['Columns', 'Distributions', 'Score', 'Deciles', 'Fairness', 'The model']) {
      expect(html).toContain(`<h2>${section}</h2>`);
    }
    expect(svgCount(html)).toBe(4); // Age, AnnualSalary, Gender, score
    expect(html).toContain('Against the previous month');
    expect(html).toContain('Content-Security-Policy" content="default-src \'none\'');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|https?:\/\//i);
  });

  it('stays the same size whatever the number of rows, far under 1 MB', () => {
    const small = render(month({ rows: 1000, seed: 4 }));
    const large = render(month({ rows: 200000, seed: 5 }));
    expect(large.length).toBeLessThan(1_000_000);
    expect(Math.abs(large.length - small.length) / small.length).toBeLessThan(0.1);
  });

  it('escapes every value that comes from files', () => {
    const current = month({ rows: 1500, seed: 6 });
    const summary = {
      ...current.summary,
      month: XSS,
      fairness: {
        by_gender: {
          [XSS]: { scored: 700, likely_buyers: 300, selection_rate: 0.43 },
          [XSS_IMG]: { scored: 800, likely_buyers: 320, selection_rate: 0.4 },
        },
      },
    };
    const report = computeDrift(
      { profile: reference, label: XSS_IMG },
      { profile: current.profile, label: XSS },
      DEFAULT_DRIFT_CONFIG,
    );
    const html = renderDriftReport(report, {
      month: undefined,
      summary,
      card: { ...CARD, model: { ...CARD.model, learner: XSS, features: [XSS_IMG as 'Age'] } },
      profiles: { reference, current: current.profile },
    });
    expect(html).not.toContain(XSS);
    expect(html).not.toContain(XSS_IMG);
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
  });

  it('hides aggregates over fewer than 10 customers', () => {
    const tiny = month({ rows: 60, seed: 7 });
    const html = render(tiny, false);
    // Six customers per decile: every decile row says "< 10" and shows no expected conversions.
    expect((html.match(/<td>&lt; 10<\/td>/g) ?? []).length).toBeGreaterThanOrEqual(10);
    expect(html).toContain('Bins with fewer than 10 customers are drawn empty.');
  });

  it('runDrift writes drift.json and drift.html, picking up the month summary and the model card', async () => {
    const model = join(dir, 'model');
    writeModelDir(model, reference);
    const current = month({ rows: 1200, seed: 8, maleShare: 0.7 });
    const folder = join(dir, 'months', '2026-11');
    writeHistory(join(dir, 'months'), reference, [['2026-11', current]]);
    const out = join(dir, 'run-out');
    const report = await runDrift({
      reference: { dir: model },
      current: { profile: join(folder, 'profile.json') },
      outDir: out,
    });
    expect(report.columns.find((c) => c.name === 'Gender')!.drift).toBe(true);
    const html = readFileSync(join(out, 'drift.html'), 'utf8');
    expect(html).toContain('<h2>Deciles</h2>');
    expect(html).toContain('<h2>The model</h2>');
    expect(JSON.parse(readFileSync(join(out, 'drift.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
  });
});

describe('site', () => {
  it('builds an index, month pages, the model card and the guide from aggregates only', async () => {
    const history = join(dir, 'history');
    const model = join(dir, 'site-model');
    writeModelDir(model, reference);
    writeFileSync(join(model, 'data-profile.html'), '<!doctype html><title>profile</title>');
    const months = [
      ['2026-09', month({ rows: 1500, seed: 11 }, '2026-09')],
      ['2026-10', month({ rows: 1600, seed: 12, ageShift: 3 }, '2026-10')],
      ['2026-11', month({ rows: 1700, seed: 13, ageShift: 5, salaryScale: 1.3 }, '2026-11')],
    ] as [string, ReturnType<typeof month>][];
    writeHistory(history, reference, months);
    const out = join(dir, 'site');
    const result = await buildSite({ history, out, modelDir: model });
    expect(result.months).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(result.pages.sort()).toEqual(
      [
        'data-profile.html',
        'how-to-read.html',
        'index.html',
        'model.html',
        'months/2026-09.html',
        'months/2026-10.html',
        'months/2026-11.html',
      ].sort(),
    );
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).toContain('Latest month: <a href="months/2026-11.html">2026-11</a>');
    expect(svgCount(index)).toBe(3);
    // No row-level data: no customer ID of any month appears anywhere in the site.
    const files = readdirSync(out, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.html'));
    for (const file of files) {
      const text = readFileSync(join(out, file), 'utf8');
      for (const [, m] of months) expect(text.includes(m.ids[0]!), `${file} has a customer ID`).toBe(false);
      expect(text).not.toMatch(/CUST-\d+/);
    }
    expect(existsSync(join(out, 'months', 'predictions.csv'))).toBe(false);
  });

  it('survives malformed month files: a bad drift.json is recomputed from the profile, bad summary fields are left out', async () => {
    const history = join(dir, 'bad-history');
    const model = join(dir, 'bad-model');
    writeModelDir(model, reference);
    writeHistory(history, reference, [['2026-11', month({ rows: 900, seed: 41, ageShift: 5 })]]);
    writeFileSync(
      join(history, '2026-11', 'drift.json'),
      JSON.stringify({ version: 1, columns: [{ name: 'Age', statistic: 'x' }] }),
    );
    writeFileSync(
      join(history, '2026-11', 'summary.json'),
      JSON.stringify({ rows: { scored: 'many' }, deciles: [{ customers: '5' }], fairness: 7 }),
    );
    const out = join(dir, 'bad-site');
    await buildSite({ history, out, modelDir: model });
    const page = readFileSync(join(out, 'months', '2026-11.html'), 'utf8');
    expect(page).toContain('Age');
    expect(page).toMatch(/<td class=['"]yes['"]>drift<\/td>/);
    expect(page).not.toContain('<h2>Deciles</h2>');
    expect(page).not.toContain('<h2>Fairness</h2>');
  });

  it('propensity site runs from the built CLI', async () => {
    const history = join(dir, 'cli-history');
    writeHistory(history, reference, [['2026-11', month({ rows: 800, seed: 21 })]]);
    const run = await runCli(['site', '--history', history, '--out', join(dir, 'cli-site'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).months).toEqual(['2026-11']);
    expect(readFileSync(join(dir, 'cli-site', 'months', '2026-11.html'), 'utf8')).toContain(
      '2026-11: monthly report',
    );
  });
});

describe('data profile page', () => {
  it('counts missing and invalid values, computes band purchase rates and correlations', async () => {
    const history = [...synthHistory({ rows: 3000, seed: 31 })].join('');
    const bad = 'X1,Male,,50000,1\nX2,Female,abc,50000,0\nX3,Other,40,50000,0\nX4,Male,40,-5,1\n';
    const path = writeFixture(dir, 'history.csv', history + bad);
    const data = await profileData(path);
    expect(data.rowsRead).toBe(3004);
    expect(data.valid).toBe(3000);
    expect(data.rejectsByReason.age_missing).toBe(1);
    expect(data.rejectsByReason.age_not_integer).toBe(1);
    expect(data.rejectsByReason.gender_invalid).toBe(1);
    expect(data.rejectsByReason.salary_negative).toBe(1);
    // Direct computation of one heatmap cell and one correlation from the rows.
    const rows = history
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const cell = rows.filter(
      ([, , age, salary]) =>
        Number(age) >= 46 && Number(age) <= 55 && Number(salary) >= 40000 && Number(salary) < 70000,
    );
    expect(data.grid[3]![1]!.customers).toBe(cell.length);
    expect(data.grid[3]![1]!.buyers).toBe(cell.filter((r) => r[4] === '1').length);
    const age = rows.map((r) => Number(r[2]));
    const bought = rows.map((r) => Number(r[4]));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const [ma, mb] = [mean(age), mean(bought)];
    const cov = mean(age.map((a, i) => (a - ma) * (bought[i]! - mb)));
    const r = cov / Math.sqrt(mean(age.map((a) => (a - ma) ** 2)) * mean(bought.map((b) => (b - mb) ** 2)));
    expect(data.correlations.matrix[0]![3]).toBeCloseTo(r, 9);
    const html = renderDataProfile(data);
    expect(svgCount(html)).toBe(4);
    expect(html).toContain('Purchase rate by age and salary');
  });

  it('propensity profile writes the page', async () => {
    const path = writeFixture(dir, 'h2.csv', [...synthHistory({ rows: 500, seed: 32 })].join(''));
    const run = await runCli(['profile', '--data', path, '--out-dir', join(dir, 'eda'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).valid).toBe(500);
    expect(readFileSync(join(dir, 'eda', 'data-profile.html'), 'utf8')).toContain('<h1>Data profile</h1>');
  });
});

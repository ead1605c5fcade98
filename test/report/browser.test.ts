/**
 * The report, the site and the data profile page opened in headless Chromium: the verdict and every chart
 * render, nothing logs an error, nothing is requested from the network, and hostile values in the inputs
 * never run. Screenshots are kept under test-artifacts/ (not committed) for a person to look at.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DRIFT_CONFIG } from '../../pipeline/drift/config.js';
import { computeDrift } from '../../pipeline/drift/drift.js';
import { renderDriftReport } from '../../pipeline/report/drift-report.js';
import { writeDataProfilePage } from '../../pipeline/report/eda.js';
import { buildSite } from '../../pipeline/report/site.js';
import { synthHistory } from '../../pipeline/data/synth.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';
import { CARD, month, writeHistory, writeModelDir, XSS, XSS_IMG } from './fixtures.js';

const dir = useTempDir('browser-');
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => browser?.close());

interface Visit {
  errors: string[];
  requests: string[];
  dialogs: string[];
  charts: number;
  chartsWithShapes: number;
  verdict: string;
}

/** Opens a page from disk, recording console errors, page errors, non-file requests and dialogs. */
async function visit(file: string, screenshot: string): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const result: Visit = {
    errors: [],
    requests: [],
    dialogs: [],
    charts: 0,
    chartsWithShapes: 0,
    verdict: '',
  };
  page.on('console', (message) => {
    if (message.type() === 'error') result.errors.push(message.text());
  });
  page.on('pageerror', (error) => result.errors.push(error.message));
  page.on('dialog', async (dialog) => {
    result.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    result.requests.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForTimeout(100);
  result.charts = await page.locator('svg.chart').count();
  result.chartsWithShapes = await page
    .locator('svg.chart:has(rect.cur, path.cur, rect.ref, path.ref)')
    .count();
  result.verdict = (await page.locator('#verdict').first().innerText()).trim();
  await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
  await context.close();
  return result;
}

function expectClean(v: Visit): void {
  expect(v.errors).toEqual([]);
  expect(v.requests).toEqual([]);
  expect(v.dialogs).toEqual([]);
  expect(v.chartsWithShapes).toBe(v.charts);
}

describe('in a browser', () => {
  it('the drift report shows the verdict and every chart, makes no request, runs no injected script', async () => {
    const reference = month({ rows: 1000, seed: 1 }).profile;
    const previous = month({ rows: 3000, seed: 2, ageShift: 2 });
    const current = month({ rows: 3000, seed: 3, ageShift: 5, salaryScale: 1.3 });
    const report = computeDrift(
      { profile: reference, label: XSS_IMG },
      { profile: current.profile, label: XSS },
      DEFAULT_DRIFT_CONFIG,
      { profile: previous.profile, label: '2026-10/profile.json' },
    );
    const summary = {
      ...current.summary,
      fairness: {
        ...(current.summary.fairness as object),
        by_gender: {
          [XSS]: { scored: 1500, likely_buyers: 600, selection_rate: 0.4 },
          Male: { scored: 1500, likely_buyers: 700, selection_rate: 0.47 },
        },
      },
    };
    const file = writeFixture(
      dir,
      'drift.html',
      renderDriftReport(report, {
        month: '2026-11',
        summary,
        card: { ...CARD, model: { ...CARD.model, learner: XSS } },
        profiles: { reference, current: current.profile, previous: previous.profile },
      }),
    );
    const v = await visit(file, 'drift-report.png');
    expectClean(v);
    expect(v.charts).toBe(4);
    expect(v.verdict).toContain('Data drift detected against the training data');
  });

  it('the site: index, every month page, the model and the guide', async () => {
    const reference = month({ rows: 1000, seed: 1 }).profile;
    const history = join(dir, 'history');
    const model = join(dir, 'model');
    writeModelDir(model, reference, { ...CARD, created_by: XSS });
    await writeDataProfilePage(
      writeFixture(dir, 'history.csv', [...synthHistory({ rows: 1000, seed: 5 })].join('')),
      model,
    );
    writeHistory(history, reference, [
      ['2026-09', month({ rows: 1500, seed: 11 }, '2026-09')],
      ['2026-10', month({ rows: 1500, seed: 12, maleShare: 0.7 }, '2026-10')],
      ['2026-11', month({ rows: 1500, seed: 13, ageShift: 5, salaryScale: 1.3 }, '2026-11')],
    ]);
    // A hostile month summary: its strings must stay text.
    writeFileSync(
      join(history, '2026-11', 'summary.json'),
      JSON.stringify({ ...month({ rows: 1500, seed: 13 }).summary, month: XSS }),
    );
    const out = join(dir, 'site');
    await buildSite({ history, out, modelDir: model });
    const index = await visit(join(out, 'index.html'), 'site-index.png');
    expectClean(index);
    expect(index.charts).toBe(3);
    expect(index.verdict).toContain('Data drift detected');
    for (const page of readdirSync(join(out, 'months'))) {
      const v = await visit(join(out, 'months', page), `site-${page.replace('.html', '')}.png`);
      expectClean(v);
      expect(v.charts).toBe(4);
      expect(v.verdict.length).toBeGreaterThan(10);
    }
    for (const page of ['model.html', 'how-to-read.html']) {
      const context = await browser.newContext();
      const p = await context.newPage();
      const dialogs: string[] = [];
      p.on('dialog', async (d) => {
        dialogs.push(d.message());
        await d.dismiss();
      });
      await p.goto(pathToFileURL(join(out, page)).href);
      expect(await p.locator('h1').innerText()).toMatch(/model|read/i);
      expect(dialogs).toEqual([]);
      await context.close();
    }
    const profile = await visit(join(out, 'data-profile.html'), 'data-profile.png');
    expectClean(profile);
    expect(profile.charts).toBe(4);
  });
});

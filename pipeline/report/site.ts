/**
 * The static GitHub Pages site, built from the month folders (`YYYY-MM/`) that scoring and drift write:
 * an index with the latest month and the trends over all months, one page per month, the model card, and
 * a short "how to read this" for the commercial team.
 *
 * Aggregates only: the site reads each month's drift.json, summary.json and profile.json and renders
 * counts, shares and statistics from them; it never copies a month's files (predictions, rejects) and
 * never shows an aggregate over fewer than MIN_GROUP customers.
 */
import { copyFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { log } from '../log.js';
import { writeFileAtomic } from '../io/atomic.js';
import { DATA_PROFILE_PAGE, readCard, REFERENCE_PROFILE_FILE, type ModelCard } from '../model/card.js';
import {
  computeDrift,
  isDriftReport,
  DRIFT_JSON,
  PROFILE_FILE,
  readOptionalJson,
  SUMMARY_FILE,
  type DriftReport,
} from '../drift/drift.js';
import { DEFAULT_DRIFT_CONFIG } from '../drift/config.js';
import { FEATURE_COLUMNS } from '../drift/compare.js';
import { profileProblems, readProfile, type Profile } from '../drift/profile.js';
import { lineChart, type ChartModel } from './charts.js';
import { driftReportView, fmt } from './drift-report.js';
import { MIN_GROUP, monthFacts, suppressed } from './summary.js';
import { renderTemplate } from './templates.js';

/** The EDA page `propensity profile` writes beside the model; the site links a copy of it. */

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

interface MonthData {
  month: string;
  drift: DriftReport | null;
  summary: unknown;
  profile: Profile | null;
}

export interface SiteOptions {
  /** The folder holding one `YYYY-MM/` folder per month. */
  history: string;
  out: string;
  /** The model directory: its card and reference profile (for the charts) and its data profile page. */
  modelDir?: string;
}

export interface SiteResult {
  months: string[];
  pages: string[];
}

async function readMonth(dir: string, month: string): Promise<MonthData> {
  const folder = join(dir, month);
  const drift = await readOptionalJson(folder, DRIFT_JSON);
  const rawProfile = await readOptionalJson(folder, PROFILE_FILE);
  const profile =
    rawProfile !== undefined && profileProblems(rawProfile).length === 0 ? (rawProfile as Profile) : null;
  if (rawProfile !== undefined && !profile)
    log.warn(`${month}/${PROFILE_FILE} is not a valid profile: left out`);
  const validDrift = isDriftReport(drift) ? drift : null;
  if (drift !== undefined && !validDrift)
    log.warn(`${month}/${DRIFT_JSON} is not a drift report of this version: left out`);
  return { month, drift: validDrift, summary: await readOptionalJson(folder, SUMMARY_FILE), profile };
}

const NAV = (prefix: string) => [
  { href: `${prefix}index.html`, text: 'Latest month' },
  { href: `${prefix}model.html`, text: 'The model' },
  { href: `${prefix}how-to-read.html`, text: 'How to read this' },
];

/** The number of scored customers of a month: from its summary, else its profile. */
function volume(month: MonthData): number | null {
  return monthFacts(month.summary).scored ?? month.profile?.rows ?? month.drift?.current.rows ?? null;
}

function trendCharts(months: MonthData[]): ChartModel[] {
  const labels = months.map((m) => m.month);
  const show = (value: number | null, customers: number | null) =>
    value === null || customers === null || suppressed(customers) === null ? NaN : value;
  const charts: ChartModel[] = [
    lineChart('Customers scored per month', labels, [
      { name: 'customers scored', cls: 'cur', values: months.map((m) => show(volume(m), volume(m))) },
    ]),
    lineChart('Expected buyers per month (sum of probabilities)', labels, [
      {
        name: 'expected buyers',
        cls: 'cur',
        values: months.map((m) => show(monthFacts(m.summary).expectedBuyers, volume(m))),
      },
      {
        name: 'likely buyers',
        cls: 'prev',
        values: months.map((m) => show(likelyBuyers(m.summary), volume(m))),
      },
    ]),
  ];
  const psiSeries = [...FEATURE_COLUMNS, 'score'].map((name, k) => ({
    name: name === 'score' ? 'predicted probability' : name,
    cls: ['ref', 'prev', 'cur', 'alt'][k]!,
    values: months.map((m) => {
      const column = name === 'score' ? m.drift?.score : m.drift?.columns.find((c) => c.name === name);
      return column ? column.psi : NaN;
    }),
  }));
  charts.push(
    lineChart('PSI against the training data, per column', labels, psiSeries, {
      note: 'Below 0.1 stable, 0.1 to 0.25 watch, above 0.25 act.',
    }),
  );
  return charts;
}

function likelyBuyers(summary: unknown): number | null {
  const value = (summary as { likely_buyers?: unknown } | undefined)?.likely_buyers;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function driftTable(months: MonthData[]) {
  return months
    .slice()
    .reverse()
    .map((m) => {
      const customers = volume(m);
      return {
        month: m.month,
        href: `months/${m.month}.html`,
        customers:
          customers === null
            ? '—'
            : suppressed(customers) === null
              ? `< ${MIN_GROUP}`
              : customers.toLocaleString('en-US'),
        verdict: m.drift ? (m.drift.dataset_drift ? 'drift' : 'no drift') : '—',
        verdictCls: m.drift ? (m.drift.dataset_drift ? 'yes' : 'no') : '',
        columns: FEATURE_COLUMNS.map((name) => {
          const c = m.drift?.columns.find((col) => col.name === name);
          return c
            ? { text: `${c.drift ? 'drift' : 'ok'} · PSI ${fmt(c.psi, 3)}`, cls: c.drift ? 'yes' : 'no' }
            : { text: '—', cls: '' };
        }),
        score: m.drift?.score
          ? {
              text: `${fmt(m.drift.score.psi, 3)} (${m.drift.score.psi_band})`,
              cls: `band-${m.drift.score.psi_band}`,
            }
          : { text: '—', cls: '' },
      };
    });
}

function cardPage(card: ModelCard | undefined) {
  if (!card) return { title: 'The model', nav: NAV(''), card: null, metrics: [], json: '' };
  const holdout = (card.holdout ?? {}) as Record<string, unknown>;
  const metrics = Object.entries(holdout)
    .filter(([, v]) => typeof v === 'number')
    .map(([name, v]) => ({ name, value: fmt(v as number, 4) }));
  return {
    title: `The model (version ${card.version})`,
    nav: NAV(''),
    card: driftReportView(emptyReport(), { card }).card,
    metrics,
    json: JSON.stringify(card, null, 2),
  };
}

function emptyReport(): DriftReport {
  const side = { label: '', rows: 0 };
  return {
    version: 1,
    dataset_drift: false,
    share_drifted: 0,
    drifted_columns: 0,
    share_threshold: 0.5,
    columns: [],
    score: null,
    reference: side,
    current: side,
    previous: null,
  };
}

/** Builds the site into `out`; returns the months and the pages written (relative to `out`). */
export async function buildSite(options: SiteOptions): Promise<SiteResult> {
  const entries = await readdir(options.history, { withFileTypes: true }).catch(() => []);
  const monthNames = entries
    .filter((e) => e.isDirectory() && MONTH.test(e.name))
    .map((e) => e.name)
    .sort();
  const months = await Promise.all(monthNames.map((m) => readMonth(options.history, m)));
  const card = options.modelDir ? await readCard(options.modelDir).catch(() => undefined) : undefined;
  const reference = options.modelDir
    ? await readProfile(join(options.modelDir, REFERENCE_PROFILE_FILE)).catch(() => undefined)
    : undefined;
  const pages: string[] = [];
  const write = async (name: string, html: string) => {
    await writeFileAtomic(join(options.out, name), html);
    pages.push(name);
  };

  for (const [i, m] of months.entries()) {
    const previous = months[i - 1];
    let drift = m.drift;
    if (!drift && reference && m.profile) {
      drift = computeDrift(
        { profile: reference, label: REFERENCE_PROFILE_FILE },
        { profile: m.profile, label: `${m.month}/${PROFILE_FILE}` },
        DEFAULT_DRIFT_CONFIG,
      );
    }
    if (!drift) {
      log.warn(
        `${m.month}: no ${DRIFT_JSON} and no profile to compute it from: the month page shows the summary only`,
      );
    }
    const profiles =
      reference && m.profile
        ? { reference, current: m.profile, previous: previous?.profile ?? undefined }
        : undefined;
    const view = driftReportView(
      drift ?? emptyReport(),
      { month: m.month, summary: m.summary, card, profiles },
      { nav: NAV('../') },
    );
    await write(
      `months/${m.month}.html`,
      renderTemplate('drift', { ...view, title: `${m.month}: monthly report` }),
    );
  }

  const latest = months[months.length - 1];
  const latestView = latest
    ? driftReportView(latest.drift ?? emptyReport(), { month: latest.month, summary: latest.summary })
    : null;
  let dataProfile = false;
  if (options.modelDir) {
    const source = join(options.modelDir, DATA_PROFILE_PAGE);
    if (
      await stat(source)
        .then((s) => s.isFile())
        .catch(() => false)
    ) {
      await copyFile(source, join(options.out, DATA_PROFILE_PAGE));
      pages.push(DATA_PROFILE_PAGE);
      dataProfile = true;
    }
  }
  await write(
    'index.html',
    renderTemplate('site-index', {
      title: 'Car-loan propensity: monthly reports',
      nav: NAV(''),
      latest: latest
        ? {
            month: latest.month,
            href: `months/${latest.month}.html`,
            verdict: latest.drift ? latestView!.verdict : null,
            expectedBuyers: latestView!.expectedBuyers,
            volume:
              volume(latest) !== null && suppressed(volume(latest)!) !== null
                ? volume(latest)!.toLocaleString('en-US')
                : null,
          }
        : null,
      charts: months.length > 0 ? trendCharts(months) : [],
      columnNames: FEATURE_COLUMNS,
      table: driftTable(months),
      dataProfile,
      minGroup: MIN_GROUP,
    }),
  );
  await write('model.html', renderTemplate('site-model', cardPage(card)));
  await write(
    'how-to-read.html',
    renderTemplate('site-help', { title: 'How to read these reports', nav: NAV(''), minGroup: MIN_GROUP }),
  );
  await writeFileAtomic(join(options.out, '.nojekyll'), '');
  return { months: monthNames, pages };
}

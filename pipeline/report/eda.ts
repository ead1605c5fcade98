/**
 * The exploratory profile of a data set (what the original project got from pandas-profiling): each
 * column's distribution, missing and invalid counts, the purchase rate by age band and salary band as a
 * heatmap, and the correlations. One self-contained HTML page (`data-profile.html`), aggregates only,
 * computed while streaming the files, so its cost in memory does not grow with the rows.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readDataFile, type ReadSummary } from '../data/reader.js';
import { REJECT_REASONS, type Kind, type RejectReason } from '../data/schema.js';
import { writeFileAtomic } from '../io/atomic.js';
import { dataFiles } from '../learn/dataset.js';
import { ProfileBuilder, type Profile } from '../drift/profile.js';
import { barChart, formatNumber } from './charts.js';
import { profileHistogram } from './drift-report.js';
import { MIN_GROUP, suppressed } from './summary.js';
import { renderTemplate } from './templates.js';
import { DATA_PROFILE_PAGE } from '../model/card.js';

/** Age bands (inclusive) and salary bands [lo, hi) of the heatmap. */
export const EDA_AGE_BANDS: [number, number][] = [
  [18, 25],
  [26, 35],
  [36, 45],
  [46, 55],
  [56, 65],
  [66, 100],
];
export const EDA_SALARY_BANDS: [number, number][] = [
  [0, 40000],
  [40000, 70000],
  [70000, 100000],
  [100000, 130000],
  [130000, Infinity],
];

const VARIABLES = ['Age', 'AnnualSalary', 'Male', 'Purchased'] as const;

export interface DataProfile {
  files: string[];
  labeled: boolean;
  rowsRead: number;
  valid: number;
  optedOut: number;
  rejected: number;
  rejectsByReason: Record<RejectReason, number>;
  profile: Profile;
  purchased: { buyers: number; nonBuyers: number };
  /** [age band][salary band]: customers and buyers. */
  grid: { customers: number; buyers: number }[][];
  /** Pearson correlations between VARIABLES (Male: 1 for men; Purchased only for labeled data). */
  correlations: { names: string[]; matrix: number[][] };
}

const bandOf = (bands: [number, number][], value: number, inclusive: boolean): number =>
  bands.findIndex(([lo, hi]) => (inclusive ? value >= lo && value <= hi : value >= lo && value < hi));

async function isLabeled(file: string): Promise<boolean> {
  const head = (await readFile(file, 'utf8')).slice(0, 4096).split(/\r?\n/, 1)[0] ?? '';
  return head
    .split(',')
    .map((h) =>
      h
        .replace(/^\uFEFF/, '')
        .replace(/"/g, '')
        .trim()
        .toLowerCase(),
    )
    .includes('purchased');
}

/** Streams the CSV file(s) of `path` (a file or a directory of them) into a DataProfile. */
export async function profileData(path: string): Promise<DataProfile> {
  const files = await dataFiles(path);
  const labeled = (await Promise.all(files.map(isLabeled))).every(Boolean);
  const kind: Kind = labeled ? 'training' : 'users';
  const builder = new ProfileBuilder();
  const grid = EDA_AGE_BANDS.map(() => EDA_SALARY_BANDS.map(() => ({ customers: 0, buyers: 0 })));
  const k = labeled ? 4 : 3;
  const sums = new Float64Array(k);
  const products = new Float64Array(k * k);
  const x = new Float64Array(k);
  let buyers = 0;
  const totals = { rowsRead: 0, valid: 0, optedOut: 0, rejected: 0 };
  const byReason = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  for (const file of files) {
    const summary: ReadSummary = await readDataFile(file, {
      kind,
      onBatch: (batch) => {
        for (const r of batch.records) {
          builder.addRow(r.age, r.salary, r.gender);
          const purchased = 'purchased' in r ? (r.purchased as number) : 0;
          buyers += purchased;
          const cell = grid[bandOf(EDA_AGE_BANDS, r.age, true)]?.[bandOf(EDA_SALARY_BANDS, r.salary, false)];
          if (cell) {
            cell.customers++;
            cell.buyers += purchased;
          }
          x[0] = r.age;
          x[1] = r.salary;
          x[2] = r.gender === 'Male' ? 1 : 0;
          if (labeled) x[3] = purchased;
          for (let i = 0; i < k; i++) {
            sums[i]! += x[i]!;
            for (let j = 0; j < k; j++) products[i * k + j]! += x[i]! * x[j]!;
          }
        }
      },
    });
    totals.rowsRead += summary.rowsRead;
    totals.valid += summary.valid;
    totals.optedOut += summary.optedOut;
    totals.rejected += summary.rejected;
    for (const [reason, count] of Object.entries(summary.rejectsByReason))
      byReason[reason as RejectReason] += count ?? 0;
  }
  const n = totals.valid;
  const matrix = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => {
      const cov = products[i * k + j]! / n - (sums[i]! / n) * (sums[j]! / n);
      const vi = products[i * k + i]! / n - (sums[i]! / n) ** 2;
      const vj = products[j * k + j]! / n - (sums[j]! / n) ** 2;
      return vi > 0 && vj > 0 ? cov / Math.sqrt(vi * vj) : NaN;
    }),
  );
  return {
    files: files.map((f) => basename(f)),
    labeled,
    ...totals,
    rejectsByReason: byReason,
    profile: builder.toJSON(),
    purchased: { buyers, nonBuyers: n - buyers },
    grid,
    correlations: { names: VARIABLES.slice(0, k), matrix },
  };
}

/** Which column a reject reason is about, and whether the value was missing or invalid. */
const REASON_COLUMN: Record<RejectReason, [string, 'missing' | 'invalid']> = {
  wrong_field_count: ['(whole row)', 'invalid'],
  missing_user_id: ['User ID', 'missing'],
  duplicate_user_id: ['User ID', 'invalid'],
  age_missing: ['Age', 'missing'],
  age_not_integer: ['Age', 'invalid'],
  age_out_of_range: ['Age', 'invalid'],
  salary_missing: ['AnnualSalary', 'missing'],
  salary_not_number: ['AnnualSalary', 'invalid'],
  salary_negative: ['AnnualSalary', 'invalid'],
  gender_invalid: ['Gender', 'invalid'],
  purchased_invalid: ['Purchased', 'invalid'],
  opt_out_invalid: ['MarketingOptOut', 'invalid'],
};

const heatClass = (rate: number): string => `heat-${Math.min(9, Math.floor(rate * 10))}`;
const fmtInt = (v: number): string => v.toLocaleString('en-US');
const shown = (count: number): string => (suppressed(count) === null ? `< ${MIN_GROUP}` : fmtInt(count));

export function dataProfileView(data: DataProfile) {
  const columns = new Map<string, { missing: number; invalid: number }>();
  for (const name of [
    'User ID',
    'Age',
    'AnnualSalary',
    'Gender',
    ...(data.labeled ? ['Purchased'] : []),
    '(whole row)',
  ]) {
    columns.set(name, { missing: 0, invalid: 0 });
  }
  for (const [reason, count] of Object.entries(data.rejectsByReason)) {
    const [column, what] = REASON_COLUMN[reason as RejectReason];
    const entry = columns.get(column) ?? { missing: 0, invalid: 0 };
    entry[what] += count;
    columns.set(column, entry);
  }
  const charts = [
    profileHistogram('Age', data.profile),
    profileHistogram('AnnualSalary', data.profile),
    barChart(
      'Gender: customers',
      ['Female', 'Male'],
      [
        {
          name: 'customers',
          cls: 'cur',
          values: ['Female', 'Male'].map(
            (g) => suppressed(data.profile.categorical.Gender.counts[g] ?? 0) ?? 0,
          ),
        },
      ],
      { format: (v) => formatNumber(v, 0) },
    ),
  ];
  if (data.labeled) {
    charts.push(
      barChart(
        'Purchased: customers',
        ['0 (did not buy)', '1 (bought)'],
        [
          {
            name: 'customers',
            cls: 'cur',
            values: [suppressed(data.purchased.nonBuyers) ?? 0, suppressed(data.purchased.buyers) ?? 0],
          },
        ],
        { format: (v) => formatNumber(v, 0) },
      ),
    );
  }
  const salaryLabel = ([lo, hi]: [number, number]) =>
    hi === Infinity ? `${formatNumber(lo)}+` : `${formatNumber(lo)}–${formatNumber(hi)}`;
  return {
    title: 'Data profile',
    nav: [],
    files: data.files.join(', '),
    counts: {
      rowsRead: fmtInt(data.rowsRead),
      valid: fmtInt(data.valid),
      rejected: fmtInt(data.rejected),
      optedOut: fmtInt(data.optedOut),
      buyers: data.labeled ? shown(data.purchased.buyers) : null,
      rate:
        data.labeled && data.valid >= MIN_GROUP
          ? `${((100 * data.purchased.buyers) / data.valid).toFixed(1)}%`
          : null,
    },
    quality: [...columns.entries()].map(([name, c]) => ({
      name,
      missing: fmtInt(c.missing),
      invalid: fmtInt(c.invalid),
    })),
    charts,
    labeled: data.labeled,
    heat: {
      salaryBands: EDA_SALARY_BANDS.map(salaryLabel),
      rows: EDA_AGE_BANDS.map(([lo, hi], a) => ({
        band: hi >= 100 ? `${lo}+` : `${lo}–${hi}`,
        cells: data.grid[a]!.map((cell) => {
          if (suppressed(cell.customers) === null || cell.customers === 0) {
            return { text: cell.customers === 0 ? '—' : `< ${MIN_GROUP}`, detail: '', cls: 'heat-none' };
          }
          const rate = cell.buyers / cell.customers;
          return {
            text: `${(100 * rate).toFixed(0)}%`,
            detail: `${fmtInt(cell.customers)} customers`,
            cls: heatClass(rate),
          };
        }),
      })),
    },
    correlations: {
      names: data.correlations.names,
      rows: data.correlations.names.map((name, i) => ({
        name,
        cells: data.correlations.matrix[i]!.map((r) => ({
          text: Number.isFinite(r) ? r.toFixed(2) : '—',
          cls: Number.isFinite(r) ? heatClass(Math.abs(r)) : 'heat-none',
        })),
      })),
    },
    minGroup: MIN_GROUP,
  };
}

export function renderDataProfile(data: DataProfile): string {
  return renderTemplate('data-profile', dataProfileView(data));
}

/** Profiles `dataPath` and writes `data-profile.html` into `outDir` (train calls this beside the model). */
export async function writeDataProfilePage(
  dataPath: string,
  outDir: string,
): Promise<{ path: string; profile: DataProfile }> {
  const profile = await profileData(dataPath);
  const path = join(outDir, DATA_PROFILE_PAGE);
  await writeFileAtomic(path, renderDataProfile(profile));
  return { path, profile };
}

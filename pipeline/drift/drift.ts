/**
 * A drift run: this month's profile against the reference the model was trained on (and against the
 * previous month when its profile is at hand), written as `drift.json` and the readable `drift.html`.
 * The monthly job and the publish action call `runDrift`; the CLI `propensity drift` wraps it.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readDataFile } from '../data/reader.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { CONFIG_FILE, readCard, REFERENCE_PROFILE_FILE, type ModelCard } from '../model/card.js';
import { renderDriftReport } from '../report/drift-report.js';
import { log } from '../log.js';
import { compareProfiles, type Comparison } from './compare.js';
import { loadDriftConfig, type DriftConfig } from './config.js';
import { ProfileBuilder, readProfile, type Profile } from './profile.js';

export const DRIFT_JSON = 'drift.json';
export const DRIFT_HTML = 'drift.html';
/** The scorer's month summary, beside the month's profile.json. */
export const SUMMARY_FILE = 'summary.json';
export const PROFILE_FILE = 'profile.json';

export interface SideInfo {
  /** A file name (never a full path: reports travel). */
  label: string;
  rows: number;
}

/** drift.json. */
export interface DriftReport extends Comparison {
  version: 1;
  reference: SideInfo;
  current: SideInfo;
  /** The current month against the previous one, when its profile was given. */
  previous: (Comparison & { against: SideInfo }) | null;
}

const isNumberOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));

function isColumnDrift(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.name === 'string' &&
    (c.type === 'num' || c.type === 'cat') &&
    typeof c.test === 'string' &&
    typeof c.statistic === 'number' &&
    isNumberOrNull(c.p_value) &&
    typeof c.threshold === 'number' &&
    typeof c.drift === 'boolean' &&
    typeof c.psi === 'number' &&
    ['stable', 'watch', 'act'].includes(c.psi_band as string)
  );
}

function isComparison(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.dataset_drift === 'boolean' &&
    typeof c.share_drifted === 'number' &&
    typeof c.drifted_columns === 'number' &&
    typeof c.share_threshold === 'number' &&
    Array.isArray(c.columns) &&
    c.columns.every(isColumnDrift) &&
    (c.score === null || isColumnDrift(c.score))
  );
}

/** Whether a parsed drift.json has the shape this version writes (the site reads them from old releases). */
export function isDriftReport(value: unknown): value is DriftReport {
  if (!isComparison(value)) return false;
  const r = value as Record<string, unknown>;
  const side = (s: unknown) =>
    typeof s === 'object' &&
    s !== null &&
    typeof (s as SideInfo).label === 'string' &&
    typeof (s as SideInfo).rows === 'number';
  const previous = r.previous as Record<string, unknown> | null;
  return (
    r.version === 1 &&
    side(r.reference) &&
    side(r.current) &&
    (previous === null || (isComparison(previous) && side(previous.against)))
  );
}

export function computeDrift(
  reference: { profile: Profile; label: string },
  current: { profile: Profile; label: string },
  config: DriftConfig,
  previous?: { profile: Profile; label: string },
): DriftReport {
  const main = compareProfiles(reference.profile, current.profile, config);
  return {
    version: 1,
    ...main,
    reference: { label: reference.label, rows: reference.profile.rows },
    current: { label: current.label, rows: current.profile.rows },
    previous: previous
      ? {
          ...compareProfiles(previous.profile, current.profile, config),
          against: { label: previous.label, rows: previous.profile.rows },
        }
      : null,
  };
}

/** Profiles a users or training CSV (valid rows only; the reader counts and reports the rest). */
export async function profileDataFile(path: string): Promise<Profile> {
  const builder = new ProfileBuilder();
  const summary = await readDataFile(path, {
    kind: 'users',
    onBatch: (batch) => {
      for (const r of batch.records) builder.addRow(r.age, r.salary, r.gender);
    },
  });
  if (summary.rejected > 0) log.warn(`${path}: ${summary.rejected} rows rejected, not profiled`);
  return builder.toJSON();
}

/** Where a profile comes from: a model directory (its reference profile), a profile file, or a CSV. */
export type ProfileSource = { dir: string } | { profile: string } | { data: string };

export async function loadProfileSource(source: ProfileSource): Promise<{ profile: Profile; label: string }> {
  if ('data' in source) return { profile: await profileDataFile(source.data), label: basename(source.data) };
  if ('dir' in source) {
    const path = join(source.dir, REFERENCE_PROFILE_FILE);
    return { profile: await readProfile(path), label: `${basename(source.dir)}/${REFERENCE_PROFILE_FILE}` };
  }
  // A month's profile is known by its folder: 2026-11/profile.json.
  return {
    profile: await readProfile(source.profile),
    label: `${basename(dirname(resolve(source.profile)))}/${basename(source.profile)}`,
  };
}

/** A path given as `--reference`: a directory means a model directory. */
export async function referenceSource(path: string): Promise<ProfileSource> {
  const info = await stat(path).catch(() => undefined);
  return info?.isDirectory() ? { dir: path } : { profile: path };
}

export interface RunDriftOptions {
  reference: ProfileSource;
  current: ProfileSource;
  previous?: ProfileSource;
  outDir: string;
  /** Drift settings; defaults to the "drift" section of the model directory's config.json, if any. */
  config?: DriftConfig;
  /** Extra sections for the HTML report when available. */
  context?: ReportContext;
}

/** What the report shows beyond drift when the month folder and the model directory provide it. */
export interface ReportContext {
  month?: string;
  /** The month's summary.json as the scorer writes it. */
  summary?: unknown;
  card?: ModelCard;
  /** The profiles themselves, for the charts (set by runDrift). */
  profiles?: { reference: Profile; current: Profile; previous?: Profile };
}

/**
 * Compares, then writes `drift.json` and `drift.html` into `outDir`. When the current profile sits in a
 * month folder with the scorer's `summary.json`, and the reference is a model directory with its card,
 * the report shows them too (unless `context` already provides them).
 */
export async function runDrift(options: RunDriftOptions): Promise<DriftReport> {
  const config =
    options.config ??
    ('dir' in options.reference
      ? await loadDriftConfig(join(options.reference.dir, CONFIG_FILE))
      : await loadDriftConfig(''));
  const reference = await loadProfileSource(options.reference);
  const current = await loadProfileSource(options.current);
  const previous = options.previous ? await loadProfileSource(options.previous) : undefined;
  const report = computeDrift(reference, current, config, previous);
  const context: ReportContext = {
    summary: await readOptionalJson(folderOf(options.current), SUMMARY_FILE),
    card:
      'dir' in options.reference ? await readCard(options.reference.dir).catch(() => undefined) : undefined,
    ...options.context,
    profiles: { reference: reference.profile, current: current.profile, previous: previous?.profile },
  };
  await writeJsonAtomic(join(options.outDir, DRIFT_JSON), report);
  await writeFileAtomic(join(options.outDir, DRIFT_HTML), renderDriftReport(report, context));
  return report;
}

/** The folder a profile file sits in (a month folder holds profile.json beside summary.json). */
function folderOf(source: ProfileSource): string | undefined {
  return 'profile' in source ? dirname(source.profile) : undefined;
}

/** A JSON file that may be absent or unreadable: the report then leaves its section out. */
export async function readOptionalJson(dir: string | undefined, file: string): Promise<unknown> {
  if (!dir) return undefined;
  try {
    return JSON.parse(await readFile(join(dir, file), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `propensity monthly` (`npm start`): the month's job as one command. Scores the active users with the
 * champion into `reports/YYYY-MM/`, then measures drift against the model's reference profile (and the
 * previous month's profile, when that month was run here) and writes the drift report beside the scores.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDriftConfig } from '../drift/config.js';
import { DRIFT_HTML, DRIFT_JSON, runDrift } from '../drift/drift.js';
import { readProfile } from '../drift/profile.js';
import { DataFileError } from '../errors.js';
import { log } from '../log.js';
import { CONFIG_FILE, REFERENCE_PROFILE_FILE } from '../model/card.js';
import { resolveMonth } from './run-options.js';
import { scoreFile, type ScoreResult } from './score.js';
import { PROFILE_FILE } from './summary.js';

export interface MonthlyOptions {
  month?: string;
  modelDir?: string;
  /** A users CSV, or a directory holding exactly one. */
  users?: string;
  reportsDir?: string;
  threads?: number;
}

export interface MonthlyResult {
  month: string;
  outDir: string;
  input: string;
  score: ScoreResult;
  /** Files written, beyond the scoring outputs. */
  drift: { files: string[]; datasetDrift: boolean; previousMonth: string | null } | null;
}

/** The month before YYYY-MM. */
export function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
}

/** The users file: the path itself, or the one CSV in the directory. */
export async function findUsersFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info)
    throw new DataFileError(
      path,
      'does not exist',
      "put the month's users export (CSV) in data/users/, or pass --users FILE",
    );
  if (info.isFile()) return path;
  const csvs = (await readdir(path)).filter((name) => name.toLowerCase().endsWith('.csv')).sort();
  if (csvs.length === 1) return join(path, csvs[0]!);
  throw new DataFileError(
    path,
    csvs.length === 0
      ? 'holds no CSV file'
      : `holds ${csvs.length} CSV files (${csvs.join(', ')}); a month is one export`,
    'keep exactly one users export in the folder, or pass --users FILE',
  );
}

export async function runMonthly(options: MonthlyOptions = {}): Promise<MonthlyResult> {
  const month = resolveMonth(options.month);
  const modelDir = options.modelDir ?? 'model';
  const reportsDir = options.reportsDir ?? 'reports';
  const input = await findUsersFile(options.users ?? join('data', 'users'));
  const outDir = join(reportsDir, month);
  const withDrift = existsSync(join(modelDir, REFERENCE_PROFILE_FILE));
  // Settings checked before any scoring: bad drift settings must not leave a month scored but unchecked.
  const driftConfig = withDrift ? await loadDriftConfig(join(modelDir, CONFIG_FILE)) : undefined;
  if (withDrift) await readProfile(join(modelDir, REFERENCE_PROFILE_FILE)); // and the reference profile
  log.info(`monthly run ${month}: scoring ${input} with ${modelDir}`);
  const score = await scoreFile({ modelDir, input, outDir, month, threads: options.threads });

  let drift: MonthlyResult['drift'] = null;
  if (withDrift) {
    const previous = previousMonth(month);
    const previousProfile = join(reportsDir, previous, PROFILE_FILE);
    const hasPrevious = existsSync(previousProfile);
    const report = await runDrift({
      reference: { dir: modelDir },
      current: { profile: join(outDir, PROFILE_FILE) },
      previous: hasPrevious ? { profile: previousProfile } : undefined,
      outDir,
      config: driftConfig,
    });
    drift = {
      files: [DRIFT_JSON, DRIFT_HTML].map((file) => join(outDir, file)),
      datasetDrift: report.dataset_drift,
      previousMonth: hasPrevious ? previous : null,
    };
  } else {
    log.warn(`${join(modelDir, REFERENCE_PROFILE_FILE)} not found: drift not measured`);
  }
  return { month, outDir, input, score, drift };
}

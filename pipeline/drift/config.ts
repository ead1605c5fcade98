/**
 * Drift settings: Evidently's DataDriftPreset defaults, overridable under the `"drift"` key of
 * `model/config.json`. Unknown keys and out-of-range values are refused, so a typo never silently falls
 * back to a default.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArtifactError } from '../errors.js';

export const TEST_NAMES = ['ks', 'wasserstein', 'jensenshannon', 'chisquare', 'z', 'psi'] as const;
export type TestName = (typeof TEST_NAMES)[number];

export interface ColumnOverride {
  /** Use this test whatever the reference size and column type. */
  test?: TestName;
  /** Threshold for this column (for p-value tests: the significance level). */
  threshold?: number;
}

export interface DriftConfig {
  /** Dataset drift when at least this share of the columns drift. */
  share_threshold: number;
  /** References up to this many rows get the p-value tests (KS, Z, chi-square); larger ones get distances. */
  small_reference_max_rows: number;
  /** A numeric column with at most this many distinct values is tested as categorical. */
  categorical_max_distinct: number;
  /** Default threshold per test. */
  thresholds: Record<TestName, number>;
  psi: {
    /** Number of bins on the reference's quantiles (10: deciles). */
    bins: number;
    /** Share given to an empty bin so the logarithm stays finite. */
    floor: number;
    /** PSI at or above this is "watch" ... */
    watch: number;
    /** ... and at or above this "act". */
    act: number;
  };
  columns: Record<string, ColumnOverride>;
}

export const DEFAULT_DRIFT_CONFIG: DriftConfig = {
  share_threshold: 0.5,
  small_reference_max_rows: 1000,
  categorical_max_distinct: 5,
  thresholds: { ks: 0.05, wasserstein: 0.1, jensenshannon: 0.1, chisquare: 0.05, z: 0.05, psi: 0.1 },
  psi: { bins: 10, floor: 0.0001, watch: 0.1, act: 0.25 },
  columns: {},
};

/** The tests that return a p-value: drift when it is small. The others return a distance: drift when large. */
export const P_VALUE_TESTS: ReadonlySet<TestName> = new Set(['ks', 'chisquare', 'z']);

type Problems = string[];

function checkNumber(
  problems: Problems,
  path: string,
  value: unknown,
  min: number,
  max: number,
  integer = false,
): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    problems.push(
      `${path} must be ${integer ? 'a whole number' : 'a number'} between ${min} and ${max}, got ${JSON.stringify(value)}`,
    );
    return undefined;
  }
  return value;
}

function checkKeys(problems: Problems, path: string, value: object, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      problems.push(`${path}.${key} is not a drift setting (known: ${allowed.join(', ')})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Defaults overlaid with the `"drift"` section; throws InvalidArtifactError listing every problem. */
export function resolveDriftConfig(section: unknown, where = 'model/config.json'): DriftConfig {
  const config: DriftConfig = structuredClone(DEFAULT_DRIFT_CONFIG);
  if (section === undefined || section === null) return config;
  const problems: Problems = [];
  if (!isObject(section)) {
    throw new InvalidArtifactError(
      `${where}: "drift" must be an object`,
      'write "drift": {} to use the defaults',
    );
  }
  checkKeys(problems, 'drift', section, Object.keys(DEFAULT_DRIFT_CONFIG));
  config.share_threshold =
    checkNumber(problems, 'drift.share_threshold', section.share_threshold, 0, 1) ?? config.share_threshold;
  config.small_reference_max_rows =
    checkNumber(
      problems,
      'drift.small_reference_max_rows',
      section.small_reference_max_rows,
      0,
      1e12,
      true,
    ) ?? config.small_reference_max_rows;
  config.categorical_max_distinct =
    checkNumber(problems, 'drift.categorical_max_distinct', section.categorical_max_distinct, 1, 5, true) ??
    config.categorical_max_distinct;
  if (section.thresholds !== undefined) {
    if (!isObject(section.thresholds)) problems.push('drift.thresholds must be an object');
    else {
      checkKeys(problems, 'drift.thresholds', section.thresholds, TEST_NAMES);
      for (const test of TEST_NAMES) {
        config.thresholds[test] =
          checkNumber(problems, `drift.thresholds.${test}`, section.thresholds[test], 0, 1e6) ??
          config.thresholds[test];
      }
    }
  }
  if (section.psi !== undefined) {
    if (!isObject(section.psi)) problems.push('drift.psi must be an object');
    else {
      checkKeys(problems, 'drift.psi', section.psi, Object.keys(DEFAULT_DRIFT_CONFIG.psi));
      config.psi.bins =
        checkNumber(problems, 'drift.psi.bins', section.psi.bins, 2, 100, true) ?? config.psi.bins;
      config.psi.floor =
        checkNumber(problems, 'drift.psi.floor', section.psi.floor, 1e-12, 0.1) ?? config.psi.floor;
      config.psi.watch =
        checkNumber(problems, 'drift.psi.watch', section.psi.watch, 0, 100) ?? config.psi.watch;
      config.psi.act = checkNumber(problems, 'drift.psi.act', section.psi.act, 0, 100) ?? config.psi.act;
      if (config.psi.act < config.psi.watch) problems.push('drift.psi.act must be at least drift.psi.watch');
    }
  }
  if (section.columns !== undefined) {
    if (!isObject(section.columns))
      problems.push('drift.columns must be an object of column name to {test, threshold}');
    else {
      for (const [name, override] of Object.entries(section.columns)) {
        if (!isObject(override)) {
          problems.push(`drift.columns.${name} must be an object {test, threshold}`);
          continue;
        }
        checkKeys(problems, `drift.columns.${name}`, override, ['test', 'threshold']);
        const column: ColumnOverride = {};
        if (override.test !== undefined) {
          if (!(TEST_NAMES as readonly unknown[]).includes(override.test)) {
            problems.push(
              `drift.columns.${name}.test must be one of ${TEST_NAMES.join(', ')}, got ${JSON.stringify(override.test)}`,
            );
          } else column.test = override.test as TestName;
        }
        const threshold = checkNumber(
          problems,
          `drift.columns.${name}.threshold`,
          override.threshold,
          0,
          1e6,
        );
        if (threshold !== undefined) column.threshold = threshold;
        config.columns[name] = column;
      }
    }
  }
  if (problems.length > 0) {
    throw new InvalidArtifactError(
      `${where}: invalid drift settings: ${problems.join('; ')}`,
      'fix or remove those keys under "drift"',
    );
  }
  return config;
}

/** Reads the `"drift"` section of a config.json; a missing file means the defaults. */
export async function loadDriftConfig(configPath: string): Promise<DriftConfig> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    return structuredClone(DEFAULT_DRIFT_CONFIG);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidArtifactError(
      `${configPath} is not valid JSON: ${(error as Error).message}`,
      'restore the file from git',
    );
  }
  return resolveDriftConfig(isObject(raw) ? raw.drift : undefined, configPath);
}

export type PsiBand = 'stable' | 'watch' | 'act';

/** The banking reading of a PSI: < watch stable, watch..act watch, >= act act. */
export function psiBand(value: number, config: DriftConfig): PsiBand {
  if (!(value >= config.psi.watch)) return 'stable';
  return value >= config.psi.act ? 'act' : 'watch';
}

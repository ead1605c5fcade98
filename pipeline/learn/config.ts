/**
 * `model/config.json`: what a retrain does. The features and feature sets, the candidate learners with
 * their search grids, how the winner is chosen, the cross-validation protocol, the seed, the holdout share,
 * the decision threshold and the promotion rule a challenger must pass to replace the champion.
 *
 * Every field is checked before any work starts; a bad value is an InvalidArtifactError that names the
 * field, so the person who edited the file in a pull request sees exactly what to fix.
 */
import { resolveDriftConfig } from '../drift/config.js';
import { InvalidArtifactError } from '../errors.js';
import { readJsonFile, type FeatureName } from '../model/card.js';
import { LEARNER_FAMILIES, type LearnerFamily } from './learners.js';

export const FEATURES: readonly FeatureName[] = ['Age', 'AnnualSalary', 'Gender'];
export const SELECTION_METRICS = ['auc', 'logloss', 'accuracy', 'brier'] as const;
export type SelectionMetric = (typeof SELECTION_METRICS)[number];

export interface FeatureSet {
  name: string;
  features: FeatureName[];
}

export interface CandidateSpec {
  /** Family name shown in results, e.g. `gbt`; the candidate's settings are named `gbt/all/max_depth=3,...`. */
  name: string;
  learner: LearnerFamily;
  /** Each parameter with the values to try; the search tries every combination. */
  grid: Record<string, number[]>;
  /** Parameters held at one value. */
  fixed: Record<string, number>;
}

export interface TrainingConfig {
  features: FeatureName[];
  feature_sets: FeatureSet[];
  candidates: CandidateSpec[];
  selection: { metric: SelectionMetric; tie_break: SelectionMetric; tie_tolerance: number };
  /**
   * The search's cross-validation. Above `max_rows` training customers the search runs on a seeded
   * stratified sample of that many (the winner is still refit on all of them), which keeps a retrain on a
   * large history within minutes.
   */
  cv: { folds: number; repeats: number; max_rows: number };
  seed: number;
  holdout_share: number;
  threshold: number;
  promotion: { min_auc_gain: number; max_logloss_increase: number; min_fairness_ratio: number };
  /** Owned by drift monitoring; passed through untouched. */
  drift: Record<string, unknown>;
}

interface ParamRule {
  integer: boolean;
  min: number;
  max?: number;
  /** The lower bound itself is not allowed (e.g. a learning rate of 0). */
  exclusiveMin?: boolean;
}

/**
 * The parameters of each learner family (see DEFAULT_PARAMS in learners.ts) that a search may set, and
 * what values make sense for them.
 */
export const PARAM_RULES: Record<LearnerFamily, Record<string, ParamRule>> = {
  logistic: {
    C: { integer: false, min: 0, exclusiveMin: true },
  },
  tree: {
    max_depth: { integer: true, min: 1 },
    min_samples_leaf: { integer: true, min: 1 },
  },
  gbt: {
    n_estimators: { integer: true, min: 1 },
    max_depth: { integer: true, min: 1 },
    learning_rate: { integer: false, min: 0, max: 1, exclusiveMin: true },
    lambda: { integer: false, min: 0 },
    gamma: { integer: false, min: 0 },
    min_child_weight: { integer: false, min: 0 },
    subsample: { integer: false, min: 0, max: 1, exclusiveMin: true },
    colsample: { integer: false, min: 0, max: 1, exclusiveMin: true },
    early_stopping_rounds: { integer: true, min: 0 },
    validation_share: { integer: false, min: 0, max: 0.5 },
  },
};

const CONFIG_HINT = 'fix the field in the configuration file (see model/config.json for a valid example)';

class ConfigReader {
  constructor(private readonly source: string) {}

  fail(field: string, problem: string): never {
    throw new InvalidArtifactError(`${this.source}: ${field} ${problem}`, CONFIG_HINT);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field, 'must be an object');
    return value as Record<string, unknown>;
  }

  number(value: unknown, field: string, rule: ParamRule): number {
    const what = describeRule(rule);
    if (typeof value !== 'number' || !isAllowed(value, rule))
      this.fail(field, `must be ${what}, got ${JSON.stringify(value)}`);
    return value;
  }

  numberList(value: unknown, field: string, rule: ParamRule): number[] {
    const plural = describeRule(rule, true);
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      !value.every((v) => typeof v === 'number' && isAllowed(v, rule))
    ) {
      this.fail(field, `must be ${plural}, got ${JSON.stringify(value)}`);
    }
    if (new Set(value).size !== value.length)
      this.fail(field, `lists a value twice: ${JSON.stringify(value)}`);
    return [...(value as number[])];
  }

  name(value: unknown, field: string): string {
    if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,39}$/.test(value)) {
      this.fail(
        field,
        `must be a name of letters, digits, _ or - (starting with a letter), got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      this.fail(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  features(value: unknown, field: string, allowed: readonly FeatureName[]): FeatureName[] {
    if (!Array.isArray(value) || value.length === 0)
      this.fail(field, `must be a non-empty list of features from ${allowed.join(', ')}`);
    value.forEach((feature, i) => this.oneOf(feature, `${field}[${i}]`, allowed));
    if (new Set(value).size !== value.length) this.fail(field, 'lists a feature twice');
    // Canonical order, so the same set always gives the same matrix and the same model bytes.
    return FEATURES.filter((f) => value.includes(f));
  }

  /** Refuses keys the configuration does not know: a typo must not be silently ignored. */
  known(object: Record<string, unknown>, field: string, keys: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (!keys.includes(key))
        this.fail(field ? `${field}.${key}` : key, `is not a known field (known: ${keys.join(', ')})`);
    }
  }
}

function isAllowed(value: number, rule: ParamRule): boolean {
  if (!Number.isFinite(value)) return false;
  if (rule.integer && !Number.isInteger(value)) return false;
  if (rule.exclusiveMin ? value <= rule.min : value < rule.min) return false;
  return rule.max === undefined || value <= rule.max;
}

function describeRule(rule: ParamRule, list = false): string {
  const kind = `${list ? 'a list of ' : 'a '}${rule.integer ? 'whole ' : ''}number${list ? 's' : ''}`;
  const low = `${rule.exclusiveMin ? '>' : '>='} ${rule.min}`;
  return rule.max === undefined ? `${kind} ${low}` : `${kind} ${low} and <= ${rule.max}`;
}

function parseCandidate(read: ConfigReader, value: unknown, field: string): CandidateSpec {
  const raw = read.object(value, field);
  read.known(raw, field, ['name', 'learner', 'grid', 'fixed']);
  const name = read.name(raw.name, `${field}.name`);
  const learner = read.oneOf(raw.learner, `${field}.learner`, LEARNER_FAMILIES);
  const rules = PARAM_RULES[learner];
  const checkName = (param: string, where: string) => {
    if (!(param in rules)) {
      read.fail(
        where,
        `is not a parameter of the ${learner} learner (known: ${Object.keys(rules).join(', ')})`,
      );
    }
  };
  const grid: Record<string, number[]> = {};
  const gridRaw = read.object(raw.grid ?? {}, `${field}.grid`);
  for (const [param, values] of Object.entries(gridRaw)) {
    checkName(param, `${field}.grid.${param}`);
    grid[param] = read.numberList(values, `${field}.grid.${param}`, rules[param]!);
  }
  const fixed: Record<string, number> = {};
  const fixedRaw = read.object(raw.fixed ?? {}, `${field}.fixed`);
  for (const [param, v] of Object.entries(fixedRaw)) {
    checkName(param, `${field}.fixed.${param}`);
    if (param in grid) read.fail(`${field}.fixed.${param}`, 'is also in the grid: give it in one place');
    fixed[param] = read.number(v, `${field}.fixed.${param}`, rules[param]!);
  }
  const settings = Object.values(grid).reduce((n, values) => n * values.length, 1);
  if (settings > 200)
    read.fail(`${field}.grid`, `has ${settings} combinations; at most 200 keep a retrain fast`);
  return { name, learner, grid, fixed };
}

/** Checks a parsed config.json; `source` names the file in error messages. */
export function parseConfig(value: unknown, source = 'config.json'): TrainingConfig {
  const read: ConfigReader = new ConfigReader(source);
  const raw = read.object(value, '(the file)');
  read.known(raw, '', [
    'features',
    'feature_sets',
    'candidates',
    'selection',
    'cv',
    'seed',
    'holdout_share',
    'threshold',
    'promotion',
    'drift',
  ]);
  const features = read.features(raw.features ?? [...FEATURES], 'features', FEATURES);

  const setsRaw = raw.feature_sets ?? [{ name: 'all', features }];
  if (!Array.isArray(setsRaw) || setsRaw.length === 0)
    read.fail('feature_sets', 'must be a non-empty list of {name, features}');
  const feature_sets = setsRaw.map((set, i) => {
    const field = `feature_sets[${i}]`;
    const object = read.object(set, field);
    read.known(object, field, ['name', 'features']);
    return {
      name: read.name(object.name, `${field}.name`),
      features: read.features(object.features, `${field}.features`, features),
    };
  });
  const setNames = feature_sets.map((s) => s.name);
  if (new Set(setNames).size !== setNames.length)
    read.fail('feature_sets', `names must differ, got ${setNames.join(', ')}`);

  if (!Array.isArray(raw.candidates) || raw.candidates.length === 0)
    read.fail('candidates', 'must be a non-empty list of candidate learners');
  const candidates = raw.candidates.map((c, i) => parseCandidate(read, c, `candidates[${i}]`));
  const names = candidates.map((c) => c.name);
  if (new Set(names).size !== names.length)
    read.fail('candidates', `names must differ, got ${names.join(', ')}`);

  const selectionRaw = read.object(raw.selection ?? {}, 'selection');
  read.known(selectionRaw, 'selection', ['metric', 'tie_break', 'tie_tolerance']);
  const selection = {
    metric: read.oneOf(selectionRaw.metric ?? 'auc', 'selection.metric', SELECTION_METRICS),
    tie_break: read.oneOf(selectionRaw.tie_break ?? 'logloss', 'selection.tie_break', SELECTION_METRICS),
    tie_tolerance: read.number(selectionRaw.tie_tolerance ?? 0, 'selection.tie_tolerance', {
      integer: false,
      min: 0,
      max: 0.1,
    }),
  };

  const cvRaw = read.object(raw.cv ?? {}, 'cv');
  read.known(cvRaw, 'cv', ['folds', 'repeats', 'max_rows']);
  const cv = {
    folds: read.number(cvRaw.folds ?? 5, 'cv.folds', { integer: true, min: 2, max: 20 }),
    repeats: read.number(cvRaw.repeats ?? 1, 'cv.repeats', { integer: true, min: 1, max: 20 }),
    max_rows: read.number(cvRaw.max_rows ?? 20_000, 'cv.max_rows', { integer: true, min: 100 }),
  };

  const promotionRaw = read.object(raw.promotion ?? {}, 'promotion');
  read.known(promotionRaw, 'promotion', ['min_auc_gain', 'max_logloss_increase', 'min_fairness_ratio']);
  const promotion = {
    min_auc_gain: read.number(promotionRaw.min_auc_gain ?? 0, 'promotion.min_auc_gain', {
      integer: false,
      min: -1,
      max: 1,
    }),
    max_logloss_increase: read.number(
      promotionRaw.max_logloss_increase ?? 0.02,
      'promotion.max_logloss_increase',
      {
        integer: false,
        min: 0,
      },
    ),
    min_fairness_ratio: read.number(promotionRaw.min_fairness_ratio ?? 0.8, 'promotion.min_fairness_ratio', {
      integer: false,
      min: 0,
      max: 1,
    }),
  };

  // Passed through untouched, but checked now: a retrain must not commit settings the monthly run refuses.
  resolveDriftConfig(raw.drift, source);
  return {
    features,
    feature_sets,
    candidates,
    selection,
    cv,
    seed: read.number(raw.seed ?? 1, 'seed', { integer: true, min: 0, max: 2 ** 32 - 1 }),
    holdout_share: read.number(raw.holdout_share ?? 0.2, 'holdout_share', {
      integer: false,
      min: 0.05,
      max: 0.5,
    }),
    threshold: read.number(raw.threshold ?? 0.5, 'threshold', {
      integer: false,
      min: 0,
      max: 0.99,
      exclusiveMin: true,
    }),
    promotion,
    drift: read.object(raw.drift ?? {}, 'drift'),
  };
}

export async function loadConfig(path: string): Promise<TrainingConfig> {
  return parseConfig(await readJsonFile<unknown>(path, 'configuration'), path);
}

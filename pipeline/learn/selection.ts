/**
 * Honest model selection: every candidate setting (learner family x feature set x grid point) is scored by
 * repeated stratified k-fold cross-validation on the training customers only; the best by the selection
 * metric wins (the tie-break metric decides among settings within the tie tolerance); the winner is refit
 * on all the training customers. The holdout is never looked at here.
 */
import type { TrainingRecord } from '../data/schema.js';
import { log } from '../log.js';
import { createRng } from '../random.js';
import type { FeatureName } from '../model/card.js';
import type { SelectionMetric, TrainingConfig } from './config.js';
import { labelsOf, stratifiedFolds, type Fold } from './dataset.js';
import { matrixFromRecords, selectRows, type FittedModel, type Matrix, type Params } from './learner.js';
import { createLearner, type LearnerFamily } from './learners.js';
import { coreMetrics, meanAndSd, type CoreMetrics } from './metrics.js';

/** One point of the search: a learner with fixed parameters on a feature set. */
export interface Setting {
  /** `<candidate>/<feature set>`, e.g. `gbt/no_gender`: the unit results are reported by. */
  family: string;
  candidate: string;
  learner: LearnerFamily;
  featureSet: string;
  features: FeatureName[];
  params: Params;
  /** Unique and readable: `gbt/all max_depth=3 learning_rate=0.05`. */
  id: string;
}

export type MetricSummaries = Record<keyof CoreMetrics, { mean: number; sd: number }>;

export interface SettingResult {
  setting: Setting;
  cv: MetricSummaries;
}

export interface SelectionResult {
  winner: SettingResult;
  /** The winner refit on every training customer. */
  model: FittedModel;
  /** Every setting, in search order. */
  results: SettingResult[];
  /** Per family (candidate x feature set), its best setting. */
  bestPerFamily: SettingResult[];
  folds: number;
  repeats: number;
  /** Training customers the search cross-validated on (all of them, or a sample of cv.max_rows). */
  searchedRows: number;
}

const LOWER_IS_BETTER: Record<SelectionMetric, boolean> = {
  auc: false,
  accuracy: false,
  logloss: true,
  brier: true,
};

/** Every combination of the grid, parameters in the order the config lists them. */
function gridPoints(grid: Record<string, number[]>): Record<string, number>[] {
  let points: Record<string, number>[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    points = points.flatMap((point) => values.map((value) => ({ ...point, [name]: value })));
  }
  return points;
}

/** Expands the configuration into the settings to search, in a fixed order. */
export function searchSettings(config: TrainingConfig): Setting[] {
  return config.candidates.flatMap((candidate) =>
    config.feature_sets.flatMap((set) =>
      gridPoints(candidate.grid).map((point) => {
        const family = `${candidate.name}/${set.name}`;
        const shown = Object.entries(point).map(([k, v]) => `${k}=${v}`);
        return {
          family,
          candidate: candidate.name,
          learner: candidate.learner,
          featureSet: set.name,
          features: set.features,
          params: { ...candidate.fixed, ...point },
          id: [family, ...shown].join(' '),
        };
      }),
    ),
  );
}

/** Orders results best first: selection metric, then the tie-break within the tolerance, then search order. */
export function rankResults(
  results: readonly SettingResult[],
  selection: TrainingConfig['selection'],
): SettingResult[] {
  const sign = (metric: SelectionMetric) => (LOWER_IS_BETTER[metric] ? 1 : -1);
  const primary = (r: SettingResult) => sign(selection.metric) * r.cv[selection.metric].mean;
  const best = Math.min(...results.map(primary));
  const tied = (r: SettingResult) => primary(r) <= best + selection.tie_tolerance;
  const tieBreak = (r: SettingResult) => sign(selection.tie_break) * r.cv[selection.tie_break].mean;
  const indexed = results.map((r, index) => ({ r, index }));
  indexed.sort((a, b) => {
    const ta = tied(a.r);
    const tb = tied(b.r);
    if (ta !== tb) return ta ? -1 : 1;
    if (ta) return tieBreak(a.r) - tieBreak(b.r) || primary(a.r) - primary(b.r) || a.index - b.index;
    return primary(a.r) - primary(b.r) || a.index - b.index;
  });
  return indexed.map((x) => x.r);
}

/** The seed a fit gets: derived from the run's seed and the fold, so every fit is reproducible on its own. */
const fitSeed = (seed: number, repeat: number, fold: number): number =>
  (seed + 7919 * (repeat + 1) + 104729 * (fold + 1)) >>> 0;

export function fitSetting(setting: Setting, x: Matrix, y: Uint8Array, seed: number): FittedModel {
  return createLearner(setting.learner, setting.params).fit(x, y, seed);
}

function summarize(perFold: CoreMetrics[]): MetricSummaries {
  const pick = (key: keyof CoreMetrics) => meanAndSd(perFold.map((m) => m[key]));
  return { auc: pick('auc'), accuracy: pick('accuracy'), logloss: pick('logloss'), brier: pick('brier') };
}

export interface SearchOptions {
  /** Called after each fold of each setting: for progress lines. */
  onProgress?: (done: number, total: number) => void;
}

/** Cross-validates every setting on the records. */
export function crossValidate(
  records: readonly TrainingRecord[],
  settings: readonly Setting[],
  config: TrainingConfig,
  options: SearchOptions = {},
): SettingResult[] {
  const y = labelsOf(records);
  const folds: Fold[] = stratifiedFolds(y, config.cv.folds, config.cv.repeats, config.seed);
  const total = folds.length * settings.length;
  let done = 0;
  // One matrix per feature set, and its fold slices, built once and shared by every setting.
  const slices = new Map<string, { train: Matrix; test: Matrix }[]>();
  for (const set of config.feature_sets) {
    const x = matrixFromRecords(records, set.features);
    slices.set(
      set.name,
      folds.map((f) => ({ train: selectRows(x, f.train), test: selectRows(x, f.test) })),
    );
  }
  const foldLabels = folds.map((f) => ({
    train: Uint8Array.from(f.train, (i) => y[i]!),
    test: Uint8Array.from(f.test, (i) => y[i]!),
  }));
  return settings.map((setting) => {
    const perFold = folds.map((f, k) => {
      const slice = slices.get(setting.featureSet)![k]!;
      const labels = foldLabels[k]!;
      const model = fitSetting(setting, slice.train, labels.train, fitSeed(config.seed, f.repeat, f.fold));
      const metrics = coreMetrics(labels.test, model.predictProba(slice.test), config.threshold);
      options.onProgress?.(++done, total);
      return metrics;
    });
    return { setting, cv: summarize(perFold) };
  });
}

/**
 * At most `maxRows` records, drawn per class in proportion (seeded) and kept in their original order; all
 * of them when there are no more than that.
 */
export function searchSample<T extends TrainingRecord>(
  records: readonly T[],
  maxRows: number,
  seed: number,
): T[] {
  if (records.length <= maxRows) return [...records];
  const rng = createRng((seed ^ 0x5a3b1e) >>> 0);
  const keep = new Uint8Array(records.length);
  const positives = records.reduce((n, r) => n + r.purchased, 0);
  for (const label of [0, 1] as const) {
    const members = records.flatMap((r, i) => (r.purchased === label ? [i] : []));
    const share = (label === 1 ? positives : records.length - positives) / records.length;
    const take = Math.round(maxRows * share);
    const order = rng.permutation(members.length);
    for (let k = 0; k < take; k++) keep[members[order[k]!]!] = 1;
  }
  return records.filter((_, i) => keep[i] === 1);
}

/** The whole selection: search, rank, refit the winner on all records. */
export function selectModel(
  records: readonly TrainingRecord[],
  config: TrainingConfig,
  options: SearchOptions = {},
): SelectionResult {
  const settings = searchSettings(config);
  const searched = searchSample(records, config.cv.max_rows, config.seed);
  if (searched.length < records.length) {
    log.info(
      `searching on a stratified sample of ${searched.length} of the ${records.length} training customers`,
    );
  }
  const results = crossValidate(searched, settings, config, options);
  const ranked = rankResults(results, config.selection);
  const winner = ranked[0]!;
  const bestPerFamily: SettingResult[] = [];
  for (const family of [...new Set(settings.map((s) => s.family))]) {
    bestPerFamily.push(ranked.find((r) => r.setting.family === family)!);
  }
  log.debug(`selected ${winner.setting.id}: CV AUC ${winner.cv.auc.mean.toFixed(4)}`);
  const x = matrixFromRecords(records, winner.setting.features);
  const model = fitSetting(winner.setting, x, labelsOf(records), config.seed);
  return {
    winner,
    model,
    results,
    bestPerFamily,
    folds: config.cv.folds,
    repeats: config.cv.repeats,
    searchedRows: searched.length,
  };
}

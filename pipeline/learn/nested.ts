/**
 * Nested cross-validation: the whole selection procedure (search by inner CV, pick, refit) is repeated
 * inside each outer training fold and judged on the outer test fold it never saw. The selected pipeline's
 * figure is then an honest estimate of what `propensity train` delivers, not the optimistic best-of-many
 * score of the search. Each family (candidate x feature set) is reported the same way: its best setting by
 * the inner search, refit and scored on the outer fold.
 */
import type { TrainingRecord } from '../data/schema.js';
import { log, progressReporter } from '../log.js';
import type { FeatureName } from '../model/card.js';
import type { TrainingConfig } from './config.js';
import { labelsOf, stratifiedFolds } from './dataset.js';
import { matrixFromRecords } from './learner.js';
import { coreMetrics, meanAndSd, type CoreMetrics } from './metrics.js';
import { crossValidate, fitSetting, rankResults, searchSettings, type MetricSummaries } from './selection.js';

export interface OuterFoldResult {
  repeat: number;
  fold: number;
  selected: string;
  metrics: CoreMetrics;
}

export interface FamilyEvaluation extends MetricSummaries {
  name: string;
  features: FeatureName[];
  /** How many outer folds chose this family. */
  timesSelected: number;
}

export interface NestedEvaluation {
  protocol: {
    outerFolds: number;
    outerRepeats: number;
    innerFolds: number;
    innerRepeats: number;
    rows: number;
    seed: number;
  };
  selected: MetricSummaries;
  /** Per family; comparing `x/all` with `x/no_gender` shows what dropping Gender costs. */
  candidates: FamilyEvaluation[];
  outerFolds: OuterFoldResult[];
  seconds: number;
}

const summarize = (metrics: CoreMetrics[]): MetricSummaries => ({
  auc: meanAndSd(metrics.map((m) => m.auc)),
  accuracy: meanAndSd(metrics.map((m) => m.accuracy)),
  logloss: meanAndSd(metrics.map((m) => m.logloss)),
  brier: meanAndSd(metrics.map((m) => m.brier)),
});

export function nestedCrossValidation(
  records: readonly TrainingRecord[],
  config: TrainingConfig,
  outer: { folds: number; repeats: number },
): NestedEvaluation {
  const started = Date.now();
  const y = labelsOf(records);
  // The outer split uses its own stream, distinct from the inner folds' seed.
  const folds = stratifiedFolds(y, outer.folds, outer.repeats, (config.seed ^ 0x5eed) >>> 0);
  const settings = searchSettings(config);
  const families = [...new Set(settings.map((s) => s.family))];
  const perFamily = new Map<string, CoreMetrics[]>(families.map((f) => [f, []]));
  const chosen = new Map<string, number>(families.map((f) => [f, 0]));
  const selected: CoreMetrics[] = [];
  const outerResults: OuterFoldResult[] = [];
  const innerFits =
    settings.length > 1 ? folds.length * settings.length * config.cv.folds * config.cv.repeats : 0;
  const report = progressReporter('nested CV fits');
  let fitsDone = 0;

  for (const fold of folds) {
    const train = Array.from(fold.train, (i) => records[i]!);
    const test = Array.from(fold.test, (i) => records[i]!);
    const yTest = labelsOf(test);
    const yTrain = labelsOf(train);
    // With a single setting there is nothing to choose: plain cross-validation of that setting.
    const ranked =
      settings.length === 1
        ? [{ setting: settings[0]! }]
        : rankResults(
            crossValidate(train, settings, config, { onProgress: () => report(++fitsDone, innerFits) }),
            config.selection,
          );
    const winner = ranked[0]!.setting;
    chosen.set(winner.family, chosen.get(winner.family)! + 1);
    for (const family of families) {
      const best = ranked.find((r) => r.setting.family === family)!.setting;
      const model = fitSetting(best, matrixFromRecords(train, best.features), yTrain, config.seed);
      const metrics = coreMetrics(
        yTest,
        model.predictProba(matrixFromRecords(test, best.features)),
        config.threshold,
      );
      perFamily.get(family)!.push(metrics);
      if (family === winner.family) {
        selected.push(metrics);
        outerResults.push({ repeat: fold.repeat, fold: fold.fold, selected: winner.id, metrics });
      }
    }
    log.info(
      `outer fold ${outerResults.length}/${folds.length}: selected ${winner.id}, AUC ${selected.at(-1)!.auc.toFixed(4)}`,
    );
  }

  return {
    protocol: {
      outerFolds: outer.folds,
      outerRepeats: outer.repeats,
      innerFolds: config.cv.folds,
      innerRepeats: config.cv.repeats,
      rows: records.length,
      seed: config.seed,
    },
    selected: summarize(selected),
    candidates: families.map((name) => ({
      name,
      features: settings.find((s) => s.family === name)!.features,
      ...summarize(perFamily.get(name)!),
      timesSelected: chosen.get(name)!,
    })),
    outerFolds: outerResults,
    seconds: (Date.now() - started) / 1000,
  };
}

import { loadConfig } from '../../learn/config.js';
import { loadTrainingData } from '../../learn/dataset.js';
import type { MetricSummaries } from '../../learn/selection.js';
import { genderCost } from '../../learn/gender-cost.js';
import { nestedCrossValidation } from '../../learn/nested.js';
import { log } from '../../log.js';
import { CONFIG_FILE } from '../../model/card.js';
import { UsageError } from '../../errors.js';
import { jsonOption, optionalString, requiredString, type Command } from '../command.js';

const DEFAULT_CONFIG = `model/${CONFIG_FILE}`;

/** `5x5` -> 5 folds, 5 repeats. */
export function parseCvSpec(spec: string): { folds: number; repeats: number } {
  const match = /^(\d+)x(\d+)$/.exec(spec.trim());
  const folds = Number(match?.[1]);
  const repeats = Number(match?.[2]);
  if (!match || folds < 2 || folds > 20 || repeats < 1 || repeats > 20) {
    throw new UsageError(
      `--cv must be FOLDSxREPEATS with 2..20 folds and 1..20 repeats (e.g. 5x5), got "${spec}"`,
    );
  }
  return { folds, repeats };
}

/** Means with their standard deviations alongside: {auc, auc_sd, accuracy, accuracy_sd, ...}. */
export function flatten(summary: MetricSummaries): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [metric, { mean, sd }] of Object.entries(summary)) {
    out[metric] = mean;
    out[`${metric}_sd`] = sd;
  }
  return out;
}

const fmt = (summary: MetricSummaries): string =>
  (['auc', 'accuracy', 'logloss', 'brier'] as const)
    .map((m) => `${m} ${summary[m].mean.toFixed(4)} ± ${summary[m].sd.toFixed(4)}`)
    .join('  ');

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'estimate how good the selected pipeline is, by nested cross-validation',
  usage: '--data FILE|DIR [--config FILE] [--cv FOLDSxREPEATS] [--json]',
  details:
    'Repeats the whole model selection of `propensity train` (search by cross-validation, pick, refit) inside\n' +
    'each outer training fold and scores it on the outer test fold, so the figure for the selected pipeline\n' +
    'is honest. Also reports each candidate family (learner x feature set). Means over outer folds, sd alongside.',
  options: {
    data: {
      type: 'string',
      value: 'FILE|DIR',
      description: 'labeled history: a CSV file or a directory of them',
    },
    config: {
      type: 'string',
      value: 'FILE',
      description: `training configuration (default ${DEFAULT_CONFIG})`,
    },
    cv: { type: 'string', value: 'FxR', description: 'outer folds x repeats (default 5x5)' },
    ...jsonOption,
  },
  async run(args) {
    const outer = parseCvSpec(optionalString(args, 'cv') ?? '5x5');
    const config = await loadConfig(optionalString(args, 'config') ?? DEFAULT_CONFIG);
    const data = await loadTrainingData(requiredString(args, 'data'));
    log.info(`nested CV ${outer.folds}x${outer.repeats} on ${data.records.length} rows`);
    const result = nestedCrossValidation(data.records, config, outer);
    const output = {
      selected: flatten(result.selected),
      candidates: result.candidates.map((c) => ({
        name: c.name,
        features: c.features,
        ...flatten({ auc: c.auc, accuracy: c.accuracy, logloss: c.logloss, brier: c.brier }),
        times_selected: c.timesSelected,
      })),
      gender_cost: genderCost(
        result.candidates.map((c) => ({ family: c.name, features: c.features, auc: c.auc.mean })),
      ),
      protocol: result.protocol,
      outer_folds: result.outerFolds,
      data: { rows: data.records.length, sha256: data.sha256 },
      seconds: result.seconds,
    };
    const text = [
      `nested CV ${outer.folds}x${outer.repeats} (inner ${config.cv.folds}x${config.cv.repeats}) on ${data.records.length} rows, ${result.seconds.toFixed(1)} s`,
      `selected pipeline: ${fmt(result.selected)}`,
      ...result.candidates.map((c) => `  ${c.name.padEnd(22)} ${fmt(c)}  (selected ${c.timesSelected}x)`),
      ...output.gender_cost.map(
        (g) =>
          `without Gender, ${g.candidate} loses ${g.aucCost.toFixed(4)} ROC-AUC (${g.withGender.toFixed(4)} -> ${g.withoutGender.toFixed(4)})`,
      ),
    ].join('\n');
    return { data: output, text };
  },
};

/**
 * A retrain, end to end: read the labeled history, set the hash holdout aside, select a model by
 * cross-validation on the rest, export it to ONNX, judge the exported graph on the holdout, and write the
 * model directory (model.onnx, card.json, CARD.md, config.json, reference-profile.json).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { profileRecords, writeProfile } from '../drift/profile.js';
import type { TrainingRecord, UserRecord } from '../data/schema.js';
import { DataFileError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { log, progressReporter } from '../log.js';
import {
  CARD_FILE,
  CARD_MARKDOWN_FILE,
  CONFIG_FILE,
  MODEL_FILE,
  readCard,
  REFERENCE_PROFILE_FILE,
  sha256,
  TRAINED_FILES,
  type ModelCard,
} from '../model/card.js';
import { renderCardMarkdown } from '../model/card-markdown.js';
import { CAVEATS, FEATURE_SCHEMA, INTENDED_USE, type TrainingCard } from '../model/training-card.js';
import { exportPipelineOnnx } from '../onnx/export.js';
import { loadOnnxSession, predictOnnx } from '../onnx/run.js';
import { loadConfig, type TrainingConfig } from './config.js';
import { fileNames, labelsOf, loadTrainingData, splitHoldout, type TrainingData } from './dataset.js';
import { selectionRates } from './fairness.js';
import { genderCost } from './gender-cost.js';
import { classificationReport } from './metrics.js';
import { searchSettings, selectModel, type SelectionResult } from './selection.js';
import { writeDataProfilePage } from '../report/eda.js';

export interface TrainOptions {
  /** A CSV file or a directory of them. */
  dataPath: string;
  configPath: string;
  outDir: string;
  /** The model this one would replace; its version + 1 becomes ours. Undefined: a first model. */
  championDir?: string;
}

export interface TrainResult {
  outDir: string;
  card: TrainingCard;
  files: string[];
  seconds: number;
}

/** Scores customers with ONNX bytes through onnxruntime: what any consumer of model.onnx will see. */
export async function scoreOnnx(onnx: Uint8Array, records: readonly UserRecord[]): Promise<Float32Array> {
  const session = await loadOnnxSession(onnx);
  try {
    return (await predictOnnx(session, records)).probability;
  } finally {
    await session.release();
  }
}

/**
 * The drift reference: a profile of the training data with the model's probabilities. Its format is
 * drift's (pipeline/drift/profile.ts); this is the one place training writes it.
 */
export async function writeReferenceProfile(
  dir: string,
  records: readonly UserRecord[],
  probabilities: ArrayLike<number>,
): Promise<void> {
  await writeProfile(join(dir, REFERENCE_PROFILE_FILE), profileRecords(records, probabilities));
}

async function readChampion(dir: string | undefined): Promise<ModelCard | undefined> {
  if (!dir) return undefined;
  if (!existsSync(join(dir, CARD_FILE))) {
    log.info(`no champion card in ${dir}: this is a first model (version 1)`);
    return undefined;
  }
  return readCard(dir);
}

const meanSd = (s: { mean: number; sd: number }) => ({ mean: s.mean, sd: s.sd });

export function buildCard(args: {
  config: TrainingConfig;
  data: TrainingData;
  selection: SelectionResult;
  champion: ModelCard | undefined;
  onnx: Uint8Array;
  trainRows: number;
  holdout: readonly TrainingRecord[];
  holdoutProbabilities: ArrayLike<number>;
}): TrainingCard {
  const { config, data, selection, champion, onnx, holdout, holdoutProbabilities } = args;
  const winner = selection.winner;
  const buyers = data.records.reduce((n, r) => n + r.purchased, 0);
  return {
    version: champion ? champion.version + 1 : 1,
    replaces: champion ? champion.model.sha256 : null,
    created_by: 'propensity train',
    intended_use: INTENDED_USE,
    caveats: CAVEATS,
    model: {
      file: MODEL_FILE,
      sha256: sha256(onnx),
      learner: winner.setting.learner,
      family: winner.setting.family,
      feature_set: winner.setting.featureSet,
      setting: winner.setting.id,
      params: { ...selection.model.params },
      features: [...selection.model.features],
      threshold: config.threshold,
    },
    data: {
      sha256: data.sha256,
      rows: data.records.length,
      files: fileNames(data.files),
      rows_read: data.rowsRead,
      rejected: data.rejected,
      opted_out: data.optedOut,
      buyer_share: buyers / data.records.length,
      training_rows: args.trainRows,
      holdout_rows: holdout.length,
    },
    feature_schema: selection.model.features.map((f) => FEATURE_SCHEMA[f]),
    selection: {
      metric: config.selection.metric,
      tie_break: config.selection.tie_break,
      tie_tolerance: config.selection.tie_tolerance,
      cv_folds: config.cv.folds,
      cv_repeats: config.cv.repeats,
      cv_rows: selection.searchedRows,
      seed: config.seed,
      holdout_share: config.holdout_share,
      holdout_rule: `customers whose User ID hash falls in the lowest ${config.holdout_share} of its range`,
      settings_searched: selection.results.length,
    },
    cv: {
      auc: meanSd(winner.cv.auc),
      accuracy: meanSd(winner.cv.accuracy),
      logloss: meanSd(winner.cv.logloss),
      brier: meanSd(winner.cv.brier),
    },
    candidates: selection.bestPerFamily.map((r) => ({
      family: r.setting.family,
      setting: r.setting.id,
      features: r.setting.features,
      cv: {
        auc: meanSd(r.cv.auc),
        accuracy: meanSd(r.cv.accuracy),
        logloss: meanSd(r.cv.logloss),
        brier: meanSd(r.cv.brier),
      },
    })),
    gender_cost: genderCost(
      selection.bestPerFamily.map((r) => ({
        family: r.setting.family,
        features: r.setting.features,
        auc: r.cv.auc.mean,
      })),
    ),
    holdout: classificationReport(labelsOf(holdout), holdoutProbabilities, config.threshold),
    fairness: {
      ...selectionRates(holdout, holdoutProbabilities, config.threshold, config.promotion.min_fairness_ratio),
      on: 'holdout',
    },
  };
}

/** Cross-validation needs each class in every fold, and the holdout needs both classes to be judged. */
function assertEnoughData(
  path: string,
  train: readonly TrainingRecord[],
  holdout: readonly TrainingRecord[],
  config: TrainingConfig,
): void {
  const buyers = (rows: readonly TrainingRecord[]) => rows.reduce((n, r) => n + r.purchased, 0);
  const smallest = Math.min(buyers(train), train.length - buyers(train));
  const holdoutBuyers = buyers(holdout);
  if (smallest < 2 * config.cv.folds || holdoutBuyers === 0 || holdoutBuyers === holdout.length) {
    throw new DataFileError(
      path,
      `has too few customers to train and judge a model: ${train.length} for training (${smallest} in the smaller class), ` +
        `${holdout.length} held out (${holdoutBuyers} buyers)`,
      `add labeled history: every class needs at least ${2 * config.cv.folds} training customers and the holdout both classes`,
    );
  }
}

export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const started = Date.now();
  const configText = await readFile(options.configPath, 'utf8').catch(() => undefined);
  const config = await loadConfig(options.configPath);
  const champion = await readChampion(options.championDir);
  const data = await loadTrainingData(options.dataPath);
  const { train, holdout } = splitHoldout(data.records, config.holdout_share);
  assertEnoughData(options.dataPath, train, holdout, config);
  log.info(
    `training on ${train.length} customers (${holdout.length} held out) from ${data.files.length} file(s); ` +
      `${searchSettings(config).length} settings x ${config.cv.folds * config.cv.repeats} folds`,
  );

  const report = progressReporter('model search fits');
  const selection = selectModel(train, config, { onProgress: report });
  log.info(`selected ${selection.winner.setting.id} (CV AUC ${selection.winner.cv.auc.mean.toFixed(4)})`);

  const version = champion ? champion.version + 1 : 1;
  const onnx = exportPipelineOnnx(selection.model, {
    model_version: String(version),
    features: selection.model.features.join(','),
    training_data_sha256: data.sha256,
  });
  const holdoutProbabilities = await scoreOnnx(onnx, holdout);
  const card = buildCard({
    config,
    data,
    selection,
    champion,
    onnx,
    trainRows: train.length,
    holdout,
    holdoutProbabilities,
  });

  const out = options.outDir;
  await writeFileAtomic(join(out, MODEL_FILE), onnx);
  await writeJsonAtomic(join(out, CARD_FILE), card);
  await writeFileAtomic(join(out, CARD_MARKDOWN_FILE), renderCardMarkdown(card));
  if (configText !== undefined && resolve(options.configPath) !== resolve(out, CONFIG_FILE)) {
    await writeFileAtomic(join(out, CONFIG_FILE), configText);
  }
  await writeReferenceProfile(out, data.records, await scoreOnnx(onnx, data.records));
  await writeDataProfilePage(options.dataPath, out);
  const files = [...TRAINED_FILES, CONFIG_FILE];
  log.info(`wrote ${files.join(', ')} to ${out}`);
  return { outDir: out, card, files, seconds: (Date.now() - started) / 1000 };
}

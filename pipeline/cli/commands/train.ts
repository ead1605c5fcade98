import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { trainModel } from '../../learn/train.js';
import { CARD_FILE, CONFIG_FILE } from '../../model/card.js';
import { jsonOption, optionalString, requiredString, type Command } from '../command.js';

export const DEFAULT_MODEL_DIR = 'model';
export const DEFAULT_CONFIG = join(DEFAULT_MODEL_DIR, CONFIG_FILE);

export const trainCommand: Command = {
  name: 'train',
  summary: 'select, fit and export a model; write model.onnx, card.json, CARD.md and the drift reference',
  usage: '--data FILE|DIR --out DIR [--config FILE] [--champion DIR] [--json]',
  details:
    'Sets aside the holdout (by a hash of User ID), searches the candidates of the configuration by\n' +
    'stratified cross-validation on the rest, refits the winner on all of the rest, exports it to ONNX and\n' +
    'judges the exported model on the holdout. The version is the champion\u2019s + 1 (default champion: model/\n' +
    'when it holds a card). A directory of CSV files is read in name order. Progress goes to stderr.',
  options: {
    data: {
      type: 'string',
      value: 'FILE|DIR',
      description: 'labeled history: a CSV file or a directory of them',
    },
    out: { type: 'string', value: 'DIR', description: 'the model directory to write' },
    config: {
      type: 'string',
      value: 'FILE',
      description: `training configuration (default ${DEFAULT_CONFIG})`,
    },
    champion: {
      type: 'string',
      value: 'DIR',
      description: `the model this one replaces (default ${DEFAULT_MODEL_DIR}/ if present)`,
    },
    ...jsonOption,
  },
  async run(args) {
    const championArg = optionalString(args, 'champion');
    const championDir =
      championArg ?? (existsSync(join(DEFAULT_MODEL_DIR, CARD_FILE)) ? DEFAULT_MODEL_DIR : undefined);
    const result = await trainModel({
      dataPath: requiredString(args, 'data'),
      outDir: requiredString(args, 'out'),
      configPath: optionalString(args, 'config') ?? DEFAULT_CONFIG,
      championDir,
    });
    const { card } = result;
    const text = [
      `model version ${card.version}: ${card.model.setting}`,
      `holdout (${card.holdout.n} customers): AUC ${card.holdout.auc.toFixed(4)}, accuracy ${card.holdout.accuracy.toFixed(4)}, ` +
        `log-loss ${card.holdout.logloss.toFixed(4)}`,
      `fairness: selection-rate ratio ${card.fairness.ratio?.toFixed(3) ?? 'n/a'}${card.fairness.flagged ? ' (FLAGGED)' : ''}`,
      `wrote ${result.files.join(', ')} to ${result.outDir} in ${result.seconds.toFixed(1)} s`,
    ].join('\n');
    return {
      data: {
        out: result.outDir,
        files: result.files,
        seconds: result.seconds,
        version: card.version,
        replaces: card.replaces,
        model: card.model,
        holdout: {
          auc: card.holdout.auc,
          accuracy: card.holdout.accuracy,
          logloss: card.holdout.logloss,
          brier: card.holdout.brier,
        },
        fairness: card.fairness,
      },
      text,
    };
  },
};

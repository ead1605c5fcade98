/**
 * Champion against challenger: both model directories verified (model.onnx against its card), both
 * exported graphs scored by onnxruntime on the same holdout (the hash holdout of the given data, so no
 * customer either model trained on), metrics side by side, paired tests, and the verdict of the
 * configuration's promotion rule. The result is plain data; `renderComparisonMarkdown` turns it into the
 * pull-request comment.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataFileError } from '../errors.js';
import { CONFIG_FILE, loadVerifiedModel, type LoadedModel } from '../model/card.js';
import { loadConfig, type TrainingConfig } from './config.js';
import { labelsOf, loadTrainingData, splitHoldout } from './dataset.js';
import { selectionRates, type FairnessReport } from './fairness.js';
import { classificationReport, type ClassificationReport } from './metrics.js';
import { delongTest, mcnemarTest, type DeLongResult, type McNemarResult } from './paired-tests.js';
import { scoreOnnx } from './train.js';

export interface CompareOptions {
  championDir: string;
  challengerDir: string;
  /** Labeled history: a CSV file or a directory of them; its hash holdout is what both are judged on. */
  dataPath: string;
  /** The rule (promotion, holdout share, threshold). Default: the challenger's config.json. */
  config?: TrainingConfig;
}

export interface ModelSide {
  version: number;
  sha256: string;
  learner: string;
  setting: string | null;
  features: string[];
  metrics: ClassificationReport;
  fairness: FairnessReport;
}

export const COMPARED_METRICS = ['auc', 'accuracy', 'precision', 'recall', 'f1', 'logloss', 'brier'] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];
/** For these, lower is better. */
export const LOWER_IS_BETTER: readonly ComparedMetric[] = ['logloss', 'brier'];

export interface PromotionCheck {
  name: 'auc_gain' | 'logloss_guardrail' | 'fairness_guardrail';
  passed: boolean;
  detail: string;
}

export interface ComparisonResult {
  holdout: { rows: number; buyers: number; share: number; dataSha256: string; files: number };
  champion: ModelSide;
  challenger: ModelSide;
  /** challenger - champion, per metric. */
  deltas: Record<ComparedMetric, number>;
  tests: {
    /** DeLong: B is the challenger, so `difference` is challenger - champion. */
    auc: DeLongResult;
    /** McNemar: `onlyA` counts customers only the champion classifies right. */
    accuracy: McNemarResult;
  };
  rule: TrainingConfig['promotion'];
  verdict: { promote: boolean; checks: PromotionCheck[]; reasons: string[] };
  /** Things that make the comparison less clean than it should be (shown above the verdict). */
  warnings: string[];
}

/**
 * A model trained with a smaller holdout share than the comparison's has trained on some of the customers
 * it is now judged on: its figures are then optimistic. The hash makes the holdouts nested, so a share at
 * least as large is safe.
 */
export function holdoutWarnings(models: { name: string; model: LoadedModel }[], share: number): string[] {
  return models.flatMap(({ name, model }) => {
    const selection = (model.card as { selection?: { holdout_share?: unknown } }).selection;
    const trainedWith = selection?.holdout_share;
    if (typeof trainedWith !== 'number') {
      return [
        `the ${name}\u2019s card does not say which holdout it kept: it may have trained on some of these customers`,
      ];
    }
    return trainedWith < share
      ? [
          `the ${name} kept a holdout share of ${trainedWith}, smaller than ${share}: it trained on some of these customers, so its figures are optimistic`,
        ]
      : [];
  });
}

function side(model: LoadedModel, metrics: ClassificationReport, fairness: FairnessReport): ModelSide {
  const setting = model.card.model as { setting?: unknown };
  return {
    version: model.card.version,
    sha256: model.card.model.sha256,
    learner: model.card.model.learner,
    setting: typeof setting.setting === 'string' ? setting.setting : null,
    features: [...model.card.model.features],
    metrics,
    fairness,
  };
}

const f4 = (x: number): string => x.toFixed(4);
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

function fairnessDetail(
  ratio: number | null,
  championRatio: number | null,
  min: number,
  ok: boolean,
): string {
  if (ratio === null) return 'gender selection-rate ratio undefined (one gender is absent from the holdout)';
  const shown = `gender selection-rate ratio ${ratio.toFixed(3)}`;
  if (ratio >= min) return `${shown} is at least ${min}`;
  const champion = championRatio === null ? 'n/a' : championRatio.toFixed(3);
  return ok
    ? `${shown} is under ${min} but not below the champion\u2019s ${champion}`
    : `${shown} is under ${min} and below the champion\u2019s ${champion}`;
}

/** The promotion rule: enough AUC gain, log-loss not much worse, fairness not pushed under the bar. */
export function promotionVerdict(
  champion: ModelSide,
  challenger: ModelSide,
  rule: TrainingConfig['promotion'],
): ComparisonResult['verdict'] {
  const gain = challenger.metrics.auc - champion.metrics.auc;
  const loglossIncrease = challenger.metrics.logloss - champion.metrics.logloss;
  const ratio = challenger.fairness.ratio;
  const championRatio = champion.fairness.ratio;
  const fairnessOk =
    ratio === null || ratio >= rule.min_fairness_ratio || (championRatio !== null && ratio >= championRatio);
  const checks: PromotionCheck[] = [
    {
      name: 'auc_gain',
      passed: gain >= rule.min_auc_gain,
      detail: `ROC-AUC ${gain >= rule.min_auc_gain ? 'gain' : 'change'} ${signed(gain)} ${gain >= rule.min_auc_gain ? 'reaches' : 'is below'} the required ${signed(rule.min_auc_gain)}`,
    },
    {
      name: 'logloss_guardrail',
      passed: loglossIncrease <= rule.max_logloss_increase,
      detail: `log-loss change ${signed(loglossIncrease)} ${loglossIncrease <= rule.max_logloss_increase ? 'is within' : 'exceeds'} the allowed increase of ${f4(rule.max_logloss_increase)}`,
    },
    {
      name: 'fairness_guardrail',
      passed: fairnessOk,
      detail: fairnessDetail(ratio, championRatio, rule.min_fairness_ratio, fairnessOk),
    },
  ];
  const promote = checks.every((c) => c.passed);
  const reasons = (promote ? checks : checks.filter((c) => !c.passed)).map((c) => c.detail);
  return { promote, checks, reasons };
}

export async function compareModels(options: CompareOptions): Promise<ComparisonResult> {
  const champion = await loadVerifiedModel(options.championDir);
  const challenger = await loadVerifiedModel(options.challengerDir);
  const configPath = join(options.challengerDir, CONFIG_FILE);
  const config = options.config ?? (existsSync(configPath) ? await loadConfig(configPath) : undefined);
  if (!config) {
    throw new DataFileError(
      configPath,
      'not found: the promotion rule comes from the challenger\u2019s configuration',
      'pass a configuration',
    );
  }
  const data = await loadTrainingData(options.dataPath);
  const { holdout } = splitHoldout(data.records, config.holdout_share);
  const y = labelsOf(holdout);
  const buyers = y.reduce((n, v) => n + v, 0);
  if (buyers < 2 || holdout.length - buyers < 2) {
    throw new DataFileError(
      options.dataPath,
      `its holdout (${holdout.length} customers, ${buyers} buyers) is too small to compare models`,
      'compare on more labeled history: the holdout needs at least two buyers and two non-buyers',
    );
  }
  const threshold = config.threshold;
  const pChampion = await scoreOnnx(champion.onnx, holdout);
  const pChallenger = await scoreOnnx(challenger.onnx, holdout);
  const sides = {
    champion: side(
      champion,
      classificationReport(y, pChampion, threshold),
      selectionRates(holdout, pChampion, threshold, config.promotion.min_fairness_ratio),
    ),
    challenger: side(
      challenger,
      classificationReport(y, pChallenger, threshold),
      selectionRates(holdout, pChallenger, threshold, config.promotion.min_fairness_ratio),
    ),
  };
  const deltas = Object.fromEntries(
    COMPARED_METRICS.map((m) => [m, sides.challenger.metrics[m] - sides.champion.metrics[m]]),
  ) as Record<ComparedMetric, number>;
  return {
    holdout: {
      rows: holdout.length,
      buyers,
      share: config.holdout_share,
      dataSha256: data.sha256,
      files: data.files.length,
    },
    ...sides,
    deltas,
    tests: {
      auc: delongTest(y, pChampion, pChallenger),
      accuracy: mcnemarTest(y, pChampion, pChallenger, threshold),
    },
    rule: config.promotion,
    verdict: promotionVerdict(sides.champion, sides.challenger, config.promotion),
    warnings: holdoutWarnings(
      [
        { name: 'champion', model: champion },
        { name: 'challenger', model: challenger },
      ],
      config.holdout_share,
    ),
  };
}

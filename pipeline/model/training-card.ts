/**
 * The full card.json that `propensity train` writes: the ModelCard contract (card.ts) plus what a reader
 * needs to judge the model: intended use and caveats, the feature schema, how it was selected, its
 * cross-validated and holdout metrics, and fairness figures.
 */
import type { FairnessReport } from '../learn/fairness.js';
import type { GenderCost } from '../learn/gender-cost.js';
import type { ClassificationReport } from '../learn/metrics.js';
import type { FeatureName, ModelCard } from './card.js';

export interface MeanSd {
  mean: number;
  sd: number;
}

export interface FeatureSchemaEntry {
  name: FeatureName;
  /** The ONNX input's type. */
  onnx_type: 'float' | 'string';
  description: string;
  /** Allowed values by the data contract. */
  values: string;
}

export interface CandidateSummary {
  /** `<candidate>/<feature set>`, e.g. `gbt/no_gender`. */
  family: string;
  /** Its best setting in the search. */
  setting: string;
  features: FeatureName[];
  cv: { auc: MeanSd; accuracy: MeanSd; logloss: MeanSd; brier: MeanSd };
}

export interface TrainingCard extends ModelCard {
  /** Extends `model` with the family and feature set the search picked. */
  model: ModelCard['model'] & { family: string; feature_set: string; setting: string };
  data: ModelCard['data'] & {
    rows_read: number;
    rejected: number;
    opted_out: number;
    buyer_share: number;
    training_rows: number;
    holdout_rows: number;
  };
  intended_use: string;
  caveats: string[];
  feature_schema: FeatureSchemaEntry[];
  selection: {
    metric: string;
    tie_break: string;
    tie_tolerance: number;
    cv_folds: number;
    cv_repeats: number;
    /** Training customers the search cross-validated on (a sample when there are more than cv.max_rows). */
    cv_rows: number;
    seed: number;
    holdout_share: number;
    holdout_rule: string;
    settings_searched: number;
  };
  /** The selected setting's cross-validated metrics on the training customers. */
  cv: { auc: MeanSd; accuracy: MeanSd; logloss: MeanSd; brier: MeanSd };
  /** Every family's best setting, so the cost of dropping Gender is visible. */
  candidates: CandidateSummary[];
  /** Per learner: best CV ROC-AUC with Gender and without it. */
  gender_cost: GenderCost[];
  holdout: ClassificationReport;
  fairness: FairnessReport & { on: string };
}

export const INTENDED_USE =
  'Rank the bank\u2019s active customers by their estimated probability of buying a car, so the commercial team ' +
  'can offer car loans to the most likely buyers first. A marketing aid for prioritizing contacts: not a credit ' +
  'decision, not an eligibility or pricing decision, and not for any use that affects a customer\u2019s access to credit.';

export const CAVEATS = [
  'Trained on a small labeled history (one row per customer: age, annual salary, gender, and whether they bought a car); ' +
    'it knows nothing about customers unlike those in it (ages or salaries outside the training range).',
  'Probabilities describe the customers of the training period; check the drift report each month before relying on them.',
  'Gender is a protected attribute (for credit, US ECOA/Reg B forbid using sex on a prohibited basis; the EU AI Act and GDPR ' +
    'apply to profiling): see the candidates without Gender and the fairness figures before using a model that uses it.',
  'Customers who objected to marketing profiling (MarketingOptOut) must not be scored; the pipeline drops them.',
];

export const FEATURE_SCHEMA: Record<FeatureName, FeatureSchemaEntry> = {
  Age: { name: 'Age', onnx_type: 'float', description: 'age in whole years', values: 'integer 18..100' },
  AnnualSalary: {
    name: 'AnnualSalary',
    onnx_type: 'float',
    description: 'annual salary',
    values: 'number >= 0',
  },
  Gender: {
    name: 'Gender',
    onnx_type: 'string',
    description: 'gender as recorded',
    values: 'Male or Female',
  },
};

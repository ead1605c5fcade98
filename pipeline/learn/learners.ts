/**
 * The learner families by name, with their default parameters, so that candidates can be built from
 * configuration: `createLearner('gbt', { max_depth: 4 })`.
 */
import { GBT_DEFAULTS, GradientBoostedTrees } from './gbt.js';
import type { Learner, Params } from './learner.js';
import { LOGISTIC_DEFAULTS, LogisticRegression } from './logistic.js';
import { DecisionTree, TREE_DEFAULTS } from './tree.js';

export const LEARNER_FAMILIES = ['logistic', 'tree', 'gbt'] as const;
export type LearnerFamily = (typeof LEARNER_FAMILIES)[number];

/** Each family's parameters and their defaults; a parameter not listed here is unknown to the family. */
export const DEFAULT_PARAMS: Readonly<Record<LearnerFamily, Params>> = {
  logistic: LOGISTIC_DEFAULTS,
  tree: TREE_DEFAULTS,
  gbt: GBT_DEFAULTS,
};

export function isLearnerFamily(name: string): name is LearnerFamily {
  return (LEARNER_FAMILIES as readonly string[]).includes(name);
}

/**
 * A learner of the family with the given parameters (defaults for the rest). Throws a RangeError naming
 * the parameter when one is unknown to the family or out of range.
 */
export function createLearner(family: LearnerFamily, params: Params = {}): Learner {
  const unknown = Object.keys(params).filter((name) => !(name in DEFAULT_PARAMS[family]));
  if (unknown.length > 0) {
    throw new RangeError(
      `${family}: unknown parameter ${unknown.join(', ')} (known: ${Object.keys(DEFAULT_PARAMS[family]).join(', ')})`,
    );
  }
  switch (family) {
    case 'logistic':
      return new LogisticRegression(params);
    case 'tree':
      return new DecisionTree(params);
    case 'gbt':
      return new GradientBoostedTrees(params);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the tests edit a parsed JSON document freely */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../pipeline/learn/config.js';
import { InvalidArtifactError } from '../../pipeline/errors.js';

const bundled = JSON.parse(
  readFileSync(new URL('../../model/config.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

function withChange(change: (config: Record<string, any>) => void): Record<string, unknown> {
  const copy = structuredClone(bundled) as Record<string, any>;
  change(copy);
  return copy;
}

function problem(config: unknown): string {
  try {
    parseConfig(config, 'config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArtifactError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('parseConfig', () => {
  it('accepts the bundled model/config.json, with a feature set without Gender', () => {
    const config = parseConfig(bundled);
    expect(config.features).toEqual(['Age', 'AnnualSalary', 'Gender']);
    expect(config.feature_sets.some((set) => !set.features.includes('Gender'))).toBe(true);
    expect(config.candidates.map((c) => c.learner)).toEqual(['logistic', 'tree', 'gbt']);
    expect(config.selection.metric).toBe('auc');
    expect(config.drift).toEqual({});
  });

  it('fills defaults for a minimal file', () => {
    const config = parseConfig({ candidates: [{ name: 'lr', learner: 'logistic', grid: { C: [1] } }] });
    expect(config).toMatchObject({ holdout_share: 0.2, threshold: 0.5, cv: { folds: 5, repeats: 1 } });
    expect(config.feature_sets).toEqual([{ name: 'all', features: ['Age', 'AnnualSalary', 'Gender'] }]);
  });

  it('names the field of a bad grid value', () => {
    expect(problem(withChange((c) => (c.candidates[1].grid.max_depth = [3, 2.5])))).toBe(
      'config.json: candidates[1].grid.max_depth must be a list of whole numbers >= 1, got [3,2.5]',
    );
  });

  it.each([
    [
      (c: Record<string, any>) => (c.candidates[0].learner = 'svm'),
      'candidates[0].learner must be one of logistic, tree, gbt',
    ],
    [
      (c: Record<string, any>) => (c.candidates[2].fixed.eta = 1),
      'candidates[2].fixed.eta is not a parameter of the gbt learner',
    ],
    [
      (c: Record<string, any>) => (c.candidates[2].fixed.max_depth = 3),
      'candidates[2].fixed.max_depth is also in the grid',
    ],
    [
      (c: Record<string, any>) => (c.holdout_share = 0.9),
      'holdout_share must be a number >= 0.05 and <= 0.5, got 0.9',
    ],
    [(c: Record<string, any>) => (c.cv.folds = 1), 'cv.folds must be a whole number >= 2'],
    [
      (c: Record<string, any>) => (c.feature_sets[1].features = ['Age', 'Income']),
      'feature_sets[1].features[1] must be one of',
    ],
    [
      (c: Record<string, any>) => (c.selection.metric = 'f2'),
      'selection.metric must be one of auc, logloss, accuracy, brier',
    ],
    [
      (c: Record<string, any>) => (c.promotion.min_fairness_ratio = '0.8'),
      'promotion.min_fairness_ratio must be a number',
    ],
    [(c: Record<string, any>) => (c.treshold = 0.4), 'treshold is not a known field'],
    [(c: Record<string, any>) => (c.candidates = []), 'candidates must be a non-empty list'],
  ])('refuses %#', (change, message) => {
    expect(problem(withChange(change))).toContain(`config.json: ${message}`);
  });

  it('passes the drift section (drift monitoring\u2019s settings) through as written', () => {
    const drift = { share_threshold: 0.5 };
    expect(parseConfig(withChange((c) => (c.drift = drift))).drift).toEqual(drift);
  });
});

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PARAMS,
  LEARNER_FAMILIES,
  createLearner,
  isLearnerFamily,
} from '../../pipeline/learn/learners.js';
import { matrixFromRecords } from '../../pipeline/learn/learner.js';
import { labeled } from './synthetic.js';

describe('createLearner', () => {
  it('builds every family with its defaults, and the fitted model reports its family and parameters', () => {
    const { x, y } = labeled(300, 31);
    for (const family of LEARNER_FAMILIES) {
      const learner = createLearner(family);
      expect(learner.family).toBe(family);
      expect(learner.params).toEqual(DEFAULT_PARAMS[family]);
      const model = learner.fit(x, y, 0);
      expect(model.family).toBe(family);
      expect(model.features).toEqual(x.features);
      for (const [name, value] of Object.entries(DEFAULT_PARAMS[family]))
        expect(model.params[name]).toBe(value);
      const p = model.predictProba(x);
      expect(p).toHaveLength(x.rows);
      for (const value of p) expect(value >= 0 && value <= 1).toBe(true);
    }
  });

  it('overrides only the given parameters', () => {
    const learner = createLearner('gbt', { max_depth: 4 });
    expect(learner.params).toEqual({ ...DEFAULT_PARAMS.gbt, max_depth: 4 });
  });

  it('names an unknown parameter and the known ones', () => {
    expect(() => createLearner('tree', { depth: 3 })).toThrow(
      /tree: unknown parameter depth \(known: max_depth, min_samples_leaf\)/,
    );
  });

  it('names a parameter out of range', () => {
    expect(() => createLearner('logistic', { C: -1 })).toThrow(/C must be > 0/);
    expect(() => createLearner('tree', { min_samples_leaf: 0 })).toThrow(/min_samples_leaf/);
  });

  it('refuses to predict from columns other than those it was fitted on', () => {
    const { x, y, records } = labeled(200, 32);
    const swapped = matrixFromRecords(records, ['AnnualSalary', 'Age', 'Gender']);
    for (const family of LEARNER_FAMILIES) {
      const model = createLearner(family).fit(x, y, 0);
      expect(() => model.predictProba(swapped)).toThrow(
        /features Age,AnnualSalary,Gender but the matrix has AnnualSalary/,
      );
    }
  });

  it('boosts all rounds when the data is too small to hold out a validation share', () => {
    const { x, y } = labeled(2, 33);
    const model = createLearner('gbt', { n_estimators: 7, early_stopping_rounds: 3 }).fit(x, y, 0);
    expect(model.params.trees_kept).toBe(7);
  });

  it('knows its families', () => {
    expect(isLearnerFamily('gbt')).toBe(true);
    expect(isLearnerFamily('svm')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PARAMS,
  LEARNER_FAMILIES,
  createLearner,
  isLearnerFamily,
} from '../../pipeline/learn/learners.js';
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

  it('knows its families', () => {
    expect(isLearnerFamily('gbt')).toBe(true);
    expect(isLearnerFamily('svm')).toBe(false);
  });
});

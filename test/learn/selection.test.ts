import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../pipeline/learn/config.js';
import { nestedCrossValidation } from '../../pipeline/learn/nested.js';
import {
  rankResults,
  searchSample,
  searchSettings,
  selectModel,
  type SettingResult,
} from '../../pipeline/learn/selection.js';
import { matrixFromRecords } from '../../pipeline/learn/learner.js';
import { rocAuc } from '../../pipeline/learn/metrics.js';
import { syntheticRecords } from './synthetic.js';

const config = parseConfig({
  feature_sets: [
    { name: 'all', features: ['Age', 'AnnualSalary', 'Gender'] },
    { name: 'no_gender', features: ['Age', 'AnnualSalary'] },
  ],
  candidates: [
    { name: 'logistic', learner: 'logistic', grid: { C: [0.1, 1] } },
    { name: 'tree', learner: 'tree', grid: { max_depth: [2, 5] }, fixed: { min_samples_leaf: 5 } },
  ],
  cv: { folds: 3, repeats: 1 },
  seed: 7,
});

function result(id: string, auc: number, logloss: number): SettingResult {
  const setting = { ...searchSettings(config)[0]!, id, family: id };
  const s = (mean: number) => ({ mean, sd: 0 });
  return { setting, cv: { auc: s(auc), logloss: s(logloss), accuracy: s(0.9), brier: s(0.1) } };
}

describe('searchSettings', () => {
  it('crosses every candidate grid with every feature set, fixed parameters included', () => {
    const settings = searchSettings(config);
    expect(settings.map((s) => s.id)).toEqual([
      'logistic/all C=0.1',
      'logistic/all C=1',
      'logistic/no_gender C=0.1',
      'logistic/no_gender C=1',
      'tree/all max_depth=2',
      'tree/all max_depth=5',
      'tree/no_gender max_depth=2',
      'tree/no_gender max_depth=5',
    ]);
    expect(settings[5]!.params).toEqual({ min_samples_leaf: 5, max_depth: 5 });
    expect(settings[6]!.features).toEqual(['Age', 'AnnualSalary']);
  });
});

describe('rankResults', () => {
  const rule = { metric: 'auc' as const, tie_break: 'logloss' as const, tie_tolerance: 0.002 };
  it('ranks by AUC, and by log-loss among those within the tolerance of the best', () => {
    const ranked = rankResults(
      [result('a', 0.95, 0.3), result('b', 0.961, 0.35), result('c', 0.96, 0.25), result('d', 0.9, 0.1)],
      rule,
    );
    expect(ranked.map((r) => r.setting.id)).toEqual(['c', 'b', 'a', 'd']);
  });
  it('keeps search order for exact ties', () => {
    const ranked = rankResults([result('x', 0.9, 0.3), result('y', 0.9, 0.3)], { ...rule, tie_tolerance: 0 });
    expect(ranked.map((r) => r.setting.id)).toEqual(['x', 'y']);
  });
});

describe('selectModel', () => {
  const records = syntheticRecords(600, 21);

  it('finds that the non-linear tree beats the logistic model here, and refits the winner', () => {
    const selection = selectModel(records, config);
    expect(selection.results).toHaveLength(8);
    expect(selection.winner.setting.learner).toBe('tree');
    expect(selection.bestPerFamily.map((r) => r.setting.family)).toEqual([
      'logistic/all',
      'logistic/no_gender',
      'tree/all',
      'tree/no_gender',
    ]);
    const x = matrixFromRecords(records, selection.model.features);
    const auc = rocAuc(
      records.map((r) => r.purchased),
      selection.model.predictProba(x),
    );
    expect(auc).toBeGreaterThan(selection.winner.cv.auc.mean - 0.05);
  });

  it('is deterministic', () => {
    const a = selectModel(records, config);
    const b = selectModel(records, config);
    expect(b.results).toEqual(a.results);
  });
});

describe('nestedCrossValidation', () => {
  it('reports the selected pipeline and every family over the outer folds', () => {
    const records = syntheticRecords(400, 22);
    const result = nestedCrossValidation(records, config, { folds: 3, repeats: 1 });
    expect(result.outerFolds).toHaveLength(3);
    expect(result.candidates.map((c) => c.name)).toHaveLength(4);
    expect(result.candidates.reduce((n, c) => n + c.timesSelected, 0)).toBe(3);
    expect(result.selected.auc.mean).toBeGreaterThan(0.8);
    // The selected pipeline's score is the mean of the chosen family's outer scores, fold by fold.
    const mean = result.outerFolds.reduce((s, f) => s + f.metrics.auc, 0) / 3;
    expect(result.selected.auc.mean).toBeCloseTo(mean, 12);
  });
});

describe('searchSample', () => {
  it('keeps everyone under the limit, and above it a seeded sample with the buyer share, in order', () => {
    const records = syntheticRecords(3000, 23);
    expect(searchSample(records, 5000, 1)).toHaveLength(3000);
    const sample = searchSample(records, 1000, 1);
    expect(Math.abs(sample.length - 1000)).toBeLessThanOrEqual(1);
    const share = (rows: typeof records) => rows.reduce((n, r) => n + r.purchased, 0) / rows.length;
    expect(Math.abs(share(sample) - share(records))).toBeLessThan(0.002);
    const position = new Map(records.map((r, i) => [r.userId, i]));
    const positions = sample.map((r) => position.get(r.userId)!);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(searchSample(records, 1000, 1)).toEqual(sample);
    expect(searchSample(records, 1000, 2)).not.toEqual(sample);
  });
});

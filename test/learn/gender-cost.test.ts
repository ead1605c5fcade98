import { describe, expect, it } from 'vitest';
import { genderCost } from '../../pipeline/learn/gender-cost.js';

describe('genderCost', () => {
  it('pairs each learner\u2019s best family with Gender and without it', () => {
    const all = ['Age', 'AnnualSalary', 'Gender'] as const;
    const noGender = ['Age', 'AnnualSalary'] as const;
    const cost = genderCost([
      { family: 'gbt/all', features: all, auc: 0.966 },
      { family: 'gbt/no_gender', features: noGender, auc: 0.962 },
      { family: 'gbt/age_only', features: ['Age'], auc: 0.9 },
      { family: 'logistic/all', features: all, auc: 0.915 },
      { family: 'logistic/no_gender', features: noGender, auc: 0.9152 },
      { family: 'tree/all', features: all, auc: 0.95 },
    ]);
    expect(cost).toHaveLength(2);
    expect(cost[0]).toMatchObject({ candidate: 'gbt', withGender: 0.966, withoutGender: 0.962 });
    expect(cost[0]!.aucCost).toBeCloseTo(0.004, 12);
    expect(cost[1]!.aucCost).toBeCloseTo(-0.0002, 12);
  });
});

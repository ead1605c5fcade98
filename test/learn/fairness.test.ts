import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../pipeline/data/schema.js';
import { selectionRates } from '../../pipeline/learn/fairness.js';

const person = (gender: 'Male' | 'Female', i: number): UserRecord => ({
  userId: `${gender}${i}`,
  age: 40,
  salary: 1,
  gender,
});

describe('selectionRates', () => {
  it('computes each gender\u2019s selection rate and the four-fifths ratio', () => {
    // 10 women, 6 selected (60%); 10 men, 4 selected (40%): ratio 0.4 / 0.6 = 0.667, flagged.
    const records = [
      ...Array.from({ length: 10 }, (_, i) => person('Female', i)),
      ...Array.from({ length: 10 }, (_, i) => person('Male', i)),
    ];
    const p = records.map((r, i) => (r.gender === 'Female' ? (i < 6 ? 0.9 : 0.1) : i < 14 ? 0.5 : 0.49));
    const report = selectionRates(records, p, 0.5);
    expect(report.selectionRate).toEqual({ Female: 0.6, Male: 0.4 });
    expect(report.ratio).toBeCloseTo(2 / 3, 12);
    expect(report.flagged).toBe(true);
    expect(report.counts).toEqual({ Female: 10, Male: 10 });
  });

  it('is not flagged at equal rates, and undefined when a gender is absent', () => {
    const records = [person('Female', 1), person('Male', 1)];
    expect(selectionRates(records, [0.7, 0.8], 0.5)).toMatchObject({ ratio: 1, flagged: false });
    expect(selectionRates([person('Male', 2)], [0.7], 0.5)).toMatchObject({ ratio: null, flagged: false });
  });
});

import { describe, expect, it } from 'vitest';
import { promotionVerdict, type ModelSide } from '../../pipeline/learn/compare.js';
import { renderComparisonMarkdown } from '../../pipeline/learn/compare-markdown.js';
import { classificationReport } from '../../pipeline/learn/metrics.js';
import { mcnemarFromCounts } from '../../pipeline/learn/paired-tests.js';

const rule = { min_auc_gain: 0.001, max_logloss_increase: 0.02, min_fairness_ratio: 0.8 };

function sideWith(version: number, auc: number, logloss: number, ratio: number | null): ModelSide {
  const metrics = { ...classificationReport([1, 0, 1, 0], [0.9, 0.2, 0.6, 0.4]), auc, logloss };
  return {
    version,
    sha256: 'ab'.repeat(32),
    learner: 'gbt',
    setting: `gbt/all v${version}`,
    features: ['Age', 'AnnualSalary', 'Gender'],
    metrics,
    fairness: {
      attribute: 'Gender',
      threshold: 0.5,
      counts: { Female: 2, Male: 2 },
      selectionRate: { Female: 0.5, Male: ratio === null ? null : 0.5 * ratio },
      ratio,
      minRatio: 0.8,
      flagged: ratio !== null && ratio < 0.8,
    },
  };
}

describe('promotionVerdict', () => {
  it('promotes a challenger that gains enough AUC within the guardrails', () => {
    const verdict = promotionVerdict(sideWith(1, 0.95, 0.25, 0.9), sideWith(2, 0.955, 0.26, 0.85), rule);
    expect(verdict.promote).toBe(true);
    expect(verdict.checks.every((c) => c.passed)).toBe(true);
    expect(verdict.reasons).toHaveLength(3);
  });

  it('keeps the champion when the gain is too small, and says so', () => {
    const verdict = promotionVerdict(sideWith(1, 0.95, 0.25, 0.9), sideWith(2, 0.9505, 0.24, 0.9), rule);
    expect(verdict.promote).toBe(false);
    expect(verdict.reasons).toEqual(['ROC-AUC change +0.0005 is below the required +0.0010']);
  });

  it('keeps the champion when log-loss grows too much', () => {
    const verdict = promotionVerdict(sideWith(1, 0.95, 0.25, 0.9), sideWith(2, 0.96, 0.28, 0.9), rule);
    expect(verdict.promote).toBe(false);
    expect(verdict.checks.find((c) => c.name === 'logloss_guardrail')!.passed).toBe(false);
  });

  it('refuses to push the gender ratio under 0.8, but does not block a challenger that is no worse than the champion', () => {
    const worse = promotionVerdict(sideWith(1, 0.95, 0.25, 0.85), sideWith(2, 0.96, 0.25, 0.7), rule);
    expect(worse.promote).toBe(false);
    expect(worse.reasons[0]).toContain('ratio 0.700 is under 0.8 and below the champion\u2019s 0.850');
    const alreadyLow = promotionVerdict(sideWith(1, 0.95, 0.25, 0.7), sideWith(2, 0.96, 0.25, 0.75), rule);
    expect(alreadyLow.promote).toBe(true);
  });
});

describe('renderComparisonMarkdown', () => {
  it('shows the verdict, the table, the tests and the chart, and nothing per customer', () => {
    const champion = sideWith(3, 0.95, 0.25, 0.9);
    const challenger = sideWith(4, 0.96, 0.24, 0.9);
    const markdown = renderComparisonMarkdown({
      holdout: { rows: 200, buyers: 80, share: 0.2, dataSha256: 'cd'.repeat(32), files: 1 },
      champion,
      challenger,
      deltas: { auc: 0.01, accuracy: 0, precision: 0, recall: 0, f1: 0, logloss: -0.01, brier: 0 },
      tests: {
        auc: {
          aucA: 0.95,
          aucB: 0.96,
          difference: 0.01,
          se: 0.005,
          z: 2,
          pValue: 0.0455,
          ci95: [0.0002, 0.0198],
        },
        accuracy: mcnemarFromCounts(3, 5),
      },
      rule,
      verdict: promotionVerdict(champion, challenger, rule),
      warnings: ['the champion kept a holdout share of 0.1, smaller than 0.2'],
    });
    expect(markdown).toContain('**Verdict: promote the challenger** (v4 replaces v3)');
    expect(markdown).toContain('| ROC-AUC | 0.9500 | 0.9600 | +0.0100 \u2705 |');
    expect(markdown).toContain('| log-loss | 0.2500 | 0.2400 | \u22120.0100 \u2705 |');
    expect(markdown).toContain('95% CI [+0.0002, +0.0198], z = 2.00, p = 0.0455');
    expect(markdown).toContain('3 customers right only by the champion, 5 only by the challenger');
    expect(markdown).toMatch(
      /```mermaid\nxychart-beta\n {2}title "Holdout metrics: champion v3 and challenger v4"/,
    );
    expect(markdown).toContain('x-axis ["ROC-AUC v3", "ROC-AUC v4", "accuracy v3"');
    expect(markdown).toContain('> \u26a0\ufe0f the champion kept a holdout share of 0.1');
    expect(markdown).not.toMatch(/User ID \d/);
  });
});

/**
 * The reference values come from scipy 1.10.1 / numpy 1.24.2, computed by this script (the same samples are
 * rebuilt below by `seq`):
 *
 *   from scipy import stats; from scipy.spatial import distance; import numpy as np
 *   seq = lambda n, mult, mod, scale, offset: np.array([((i*mult) % mod) / mod * scale + offset for i in range(n)])
 *   r = stats.ks_2samp(a, b)                      # statistic, pvalue (method 'auto')
 *   stats.wasserstein_distance(a, b); np.std(a)
 *   stats.kstwo.sf(x, n)
 *   distance.jensenshannon(p, q, 2); stats.chisquare(obs, exp)
 *   z = (p1-p2)/sqrt(P(1-P)(1/n1+1/n2)); p = 2*(1-stats.norm.cdf(abs(z)))     # Evidently's Z-test
 *   edges = np.unique(np.quantile(a, np.arange(1,10)/10))                    # PSI on reference deciles
 *   ra = np.bincount(np.searchsorted(edges, a), minlength=len(edges)+1)/len(a)  # likewise rb; floors 1e-4
 *   psi = np.sum((ra-rb)*np.log(ra/rb))
 */
import { describe, expect, it } from 'vitest';
import {
  chiSquareTest,
  countIntoBins,
  jensenShannonDistance,
  kolmogorovSf,
  ksTest,
  psi,
  psiEdges,
  standardDeviation,
  twoProportionZTest,
  wassersteinDistance,
} from '../../pipeline/drift/statistics.js';

const seq = (n: number, mult: number, mod: number, scale: number, offset: number): number[] =>
  Array.from({ length: n }, (_, i) => (((i * mult) % mod) / mod) * scale + offset);
const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);

const KS_CASES: Record<
  string,
  [number[], number[], { statistic: number; pvalue: number; wasserstein: number; std: number }]
> = {
  'equal sizes (exact, square)': [
    seq(100, 37, 101, 10, 0),
    seq(100, 53, 103, 10, 0.8),
    { statistic: 0.1, pvalue: 0.7020569828664881, wasserstein: 0.7721042007113332, std: 2.8976603740887845 },
  ],
  'unequal sizes (exact, lattice paths)': [
    seq(80, 37, 101, 10, 0),
    seq(120, 53, 103, 10, 1.5),
    {
      statistic: 0.1625,
      pvalue: 0.14700866218554876,
      wasserstein: 1.2954115799929506,
      std: 2.913818449571461,
    },
  ],
  'ties (whole years)': [
    seq(300, 37, 101, 45, 18).map(Math.floor),
    seq(500, 53, 103, 45, 21).map(Math.floor),
    {
      statistic: 0.07266666666666667,
      pvalue: 0.2638170843280852,
      wasserstein: 2.890666666666667,
      std: 12.970564966706561,
    },
  ],
  'asymptotic, small gap': [
    seq(1000, 37, 1009, 10, 0),
    seq(12000, 53, 12007, 10, 0.1),
    {
      statistic: 0.016583333333333394,
      pvalue: 0.9577795876752843,
      wasserstein: 0.13026817552111208,
      std: 2.8825195568529693,
    },
  ],
  'asymptotic, large gap': [
    seq(1000, 37, 1009, 10, 0),
    seq(12000, 53, 12007, 10, 1.0),
    {
      statistic: 0.10666666666666669,
      pvalue: 1.3408933810121499e-9,
      wasserstein: 1.0302681755211123,
      std: 2.8825195568529693,
    },
  ],
  identical: [
    seq(500, 37, 1009, 10, 0),
    seq(500, 37, 1009, 10, 0),
    { statistic: 0, pvalue: 1, wasserstein: 0, std: 2.9013056228483114 },
  ],
};

describe('statistics against scipy', () => {
  for (const [name, [a, b, expected]] of Object.entries(KS_CASES)) {
    it(`KS and Wasserstein: ${name}`, () => {
      const result = ksTest(sorted(a), sorted(b));
      expect(result.statistic).toBeCloseTo(expected.statistic, 9);
      expect(Math.abs(result.pValue - expected.pvalue)).toBeLessThan(1e-9);
      expect(wassersteinDistance(sorted(a), sorted(b))).toBeCloseTo(expected.wasserstein, 9);
      expect(standardDeviation(a)).toBeCloseTo(expected.std, 9);
    });
  }

  it('Kolmogorov distribution tail (kstwo.sf) in every region', () => {
    const cases: [number, number, number][] = [
      [200000, 0.002, 0.39995085369038097],
      [200000, 0.004, 0.003314212822560255],
      [500, 0.03, 0.7473166700457021],
      [100, 0.1, 0.2526927570063874],
      [100, 0.6, 5.912822156396238e-35],
      [1000, 0.05, 0.013012074781090332],
      [923, 0.04, 0.10150998333547245],
      [50, 0.15, 0.19026366518248072],
      [50, 0.3, 0.00017353260202718738],
      [3000, 0.01, 0.9220855022879386],
      [120000, 0.003, 0.22983839677697482],
    ];
    for (const [n, x, expected] of cases)
      expect(Math.abs(kolmogorovSf(n, x) - expected), `n=${n} x=${x}`).toBeLessThan(1e-7);
  });

  it('Jensen-Shannon distance, base 2', () => {
    expect(jensenShannonDistance([0.1, 0.4, 0.5], [0.3, 0.3, 0.4])).toBeCloseTo(0.21663402449519675, 10);
    expect(jensenShannonDistance([10, 0, 30, 60], [5, 20, 25, 50])).toBeCloseTo(0.33324598718877946, 10);
    expect(jensenShannonDistance([1, 2], [1, 2])).toBe(0);
  });

  it('chi-square goodness of fit', () => {
    const result = chiSquareTest([48, 35, 15, 2], [40, 40, 15, 5]);
    expect(result.statistic).toBeCloseTo(4.025, 10);
    expect(result.pValue).toBeCloseTo(0.25877720500342627, 9);
  });

  it('two-proportion Z-test', () => {
    const strong = twoProportionZTest(480, 1000, 700, 1000);
    expect(strong.statistic).toBeCloseTo(-10.00206675624817, 9);
    expect(strong.pValue).toBeLessThan(1e-6);
    const weak = twoProportionZTest(52, 100, 47, 90);
    expect(weak.statistic).toBeCloseTo(-0.03061591531650844, 10);
    expect(weak.pValue).toBeCloseTo(0.9755758495125841, 9);
  });

  it('PSI on reference deciles with open outer bins', () => {
    const a = sorted(seq(80, 37, 101, 10, 0));
    const b = sorted(seq(120, 53, 103, 10, 1.5));
    const edges = psiEdges(a);
    expect(edges).toHaveLength(9);
    expect(psi(countIntoBins(a, edges), countIntoBins(b, edges))).toBeCloseTo(0.811749482535802, 9);
    expect(psi(countIntoBins(a, edges), countIntoBins(a, edges))).toBe(0);
  });
});

/**
 * The statistics behind drift, computed the way scipy computes them (so results read as practitioners
 * using Evidently expect): two-sample Kolmogorov-Smirnov (`scipy.stats.ks_2samp`, method "auto"), the
 * first Wasserstein distance (`scipy.stats.wasserstein_distance`), the Jensen-Shannon distance
 * (`scipy.spatial.distance.jensenshannon`, base 2), chi-square goodness of fit (`scipy.stats.chisquare`),
 * the two-proportion Z-test and PSI. Distribution tails come from jStat where it is accurate enough (normal,
 * chi-square); the Kolmogorov distribution is written here, following scipy's `_ksstats` choices.
 */
import jStat from 'jstat';

// ---- Kolmogorov-Smirnov ------------------------------------------------------------------------------

export interface TestResult {
  statistic: number;
  pValue: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Largest gap between two empirical CDFs given as counts at or below shared points (any number of points). */
function largestGap(
  points: number,
  cumulativeA: (i: number) => number,
  n1: number,
  cumulativeB: (i: number) => number,
  n2: number,
): number {
  let maxPositive = 0;
  let maxNegative = 0;
  for (let i = 0; i < points; i++) {
    const diff = cumulativeA(i) / n1 - cumulativeB(i) / n2;
    if (diff > maxPositive) maxPositive = diff;
    if (-diff > maxNegative) maxNegative = -diff;
  }
  return Math.max(maxPositive, Math.min(1, maxNegative));
}

/** The KS statistic of two ascending samples: the largest gap between their empirical CDFs. */
export function ksStatistic(sortedA: ArrayLike<number>, sortedB: ArrayLike<number>): number {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  let i = 0;
  let j = 0;
  let maxPositive = 0;
  let maxNegative = 0;
  while (i < n1 || j < n2) {
    // Step past every copy of the next value on both sides (ties move together).
    const a = i < n1 ? sortedA[i]! : Infinity;
    const b = j < n2 ? sortedB[j]! : Infinity;
    const value = Math.min(a, b);
    while (i < n1 && sortedA[i]! <= value) i++;
    while (j < n2 && sortedB[j]! <= value) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxPositive) maxPositive = diff;
    if (-diff > maxNegative) maxNegative = -diff;
  }
  return Math.max(maxPositive, maxNegative);
}

/**
 * The KS statistic of two samples known only by histograms on the same bins (counts per bin). The gap is
 * evaluated at the bin edges only, so it is exact when every value sits on a bin's lower edge (Age: whole
 * years in one-year bins) and otherwise a lower bound within one bin's share of the true statistic.
 */
export function ksStatisticFromCounts(countsA: ArrayLike<number>, countsB: ArrayLike<number>): number {
  const n1 = sum(countsA);
  const n2 = sum(countsB);
  const cumA = cumulative(countsA);
  const cumB = cumulative(countsB);
  return largestGap(
    countsA.length,
    (i) => cumA[i]!,
    n1,
    (i) => cumB[i]!,
    n2,
  );
}

/** Two-sample KS test, two-sided, p-value as `scipy.stats.ks_2samp(..., method='auto')`. */
export function ksTest(sortedA: ArrayLike<number>, sortedB: ArrayLike<number>): TestResult {
  return ksPValue(ksStatistic(sortedA, sortedB), sortedA.length, sortedB.length);
}

/** The two-sided p-value of a KS statistic `d` between samples of sizes n1 and n2 (scipy's "auto" method). */
export function ksPValue(d: number, n1: number, n2: number): TestResult {
  if (n1 === 0 || n2 === 0) return { statistic: NaN, pValue: NaN };
  const MAX_AUTO_N = 10000;
  if (Math.max(n1, n2) <= MAX_AUTO_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    const exactD = h / lcm;
    if (h === 0) return { statistic: exactD, pValue: 1 };
    const p = n1 === n2 ? probabilityOutsideSquare(n1, h) : probabilityOutsideInside(n1, n2, g, h);
    if (Number.isFinite(p) && p >= 0 && p <= 1) return { statistic: exactD, pValue: p };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pValue: clip01(kolmogorovSf(Math.round(en), d)) };
}

/** Pr(D_{n,n} >= h/n) for equal sample sizes (scipy `_compute_prob_outside_square`). */
function probabilityOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * The share of lattice paths from (0,0) to (m,n) that leave the band |x/m - y/n| < h/lcm(m,n), computed as
 * one minus the inside share column by column (Hodges 1958; Viehmann 2021), as scipy does for unequal sizes.
 */
function probabilityOutsideInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(Math.max(lenA, 1)).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

const clip01 = (p: number): number => Math.min(1, Math.max(0, p));

/**
 * Pr(D_n >= x) for the one-sample two-sided Kolmogorov statistic (scipy `kstwo.sf`), choosing the method by
 * region as scipy's `_kolmogn` does (Simard & L'Ecuyer 2011). Where scipy uses Pomeranz's recursion
 * (n <= 140) this uses the Durbin matrix, which is exact there too.
 */
export function kolmogorovSf(n: number, x: number): number {
  if (!(n > 0) || !Number.isInteger(n)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - cdf);
  }
  if (t >= n - 1) return clip01(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 4) return clip01(1 - durbinCdf(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  const cdf = n <= 100000 && n * Math.pow(x, 1.5) <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip01(1 - cdf);
}

/** log(n! / n^n) by Stirling's series (scipy `_log_nfactorial_div_n_pow_n`). */
function logFactorialOverPower(n: number): number {
  const coefficients = [
    -2.955065359477124e-2, 6.41025641025641e-3, -1.9175269175269176e-3, 8.417508417508417e-4,
    -5.952380952380953e-4, 7.936507936507937e-4, -2.777777777777778e-3, 8.333333333333333e-2,
  ];
  const rn = 1 / n;
  let poly = 0;
  for (const c of coefficients) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/**
 * Pr(D+_n >= x), the one-sided Smirnov tail, by the exact Birnbaum-Tingey sum
 * x * sum_j C(n,j) (x + j/n)^(j-1) (1 - x - j/n)^(n-j), every term positive and taken in logarithms.
 */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x));
  let total = 0;
  let logBinomial = 0;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logBinomial += Math.log((n - j + 1) / j);
    const rest = 1 - x - j / n;
    if (rest <= 0) continue;
    total += Math.exp(logBinomial + (j - 1) * Math.log(x + j / n) + (n - j) * Math.log(rest));
  }
  return x * total;
}

const SCALE_EXPONENT = 128;
const SCALE_UP = Math.pow(2, SCALE_EXPONENT);
const SCALE_DOWN = Math.pow(2, -SCALE_EXPONENT);

function matmul(a: Float64Array, b: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < size; k++) {
      const aik = a[i * size + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < size; j++) out[i * size + j]! += aik * b[k * size + j]!;
    }
  }
  return out;
}

/** Pr(D_n <= d) by the Durbin matrix (Marsaglia, Tsang & Wang 2003), with scipy's rescaling. */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - Math.pow(h, j)) * fac;
  }
  const tt = Math.pow(Math.max(2 * h - 1, 0), m) - 2 * Math.pow(h, m);
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) {
    for (let row = i - 1; row < m; row++) H[row * m + i] = w[row - i + 1]!;
  }
  for (let row = 0; row < m; row++) H[row * m] = v[row]!;
  for (let col = 0; col < m; col++) H[(m - 1) * m + col] = v[m - 1 - col]!;

  let power = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let nn = n;
  let exponent = 0;
  let hExponent = 0;
  while (nn > 0) {
    if (nn % 2) {
      power = matmul(power, H, m);
      exponent += hExponent;
    }
    H = matmul(H, H, m);
    hExponent *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > SCALE_UP) {
      for (let i = 0; i < H.length; i++) H[i]! /= SCALE_UP;
      hExponent += SCALE_EXPONENT;
    }
    nn = Math.floor(nn / 2);
  }
  let p = power[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < SCALE_DOWN) {
      p *= SCALE_UP;
      exponent -= SCALE_EXPONENT;
    }
  }
  return clip01(p * Math.pow(2, exponent));
}

/** The Pelz-Good asymptotic series for Pr(D_n <= x) (scipy `_kolmogn_PelzGood`). */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const PI2 = Math.PI ** 2;
  const PI4 = Math.PI ** 4;
  const PI6 = Math.PI ** 6;
  const SQRT2PI = Math.sqrt(2 * Math.PI);
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = Math.pow(q, 8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qpower + coefficients[i]!;
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT2PI) / divisors[i]!;
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const qp = Math.pow(q, k * k);
    k2extra += k * k * qp;
    const kpi = Math.PI * k;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k * k * qp;
  }
  K[2]! += (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K[3]! += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  let total = 0;
  for (let i = 0; i < 4; i++) total += K[i]! / Math.pow(n, i / 2);
  return total;
}

// ---- Wasserstein ---------------------------------------------------------------------------------------

/** First Wasserstein distance of two ascending samples (`scipy.stats.wasserstein_distance`). */
export function wassersteinDistance(sortedA: ArrayLike<number>, sortedB: ArrayLike<number>): number {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  let i = 0;
  let j = 0;
  let total = 0;
  let previous = Math.min(sortedA[0]!, sortedB[0]!);
  while (i < n1 || j < n2) {
    const a = i < n1 ? sortedA[i]! : Infinity;
    const b = j < n2 ? sortedB[j]! : Infinity;
    const value = Math.min(a, b);
    // |F - G| is constant between consecutive distinct values.
    total += Math.abs(i / n1 - j / n2) * (value - previous);
    while (i < n1 && sortedA[i]! <= value) i++;
    while (j < n2 && sortedB[j]! <= value) j++;
    previous = value;
  }
  return total;
}

/**
 * Wasserstein distance of two samples known by counts on the same bins of the given edges (`edges.length`
 * = counts + 1). `pointMass` puts each bin's count on its lower edge (exact for whole years in one-year
 * bins); otherwise the count is spread evenly over the bin (an approximation within one bin width).
 */
export function wassersteinFromCounts(
  countsA: ArrayLike<number>,
  countsB: ArrayLike<number>,
  edges: ArrayLike<number>,
  pointMass: boolean,
): number {
  const n1 = sum(countsA);
  const n2 = sum(countsB);
  let cumA = 0;
  let cumB = 0;
  let total = 0;
  for (let i = 0; i < countsA.length; i++) {
    const before = cumA / n1 - cumB / n2;
    cumA += countsA[i]!;
    cumB += countsB[i]!;
    const after = cumA / n1 - cumB / n2;
    const width = edges[i + 1]! - edges[i]!;
    if (pointMass) total += Math.abs(after) * width;
    else total += width * integralOfAbsLine(before, after);
  }
  return total;
}

/** The integral over [0, 1] of |a + (b - a) t|. */
function integralOfAbsLine(a: number, b: number): number {
  if (a * b >= 0) return (Math.abs(a) + Math.abs(b)) / 2;
  return (a * a + b * b) / (2 * (Math.abs(a) + Math.abs(b)));
}

// ---- categorical tests -----------------------------------------------------------------------------------

/** Jensen-Shannon distance, base 2 (`scipy.spatial.distance.jensenshannon(p, q, 2)`); inputs are normalized. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const sp = sum(p);
  const sq = sum(q);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += pi * Math.log(pi / mi);
    if (qi > 0) divergence += qi * Math.log(qi / mi);
  }
  return Math.sqrt(Math.max(0, divergence / Math.LN2 / 2));
}

/** Chi-square goodness of fit of observed counts against expected counts (`scipy.stats.chisquare`). */
export function chiSquareTest(observed: ArrayLike<number>, expected: ArrayLike<number>): TestResult {
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = expected[i]!;
    statistic += (observed[i]! - e) ** 2 / e;
  }
  const dof = observed.length - 1;
  return { statistic, pValue: dof > 0 ? 1 - jStat.chisquare.cdf(statistic, dof) : NaN };
}

/**
 * Two-proportion Z-test (pooled), two-sided: the share of "successes" among n1 against among n2.
 * Evidently's Z-test, with p = 2 (1 - Phi(|z|)).
 */
export function twoProportionZTest(
  successes1: number,
  n1: number,
  successes2: number,
  n2: number,
): TestResult {
  const p1 = successes1 / n1;
  const p2 = successes2 / n2;
  const pooled = (successes1 + successes2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1)) };
}

// ---- PSI -----------------------------------------------------------------------------------------------

export const PSI_FLOOR = 1e-4;

/**
 * Population stability index of two distributions given as shares (or counts) over the same bins:
 * sum (r - c) ln(r / c), with an empty bin's share floored at `floor` so the logarithm stays finite.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, floor = PSI_FLOOR): number {
  const sr = sum(reference);
  const sc = sum(current);
  let total = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i]! / sr, floor);
    const c = Math.max(current[i]! / sc, floor);
    total += (r - c) * Math.log(r / c);
  }
  return total;
}

/** The q-quantile of an ascending sample with linear interpolation (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (position - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The inner edges of PSI's bins: the reference's deciles (for `bins` = 10), duplicates dropped, so the
 * outer bins are open-ended: (-inf, e1], (e1, e2], ..., (e_last, inf).
 */
export function psiEdges(sortedReference: ArrayLike<number>, bins = 10): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const edge = quantileSorted(sortedReference, k / bins);
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return edges;
}

/** Counts of an ascending sample in the bins (-inf, e1], (e1, e2], ..., (e_last, inf). */
export function countIntoBins(sorted: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let bin = 0;
  for (let i = 0; i < sorted.length; i++) {
    const value = sorted[i]!;
    while (bin < edges.length && value > edges[bin]!) bin++;
    counts[bin]!++;
  }
  return counts;
}

// ---- helpers -------------------------------------------------------------------------------------------

export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

export function cumulative(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let total = 0;
  for (let i = 0; i < values.length; i++) out[i] = total += values[i]!;
  return out;
}

/** Population standard deviation (numpy.std, ddof 0), two-pass. */
export function standardDeviation(values: ArrayLike<number>): number {
  const mean = sum(values) / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return Math.sqrt(squares / values.length);
}

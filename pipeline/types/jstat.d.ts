/** The few parts of jStat (a CommonJS module without its own types) the pipeline uses. */
declare module 'jstat' {
  interface ContinuousDistribution {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  interface DiscreteDistribution {
    cdf(k: number, n: number, p: number): number;
    pdf(k: number, n: number, p: number): number;
  }
  const jStat: {
    normal: ContinuousDistribution;
    chisquare: ContinuousDistribution;
    studentt: ContinuousDistribution;
    binomial: DiscreteDistribution;
  };
  export default jStat;
}

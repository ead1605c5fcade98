/**
 * The model artifact's interface (design.md): raw columns in, `label` and `probability` out. Shared by the
 * exporter that writes graphs and the runtimes that feed them, without pulling the protobuf writer into
 * the scorer.
 */
export const INPUT_NAMES = { Age: 'Age', AnnualSalary: 'AnnualSalary', Gender: 'Gender' } as const;
export const OUTPUT_PROBABILITY = 'probability';
export const OUTPUT_LABEL = 'label';
/** `label` is 1 when the probability is at least this. */
export const LABEL_THRESHOLD = 0.5;

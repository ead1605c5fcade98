/**
 * Running the model on batches of users. The ONNX contract: inputs `Age` and `AnnualSalary` float [N,1]
 * and `Gender` string [N,1] (only those the graph lists: a model without Gender has no Gender input),
 * outputs `probability` float [N] (and `label`, unused here: the threshold is the card's).

 * onnxruntime-node's `run` computes on the calling thread: the scorer calls it from its scoring thread
 * (sink.ts) while the main thread reads the next batch.
 */
import * as ort from 'onnxruntime-node';
import { InvalidArtifactError } from '../errors.js';
import { loadOnnxSession } from '../onnx/run.js';

/** The feature columns of a batch of users (the first `count` entries are used). */
export interface FeatureBatch {
  count: number;
  age: Float32Array;
  salary: Float64Array;
  male: Uint8Array;
}

const GENDER_TEXT = ['Female', 'Male'] as const;

/** Arrays for the float32 salaries and the gender strings, reused from batch to batch by one caller. */
export interface FeedScratch {
  salary: Float32Array;
  gender: string[];
}

export const newScratch = (): FeedScratch => ({ salary: new Float32Array(0), gender: [] });

/** The session feeds for a batch: only the inputs the graph has (they use `scratch` until the run is done). */
export function feedsFor(
  batch: FeatureBatch,
  inputNames: readonly string[],
  scratch: FeedScratch = newScratch(),
): Record<string, ort.Tensor> {
  const n = batch.count;
  const feeds: Record<string, ort.Tensor> = {};
  if (inputNames.includes('Age')) feeds.Age = new ort.Tensor('float32', batch.age.subarray(0, n), [n, 1]);
  if (inputNames.includes('AnnualSalary')) {
    if (scratch.salary.length < n) scratch.salary = new Float32Array(n);
    const salary = scratch.salary.subarray(0, n);
    salary.set(batch.salary.subarray(0, n));
    feeds.AnnualSalary = new ort.Tensor('float32', salary, [n, 1]);
  }
  if (inputNames.includes('Gender')) {
    const gender = scratch.gender;
    gender.length = n;
    for (let i = 0; i < n; i++) gender[i] = GENDER_TEXT[batch.male[i]!]!;
    feeds.Gender = new ort.Tensor('string', gender, [n, 1]);
  }
  return feeds;
}

export function openSession(onnx: Uint8Array, threads: number): Promise<ort.InferenceSession> {
  return loadOnnxSession(onnx, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

export async function runSession(
  session: ort.InferenceSession,
  batch: FeatureBatch,
  scratch?: FeedScratch,
): Promise<Float32Array> {
  const result = await session.run(feedsFor(batch, session.inputNames, scratch), ['probability']);
  const data = result.probability?.data;
  if (!(data instanceof Float32Array) || data.length !== batch.count) {
    throw new InvalidArtifactError(
      `model.onnx returned ${data?.length ?? 'no'} probabilities of type ${result.probability?.type ?? 'none'} for ${batch.count} users; the contract is float [N]`,
      'export the model with the project',
    );
  }
  return data;
}

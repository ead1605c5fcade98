/**
 * Scoring with an exported model through onnxruntime-node: the same graph any other ONNX runtime would
 * run. Feeds are built from the graph's own input names, so a model without Gender simply gets no Gender.
 */
import * as ort from 'onnxruntime-node';
import type { UserRecord } from '../data/schema.js';
import { INPUT_NAMES, OUTPUT_LABEL, OUTPUT_PROBABILITY } from './export.js';

export async function loadOnnxSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes);
}

/** Input tensors [N,1] for the graph's inputs: Age and AnnualSalary as float32, Gender as string. */
export function onnxFeeds(
  records: readonly UserRecord[],
  inputNames: readonly string[],
): Record<string, ort.Tensor> {
  const n = records.length;
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of inputNames) {
    if (name === INPUT_NAMES.Age)
      feeds[name] = new ort.Tensor(
        'float32',
        Float32Array.from(records, (r) => r.age),
        [n, 1],
      );
    else if (name === INPUT_NAMES.AnnualSalary) {
      feeds[name] = new ort.Tensor(
        'float32',
        Float32Array.from(records, (r) => r.salary),
        [n, 1],
      );
    } else if (name === INPUT_NAMES.Gender) {
      feeds[name] = new ort.Tensor(
        'string',
        records.map((r) => r.gender),
        [n, 1],
      );
    } else throw new Error(`the model has an input "${name}" that no customer column provides`);
  }
  return feeds;
}

export interface OnnxScores {
  /** P(purchase), float32 as the graph computes it. */
  probability: Float32Array;
  /** 1 when probability >= 0.5. */
  label: BigInt64Array;
}

export async function predictOnnx(
  session: ort.InferenceSession,
  records: readonly UserRecord[],
): Promise<OnnxScores> {
  const out = await session.run(onnxFeeds(records, session.inputNames));
  return {
    probability: out[OUTPUT_PROBABILITY]!.data as Float32Array,
    label: out[OUTPUT_LABEL]!.data as BigInt64Array,
  };
}

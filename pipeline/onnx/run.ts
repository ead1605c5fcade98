/**
 * Scoring with an exported model through onnxruntime-node: the same graph any other ONNX runtime would
 * run. Feeds are built from the graph's own input names, so a model without Gender simply gets no Gender.
 */
import * as ort from 'onnxruntime-node';
import type { UserRecord } from '../data/schema.js';
import { InvalidArtifactError } from '../errors.js';
import { INPUT_NAMES, OUTPUT_LABEL, OUTPUT_PROBABILITY } from './contract.js';

/** The graph inputs a customer row can feed; the contract's output is `probability`. */
export const CONTRACT_INPUTS: readonly string[] = Object.values(INPUT_NAMES);

/**
 * Refuses a graph that does not take (a subset of) the contract's inputs or has no `probability` output:
 * such a model was not exported by this project, and feeding or reading it would fail half-way.
 */
export function assertModelContract(inputNames: readonly string[], outputNames: readonly string[]): void {
  const unknown = inputNames.filter((name) => !CONTRACT_INPUTS.includes(name));
  if (unknown.length > 0 || inputNames.length === 0 || !outputNames.includes(OUTPUT_PROBABILITY)) {
    throw new InvalidArtifactError(
      `model.onnx does not follow the model contract (inputs ${CONTRACT_INPUTS.join(', ')}, output ${OUTPUT_PROBABILITY}): it has inputs ${inputNames.join(', ')} and outputs ${outputNames.join(', ')}`,
      'export the model with the project (`propensity train`), which writes graphs with the contract inputs and outputs',
    );
  }
}

/** An onnxruntime session for a model, refused (exit 2) when the bytes are no model or break the contract. */
export async function loadOnnxSession(
  bytes: Uint8Array,
  options: ort.InferenceSession.SessionOptions = {},
): Promise<ort.InferenceSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, options);
  } catch (error) {
    throw new InvalidArtifactError(
      `model.onnx cannot be loaded by onnxruntime: ${(error as Error).message}`,
      'retrain or restore the model',
    );
  }
  assertModelContract(session.inputNames, session.outputNames);
  return session;
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
  const probability = out[OUTPUT_PROBABILITY];
  if (!(probability?.data instanceof Float32Array) || probability.data.length !== records.length) {
    throw new InvalidArtifactError(
      `model.onnx returned ${probability?.data.length ?? 'no'} probabilities of type ${probability?.type ?? 'none'} for ${records.length} users; the contract is float [N]`,
      'export the model with the project',
    );
  }
  return {
    probability: probability.data,
    label: out[OUTPUT_LABEL]?.data as BigInt64Array,
  };
}

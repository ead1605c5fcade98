/** Worker thread entry: holds an onnxruntime session and scores the batches the main thread posts. */
import { parentPort, workerData } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import { isUserError } from '../errors.js';
import { openSession, runSession, type FeatureBatch } from './inference.js';

const { onnx, threads } = workerData as { onnx: Uint8Array; threads: number };
let session: Promise<InferenceSession> | undefined;

parentPort!.on('message', async (message: { id: number; type: 'open' | 'score'; batch?: FeatureBatch }) => {
  try {
    session ??= openSession(onnx, threads);
    const opened = await session;
    if (message.type === 'open') {
      parentPort!.postMessage({ id: message.id, inputNames: opened.inputNames });
      return;
    }
    const probability = await runSession(opened, message.batch!);
    const copy = probability.slice();
    parentPort!.postMessage({ id: message.id, probability: copy }, [copy.buffer]);
  } catch (error) {
    parentPort!.postMessage({
      id: message.id,
      error: { message: (error as Error).message, user: isUserError(error) },
    });
  }
});

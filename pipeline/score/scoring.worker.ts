/** Worker thread entry of a scoring run: see sink.ts. */
import { parentPort } from 'node:worker_threads';
import { serveSink } from './sink.js';

serveSink(parentPort!);

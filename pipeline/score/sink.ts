/**
 * The scoring side of a run: batches of valid users go in; the model scores them, each customer is added
 * to the ranking runs, the profile and the per-gender counts; `finish` writes the ranked files.
 *
 * It runs in a worker thread (scoring.worker.ts) so that the main thread only reads and validates: the two
 * halves of the work then take the two cores. The same class runs inline when there is no bundled worker
 * (tests running the sources) or when asked to.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import { csvText } from '../data/csv.js';
import { GENDERS, type Gender } from '../data/schema.js';
import { ProfileBuilder, type Profile } from '../drift/profile.js';
import { InvalidArtifactError, isUserError } from '../errors.js';
import type { UserColumns } from './fast-reader.js';
import { newScratch, openSession, runSession } from './inference.js';
import { isLikelyBuyer, writeRanked, type RankedTotals } from './ranked-output.js';
import { MICRO, rankKey, RunCollector, toMicro } from './ranking.js';

export interface SinkOptions {
  onnx: Uint8Array;
  threads: number;
  threshold: number;
  /** Where sorted runs spill. */
  runsDir: string;
  runRows?: number;
}

export interface SinkResult {
  ranked: RankedTotals;
  profile: Profile;
  genders: Record<Gender, { scored: number; likely_buyers: number }>;
}

export interface Sink {
  /** Scores a batch; resolves with the batch (its buffers), free to be filled again. */
  add(batch: UserColumns): Promise<UserColumns>;
  finish(options: { dir: string; top?: number }): Promise<SinkResult>;
  close(): Promise<void>;
}

export class ScoringSink implements Sink {
  private readonly collector: RunCollector;
  private readonly profile = new ProfileBuilder({ withProbability: true });
  private readonly scratch = newScratch();
  private readonly genders = {
    Female: { scored: 0, likely_buyers: 0 },
    Male: { scored: 0, likely_buyers: 0 },
  };

  private constructor(
    private readonly session: InferenceSession,
    private readonly options: SinkOptions,
  ) {
    this.collector = new RunCollector(options.runsDir, options.runRows);
  }

  static async open(options: SinkOptions): Promise<ScoringSink> {
    return new ScoringSink(await openSession(options.onnx, options.threads), options);
  }

  /** Batches are taken one after the other, in the order given, however many are in flight. */
  add(batch: UserColumns): Promise<UserColumns> {
    const done = this.queue.then(() => this.take(batch));
    this.queue = done.catch(() => undefined);
    return done.then(() => batch);
  }

  private queue: Promise<void> = Promise.resolve();

  private async take(batch: UserColumns): Promise<void> {
    const p = await runSession(this.session, batch, this.scratch);
    const { idEnds, age, salary, male } = batch;
    const ids = Buffer.from(batch.idBytes.buffer, batch.idBytes.byteOffset, batch.idBytes.byteLength);
    const threshold = this.options.threshold;
    let from = 0;
    for (let i = 0; i < batch.count; i++) {
      const to = idEnds[i]!;
      const micro = toMicro(p[i]!);
      const key = rankKey(micro, ids, from, to);
      if (key < 0 || !this.collector.addKey(key)) {
        const id = batch.idAscii ? ids.latin1Slice(from, to) : ids.toString('utf8', from, to);
        this.collector.add(csvText(id), micro);
      }
      from = to;
      const gender = GENDERS[male[i]!]!;
      const counts = this.genders[gender];
      counts.scored++;
      if (isLikelyBuyer(micro, threshold)) counts.likely_buyers++;
      this.profile.addRow(age[i]!, salary[i]!, gender, micro / MICRO);
    }
    await this.collector.spillWhenFull();
  }

  async finish(options: { dir: string; top?: number }): Promise<SinkResult> {
    await this.queue;
    const ranked = await writeRanked(this.collector.sources(), this.collector.total, {
      dir: options.dir,
      threshold: this.options.threshold,
      top: options.top,
    });
    return { ranked, profile: this.profile.toJSON(), genders: this.genders };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** The buffers of a batch, moved (not copied) between threads. */
function buffersOf(batch: UserColumns): ArrayBuffer[] {
  return [
    batch.idBytes.buffer,
    batch.idEnds.buffer,
    batch.age.buffer,
    batch.salary.buffer,
    batch.male.buffer,
  ] as ArrayBuffer[];
}

/**
 * Heap limits of the scoring thread. Its live data is one sorted run (RUN_ROWS IDs, about 20 MB); left
 * alone, V8 lets garbage pile up to several times that before collecting, which at 10 million rows took
 * the run past 300 MB. With these limits it collects sooner: about 15% more CPU, 250 MB at 10 million.
 */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 };

/** The bundled worker entry (build/scoring.worker.js), when this code runs from the bundle. */
function workerEntry(): string | undefined {
  const path = fileURLToPath(new URL('./scoring.worker.js', import.meta.url));
  return existsSync(path) ? path : undefined;
}

export interface SinkMessage {
  id: number;
  type: 'open' | 'add' | 'finish';
  options?: SinkOptions;
  batch?: UserColumns;
  finish?: { dir: string; top?: number };
}

export interface SinkReply {
  id: number;
  /** An added batch, handed back to be filled again. */
  batch?: UserColumns;
  result?: SinkResult;
  error?: { message: string; hint?: string; user: boolean };
}

/** A ScoringSink in a worker thread, driven by messages; batches move there without a copy. */
class WorkerSink implements Sink {
  private next = 0;
  private failure: Error | undefined;
  private readonly waiting = new Map<
    number,
    { resolve: (reply: SinkReply) => void; reject: (error: Error) => void }
  >();
  /** Messages posted and not answered yet. */
  private readonly unanswered = new Set<Promise<SinkReply>>();

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: SinkReply) => {
      const pending = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      pending?.resolve(reply);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the scoring thread stopped (exit ${code})`)));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.waiting.values()) pending.reject(error);
    this.waiting.clear();
  }

  call(message: Omit<SinkMessage, 'id'>, transfer: ArrayBuffer[] = []): Promise<SinkReply> {
    const sent = new Promise<SinkReply>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const id = this.next++;
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message }, transfer);
    });
    this.unanswered.add(sent);
    void sent.then(
      () => this.unanswered.delete(sent),
      () => this.unanswered.delete(sent),
    );
    return sent.then((reply) => {
      if (reply.error) {
        throw reply.error.user
          ? new InvalidArtifactError(reply.error.message, reply.error.hint)
          : new Error(reply.error.message);
      }
      return reply;
    });
  }

  async add(batch: UserColumns): Promise<UserColumns> {
    const moved = { ...batch, rejects: [] };
    return (await this.call({ type: 'add', batch: moved }, buffersOf(moved))).batch!;
  }

  async finish(options: { dir: string; top?: number }): Promise<SinkResult> {
    return (await this.call({ type: 'finish', finish: options })).result!;
  }

  /**
   * Waits for the worker to answer what was sent (it answers every message, in order, error or not):
   * terminating it while onnxruntime runs a batch aborts the whole process (SIGABRT) instead of letting
   * the run fail with its message.
   */
  async close(): Promise<void> {
    await Promise.allSettled([...this.unanswered]);
    this.failure ??= new Error('closed');
    await this.worker.terminate();
  }
}

/** Opens the sink: in a worker thread when the bundle has one (and `inline` is not asked), else here. */
export async function openSink(options: SinkOptions, inline = false): Promise<Sink> {
  const entry = inline ? undefined : workerEntry();
  if (!entry) return ScoringSink.open(options);
  const sink = new WorkerSink(new Worker(entry, { execArgv: [], resourceLimits: WORKER_HEAP }));
  // The model loads in the scoring thread while this thread starts reading. The thread takes messages in
  // order, so a model that fails to load fails the first batch (or the finish) with its own message.
  sink.call({ type: 'open', options }).catch(() => undefined);
  return sink;
}

/** The worker side: one ScoringSink, driven by the messages of a WorkerSink. */
export function serveSink(port: {
  on(event: 'message', f: (m: SinkMessage) => void): void;
  postMessage(m: SinkReply, transfer?: ArrayBuffer[]): void;
}): void {
  let sink: Promise<ScoringSink> | undefined;
  // messages are handled one after the other, in the order they were posted
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (message) => {
    queue = queue.then(async () => {
      try {
        if (message.type === 'open') {
          sink = ScoringSink.open(message.options!);
          await sink;
          port.postMessage({ id: message.id });
        } else if (message.type === 'add') {
          const batch = await (await sink!).add(message.batch!);
          port.postMessage({ id: message.id, batch }, buffersOf(batch));
        } else {
          port.postMessage({ id: message.id, result: await (await sink!).finish(message.finish!) });
        }
      } catch (error) {
        const hint = isUserError(error) ? error.hint : undefined;
        port.postMessage({
          id: message.id,
          error: { message: (error as Error).message, hint, user: isUserError(error) },
        });
      }
    });
  });
}

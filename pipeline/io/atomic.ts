/**
 * Atomic file writes: write a temporary file beside the target, then rename it into place, so a reader
 * (or a re-run after a crash) never sees a half-written file under the final name.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';

function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPath(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** A file written piece by piece that appears under its name only on `commit()`. */
export interface AtomicWriter {
  /** Writes text (or bytes), waiting when the disk is behind (backpressure). */
  write(text: string | Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function openAtomicWriter(path: string): Promise<AtomicWriter> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPath(path);
  const stream: WriteStream = createWriteStream(temporary, { highWaterMark: 1 << 20 });
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure = error;
  });
  const close = async () => {
    if (stream.closed) return;
    stream.end();
    await once(stream, 'close');
  };
  return {
    async write(text) {
      if (failure) throw failure;
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async commit() {
      await close();
      if (failure) throw failure;
      await rename(temporary, path);
    },
    async abort() {
      await close().catch(() => {});
      await rm(temporary, { force: true });
    },
  };
}

/** Runs `fill` against an atomic writer: committed when it returns, removed when it throws. */
export async function writeStreamAtomic(
  path: string,
  fill: (writer: AtomicWriter) => Promise<void>,
): Promise<void> {
  const writer = await openAtomicWriter(path);
  try {
    await fill(writer);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

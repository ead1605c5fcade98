/** The small things a scoring run needs settled first: its month, its shard, its suppression list, its staging. */
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFileError, UsageError } from '../errors.js';

export interface Shard {
  index: number;
  count: number;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** YYYY-MM as given, or the current month in UTC. */
export function resolveMonth(month: string | undefined, now = new Date()): string {
  if (month === undefined) return now.toISOString().slice(0, 7);
  if (!MONTH.test(month))
    throw new UsageError(`--month must be YYYY-MM, got "${month}"`, 'for example --month 2026-11');
  return month;
}

/** "i/n": this run takes the users whose ID hashes to shard i of n. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) {
    throw new UsageError(
      `--shard must be i/n with 0 <= i < n, got "${text}"`,
      'for example --shard 0/4 ... --shard 3/4',
    );
  }
  return { index, count };
}

/** One User ID a line (blank lines ignored, spaces trimmed): customers never to score or export. */
export async function readSuppressionList(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DataFileError(
      file,
      'cannot be read',
      'check the path of the suppression list (one User ID a line)',
    );
  }
  const ids = new Set<string>();
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const id = line.trim();
    if (id !== '') ids.add(id);
  }
  return ids;
}

/**
 * A hidden directory inside the output directory where a run writes everything; `publish` renames the
 * files into the output directory (same file system, so each rename is atomic), `discard` removes it all.
 */
export class Staging {
  private constructor(
    readonly outDir: string,
    readonly dir: string,
  ) {}

  static async open(outDir: string): Promise<Staging> {
    await mkdir(outDir, { recursive: true });
    return new Staging(outDir, await mkdtemp(join(outDir, '.partial-')));
  }

  async removeScratch(name: string): Promise<void> {
    await rm(join(this.dir, name), { recursive: true, force: true });
  }

  async publish(files: readonly string[]): Promise<void> {
    for (const file of files) await rename(join(this.dir, file), join(this.outDir, file));
    await rm(this.dir, { recursive: true, force: true });
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The small things a scoring run needs settled first: its month, its shard, its suppression list, its staging. */
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
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

const STAGING_PREFIX = '.partial-';

/** Whether a process of this machine is still running (EPERM: running, as someone else). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A hidden directory inside the output directory where a run writes everything; `publish` renames the
 * files into the output directory (same file system, so each rename is atomic), `discard` removes it all.
 * Its name carries the process ID, so the staging of a run that was killed (SIGKILL, a lost runner) is
 * recognised and removed by the next run instead of lying about, half-written, beside the outputs.
 */
export class Staging {
  private constructor(
    readonly outDir: string,
    readonly dir: string,
  ) {}

  static async open(outDir: string): Promise<Staging> {
    await mkdir(outDir, { recursive: true });
    for (const name of await readdir(outDir)) {
      const pid = Number(/^\.partial-(\d+)-/.exec(name)?.[1]);
      if (pid > 0 && pid !== process.pid && !isRunning(pid)) {
        await rm(join(outDir, name), { recursive: true, force: true });
      }
    }
    return new Staging(outDir, await mkdtemp(join(outDir, `${STAGING_PREFIX}${process.pid}-`)));
  }

  async removeScratch(name: string): Promise<void> {
    await rm(join(this.dir, name), { recursive: true, force: true });
  }

  /**
   * Moves `files` into the output directory. `marker` (one of them, the run's summary) says the set is
   * complete: an earlier run's marker is removed first and the new one moved last, so a run stopped in
   * between leaves no marker, never a marker beside a mix of old and new files.
   */
  async publish(files: readonly string[], marker?: string): Promise<void> {
    if (marker) await rm(join(this.outDir, marker), { force: true });
    for (const file of files) {
      if (file !== marker) await rename(join(this.dir, file), join(this.outDir, file));
    }
    if (marker) await rename(join(this.dir, marker), join(this.outDir, marker));
    await rm(this.dir, { recursive: true, force: true });
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

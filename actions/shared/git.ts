/** Git in the runner's workspace, through execFile (no shell: branch names are untrusted input). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BOT_NAME = 'github-actions[bot]';
export const BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

export async function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout.trim();
}

/** A file's bytes at a revision, or undefined when it does not exist there. */
export async function showFile(cwd: string, revision: string, path: string): Promise<Buffer | undefined> {
  try {
    const { stdout } = await run('git', ['show', `${revision}:${path}`], {
      cwd,
      encoding: 'buffer',
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch {
    return undefined;
  }
}

export async function revisionExists(cwd: string, revision: string): Promise<boolean> {
  try {
    await git(cwd, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * `git -c http.extraheader=...` arguments that authenticate an https push with the job's token without
 * writing it to .git/config. Local remotes (tests) need none.
 */
export async function pushAuthArgs(
  cwd: string,
  remote: string,
  token: string | undefined,
): Promise<string[]> {
  if (!token) return [];
  const url = await git(cwd, ['remote', 'get-url', remote]).catch(() => '');
  if (!/^https:\/\//.test(url)) return [];
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return ['-c', `http.extraheader=AUTHORIZATION: basic ${basic}`];
}

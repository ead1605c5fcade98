/**
 * Runs the `propensity` CLI of the checked-out repository as a child process. Every capability of an
 * action is a CLI command first; the action adds only the GitHub side. Progress (stderr) goes to the
 * Actions log as it comes; the command's `--json` result (stdout) is parsed and returned.
 */
import * as core from '@actions/core';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ActionError } from './errors.js';

/** The CLI beside the action: `<repo>/actions/<name>/dist/index.js` -> `<repo>/bin/propensity.js`. */
export function cliPath(): string {
  return fileURLToPath(new URL('../../../bin/propensity.js', import.meta.url));
}

export interface CliResult<T> {
  data: T;
  exitCode: number;
}

/**
 * `propensity <args...> --json`. Exit code 2 (bad input) becomes an ActionError carrying the CLI's own
 * message and fix; `acceptExitCodes` lists other codes that are results, not failures.
 */
export async function propensity<T = unknown>(
  args: string[],
  options: { cwd?: string; acceptExitCodes?: number[] } = {},
): Promise<CliResult<T>> {
  const cli = cliPath();
  if (!existsSync(cli)) {
    throw new ActionError(`the propensity CLI was not found at ${cli}; run \`npm ci\` before this action`);
  }
  core.info(`$ propensity ${args.join(' ')}`);
  const child = spawn(process.execPath, [cli, ...args, '--json'], {
    cwd: options.cwd ?? process.env.GITHUB_WORKSPACE ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  // The CLI's messages can quote the input (a column name, say): a line of it starting with `::` must not
  // be taken by the runner as a workflow command, so commands are off while its output is echoed.
  const resume = randomUUID();
  core.info(`::stop-commands::${resume}`);
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) core.info(line);
  });
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  }).finally(() => {
    if (pending) core.info(pending);
    core.info(`::${resume}::`);
  });
  const accepted = exitCode === 0 || (options.acceptExitCodes ?? []).includes(exitCode);
  if (!accepted) {
    const last = stderr.trim().split('\n').slice(-6).join('\n');
    if (exitCode === 2)
      throw new ActionError(last.replace(/^propensity: /, '') || `propensity ${args[0]} rejected its input`);
    throw new Error(`propensity ${args.slice(0, 2).join(' ')} failed with exit code ${exitCode}:\n${last}`);
  }
  let data: T;
  try {
    data = JSON.parse(stdout) as T;
  } catch {
    throw new Error(`propensity ${args[0]} printed no JSON result: ${stdout.slice(0, 200)}`);
  }
  return { data, exitCode };
}

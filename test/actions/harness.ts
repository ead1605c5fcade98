/**
 * Runs a BUILT action (`actions/<name>/dist/index.js`) as a child process with the environment the
 * GitHub runner sets, and reads back what it wrote to GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
 * Also makes git repositories whose remote is a local bare repository, so pushes can be inspected.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

export const REPOSITORY = 'dzc-bank/propensity';

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface ActionRunOptions {
  /** Inputs as written in a workflow's `with:` (names as in action.yml). */
  inputs: Record<string, string>;
  eventName: string;
  event: unknown;
  workspace: string;
  /** The fake service's base URL. */
  apiUrl: string;
  env?: Record<string, string>;
  sha?: string;
  ref?: string;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT-shaped runtime token with the `scp` claim @actions/artifact reads its backend IDs from. */
export function runtimeToken(runBackendId = 'run-backend-1', jobBackendId = 'job-backend-1'): string {
  const claims = {
    scp: `Actions.GenericRead:0 Actions.Results:${runBackendId}:${jobBackendId}`,
    exp: 4102444800,
  };
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.c2lnbmF0dXJl`;
}

/** The runner's name for an input: upper case, spaces to underscores, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** GITHUB_OUTPUT as @actions/core writes it: `name<<delimiter`, value lines, delimiter. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) value.push(lines[i] ?? '');
    outputs[name!] = value.join('\n');
  }
  return outputs;
}

export async function runAction(name: string, options: ActionRunOptions): Promise<ActionRun> {
  const runDir = mkdtempSync(join(tmpdir(), `action-${name}-`));
  const eventPath = join(runDir, 'event.json');
  const outputPath = join(runDir, 'output.txt');
  const summaryPath = join(runDir, 'summary.md');
  const runnerTemp = join(runDir, 'runner-temp');
  mkdirSync(runnerTemp);
  writeFileSync(eventPath, JSON.stringify(options.event));
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(INPUT_|GITHUB_|ACTIONS_|RUNNER_)/.test(key)),
  );
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_REPOSITORY_OWNER: REPOSITORY.split('/')[0],
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_GRAPHQL_URL: `${options.apiUrl}/graphql`,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_SHA: options.sha ?? '0000000000000000000000000000000000000000',
    GITHUB_REF: options.ref ?? 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'test',
    GITHUB_ACTOR: 'data-scientist',
    GITHUB_WORKFLOW: 'test',
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    ACTIONS_RESULTS_URL: `${options.apiUrl}/`,
    ACTIONS_RUNTIME_TOKEN: runtimeToken(),
    NO_PROXY: '127.0.0.1,localhost',
    ...options.env,
  };
  for (const [key, value] of Object.entries(options.inputs)) env[inputVariable(key)] = value;
  const entry = join(REPO_ROOT, 'actions', name, 'dist', 'index.js');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [entry], {
        cwd: options.workspace,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
      child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    },
  );
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
    summary: readFileSync(summaryPath, 'utf8'),
  };
}

/** Runs git and returns its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Data Scientist',
      GIT_AUTHOR_EMAIL: 'ds@example.com',
      GIT_COMMITTER_NAME: 'Data Scientist',
      GIT_COMMITTER_EMAIL: 'ds@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  }).trim();
}

export interface Repo {
  /** The bare repository every push goes to. */
  origin: string;
  /** A working clone, the runner's GITHUB_WORKSPACE. */
  workspace: string;
}

/**
 * A bare "origin" with `main` holding `files`, plus a clone. `files` maps repository paths to contents.
 */
export function makeRepo(root: string, files: Record<string, string | Uint8Array>): Repo {
  const origin = join(root, 'origin.git');
  const seed = join(root, 'seed');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  git(root, 'init', '--quiet', '--initial-branch=main', seed);
  writeFiles(seed, files);
  git(seed, 'add', '-A');
  git(seed, 'commit', '--quiet', '-m', 'Initial import');
  git(seed, 'remote', 'add', 'origin', origin);
  git(seed, 'push', '--quiet', 'origin', 'main');
  const workspace = join(root, 'workspace');
  git(root, 'clone', '--quiet', origin, workspace);
  return { origin, workspace };
}

export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, content);
  }
}

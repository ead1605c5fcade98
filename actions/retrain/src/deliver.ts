/**
 * Getting a winning challenger to the pull request: a commit on the PR branch when the token can push
 * there (same repository), a workflow artifact when it cannot (a fork).
 */
import * as core from '@actions/core';
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { uploadDirectory } from '../../shared/artifacts.js';
import { ActionError } from '../../shared/errors.js';
import { BOT_EMAIL, BOT_NAME, git, pushAuthArgs } from '../../shared/git.js';
import { TRAINED_FILES } from '../../../pipeline/model/card.js';
import type { MetricRow } from './report.js';

function commitMessage(version: number, rows: MetricRow[], prNumber: number): string {
  const headline = rows.find((r) => r.name === 'ROC-AUC');
  const auc = headline
    ? headline.champion === undefined
      ? ` (ROC-AUC ${headline.challenger.toFixed(4)})`
      : ` (ROC-AUC ${headline.champion.toFixed(4)} -> ${headline.challenger.toFixed(4)})`
    : '';
  const lines = rows.map(
    (r) =>
      `${r.name}: ${r.champion === undefined ? '' : `${r.champion.toFixed(4)} -> `}${r.challenger.toFixed(4)}`,
  );
  return `Retrain: promote challenger model v${version}${auc}\n\nTrained and compared by the retrain workflow for #${prNumber}.\n\n${lines.join('\n')}\n`;
}

export interface CommitResult {
  sha: string | undefined;
}

/** Copies the challenger into the model directory, commits as the Actions bot and pushes to the PR branch. */
export async function commitChallenger(options: {
  workspace: string;
  challengerDir: string;
  modelPath: string;
  branch: string;
  token: string;
  version: number;
  metrics: MetricRow[];
  prNumber: number;
}): Promise<CommitResult> {
  const { workspace, challengerDir, modelPath, branch } = options;
  const target = join(workspace, modelPath);
  await mkdir(target, { recursive: true });
  const paths: string[] = [];
  for (const name of TRAINED_FILES) {
    if (!existsSync(join(challengerDir, name))) continue;
    await copyFile(join(challengerDir, name), join(target, name));
    paths.push(`${modelPath}/${name}`);
  }
  await git(workspace, ['add', '--', ...paths]);
  const staged = await git(workspace, ['diff', '--cached', '--name-only']);
  if (staged === '') {
    core.info('the challenger is already committed on the branch; nothing to push');
    return { sha: undefined };
  }
  const identity = {
    GIT_AUTHOR_NAME: BOT_NAME,
    GIT_AUTHOR_EMAIL: BOT_EMAIL,
    GIT_COMMITTER_NAME: BOT_NAME,
    GIT_COMMITTER_EMAIL: BOT_EMAIL,
  };
  await git(
    workspace,
    ['commit', '--quiet', '-m', commitMessage(options.version, options.metrics, options.prNumber)],
    identity,
  );
  const sha = await git(workspace, ['rev-parse', 'HEAD']);
  const auth = await pushAuthArgs(workspace, 'origin', options.token);
  try {
    await git(workspace, [...auth, 'push', 'origin', `HEAD:refs/heads/${branch}`]);
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? (error as Error).message);
    if (/403|denied|not allowed|read-only/i.test(text)) {
      throw new ActionError(
        `pushing the model to ${branch} was refused. This job needs \`contents: write\` under \`permissions:\` in the workflow file.\n${text.trim()}`,
      );
    }
    if (/non-fast-forward|fetch first|rejected/i.test(text)) {
      throw new ActionError(
        `the branch ${branch} moved while the model was training; the run for the newer commit will retrain.\n${text.trim()}`,
      );
    }
    throw error;
  }
  core.info(`pushed ${sha} to ${branch}`);
  return { sha };
}

/** Uploads the challenger's files as a workflow artifact (for a fork's PR). */
export async function uploadChallenger(challengerDir: string, artifact: string): Promise<void> {
  await uploadDirectory(artifact, challengerDir, 30);
}

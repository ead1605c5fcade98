/**
 * The retrain action, on pull requests: train the challenger from the PR's data and configuration,
 * compare it with the champion from the base branch, keep one PR comment up to date, and deliver a
 * winning challenger (a commit on the PR branch, or an artifact for a fork's PR).
 */
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { readCard, type ModelCard } from '../../../pipeline/model/card.js';
import { markerFor, upsertComment, type UpsertedComment } from '../../shared/comment.js';
import { ActionError } from '../../shared/errors.js';
import { git } from '../../shared/git.js';
import { createGitHubClient, currentRepository, type GitHubClient } from '../../shared/github.js';
import { booleanInput, pathInput, requiredPathInput, workspace } from '../../shared/inputs.js';
import { propensity } from '../../shared/propensity.js';
import { runMain } from '../../shared/run.js';
import { championFromBase } from './champion.js';
import { metricRows, verdictOf, type Comparison } from './comparison.js';
import { commitChallenger, uploadChallenger } from './deliver.js';
import { pullRequestFromEvent, type PullRequestInfo } from './event.js';
import { configDifferences, renderReport, type Delivery } from './report.js';

interface Settings {
  token: string;
  workspace: string;
  data: string;
  config: string;
  /** The model directory, relative to the workspace (`model`). */
  modelPath: string;
  /** A champion directory given explicitly; otherwise read from the base branch. */
  champion: string | undefined;
  push: boolean;
  temp: string;
  runUrl: string;
}

function readSettings(): Settings {
  const root = workspace();
  const modelDir = requiredPathInput('model-dir', 'model');
  const modelPath = relative(root, modelDir);
  if (modelPath.startsWith('..'))
    throw new ActionError(`input model-dir must be inside the repository, got "${modelDir}"`);
  const server = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    token: core.getInput('github-token', { required: true }),
    workspace: root,
    data: requiredPathInput('data', 'data/training'),
    config: requiredPathInput('config', join(modelPath, 'config.json')),
    modelPath,
    champion: pathInput('champion'),
    push: booleanInput('push', true),
    temp: join(process.env.RUNNER_TEMP ?? root, `propensity-retrain-${process.env.GITHUB_RUN_ID ?? 'local'}`),
    runUrl: `${server}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}`,
  };
}

async function readJsonOrUndefined(path: string): Promise<unknown> {
  return existsSync(path) ? JSON.parse(await readFile(path, 'utf8')) : undefined;
}

async function checkHead(settings: Settings, pr: PullRequestInfo): Promise<void> {
  if (!pr.headSha) return;
  const head = await git(settings.workspace, ['rev-parse', 'HEAD']);
  if (head !== pr.headSha) {
    throw new ActionError(
      `the workspace is at ${head.slice(0, 7)}, not the pull request's head ${pr.headSha.slice(0, 7)}: ` +
        'check out the head with `actions/checkout` and `ref: ${{ github.event.pull_request.head.sha }}`',
    );
  }
}

async function deliver(
  settings: Settings,
  pr: PullRequestInfo,
  challengerDir: string,
  promote: boolean,
  card: ModelCard,
  metrics: ReturnType<typeof metricRows>,
): Promise<Delivery> {
  if (!promote) return { kind: 'kept' };
  if (!pr.sameRepository) {
    const artifact = `challenger-model-pr-${pr.number}`;
    await uploadChallenger(challengerDir, artifact);
    return { kind: 'artifact', artifact, runUrl: settings.runUrl };
  }
  if (!settings.push) return { kind: 'push-disabled' };
  const { sha } = await commitChallenger({
    workspace: settings.workspace,
    challengerDir,
    modelPath: settings.modelPath,
    branch: pr.headRef,
    token: settings.token,
    version: card.version,
    metrics,
    prNumber: pr.number,
  });
  return sha ? { kind: 'committed', sha, branch: pr.headRef } : { kind: 'unchanged', branch: pr.headRef };
}

/**
 * A fork's PR normally gets a read-only token, so GitHub refuses the comment; the job summary (written
 * first) then carries the report. For a PR from this repository a refusal is a misconfiguration: fail.
 */
async function comment_(
  octokit: GitHubClient,
  pr: PullRequestInfo,
  body: string,
): Promise<UpsertedComment | undefined> {
  try {
    const comment = await upsertComment(
      octokit,
      { ...currentRepository(), issue_number: pr.number },
      markerFor('retrain'),
      body,
    );
    core.info(`${comment.created ? 'created' : 'updated'} comment ${comment.id}`);
    return comment;
  } catch (error) {
    if (pr.sameRepository || !(error instanceof ActionError)) throw error;
    core.warning(
      `could not comment on the fork's pull request (read-only token); the report is in the job summary. ${error.message}`,
    );
    return undefined;
  }
}

async function run(): Promise<void> {
  const settings = readSettings();
  const pr = pullRequestFromEvent();
  await checkHead(settings, pr);
  const octokit = createGitHubClient(settings.token);

  const championDir = await core.group('Champion', async () => {
    const dir =
      settings.champion ??
      (await championFromBase(
        settings.workspace,
        pr.baseRef,
        settings.modelPath,
        join(settings.temp, 'champion'),
      ));
    core.info(
      dir
        ? `champion read from ${settings.champion ? dir : `${pr.baseRef}:${settings.modelPath}`}`
        : `no model on ${pr.baseRef} yet: the challenger will be the first`,
    );
    return dir;
  });
  const champion = championDir ? await readCard(championDir) : undefined;

  const challengerDir = join(settings.temp, 'challenger');
  await core.group('Train the challenger', async () => {
    const args = ['train', '--data', settings.data, '--config', settings.config, '--out', challengerDir];
    if (championDir) args.push('--champion', championDir);
    await propensity(args, { cwd: settings.workspace });
  });
  const challenger = await readCard(challengerDir);

  const { comparison, markdown } = await core.group('Compare with the champion', async () => {
    if (!championDir) return { comparison: undefined, markdown: undefined };
    const markdownPath = join(settings.temp, 'comparison.md');
    const { data } = await propensity<Comparison>(
      [
        'compare',
        '--champion',
        championDir,
        '--challenger',
        challengerDir,
        '--data',
        settings.data,
        '--markdown',
        markdownPath,
      ],
      { cwd: settings.workspace },
    );
    return {
      comparison: data,
      markdown: existsSync(markdownPath) ? await readFile(markdownPath, 'utf8') : undefined,
    };
  });
  const verdict = comparison
    ? verdictOf(comparison)
    : { promote: true, reasons: ['there is no champion on the base branch yet'] };
  const metrics = metricRows(comparison, challenger);
  core.info(`verdict: ${verdict.promote ? 'promote the challenger' : 'keep the champion'}`);

  const delivery = await core.group('Deliver', () =>
    deliver(settings, pr, challengerDir, verdict.promote, challenger, metrics),
  );

  const configBefore = championDir ? await readJsonOrUndefined(join(championDir, 'config.json')) : undefined;
  const configAfter = await readJsonOrUndefined(settings.config);
  const body = renderReport({
    promote: verdict.promote,
    reasons: verdict.reasons,
    comparisonMarkdown: markdown,
    metrics,
    champion,
    challenger,
    configChanges: configBefore === undefined ? [] : configDifferences(configBefore, configAfter),
    delivery,
    headSha: pr.headSha,
  });

  await core.summary.addRaw(body).write();
  const comment = await core.group('Comment on the pull request', () => comment_(octokit, pr, body));

  core.setOutput('verdict', verdict.promote ? 'promote' : 'keep');
  core.setOutput('delivery', delivery.kind);
  core.setOutput('commit', delivery.kind === 'committed' ? delivery.sha : '');
  core.setOutput('comment-id', comment ? String(comment.id) : '');
  core.setOutput('challenger-dir', challengerDir);
}

await runMain(run);

/**
 * The publish action: download and merge the month's score shards, run drift, create or update the
 * release `scores-YYYY-MM` with its assets and SHA256SUMS, write the Pages site (with the history from
 * earlier releases and the model history from git), and open an issue when the data has drifted.
 */
import * as core from '@actions/core';
import { copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { downloadArtifacts } from '../../shared/artifacts.js';
import { ActionError } from '../../shared/errors.js';
import {
  createGitHubClient,
  currentRepository,
  type GitHubClient,
  type Repository,
} from '../../shared/github.js';
import {
  booleanInput,
  monthInput,
  pathInput,
  positiveIntegerInput,
  requiredPathInput,
  workspace,
} from '../../shared/inputs.js';
import { propensity } from '../../shared/propensity.js';
import { runMain } from '../../shared/run.js';
import { sha256sums } from './checksums.js';
import { upsertDriftIssue } from './drift-issue.js';
import { HISTORY_FILES, downloadHistory, previousMonth, releaseTag } from './history.js';
import { linkModelHistory, modelHistory, renderModelHistory } from './model-history.js';
import { pick, releaseNotes, type DriftResult } from './notes.js';
import { downloadReleaseAsset, findRelease, publishRelease } from './release.js';

interface Settings {
  token: string;
  workspace: string;
  month: string;
  shards: number;
  modelDir: string;
  outDir: string;
  siteDir: string;
  driftIssue: boolean;
  template: string | undefined;
  temp: string;
  pagesUrl: string;
  repoUrl: string;
}

/** Row-level outputs first, then aggregates; every one of these is a release asset when it exists. */
const OUTPUT_ASSETS = [
  'predictions.csv',
  'top_prospects.csv',
  'rejects.csv',
  'drift.html',
  'drift.json',
  'summary.json',
  'profile.json',
];
const REQUIRED_ASSETS = [
  'predictions.csv',
  'top_prospects.csv',
  'rejects.csv',
  'summary.json',
  'drift.json',
  'drift.html',
];
const MODEL_ASSETS = ['CARD.md', 'card.json'];

function readSettings(): Settings {
  const month = monthInput('month');
  const [owner = '', repo = ''] = (process.env.GITHUB_REPOSITORY ?? '/').split('/');
  return {
    token: core.getInput('github-token', { required: true }),
    workspace: workspace(),
    month,
    shards: positiveIntegerInput('shards', 1),
    modelDir: requiredPathInput('model-dir', 'model'),
    outDir: requiredPathInput('out-dir', join('reports', month)),
    siteDir: requiredPathInput('site-dir', 'site'),
    driftIssue: booleanInput('drift-issue', true),
    template: pathInput('release-notes-template'),
    temp: join(
      process.env.RUNNER_TEMP ?? workspace(),
      `propensity-publish-${process.env.GITHUB_RUN_ID ?? 'local'}`,
    ),
    pagesUrl: `https://${owner.toLowerCase()}.github.io/${repo}/`,
    repoUrl: `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${owner}/${repo}`,
  };
}

async function downloadShards(settings: Settings): Promise<string[]> {
  const prefix = `scores-${settings.month}-shard-`;
  const suffix = `-of-${settings.shards}`;
  const found = await downloadArtifacts(
    (name) => name.startsWith(prefix) && name.endsWith(suffix),
    join(settings.temp, 'shards'),
  );
  const missing = Array.from({ length: settings.shards }, (_, i) => `${prefix}${i}${suffix}`).filter(
    (name) => !found.some((f) => f.name === name),
  );
  if (missing.length > 0) {
    throw new ActionError(
      `the score artifacts of ${missing.length} shard(s) are missing: ${missing.join(', ')}; ` +
        'the publish job must run after every score job of the same run (`needs:`) with the same month and shard count',
    );
  }
  return found.map((f) => f.dir);
}

async function previousProfile(
  octokit: GitHubClient,
  repo: Repository,
  settings: Settings,
): Promise<string | undefined> {
  const release = await findRelease(octokit, repo, releaseTag(previousMonth(settings.month)));
  if (!release) return undefined;
  const bytes = await downloadReleaseAsset(octokit, repo, release, 'profile.json');
  if (!bytes) return undefined;
  const path = join(settings.temp, 'previous', 'profile.json');
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

function countDataLines(text: string): number {
  return Math.max(0, text.split(/\r?\n/).filter((line) => line.trim() !== '').length - 1);
}

async function writeSite(octokit: GitHubClient, repo: Repository, settings: Settings): Promise<void> {
  const history = join(settings.temp, 'history');
  await downloadHistory(octokit, repo, settings.month, history);
  const current = join(history, settings.month);
  await mkdir(current, { recursive: true });
  for (const name of HISTORY_FILES) {
    if (existsSync(join(settings.outDir, name)))
      await copyFile(join(settings.outDir, name), join(current, name));
  }
  await propensity(['site', '--history', history, '--out', settings.siteDir, '--model', settings.modelDir]);
  const champions = await modelHistory(settings.workspace, 'model/card.json', octokit, repo);
  await writeFile(join(settings.siteDir, 'models.html'), renderModelHistory(champions, settings.repoUrl));
  await linkModelHistory(settings.siteDir);
  await writeFile(join(settings.siteDir, 'models.json'), JSON.stringify({ champions }, null, 2) + '\n');
  core.info(`site written to ${settings.siteDir} (${champions.length} champion(s) in the model history)`);
}

async function run(): Promise<void> {
  const settings = readSettings();
  const octokit = createGitHubClient(settings.token);
  const repo = currentRepository();
  await mkdir(settings.outDir, { recursive: true });

  const shardDirs = await core.group('Download the score shards', () => downloadShards(settings));
  await core.group('Merge the shards', async () => {
    if (shardDirs.length === 1) {
      // One score job scored the whole month: its outputs are the month's.
      await cp(shardDirs[0]!, settings.outDir, { recursive: true });
      return;
    }
    await propensity([
      'merge',
      ...shardDirs.flatMap((dir) => ['--inputs', dir]),
      '--out-dir',
      settings.outDir,
    ]);
  });

  const drift = await core.group('Drift', async () => {
    const previous = await previousProfile(octokit, repo, settings);
    const args = [
      'drift',
      '--reference',
      settings.modelDir,
      '--current',
      join(settings.outDir, 'profile.json'),
      '--out-dir',
      settings.outDir,
      '--month',
      settings.month,
    ];
    if (previous) args.push('--previous', previous);
    return (await propensity<DriftResult>(args)).data;
  });
  core.info(`dataset drift: ${drift.dataset_drift ? 'yes' : 'no'}`);

  const missing = REQUIRED_ASSETS.filter((name) => !existsSync(join(settings.outDir, name)));
  if (missing.length > 0)
    throw new Error(`the pipeline did not write ${missing.join(', ')} into ${settings.outDir}`);
  const files = [
    ...OUTPUT_ASSETS.map((name) => join(settings.outDir, name)).filter(existsSync),
    ...MODEL_ASSETS.map((name) => join(settings.modelDir, name)).filter(existsSync),
  ];
  const sums = join(settings.outDir, 'SHA256SUMS');
  await writeFile(sums, await sha256sums(files));
  files.push(sums);

  const summary = JSON.parse(await readFile(join(settings.outDir, 'summary.json'), 'utf8')) as unknown;
  const card = JSON.parse(await readFile(join(settings.modelDir, 'card.json'), 'utf8')) as {
    version?: number;
  };
  const notes = releaseNotes({
    month: settings.month,
    summary,
    drift,
    topCount:
      pick(summary, 'top_prospects') ??
      countDataLines(await readFile(join(settings.outDir, 'top_prospects.csv'), 'utf8')),
    modelVersion: String(card.version ?? '?'),
    pagesUrl: settings.pagesUrl,
    template: settings.template ? await readFile(settings.template, 'utf8') : undefined,
  });

  const release = await core.group('Release', () =>
    publishRelease(octokit, repo, {
      tag: releaseTag(settings.month),
      name: `Car-loan prospects ${settings.month}`,
      body: notes,
      target: process.env.GITHUB_SHA ?? 'main',
      files,
    }),
  );

  await core.group('Pages site', () => writeSite(octokit, repo, settings));

  let issueNumber: number | undefined;
  if (drift.dataset_drift && settings.driftIssue) {
    const issue = await core.group('Drift issue', () =>
      upsertDriftIssue(octokit, repo, settings.month, drift, {
        release: release.url,
        pages: settings.pagesUrl,
      }),
    );
    issueNumber = issue.number;
    core.info(`${issue.created ? 'opened' : 'updated'} drift issue #${issue.number}`);
  }

  core.setOutput('release-url', release.url);
  core.setOutput('release-id', String(release.id));
  core.setOutput('drift', String(drift.dataset_drift));
  core.setOutput('issue-number', issueNumber === undefined ? '' : String(issueNumber));
  core.setOutput('site-dir', settings.siteDir);
  await core.summary
    .addHeading(`Published ${releaseTag(settings.month)}`, 3)
    .addRaw(
      `${release.created ? 'Created' : 'Updated'} [the release](${release.url}) with ${release.assets.length} assets.\n\n`,
    )
    .addRaw(notes)
    .write();
}

await runMain(run);

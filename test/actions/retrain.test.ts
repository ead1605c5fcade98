import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/cli.js';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/tmp.js';
import { FakeGitHub } from './fake-github.js';
import { synthHistory, tinyConfig, trainChampion, type Feature } from './fixtures.js';
import { REPOSITORY, git, makeRepo, runAction, type Repo } from './harness.js';

const MARKER = '<!-- propensity:retrain -->';
const BOT = 'github-actions[bot]';

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await new FakeGitHub().start();
});
afterAll(async () => {
  await fake.stop();
});

const tmp = useTempDir('retrain-action-');
let counter = 0;

interface Scenario {
  repo: Repo;
  event: Record<string, unknown>;
  headSha: string;
  prNumber: number;
}

/**
 * `main` holds history and a champion trained on `championFeatures`; the PR branch `update-model`
 * switches the configuration to `prFeatures` and appends `extraRows` rows of new history.
 */
function scenario(options: {
  championFeatures: Feature[];
  prFeatures: Feature[];
  extraRows: number;
  fork?: boolean;
  /** `main` has a configuration but no model yet (a repository's first retrain). */
  noChampion?: boolean;
}): Scenario {
  counter += 1;
  const root = join(tmp, `case-${counter}`);
  const history = synthHistory(join(root, 'data', 'history.csv'), 500, 11);
  const baseConfig = tinyConfig(options.championFeatures);
  const repo = makeRepo(root, {
    'data/training/history.csv': history,
    ...(options.noChampion ? { 'model/config.json': baseConfig } : trainChampion(root, history, baseConfig)),
  });
  const ws = repo.workspace;
  git(ws, 'checkout', '--quiet', '-b', 'update-model');
  writeFileSync(join(ws, 'model', 'config.json'), tinyConfig(options.prFeatures));
  if (options.extraRows > 0) {
    const extra = synthHistory(join(root, 'data', 'extra.csv'), options.extraRows, 12)
      .split('\n')
      .slice(1)
      .join('\n');
    // New customers: prefix the IDs so they never collide with the existing ones.
    appendFileSync(join(ws, 'data', 'training', 'history.csv'), extra.replace(/^(?=.)/gm, 'N'));
  }
  git(ws, 'commit', '--quiet', '--allow-empty', '-am', 'Retrain with the new configuration and history');
  git(ws, 'push', '--quiet', 'origin', 'update-model');
  const headSha = git(ws, 'rev-parse', 'HEAD');
  const prNumber = 40 + counter;
  const headRepo = options.fork ? 'someone/propensity' : REPOSITORY;
  const event = {
    action: 'synchronize',
    number: prNumber,
    pull_request: {
      number: prNumber,
      head: { ref: 'update-model', sha: headSha, repo: { full_name: headRepo } },
      base: { ref: 'main', repo: { full_name: REPOSITORY } },
    },
    repository: { full_name: REPOSITORY, name: 'propensity', owner: { login: 'dzc-bank' } },
  };
  return { repo, event, headSha, prNumber };
}

function run(s: Scenario, env: Record<string, string> = {}) {
  return runAction('retrain', {
    inputs: { 'github-token': 'ghs_test_token', data: 'data/training', 'model-dir': 'model', push: 'true' },
    eventName: 'pull_request',
    event: s.event,
    workspace: s.repo.workspace,
    apiUrl: fake.url,
    sha: s.headSha,
    ref: `refs/pull/${s.prNumber}/merge`,
    env: { PROPENSITY_GITHUB_WRITE_INTERVAL_MS: '0', ...env },
  });
}

const commentsOn = (pr: number) => fake.comments.filter((c) => c.issue_number === pr);
const branchHead = (s: Scenario) => git(s.repo.origin, 'rev-parse', 'refs/heads/update-model');

describe('the retrain action (built, as a child process)', () => {
  beforeEach(() => fake.clearFaults());

  it('same-repository PR, challenger wins: one comment, the model committed to the branch; a rerun updates that comment', async () => {
    const s = scenario({
      championFeatures: ['Age'],
      prFeatures: ['Age', 'AnnualSalary', 'Gender'],
      extraRows: 150,
    });
    const first = await run(s);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.outputs.verdict).toBe('promote');
    expect(first.outputs.delivery).toBe('committed');

    const comments = commentsOn(s.prNumber);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toContain('the challenger wins');
    expect(body).toContain('```mermaid');
    expect(body).toMatch(/\| ROC-AUC \| 0\.\d{4} \| 0\.\d{4} \| \+0\.\d{4} ✅ \|/);
    expect(body).toContain('DeLong');
    expect(body).toContain('McNemar');
    expect(body).toContain('| training rows | 500 | 650 (+150) |');
    expect(body).toContain('`features`');
    mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    writeFileSync(join(REPO_ROOT, 'test-artifacts', 'retrain-comment.md'), body);
    // The job summary mirrors the comment.
    expect(first.summary).toContain(body.slice(MARKER.length + 1, MARKER.length + 200));

    // The bare repository's PR branch now ends with the bot's commit holding the new model.
    const head = branchHead(s);
    expect(head).toBe(first.outputs.commit);
    expect(git(s.repo.origin, 'log', '-1', '--format=%an <%ae>', head)).toBe(
      `${BOT} <41898282+github-actions[bot]@users.noreply.github.com>`,
    );
    expect(git(s.repo.origin, 'log', '-1', '--format=%P', head)).toBe(s.headSha);
    const message = git(s.repo.origin, 'log', '-1', '--format=%B', head);
    expect(message).toMatch(/^Retrain: promote challenger model v2 \(ROC-AUC 0\.\d{4} -> 0\.\d{4}\)/);
    expect(message).toContain(`#${s.prNumber}`);
    const changed = git(s.repo.origin, 'diff', '--name-only', `${s.headSha}..${head}`).split('\n');
    expect(changed).toEqual(expect.arrayContaining(['model/model.onnx', 'model/card.json', 'model/CARD.md']));
    const card = JSON.parse(git(s.repo.origin, 'show', `${head}:model/card.json`)) as {
      version: number;
      model: { features: string[] };
      data: { rows: number };
    };
    expect(card.version).toBe(2);
    expect(card.model.features).toEqual(['Age', 'AnnualSalary', 'Gender']);
    expect(card.data.rows).toBe(650);

    // A second run on the new head (the bot's commit): the same comment is updated, none is added,
    // and the identical model is not committed again.
    const second = await run({ ...s, headSha: head, event: withHead(s.event, head) });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(commentsOn(s.prNumber)).toHaveLength(1);
    expect(commentsOn(s.prNumber)[0]!.id).toBe(comments[0]!.id);
    expect(second.outputs['comment-id']).toBe(String(comments[0]!.id));
    expect(fake.requestsTo('PATCH', new RegExp(`/issues/comments/${comments[0]!.id}$`))).toHaveLength(1);
    expect(fake.requestsTo('POST', new RegExp(`/issues/${s.prNumber}/comments$`))).toHaveLength(1);
    expect(second.outputs.delivery).toBe('unchanged');
    expect(branchHead(s)).toBe(head);
  });

  it('challenger loses: the comment says so and nothing is committed', async () => {
    const s = scenario({
      championFeatures: ['Age', 'AnnualSalary', 'Gender'],
      prFeatures: ['Age'],
      extraRows: 0,
    });
    const result = await run(s);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.outputs.verdict).toBe('keep');
    const comments = commentsOn(s.prNumber);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('the challenger does not win; the champion stays');
    expect(comments[0]!.body).toContain('Nothing was committed');
    expect(branchHead(s)).toBe(s.headSha);
  });

  it('fork PR: nothing pushed, the challenger uploaded as an artifact, the comment says how to adopt it', async () => {
    const s = scenario({
      championFeatures: ['Age'],
      prFeatures: ['Age', 'AnnualSalary', 'Gender'],
      extraRows: 0,
      fork: true,
    });
    const pushesBefore = git(s.repo.origin, 'for-each-ref', '--format=%(refname) %(objectname)');
    const result = await run(s);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.outputs.delivery).toBe('artifact');
    expect(git(s.repo.origin, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(pushesBefore);
    const name = `challenger-model-pr-${s.prNumber}`;
    const zip = fake.artifactBytes(name);
    expect(zip, 'artifact uploaded and finalized').toBeDefined();
    expect(zip!.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(zip!.includes(Buffer.from('model.onnx'))).toBe(true);
    expect(zip!.includes(Buffer.from('card.json'))).toBe(true);
    const body = commentsOn(s.prNumber)[0]!.body;
    expect(body).toContain(name);
    expect(body).toContain('comes from a fork');
    expect(fake.requestsTo('POST', /CreateArtifact$/).length).toBeGreaterThan(0);
    expect(fake.requestsTo('PUT', /^\/blob\//).some((r) => r.query.get('comp') === 'blocklist')).toBe(true);

    // A fork's token is read-only: when GitHub refuses the comment, the run still succeeds and the
    // report (with how to adopt the model) is in the job summary.
    fake.injectFault({
      method: 'PATCH',
      path: /\/issues\/comments\/\d+$/,
      status: 403,
      times: Infinity,
      body: { message: 'Resource not accessible by integration' },
    });
    const readOnly = await run(s);
    expect(readOnly.code, readOnly.stdout + readOnly.stderr).toBe(0);
    expect(readOnly.stdout).toMatch(/::warning::could not comment on the fork's pull request/);
    expect(readOnly.summary).toContain(name);
    expect(readOnly.summary).toContain('comes from a fork');
  });

  it('first retrain of a repository (no champion on the base branch): the challenger becomes the first model', async () => {
    const s = scenario({
      championFeatures: ['Age'],
      prFeatures: ['Age', 'AnnualSalary', 'Gender'],
      extraRows: 0,
      noChampion: true,
    });
    const result = await run(s);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.outputs.verdict).toBe('promote');
    const body = commentsOn(s.prNumber)[0]!.body;
    expect(body).toContain('first model (no champion on the base branch)');
    expect(body).toContain('xychart-beta');
    expect(body).toMatch(/\| ROC-AUC \| — \| 0\.\d{4} \| — \|/);
    const card = JSON.parse(git(s.repo.origin, 'show', 'refs/heads/update-model:model/card.json')) as {
      version: number;
    };
    expect(card.version).toBe(1);
  });

  it('retries a 502 and then a 429 from the API and succeeds', async () => {
    const s = scenario({ championFeatures: ['Age'], prFeatures: ['Age'], extraRows: 0 });
    const path = new RegExp(`/issues/${s.prNumber}/comments$`);
    fake.injectFault({ method: 'GET', path, status: 502, times: 1, body: { message: 'Bad Gateway' } });
    fake.injectFault({
      method: 'GET',
      path,
      status: 429,
      times: 1,
      headers: { 'retry-after': '1' },
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      },
    });
    const result = await run(s);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(fake.requestsTo('GET', path).map((r) => r.status)).toEqual([502, 429, 200]);
    expect(commentsOn(s.prNumber)).toHaveLength(1);
  });

  it('a 403 for a missing permission fails with a message that names the permission', async () => {
    const s = scenario({ championFeatures: ['Age'], prFeatures: ['Age'], extraRows: 0 });
    fake.injectFault({
      method: 'POST',
      path: new RegExp(`/issues/${s.prNumber}/comments$`),
      status: 403,
      times: Infinity,
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
      },
    });
    const result = await run(s);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::.*Resource not accessible by integration/);
    expect(result.stdout).toContain('This job needs `pull-requests: write`');
    expect(commentsOn(s.prNumber)).toHaveLength(0);
    expect(existsSync(join(s.repo.workspace, 'model', 'model.onnx'))).toBe(true);
    expect(readFileSync(join(s.repo.workspace, 'model', 'config.json'), 'utf8')).toContain('"Age"');
  });
});

function withHead(event: Record<string, unknown>, sha: string): Record<string, unknown> {
  const pull = event.pull_request as { head: Record<string, unknown> };
  return { ...event, pull_request: { ...pull, head: { ...pull.head, sha } } };
}

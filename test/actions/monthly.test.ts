import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { REPO_ROOT } from '../helpers/cli.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/tmp.js';
import { FakeGitHub } from './fake-github.js';
import { cli, synthHistory, synthUsers, tinyConfig, trainChampion } from './fixtures.js';
import { git, makeRepo, runAction, type Repo } from './harness.js';

const MONTH = '2026-11';
const TAG = `scores-${MONTH}`;
const EXPECTED_ASSETS = [
  'CARD.md',
  'SHA256SUMS',
  'card.json',
  'drift.html',
  'drift.json',
  'predictions.csv',
  'rejects.csv',
  'summary.json',
  'top_prospects.csv',
];

let fake: FakeGitHub;
let repo: Repo;
const tmp = useTempDir('monthly-actions-');

/**
 * Users whose ages moved up 15 years (the Age column drifts), with IDs made distinctive (`CUST-<id>-Z`)
 * so a test can tell whether any of them leaked into the site.
 */
function agedUsers(csv: string): string {
  const [header = '', ...rows] = csv.split('\n');
  const names = header.split(',').map((h) => h.trim().toLowerCase());
  const age = names.indexOf('age');
  const id = names.indexOf('user id');
  return [
    header,
    ...rows.map((row) => {
      if (row.trim() === '') return row;
      const cells = row.split(',');
      cells[age] = String(Math.min(100, Number(cells[age]) + 15));
      cells[id] = `CUST-${cells[id]}-Z`;
      return cells.join(',');
    }),
  ].join('\n');
}

/** Every file of a directory tree, as text. */
function treeText(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

beforeAll(async () => {
  fake = await new FakeGitHub().start();
  const history = synthHistory(join(tmp, 'history.csv'), 400, 5);
  const users = agedUsers(synthUsers(join(tmp, 'users.csv'), 600, 6));
  repo = makeRepo(tmp, {
    'data/training/history.csv': history,
    'data/users/active_users.csv': users,
    ...trainChampion(tmp, history, tinyConfig(['Age', 'AnnualSalary'])),
  });
  writeFileSync(join(tmp, 'all-features.json'), tinyConfig(['Age', 'AnnualSalary', 'Gender']));
  // A second champion, promoted by pull request #12 (squash-merged): the model history page lists both.
  const retrained = join(tmp, 'retrained');
  cli([
    'train',
    '--data',
    join(repo.workspace, 'data', 'training'),
    '--config',
    join(tmp, 'all-features.json'),
    '--out',
    retrained,
    '--champion',
    join(repo.workspace, 'model'),
  ]);
  for (const name of ['model.onnx', 'card.json', 'CARD.md', 'reference-profile.json']) {
    copyFileSync(join(retrained, name), join(repo.workspace, 'model', name));
  }
  git(repo.workspace, 'commit', '--quiet', '-am', 'Retrain on the full history (#12)');
  git(repo.workspace, 'push', '--quiet', 'origin', 'main');

  // An earlier month, published by an earlier run: its aggregates feed the site's history and the
  // comparison with the previous month. Made by the real CLI, as that run's score and drift made them.
  const october = join(tmp, 'october');
  synthUsers(join(tmp, 'october-users.csv'), 300, 7);
  cli([
    'score',
    '--model',
    join(repo.workspace, 'model'),
    '--input',
    join(tmp, 'october-users.csv'),
    '--out-dir',
    october,
    '--month',
    '2026-10',
  ]);
  cli([
    'drift',
    '--reference',
    join(repo.workspace, 'model'),
    '--current',
    join(october, 'profile.json'),
    '--out-dir',
    october,
  ]);
  fake.releases.push({
    id: 1,
    tag_name: 'scores-2026-10',
    name: 'Car-loan prospects 2026-10',
    body: '',
    target_commitish: 'main',
    draft: false,
    prerelease: false,
  });
  for (const [i, name] of ['summary.json', 'drift.json', 'profile.json', 'predictions.csv'].entries()) {
    const data = readFileSync(join(october, name));
    fake.assets.push({
      id: 2 + i,
      release_id: 1,
      name,
      content_type: 'application/json',
      size: data.length,
      data,
    });
  }
}, 120_000);
afterAll(async () => {
  await fake.stop();
});

const env = { PROPENSITY_GITHUB_WRITE_INTERVAL_MS: '0' };

function score(shard: string) {
  return runAction('score', {
    inputs: { input: 'data/users/active_users.csv', 'model-dir': 'model', month: MONTH, shard },
    eventName: 'schedule',
    event: { schedule: '0 6 1 * *' },
    workspace: repo.workspace,
    apiUrl: fake.url,
    env,
  });
}

function publish(shards = '2') {
  return runAction('publish', {
    inputs: {
      'github-token': 'ghs_test_token',
      month: MONTH,
      shards,
      'model-dir': 'model',
      'site-dir': 'site',
    },
    eventName: 'schedule',
    event: { schedule: '0 6 1 * *' },
    workspace: repo.workspace,
    apiUrl: fake.url,
    env,
  });
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const releaseAssets = (releaseId: number) => fake.assets.filter((a) => a.release_id === releaseId);

describe('the monthly actions (built, as child processes)', () => {
  it('score: each shard scores its part of the users and uploads it as an artifact', async () => {
    const results = await Promise.all([score('0/2'), score('1/2')]);
    for (const result of results) expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(results.map((r) => r.outputs['artifact-name']).sort()).toEqual([
      `scores-${MONTH}-shard-0-of-2`,
      `scores-${MONTH}-shard-1-of-2`,
    ]);
    for (const result of results) {
      const zip = fake.artifactBytes(result.outputs['artifact-name']!);
      expect(zip?.subarray(0, 2).toString('latin1')).toBe('PK');
      expect(zip!.includes(Buffer.from('predictions.csv'))).toBe(true);
    }
    const scored = results.map((r) => Number(r.outputs['rows-scored']));
    expect(scored.every((n) => n > 0)).toBe(true);
    expect(scored[0]! + scored[1]!).toBe(600);
  });

  it('score: reads the month from a URL with a bearer token (the bank export), whole month, no artifact', async () => {
    fake.files.set('users.csv', {
      data: readFileSync(join(repo.workspace, 'data', 'users', 'active_users.csv')),
      token: 's3cret',
    });
    const run = (token: string) =>
      runAction('score', {
        inputs: {
          input: `${fake.url}/files/users.csv`,
          'input-token': token,
          month: MONTH,
          artifact: 'false',
          'out-dir': join(tmp, `from-url-${token.length}`),
        },
        eventName: 'workflow_dispatch',
        event: {},
        workspace: repo.workspace,
        apiUrl: fake.url,
        env,
      });
    const ok = await run('s3cret');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.outputs['rows-scored']).toBe('600');
    expect(ok.outputs['artifact-name']).toBe('');
    // The token is registered as a secret (the runner masks it) and never printed otherwise.
    expect(ok.stdout).toContain('::add-mask::s3cret');
    expect(ok.stdout.replaceAll('::add-mask::s3cret', '')).not.toContain('s3cret');
    const denied = await run('wrong');
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain('HTTP 401 (check the input-token secret)');
  });

  it('publish: one release with every asset and a correct SHA256SUMS; a rerun replaces the assets; one drift issue', async () => {
    const first = await publish();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const releases = fake.releases.filter((r) => r.tag_name === TAG);
    expect(releases).toHaveLength(1);
    const release = releases[0]!;
    expect(first.outputs['release-id']).toBe(String(release.id));
    const assets = releaseAssets(release.id);
    expect(assets.map((a) => a.name).sort()).toEqual(expect.arrayContaining(EXPECTED_ASSETS));

    // SHA256SUMS lists every other asset with the hash of the bytes GitHub received.
    const sums = assets.find((a) => a.name === 'SHA256SUMS')!.data.toString('utf8');
    const lines = sums.trim().split('\n');
    const listed = new Map(lines.map((line) => [line.slice(66), line.slice(0, 64)]));
    expect(lines.every((line) => /^[0-9a-f]{64} {2}\S+$/.test(line))).toBe(true);
    const others = assets.filter((a) => a.name !== 'SHA256SUMS');
    expect([...listed.keys()].sort()).toEqual(others.map((a) => a.name).sort());
    for (const asset of others) expect(listed.get(asset.name), asset.name).toBe(sha256(asset.data));

    mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    writeFileSync(join(REPO_ROOT, 'test-artifacts', 'release-notes.md'), release.body);
    cpSync(join(repo.workspace, 'site'), join(REPO_ROOT, 'test-artifacts', 'published-site'), {
      recursive: true,
    });
    // Release notes for the commercial team.
    expect(release.body).toContain(`Car-loan prospects for ${MONTH}`);
    expect(release.body).toContain('top_prospects.csv');
    expect(release.body).toMatch(/drift/i);

    // The data drifted (ages +15): one issue, labelled, pointing at the report.
    expect(first.outputs.drift).toBe('true');
    expect(fake.issues).toHaveLength(1);
    expect(fake.issues[0]!.labels).toContain('drift');
    expect(fake.issues[0]!.title).toContain(MONTH);
    expect(fake.issues[0]!.body).toContain('Age');

    // The Pages site: the model history page, and no row-level data.
    const site = join(repo.workspace, 'site');
    expect(existsSync(join(site, 'index.html'))).toBe(true);
    const models = readFileSync(join(site, 'models.html'), 'utf8');
    expect(models.indexOf('v2 (current)')).toBeGreaterThan(-1);
    expect(models.indexOf('v2 (current)')).toBeLessThan(models.indexOf('v1<'));
    expect(models).toContain('/pull/12');
    expect(models).toContain('Age, AnnualSalary, Gender');
    // Like every page of the site: no script, no request anywhere.
    expect(models).toContain(`content="default-src 'none';`);
    expect(models).not.toMatch(/<script|https?:\/\/(?!github\.com\/)/);
    expect(readFileSync(join(site, 'index.html'), 'utf8')).toContain(
      "<a href='models.html'>Model history</a>",
    );
    expect(readFileSync(join(site, 'months', '2026-10.html'), 'utf8')).toContain("<a href='../models.html'>");
    // The history: October from its release, November from this run; October's profile was the previous month.
    expect(existsSync(join(site, 'months', '2026-10.html'))).toBe(true);
    expect(existsSync(join(site, 'months', `${MONTH}.html`))).toBe(true);
    expect(fake.requestsTo('GET', /\/releases\/assets\/4$/).length).toBeGreaterThan(0);
    // Row-level assets of earlier months are never downloaded.
    expect(fake.requestsTo('GET', /\/releases\/assets\/5$/)).toHaveLength(0);
    const predictions = readFileSync(join(repo.workspace, 'reports', MONTH, 'predictions.csv'), 'utf8');
    expect(predictions).toContain('CUST-');
    expect(treeText(site)).not.toContain('CUST-');

    const uploadsBefore = fake.requestsTo('POST', /\/releases\/\d+\/assets$/).length;
    const second = await publish();
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(fake.releases.filter((r) => r.tag_name === TAG)).toHaveLength(1);
    const after = releaseAssets(release.id);
    expect(after.map((a) => a.name).sort()).toEqual(assets.map((a) => a.name).sort());
    expect(new Set(after.map((a) => a.name)).size).toBe(after.length);
    expect(after.every((a) => !assets.some((b) => b.id === a.id))).toBe(true);
    expect(fake.requestsTo('DELETE', /\/releases\/assets\/\d+$/)).toHaveLength(assets.length);
    expect(fake.requestsTo('POST', /\/releases\/\d+\/assets$/).length - uploadsBefore).toBe(assets.length);
    expect(fake.issues).toHaveLength(1);
    expect(fake.requestsTo('PATCH', /\/issues\/1$/)).toHaveLength(1);
  });

  it('publish: refuses to publish a month with a shard missing, and names it', async () => {
    const releasesBefore = fake.releases.length;
    const result = await publish('3');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::.*scores-2026-11-shard-0-of-3, scores-2026-11-shard-1-of-3, scores-2026-11-shard-2-of-3/,
    );
    expect(fake.releases).toHaveLength(releasesBefore);
  });

  it('publish: a 403 on the release fails with a message that names the permission', async () => {
    fake.injectFault({
      method: 'PATCH',
      path: /\/releases\/\d+$/,
      status: 403,
      times: Infinity,
      body: { message: 'Resource not accessible by integration' },
    });
    try {
      const result = await publish();
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('This job needs `contents: write`');
    } finally {
      fake.clearFaults();
    }
  });
});

// Keeps the helper honest: the shifted file really differs from a fresh sample.
describe('agedUsers', () => {
  it('adds 15 years to the Age column and marks the IDs', () => {
    const csv = 'User ID,Age,AnnualSalary,Gender\n1,30,50000,Male\n2,90,1000,Female\n';
    const out = agedUsers(csv);
    expect(out).toBe('User ID,Age,AnnualSalary,Gender\nCUST-1-Z,45,50000,Male\nCUST-2-Z,100,1000,Female\n');
    writeFileSync(join(tmp, 'aged.csv'), out);
  });
});

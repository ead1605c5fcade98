/**
 * The built actions against the local fake GitHub, attacked: a release publish stopped after some assets
 * converges on the re-run to one complete release with a correct SHA256SUMS; a connection reset in the
 * middle of an upload is retried; and nothing the actions write where people read it (release notes,
 * drift issue, PR comment, job summaries, logs, the Pages site) holds a User ID or a customer's age and
 * salary.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../actions/fake-github.js';
import { tinyConfig, trainChampion } from '../actions/fixtures.js';
import { git, makeRepo, REPOSITORY, runAction, type ActionRun, type Repo } from '../actions/harness.js';
import { useTempDir } from '../helpers/tmp.js';
import { HOSTILE_IDS, historyFile, ID_PREFIX, pairsIn, usersFile, type Row } from './month-fixture.js';

const MONTH = '2026-11';
const TAG = `scores-${MONTH}`;
const UPLOAD = /\/releases\/\d+\/assets$/;
const env = { PROPENSITY_GITHUB_WRITE_INTERVAL_MS: '0' };

const tmp = useTempDir('propensity-hardening-github-');
let fake: FakeGitHub;
let repo: Repo;
let customers: Row[];
/** Every action run of this file, for the log search. */
const runs: { name: string; run: ActionRun }[] = [];

async function action(name: string, options: Omit<Parameters<typeof runAction>[1], 'apiUrl' | 'workspace'>) {
  const run = await runAction(name, { ...options, workspace: repo.workspace, apiUrl: fake.url, env });
  runs.push({ name, run });
  return run;
}

const schedule = { eventName: 'schedule', event: { schedule: '0 6 1 * *' } };
const publish = () =>
  action('publish', {
    ...schedule,
    inputs: {
      'github-token': 'ghs_test',
      month: MONTH,
      shards: '1',
      'model-dir': 'model',
      'site-dir': 'site',
    },
  });

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const monthReleases = () => fake.releases.filter((r) => r.tag_name === TAG);
const assetsOf = (releaseId: number) => fake.assets.filter((a) => a.release_id === releaseId);

/** One release for the month, every asset once, and SHA256SUMS listing every other asset's bytes. */
function expectOneCompleteRelease(): string[] {
  expect(monthReleases()).toHaveLength(1);
  const assets = assetsOf(monthReleases()[0]!.id);
  const names = assets.map((a) => a.name);
  expect(new Set(names).size, names.join(', ')).toBe(names.length);
  const sums = assets.find((a) => a.name === 'SHA256SUMS');
  expect(sums, names.join(', ')).toBeDefined();
  const listed = sums!.data
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => ({ hash: line.slice(0, 64), name: line.slice(66) }));
  expect(listed.map((l) => l.name).sort()).toEqual(names.filter((n) => n !== 'SHA256SUMS').sort());
  for (const { hash, name } of listed)
    expect(sha256(assets.find((a) => a.name === name)!.data), name).toBe(hash);
  for (const required of [
    'predictions.csv',
    'top_prospects.csv',
    'rejects.csv',
    'summary.json',
    'drift.json',
  ])
    expect(names).toContain(required);
  return names;
}

beforeAll(async () => {
  fake = await new FakeGitHub().start();
  const history = join(tmp, 'history.csv');
  const users = join(tmp, 'users.csv');
  customers = [...historyFile(history, 500, 21), ...usersFile(users, 1_500, 22, true)];
  const historyText = readFileSync(history, 'utf8');
  repo = makeRepo(tmp, {
    'data/training/history.csv': historyText,
    'data/users/active_users.csv': readFileSync(users),
    ...trainChampion(tmp, historyText, tinyConfig(['Age'])),
  });
  // the connection drops in the middle of the artifact's upload to blob storage
  fake.injectFault({ method: 'PUT', path: /^\/blob\//, status: 0, reset: true, times: 1 });
  try {
    const scored = await action('score', {
      ...schedule,
      inputs: { input: 'data/users/active_users.csv', 'model-dir': 'model', month: MONTH, shard: '0/1' },
    });
    expect(scored.code, scored.stdout + scored.stderr).toBe(0);
  } finally {
    fake.clearFaults();
  }
}, 120_000);

afterAll(async () => {
  await fake.stop();
});

describe('uploading the score artifact', () => {
  it('a connection reset in the middle of the upload is retried; the artifact is whole', () => {
    const puts = fake.requestsTo('PUT', /^\/blob\//).map((r) => r.status);
    expect(puts[0]).toBe(0); // dropped
    expect(puts.slice(1).every((status) => status === 201)).toBe(true);
    const zip = fake.artifactBytes(`scores-${MONTH}-shard-0-of-1`);
    expect(zip?.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(zip!.includes(Buffer.from('predictions.csv'))).toBe(true);
  });
});

describe('publishing a release, interrupted', () => {
  it('stopped after some assets: incomplete-looking (no SHA256SUMS); the re-run converges to one complete release', async () => {
    fake.injectFault({ method: 'POST', path: UPLOAD, status: 422, times: Infinity, skip: 3 });
    try {
      const stopped = await publish();
      expect(stopped.code).toBe(1);
    } finally {
      fake.clearFaults();
    }
    expect(monthReleases()).toHaveLength(1);
    const partial = assetsOf(monthReleases()[0]!.id).map((a) => a.name);
    expect(partial).toHaveLength(3);
    expect(partial).not.toContain('SHA256SUMS'); // the checksums go last: a partial release never has them

    const rerun = await publish();
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expectOneCompleteRelease();
  });

  it('a connection reset in the middle of an upload is retried, and the release ends complete', async () => {
    fake.injectFault({ method: 'POST', path: UPLOAD, status: 0, reset: true, times: 1, skip: 2 });
    const resetsBefore = fake.requests.filter((r) => r.status === 0).length;
    try {
      const run = await publish();
      expect(run.code, run.stdout + run.stderr).toBe(0);
    } finally {
      fake.clearFaults();
    }
    const resets = fake.requests.filter((r) => r.status === 0);
    expect(resets.length - resetsBefore).toBe(1);
    const dropped = resets.at(-1)!.query.get('name');
    expect(dropped).toBeTruthy();
    const names = expectOneCompleteRelease();
    expect(names).toContain(dropped);
  });
});

/** Everything the actions left where people read it, by name. */
function publicTexts(): { name: string; text: string }[] {
  const texts = [
    ...fake.releases.map((r) => ({ name: `release ${r.tag_name}`, text: `${r.name}\n${r.body}` })),
    ...fake.issues.map((i) => ({ name: `issue #${i.number}`, text: `${i.title}\n${i.body}` })),
    ...fake.comments.map((c) => ({ name: `comment ${c.id}`, text: c.body })),
  ];
  for (const [i, { name, run }] of runs.entries()) {
    texts.push({ name: `${name}#${i} log`, text: run.stdout + run.stderr });
    texts.push({ name: `${name}#${i} job summary`, text: run.summary });
  }
  const site = join(repo.workspace, 'site');
  for (const entry of readdirSync(site, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      texts.push({
        name: `site ${entry.name}`,
        text: readFileSync(join(entry.parentPath, entry.name), 'utf8'),
      });
  }
  return texts;
}

describe('privacy of what the actions publish', () => {
  it('a retrain on a pull request comments without customers', async () => {
    const ws = repo.workspace;
    git(ws, 'checkout', '--quiet', '-b', 'more-history');
    writeFileSync(join(ws, 'model', 'config.json'), tinyConfig(['Age', 'AnnualSalary', 'Gender']));
    const extra = join(tmp, 'extra.csv');
    customers.push(...historyFile(extra, 150, 23).map((c) => ({ ...c, id: `${c.id}n` })));
    appendFileSync(
      join(ws, 'data', 'training', 'history.csv'),
      readFileSync(extra, 'utf8')
        .split('\n')
        .slice(1)
        .join('\n')
        .replace(/^(CUST-7f3a\w+)/gm, '$1n'),
    );
    git(ws, 'commit', '--quiet', '-am', 'More history, all features');
    git(ws, 'push', '--quiet', 'origin', 'more-history');
    const headSha = git(ws, 'rev-parse', 'HEAD');
    const event = {
      action: 'synchronize',
      number: 7,
      pull_request: {
        number: 7,
        head: { ref: 'more-history', sha: headSha, repo: { full_name: REPOSITORY } },
        base: { ref: 'main', repo: { full_name: REPOSITORY } },
      },
      repository: { full_name: REPOSITORY, name: 'propensity', owner: { login: 'dzc-bank' } },
    };
    const run = await action('retrain', {
      eventName: 'pull_request',
      event,
      sha: headSha,
      ref: 'refs/pull/7/merge',
      inputs: { 'github-token': 'ghs_test', data: 'data/training', 'model-dir': 'model', push: 'true' },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(fake.comments.filter((c) => c.issue_number === 7)).toHaveLength(1);
  });

  it('no User ID, hostile ID or age-salary pair in release notes, issues, comments, summaries, logs or the site', () => {
    const texts = publicTexts();
    const kinds = new Set(texts.map((t) => t.name.split(/[ #]/)[0]));
    for (const kind of ['release', 'comment', 'score', 'publish', 'retrain', 'site'])
      expect(kinds).toContain(kind);
    // the IDs are in the row-level assets, so the search below would find them if they leaked
    const predictions = fake.assets.find((a) => a.name === 'predictions.csv')!.data.toString('utf8');
    expect(predictions).toContain(ID_PREFIX);
    for (const { name, text } of texts) {
      expect(text, name).not.toContain(ID_PREFIX);
      for (const id of HOSTILE_IDS.filter((i) => i.length > 6)) expect(text, name).not.toContain(id);
      expect(
        pairsIn(text, customers).map((c) => `${c.age} ${c.salary}`),
        name,
      ).toEqual([]);
    }
  });
});

/** A plain-http server on a loopback address; records the requests it gets. */
async function server(
  host: string,
  handle: (
    path: string,
    auth: string | undefined,
  ) => { status: number; headers?: Record<string, string>; body?: Buffer },
): Promise<{ url: string; requests: { path: string; auth: string | undefined }[]; close: () => void }> {
  const requests: { path: string; auth: string | undefined }[] = [];
  const http: Server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', auth: req.headers.authorization });
    const reply = handle(req.url ?? '', req.headers.authorization);
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => http.listen(0, host, resolve));
  return {
    url: `http://${host}:${(http.address() as AddressInfo).port}`,
    requests,
    close: () => http.close(),
  };
}

describe('downloading the users file from a URL', () => {
  it('follows a redirect on its own origin with the token, and refuses one to plain http elsewhere', async () => {
    const users = readFileSync(join(repo.workspace, 'data', 'users', 'active_users.csv'));
    const elsewhere = await server('127.0.0.2', () => ({ status: 200, body: users }));
    const bank = await server('127.0.0.1', (path, auth) => {
      if (path === '/moved') return { status: 302, headers: { location: '/export/users.csv' } };
      if (path === '/away') return { status: 302, headers: { location: `${elsewhere.url}/users.csv` } };
      if (path === '/export/users.csv' && auth === 'Bearer s3cret') return { status: 200, body: users };
      return { status: 401 };
    });
    try {
      const score = (path: string) =>
        action('score', {
          ...schedule,
          inputs: {
            input: `${bank.url}${path}`,
            'input-token': 's3cret',
            month: MONTH,
            artifact: 'false',
            'out-dir': join(tmp, `download${path.replace(/\//g, '-')}`),
          },
        });
      const moved = await score('/moved');
      expect(moved.code, moved.stdout + moved.stderr).toBe(0);
      expect(Number(moved.outputs['rows-scored'])).toBeGreaterThan(1_500);

      const away = await score('/away');
      expect(away.code).toBe(1);
      expect(away.stdout).toContain('redirects to a plain-http address');
      expect(elsewhere.requests).toEqual([]); // not a byte of customer data asked for in clear text
      for (const run of [moved, away]) {
        expect(run.stdout.replaceAll('::add-mask::s3cret', '')).not.toContain('s3cret');
      }
    } finally {
      bank.close();
      elsewhere.close();
    }
  });
});

/** The workflow commands the runner would act on in a step's output (honouring ::stop-commands::). */
function workflowCommands(stdout: string): string[] {
  const commands: string[] = [];
  let resume: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    if (resume !== undefined) {
      if (line === `::${resume}::`) resume = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) resume = stop[1];
    else if (line.startsWith('::')) commands.push(line);
  }
  return commands;
}

describe('the actions log', () => {
  it("echoes the pipeline's messages without letting a line of the input act as a workflow command", async () => {
    writeFileSync(
      join(repo.workspace, 'forged.csv'),
      'User ID,Age,AnnualSalary,"Sex\n::error title=forged::all customers approved\n::add-mask::x"\n1,30,10007,Male\n',
    );
    const run = await action('score', {
      ...schedule,
      inputs: { input: 'forged.csv', month: MONTH, artifact: 'false', 'out-dir': join(tmp, 'forged-out') },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error title=forged::all customers approved'); // echoed, as text
    const commands = workflowCommands(run.stdout);
    expect(
      commands.filter((c) => c.startsWith('::error title=forged') || c.startsWith('::add-mask::x')),
    ).toEqual([]);
    // the action's own failure is still a command
    expect(commands.some((c) => c.startsWith('::error::') && c.includes('missing column'))).toBe(true);
  });
});

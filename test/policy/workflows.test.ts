import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { checkWorkflow, FORK_AWARE_ACTIONS, SAME_REPOSITORY_GUARD, type Finding } from './workflow-policy.js';

const dir = join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(dir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

const rules = (findings: Finding[]) => findings.map((f) => f.rule).sort();

const GOOD_HEADER = `name: t
on:
  pull_request:
permissions: {}
jobs:
`;

describe('workflow policy', () => {
  it('there are workflows to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s breaks no rule', (name) => {
    const findings = checkWorkflow(readFileSync(join(dir, name), 'utf8'), name);
    expect(findings.map((f) => `${f.where}: ${f.message}`)).toEqual([]);
  });

  it('the fork-aware local actions exist and compare the head repository with this one', () => {
    for (const [action, source] of Object.entries(FORK_AWARE_ACTIONS)) {
      expect(existsSync(join(REPO_ROOT, action, 'action.yml')), action).toBe(true);
      const code = readFileSync(join(REPO_ROOT, source), 'utf8');
      expect(code).toMatch(/head\?\.repo\?\.full_name/);
      expect(code).toMatch(/sameRepository:/);
    }
    const deliver = readFileSync(join(REPO_ROOT, 'actions/retrain/src/main.ts'), 'utf8');
    // the artifact branch comes before any commit: a fork's PR never reaches the push
    expect(deliver.indexOf('if (!pr.sameRepository)')).toBeGreaterThan(-1);
    expect(deliver.indexOf('if (!pr.sameRepository)')).toBeLessThan(deliver.indexOf('commitChallenger({'));
  });

  describe('flags a deliberately bad workflow', () => {
    it('pull_request_target, in every form of on:', () => {
      for (const on of [
        'on: pull_request_target',
        'on: [push, pull_request_target]',
        'on:\n  pull_request_target:\n    types: [opened]',
      ]) {
        const text = `${on}\njobs:\n  a:\n    runs-on: x\n    permissions: {}\n    steps:\n      - run: echo\n`;
        expect(rules(checkWorkflow(text, 'bad.yml')), on).toEqual(['trigger']);
      }
    });

    it('third-party actions by tag, branch, short SHA, or an image without digest; reusable workflows too', () => {
      const text = `${GOOD_HEADER}  a:
    runs-on: x
    permissions: {}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@main
      - uses: someone/thing@11bd719
      - uses: docker://alpine:3
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: ./actions/score
  b:
    permissions: {}
    uses: someone/workflows/.github/workflows/x.yml@v1
`;
      const findings = checkWorkflow(text, 'bad.yml');
      expect(findings.map((f) => f.where)).toEqual([
        'bad.yml: jobs.a.steps[0]',
        'bad.yml: jobs.a.steps[1]',
        'bad.yml: jobs.a.steps[2]',
        'bad.yml: jobs.a.steps[3]',
        'bad.yml: jobs.b.uses',
      ]);
      expect(new Set(rules(findings))).toEqual(new Set(['pin']));
    });

    it('a job without permissions, even when the workflow sets some', () => {
      const text = `${GOOD_HEADER}  a:\n    runs-on: x\n    steps:\n      - run: echo hi\n`;
      const findings = checkWorkflow(text.replace('pull_request', 'push'), 'bad.yml');
      expect(findings).toEqual([expect.objectContaining({ rule: 'permissions', where: 'bad.yml: jobs.a' })]);
    });

    it('untrusted expressions pasted into run:', () => {
      for (const expression of [
        '${{ github.event.pull_request.title }}',
        '${{ github.event.issue.body }}',
        '${{ inputs.month }}',
        '${{ github.head_ref }}',
        '${{ toJSON(github.event) }}',
      ]) {
        const text = `on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    permissions: {}\n    steps:\n      - name: s\n        run: |\n          echo start\n          echo "${expression}"\n`;
        expect(rules(checkWorkflow(text, 'bad.yml')), expression).toEqual(['injection']);
      }
      // the same values through env: are fine
      const safe = `on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    permissions: {}\n    steps:\n      - env:\n          MONTH: \${{ inputs.month }}\n        run: echo "$MONTH"\n`;
      expect(checkWorkflow(safe, 'ok.yml')).toEqual([]);
    });

    it('a push on a pull request that nothing stops for a fork', () => {
      const push = `${GOOD_HEADER}  a:
    runs-on: x
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - name: commit
        run: |
          git commit -am model
          git push origin HEAD:refs/heads/branch
      - name: third-party committer
        uses: someone/auto-commit@11bd71901bbe5b1630ceea73d27597364c9af683 # v1.0.0
      - name: local action that does not check forks
        uses: ./actions/publish
`;
      const findings = checkWorkflow(push, 'bad.yml');
      expect(findings.map((f) => `${f.rule} ${f.where}`)).toEqual([
        'fork-push bad.yml: jobs.a.steps[1] (commit)',
        'fork-push bad.yml: jobs.a.steps[2] (third-party committer)',
        'fork-push bad.yml: jobs.a.steps[3] (local action that does not check forks)',
      ]);
      // guarded at the step or the job, or with a read-only token, the same steps pass
      const guard = 'github.event.pull_request.head.repo.full_name == github.repository';
      expect(SAME_REPOSITORY_GUARD.test(guard)).toBe(true);
      const stepGuarded = push.replace(/( {6}- name: [^\n]+\n)/g, `$1        if: ${guard}\n`);
      expect(checkWorkflow(stepGuarded, 'ok.yml')).toEqual([]);
      const jobGuarded = push.replace('    runs-on: x\n', `    runs-on: x\n    if: ${guard}\n`);
      expect(checkWorkflow(jobGuarded, 'ok.yml')).toEqual([]);
      const readOnly = push.replace('contents: write', 'contents: read');
      expect(rules(checkWorkflow(readOnly, 'bad.yml'))).toEqual(['fork-push']); // the git push is still there
    });

    it('the project workflows, each made worse, are caught', () => {
      const retrain = readFileSync(join(dir, 'retrain.yml'), 'utf8');
      const monthly = readFileSync(join(dir, 'monthly.yml'), 'utf8');
      expect(
        rules(checkWorkflow(retrain.replace('  pull_request:\n', '  pull_request_target:\n'), 'retrain.yml')),
      ).toContain('trigger');
      expect(
        rules(checkWorkflow(retrain.replace('./actions/retrain', './actions/publish'), 'retrain.yml')),
      ).toEqual(['fork-push']);
      expect(
        rules(
          checkWorkflow(
            monthly.replace(/actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v4'),
            'monthly.yml',
          ),
        ),
      ).toEqual(['pin']);
      expect(
        rules(checkWorkflow(monthly.replace('month="${MONTH:-', 'month="${{ inputs.month }}${X:-'), 'm.yml')),
      ).toEqual(['injection']);
      expect(
        rules(checkWorkflow(monthly.replace(/\n {4}permissions:\n {6}contents: read\n/, '\n'), 'm.yml')),
      ).toEqual(['permissions']);
    });
  });
});

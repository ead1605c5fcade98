import { cpSync, mkdtempSync, rmSync, symlinkSync, appendFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const BUNDLE = join(REPO_ROOT, 'scripts', 'bundle.mjs');

/** A throwaway copy of the project: its own actions/, everything else linked to this repository. */
function projectCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'bundle-check-test-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  cpSync(join(REPO_ROOT, 'actions'), join(root, 'actions'), { recursive: true });
  for (const name of ['node_modules', 'pipeline', 'package.json', 'tsconfig.json']) {
    symlinkSync(join(REPO_ROOT, name), join(root, name));
  }
  return root;
}

const check = (root: string) =>
  spawnSync(process.execPath, [BUNDLE, '--check', '--root', root], { encoding: 'utf8' });
const bundle = (root: string) => spawnSync(process.execPath, [BUNDLE, '--root', root], { encoding: 'utf8' });

describe('the stale-bundle check', () => {
  const root = projectCopy();

  it('passes on bundles just built, and building twice gives the same bytes', () => {
    expect(bundle(root).status).toBe(0);
    const result = check(root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('publish, retrain, score');
  });

  it('fails, naming the action, when a source changes without a rebuild', () => {
    appendFileSync(
      join(root, 'actions', 'score', 'src', 'main.ts'),
      "\ncore.info('a change nobody bundled');\n",
    );
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('actions/score/dist/index.js is stale');
    expect(result.stderr).not.toContain('actions/retrain/');
  });
});

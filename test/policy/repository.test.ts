/**
 * Row-level outputs never get into git: a month's outputs are ignored where `npm start` writes them, and
 * none is tracked anywhere.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' });

describe('the repository', () => {
  it('ignores what a monthly run writes', () => {
    for (const file of [
      'predictions.csv',
      'top_prospects.csv',
      'rejects.csv',
      'profile.json',
      'drift.html',
    ]) {
      // check-ignore exits 0 when the path is ignored (and throws otherwise)
      expect(() => git('check-ignore', '-q', `reports/2026-11/${file}`), file).not.toThrow();
    }
  });

  it('tracks no row-level output', () => {
    const tracked = git('ls-files').split('\n');
    expect(tracked.length).toBeGreaterThan(50);
    expect(tracked.filter((path) => /(^|\/)(predictions|top_prospects|rejects)\.csv$/.test(path))).toEqual(
      [],
    );
    expect(tracked.filter((path) => path.startsWith('reports/') && path !== 'reports/README.md')).toEqual([]);
  });
});

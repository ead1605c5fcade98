/**
 * The site's history comes from the earlier releases: each `scores-YYYY-MM` release holds that month's
 * `summary.json`, `drift.json` and `profile.json` (aggregates only). They are downloaded into `<dir>/<YYYY-MM>/`, the
 * layout `propensity site --history` reads.
 */
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitHubClient, Repository } from '../../shared/github.js';
import { downloadReleaseAsset } from './release.js';

export const RELEASE_PREFIX = 'scores-';
/**
 * The files of a month that `propensity site` reads: aggregates only (the profile holds histograms and
 * counts, never a User ID). Row-level files never enter the history, so they cannot reach the site.
 */
export const HISTORY_FILES = ['summary.json', 'drift.json', 'profile.json'];

export function releaseTag(month: string): string {
  return `${RELEASE_PREFIX}${month}`;
}

export function previousMonth(month: string): string {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const date = new Date(Date.UTC(year, mon - 2, 1));
  return date.toISOString().slice(0, 7);
}

export interface EarlierMonth {
  month: string;
  dir: string;
}

/** Downloads every earlier month's aggregates; returns the months found, oldest first. */
export async function downloadHistory(
  octokit: GitHubClient,
  repo: Repository,
  current: string,
  root: string,
  extraFiles: (month: string) => string[] = () => [],
): Promise<EarlierMonth[]> {
  const releases = await octokit.paginate(octokit.rest.repos.listReleases, { ...repo, per_page: 100 });
  const months: EarlierMonth[] = [];
  for (const release of releases) {
    const match = /^scores-(\d{4}-\d{2})$/.exec(release.tag_name);
    const month = match?.[1];
    if (!month || month >= current) continue;
    const dir = join(root, month);
    await mkdir(dir, { recursive: true });
    for (const name of [...HISTORY_FILES, ...extraFiles(month)]) {
      const bytes = await downloadReleaseAsset(octokit, repo, release, name);
      if (bytes) await writeFile(join(dir, name), bytes);
    }
    months.push({ month, dir });
  }
  months.sort((a, b) => a.month.localeCompare(b.month));
  core.info(
    `history: ${months.length} earlier month(s)${months.length ? ` (${months.map((m) => m.month).join(', ')})` : ''}`,
  );
  return months;
}

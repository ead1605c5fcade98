/**
 * The one way the actions talk to the GitHub API: octokit from @actions/github with retries on 5xx
 * (plugin-retry) and waits on rate limits (plugin-throttling, honouring `retry-after`).
 */
import * as core from '@actions/core';
import { context, getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface Repository {
  owner: string;
  repo: string;
}

/** How many times a rate-limited request is retried before the action gives up. */
const RATE_LIMIT_RETRIES = 3;

/**
 * GitHub asks for at least a second between content-creating requests; that is the default.
 * PROPENSITY_GITHUB_WRITE_INTERVAL_MS lowers it for tests against a local fake API.
 */
function writeInterval(): number {
  const raw = process.env.PROPENSITY_GITHUB_WRITE_INTERVAL_MS;
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : 1000;
}

/** A throttling callback: warn, then wait and retry until RATE_LIMIT_RETRIES retries were spent. */
function warnAndRetry(what: string) {
  return (
    retryAfter: number,
    options: { method: string; url: string },
    _octokit: unknown,
    retryCount: number,
  ) => {
    core.warning(`GitHub ${what} on ${options.method} ${options.url}; retrying in ${retryAfter} s`);
    return retryCount < RATE_LIMIT_RETRIES;
  };
}

export function createGitHubClient(token: string): GitHubClient {
  const minTime = writeInterval();
  const limiter = (id: string) => new Bottleneck.Group({ id, maxConcurrent: 1, minTime });
  return getOctokit(
    token,
    {
      // Rate limits (403/429) are the throttling plugin's: it honours retry-after; plugin-retry takes 5xx.
      retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      throttle: {
        write: limiter('propensity-write'),
        notifications: limiter('propensity-notifications'),
        onRateLimit: warnAndRetry('rate limit hit'),
        onSecondaryRateLimit: warnAndRetry('secondary rate limit'),
      },
    },
    retry,
    throttling,
  );
}

export function currentRepository(): Repository {
  return { owner: context.repo.owner, repo: context.repo.repo };
}

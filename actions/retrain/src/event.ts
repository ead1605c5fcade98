/** What the retrain action needs from the `pull_request` event payload. */
import { context } from '@actions/github';
import { ActionError } from '../../shared/errors.js';

export interface PullRequestInfo {
  number: number;
  /** The PR branch, e.g. `add-october-history`. Untrusted: only ever passed to git as one argument. */
  headRef: string;
  headSha: string;
  baseRef: string;
  /** True when the head branch lives in this repository (the token can push to it). */
  sameRepository: boolean;
  headRepository: string;
}

interface PullRequestPayload {
  number?: number;
  head?: { ref?: string; sha?: string; repo?: { full_name?: string } | null };
  base?: { ref?: string; repo?: { full_name?: string } };
}

export function pullRequestFromEvent(): PullRequestInfo {
  const pull = context.payload.pull_request as PullRequestPayload | undefined;
  if (!pull || typeof pull.number !== 'number') {
    throw new ActionError(
      `the retrain action runs on pull_request events; this run was triggered by "${context.eventName}"`,
    );
  }
  const headRepository = pull.head?.repo?.full_name ?? '';
  const baseRepository = pull.base?.repo?.full_name ?? `${context.repo.owner}/${context.repo.repo}`;
  return {
    number: pull.number,
    headRef: pull.head?.ref ?? '',
    headSha: pull.head?.sha ?? '',
    baseRef: pull.base?.ref ?? 'main',
    sameRepository: headRepository !== '' && headRepository === baseRepository,
    headRepository: headRepository || '(deleted fork)',
  };
}

/**
 * One comment per pull request and purpose, found again by a hidden HTML marker on its first line, and
 * updated in place on every run: the PR shows the latest result, never a trail of stale ones.
 */
import type { GitHubClient, Repository } from './github.js';
import { withPermission } from './errors.js';

export function markerFor(purpose: string): string {
  return `<!-- propensity:${purpose} -->`;
}

export interface UpsertedComment {
  id: number;
  created: boolean;
  url: string | undefined;
}

export async function upsertComment(
  octokit: GitHubClient,
  where: Repository & { issue_number: number },
  marker: string,
  body: string,
): Promise<UpsertedComment> {
  const text = body.startsWith(marker) ? body : `${marker}\n${body}`;
  const comments = await withPermission('list the pull request comments', 'pull-requests: write', () =>
    octokit.paginate(octokit.rest.issues.listComments, { ...where, per_page: 100 }),
  );
  const existing = comments.find((c) => c.body?.includes(marker));
  if (existing) {
    const { data } = await withPermission('update the pull request comment', 'pull-requests: write', () =>
      octokit.rest.issues.updateComment({
        owner: where.owner,
        repo: where.repo,
        comment_id: existing.id,
        body: text,
      }),
    );
    return { id: data.id, created: false, url: data.html_url };
  }
  const { data } = await withPermission('comment on the pull request', 'pull-requests: write', () =>
    octokit.rest.issues.createComment({ ...where, body: text }),
  );
  return { id: data.id, created: true, url: data.html_url };
}

/**
 * One issue per drifted month, found again by a hidden marker: a re-run of the same month updates it
 * instead of opening another.
 */
import { withPermission } from '../../shared/errors.js';
import type { GitHubClient, Repository } from '../../shared/github.js';
import type { DriftResult } from './notes.js';

export const DRIFT_LABEL = 'drift';

export function driftMarker(month: string): string {
  return `<!-- propensity:drift:${month} -->`;
}

function issueBody(month: string, drift: DriftResult, links: { release: string; pages?: string }): string {
  const rows = drift.columns.map((c) => {
    const stat = typeof c.statistic === 'number' ? c.statistic.toPrecision(4) : '—';
    const psi = typeof c.psi === 'number' ? c.psi.toFixed(3) : '—';
    return `| ${c.name} | ${String(c.test ?? '—')} | ${stat} | ${psi} | ${c.drift ? '**drift**' : 'ok'} |`;
  });
  return [
    driftMarker(month),
    `The data scored for **${month}** has drifted from the data the model was trained on` +
      (typeof drift.share_drifted === 'number'
        ? ` (${(100 * drift.share_drifted).toFixed(0)}% of the columns).`
        : '.'),
    '',
    '| column | test | statistic | PSI | result |',
    '| --- | --- | ---: | ---: | --- |',
    ...rows,
    '',
    `The report: \`drift.html\` in [the release](${links.release})${links.pages ? `, and [the site](${links.pages})` : ''}.`,
    '',
    'What to do: check the export for a change in its source or definitions; if the customers really changed, add recent labeled history to `data/training/` in a pull request so the model is retrained.',
  ].join('\n');
}

export interface DriftIssue {
  number: number;
  created: boolean;
}

/** Opens the month's drift issue, or updates the one a previous run opened. */
export async function upsertDriftIssue(
  octokit: GitHubClient,
  repo: Repository,
  month: string,
  drift: DriftResult,
  links: { release: string; pages?: string },
): Promise<DriftIssue> {
  const marker = driftMarker(month);
  const body = issueBody(month, drift, links);
  const issues = await withPermission('list the drift issues', 'issues: write', () =>
    octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repo,
      state: 'all',
      labels: DRIFT_LABEL,
      per_page: 100,
    }),
  );
  const existing = issues.find((issue) => issue.body?.includes(marker));
  if (existing) {
    await withPermission('update the drift issue', 'issues: write', () =>
      octokit.rest.issues.update({ ...repo, issue_number: existing.number, body }),
    );
    return { number: existing.number, created: false };
  }
  const { data } = await withPermission('open the drift issue', 'issues: write', () =>
    octokit.rest.issues.create({ ...repo, title: `Data drift in ${month}`, body, labels: [DRIFT_LABEL] }),
  );
  return { number: data.number, created: true };
}

/**
 * Every champion the repository has had, read from the git history of `model/card.json`: its version,
 * holdout metrics, training data SHA-256, and the pull request that promoted it (from the commit
 * message, else from GitHub's commit -> pull request lookup).
 */
import Handlebars from 'handlebars';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { git, showFile } from '../../shared/git.js';
import type { GitHubClient, Repository } from '../../shared/github.js';
import template from '../templates/models.hbs';

export interface ChampionEntry {
  version: number;
  sha256: string;
  learner: string;
  features: string[];
  auc: number | undefined;
  accuracy: number | undefined;
  logloss: number | undefined;
  dataSha256: string;
  rows: number;
  commit: string;
  date: string;
  pullRequest: number | undefined;
}

interface CardLike {
  version?: number;
  model?: { sha256?: string; learner?: string; features?: string[] };
  data?: { sha256?: string; rows?: number };
  holdout?: Record<string, unknown>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** `(#12)` (squash merge), `Merge pull request #12`, or `for #12` (the retrain bot's commit). */
export function pullRequestFromMessage(message: string): number | undefined {
  const match = /\(#(\d+)\)|pull request #(\d+)|\bfor #(\d+)/i.exec(message);
  const found = match?.[1] ?? match?.[2] ?? match?.[3];
  return found ? Number(found) : undefined;
}

export async function modelHistory(
  workspace: string,
  cardPath: string,
  octokit: GitHubClient | undefined,
  repo: Repository,
): Promise<ChampionEntry[]> {
  const SEP = '\u001f';
  const log = await git(workspace, [
    'log',
    '--reverse',
    `--format=%H${SEP}%cI${SEP}%B%x1e`,
    '--',
    cardPath,
  ]).catch(() => '');
  const entries: ChampionEntry[] = [];
  const seen = new Set<string>();
  for (const record of log.split('\u001e')) {
    const [commit, date, message] = record.trim().split(SEP);
    if (!commit || !date) continue;
    const bytes = await showFile(workspace, commit, cardPath);
    if (!bytes) continue;
    let card: CardLike;
    try {
      card = JSON.parse(bytes.toString('utf8')) as CardLike;
    } catch {
      continue;
    }
    const sha256 = card.model?.sha256 ?? '';
    if (!sha256 || seen.has(sha256)) continue;
    seen.add(sha256);
    let pullRequest = pullRequestFromMessage(message ?? '');
    if (pullRequest === undefined && octokit) {
      try {
        const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          ...repo,
          commit_sha: commit,
        });
        pullRequest = data[0]?.number;
      } catch {
        pullRequest = undefined;
      }
    }
    entries.push({
      version: card.version ?? 0,
      sha256,
      learner: card.model?.learner ?? 'unknown',
      features: card.model?.features ?? [],
      auc: num(card.holdout?.auc),
      accuracy: num(card.holdout?.accuracy),
      logloss: num(card.holdout?.logloss),
      dataSha256: card.data?.sha256 ?? '',
      rows: card.data?.rows ?? 0,
      commit,
      date: date.slice(0, 10),
      pullRequest,
    });
  }
  return entries.reverse();
}

const render = Handlebars.compile(template, { strict: false });

export function renderModelHistory(entries: ChampionEntry[], repoUrl: string): string {
  const fixed = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(4));
  return render({
    repoUrl,
    champions: entries.map((e, i) => ({
      ...e,
      current: i === 0,
      auc: fixed(e.auc),
      accuracy: fixed(e.accuracy),
      logloss: fixed(e.logloss),
      shortSha: e.sha256.slice(0, 8),
      shortData: e.dataSha256.slice(0, 8),
      shortCommit: e.commit.slice(0, 7),
      features: e.features.join(', '),
    })),
  });
}

/**
 * Adds "Model history" to the navigation bar of every page `propensity site` wrote, so the page this
 * action adds is one click away from any other.
 */
export async function linkModelHistory(siteDir: string): Promise<void> {
  const entries = await readdir(siteDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.html') || entry.name === 'models.html') continue;
    const path = join(entry.parentPath, entry.name);
    const depth = relative(siteDir, entry.parentPath).split(sep).filter(Boolean).length;
    const html = await readFile(path, 'utf8');
    if (
      !html.includes('</nav>') ||
      html.includes("href='models.html'") ||
      html.includes("href='../models.html'")
    )
      continue;
    const link = `<a href='${'../'.repeat(depth)}models.html'>Model history</a>`;
    await writeFile(path, html.replace('</nav>', `${link}</nav>`));
  }
}

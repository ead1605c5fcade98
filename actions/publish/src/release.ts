/**
 * The month's release `scores-YYYY-MM`: created once, then updated in place. A re-run deletes the
 * release's assets and uploads the new ones, so the release never holds two versions of a file and a
 * month never gets a second release.
 */
import * as core from '@actions/core';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { withPermission } from '../../shared/errors.js';
import type { GitHubClient, Repository } from '../../shared/github.js';

export interface ReleaseSpec {
  tag: string;
  name: string;
  body: string;
  /** The commit the tag points at when the release is created. */
  target: string;
  files: string[];
}

export interface PublishedRelease {
  id: number;
  url: string;
  created: boolean;
  assets: string[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.html': 'text/html',
  '.md': 'text/markdown',
};

function contentType(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && CONTENT_TYPES[name.slice(dot)]) || 'text/plain';
}

function isNotFound(error: unknown): boolean {
  return (error as { status?: number })?.status === 404;
}

export async function findRelease(octokit: GitHubClient, repo: Repository, tag: string) {
  try {
    return (await octokit.rest.repos.getReleaseByTag({ ...repo, tag })).data;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function publishRelease(
  octokit: GitHubClient,
  repo: Repository,
  spec: ReleaseSpec,
): Promise<PublishedRelease> {
  const existing = await withPermission('read the releases', 'contents: read', () =>
    findRelease(octokit, repo, spec.tag),
  );
  const release = existing
    ? (
        await withPermission(`update the release ${spec.tag}`, 'contents: write', () =>
          octokit.rest.repos.updateRelease({
            ...repo,
            release_id: existing.id,
            name: spec.name,
            body: spec.body,
          }),
        )
      ).data
    : (
        await withPermission(`create the release ${spec.tag}`, 'contents: write', () =>
          octokit.rest.repos.createRelease({
            ...repo,
            tag_name: spec.tag,
            target_commitish: spec.target,
            name: spec.name,
            body: spec.body,
          }),
        )
      ).data;
  core.info(`${existing ? 'updating' : 'created'} release ${spec.tag} (${release.html_url})`);

  const old = await octokit.paginate(octokit.rest.repos.listReleaseAssets, {
    ...repo,
    release_id: release.id,
    per_page: 100,
  });
  for (const asset of old) {
    await withPermission(`replace the asset ${asset.name}`, 'contents: write', () =>
      octokit.rest.repos.deleteReleaseAsset({ ...repo, asset_id: asset.id }),
    );
  }
  const uploaded: string[] = [];
  for (const file of spec.files) {
    const name = basename(file);
    const data = await readFile(file);
    await withPermission(`upload the asset ${name}`, 'contents: write', () =>
      octokit.request({
        method: 'POST',
        url: release.upload_url,
        name,
        data,
        headers: { 'content-type': contentType(name), 'content-length': data.length },
      }),
    );
    uploaded.push(name);
    core.info(`uploaded ${name} (${data.length.toLocaleString('en-US')} bytes)`);
  }
  return { id: release.id, url: release.html_url, created: !existing, assets: uploaded };
}

/** Downloads one asset of a release by name, or undefined when the release or asset is missing. */
export async function downloadReleaseAsset(
  octokit: GitHubClient,
  repo: Repository,
  release: { assets?: Array<{ id: number; name: string }> },
  name: string,
): Promise<Buffer | undefined> {
  const asset = release.assets?.find((a) => a.name === name);
  if (!asset) return undefined;
  const response = await octokit.rest.repos.getReleaseAsset({
    ...repo,
    asset_id: asset.id,
    headers: { accept: 'application/octet-stream' },
  });
  const data = response.data as unknown;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (typeof data === 'string') return Buffer.from(data);
  return Buffer.from(JSON.stringify(data));
}

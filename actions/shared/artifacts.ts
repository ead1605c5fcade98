/** Workflow artifacts through @actions/artifact (the v2+ artifact service). */
import * as core from '@actions/core';
import { DefaultArtifactClient } from '@actions/artifact';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** Uploads every file under `dir` (paths kept relative to it) as one artifact. Returns its ID. */
export async function uploadDirectory(
  name: string,
  dir: string,
  retentionDays?: number,
): Promise<number | undefined> {
  const client = new DefaultArtifactClient();
  const files = filesUnder(dir).sort();
  const { id } = await client.uploadArtifact(name, files, dir, retentionDays ? { retentionDays } : {});
  core.info(`uploaded artifact ${name} (${files.length} files)`);
  return id;
}

/** Downloads the artifacts of this run whose names `select` accepts, each into `root/<name>/`. */
export async function downloadArtifacts(
  select: (name: string) => boolean,
  root: string,
): Promise<Array<{ name: string; dir: string }>> {
  const client = new DefaultArtifactClient();
  const { artifacts } = await client.listArtifacts({ latest: true });
  const chosen = artifacts.filter((a) => select(a.name)).sort((a, b) => a.name.localeCompare(b.name));
  const result: Array<{ name: string; dir: string }> = [];
  for (const artifact of chosen) {
    const dir = join(root, artifact.name);
    await client.downloadArtifact(artifact.id, { path: dir });
    result.push({ name: artifact.name, dir });
  }
  return result;
}

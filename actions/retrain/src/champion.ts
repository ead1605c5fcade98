/**
 * The champion is the model on the PR's base branch, not whatever `model/` holds in the PR (the PR may
 * already carry a challenger committed by an earlier run). Its files are read with `git show` from the
 * base branch into a temporary directory.
 */
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CARD_FILE, CONFIG_FILE, TRAINED_FILES } from '../../../pipeline/model/card.js';
import { git, revisionExists, showFile } from '../../shared/git.js';

const MODEL_FILES = [...TRAINED_FILES, CONFIG_FILE];

/**
 * Writes the base branch's model directory into `out`. Returns undefined when the base branch has no
 * model yet (the first retrain of a repository: the challenger becomes the first champion).
 */
export async function championFromBase(
  workspace: string,
  baseRef: string,
  modelPath: string,
  out: string,
): Promise<string | undefined> {
  let revision = `origin/${baseRef}`;
  if (!(await revisionExists(workspace, revision))) {
    core.info(`fetching ${baseRef} to read the champion`);
    await git(workspace, ['fetch', '--no-tags', '--depth=1', 'origin', `refs/heads/${baseRef}`]);
    revision = 'FETCH_HEAD';
  }
  const card = await showFile(workspace, revision, `${modelPath}/${CARD_FILE}`);
  if (!card) return undefined;
  await mkdir(out, { recursive: true });
  for (const name of MODEL_FILES) {
    const bytes = await showFile(workspace, revision, `${modelPath}/${name}`);
    if (bytes) await writeFile(join(out, name), bytes);
  }
  return out;
}

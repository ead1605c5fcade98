/**
 * Repositories for the action tests: synthetic history and users made by the CLI, a tiny training
 * configuration (one logistic candidate, 2-fold CV) so a retrain takes seconds, and champions trained
 * by the real `propensity train`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CLI, REPO_ROOT } from '../helpers/cli.js';
import { execFileSync } from 'node:child_process';

export type Feature = 'Age' | 'AnnualSalary' | 'Gender';

/** The project's configuration with the search cut down to one quick candidate on `features`. */
export function tinyConfig(features: Feature[]): string {
  const base = JSON.parse(readFileSync(join(REPO_ROOT, 'model', 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const config = {
    ...base,
    features,
    feature_sets: [{ name: features.length === 3 ? 'all' : 'reduced', features }],
    candidates: [{ name: 'logistic', learner: 'logistic', grid: { C: [1] } }],
    cv: { folds: 2, repeats: 1 },
  };
  return JSON.stringify(config, null, 2) + '\n';
}

/**
 * Runs the built CLI synchronously (fixtures are built before the action runs), by default outside any
 * repository so that no `model/` directory is picked up as a default champion.
 */
export function cli(args: string[], cwd = tmpdir()): string {
  return execFileSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function synthHistory(path: string, rows: number, seed: number): string {
  mkdirSync(join(path, '..'), { recursive: true });
  cli(['synth', 'history', '--rows', String(rows), '--seed', String(seed), '--out', path]);
  return readFileSync(path, 'utf8');
}

export function synthUsers(path: string, rows: number, seed: number): string {
  mkdirSync(join(path, '..'), { recursive: true });
  cli(['synth', 'users', '--rows', String(rows), '--seed', String(seed), '--out', path]);
  return readFileSync(path, 'utf8');
}

/** Trains a model with the real CLI; returns the files of the model directory keyed by repository path. */
export function trainChampion(root: string, data: string, config: string): Record<string, Uint8Array> {
  const dir = join(root, 'champion-build');
  mkdirSync(dir, { recursive: true });
  const dataPath = join(dir, 'history.csv');
  const configPath = join(dir, 'config.json');
  writeFileSync(dataPath, data);
  writeFileSync(configPath, config);
  const out = join(dir, 'model');
  cli(['train', '--data', dataPath, '--config', configPath, '--out', out]);
  const files: Record<string, Uint8Array> = { 'model/config.json': Buffer.from(config) };
  for (const name of ['model.onnx', 'card.json', 'CARD.md', 'reference-profile.json']) {
    try {
      files[`model/${name}`] = readFileSync(join(out, name));
    } catch {
      // a file this version of `train` does not write
    }
  }
  return files;
}

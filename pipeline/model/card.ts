/**
 * The model directory (`model/` for the champion): `model.onnx`, its `card.json`, the readable `CARD.md`,
 * the training configuration `config.json` and the drift reference `reference-profile.json`.
 * The card is what every consumer trusts; the scorer refuses a model whose bytes do not match it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArtifactError } from '../errors.js';

export const MODEL_FILE = 'model.onnx';
export const CARD_FILE = 'card.json';
export const CARD_MARKDOWN_FILE = 'CARD.md';
export const CONFIG_FILE = 'config.json';
export const REFERENCE_PROFILE_FILE = 'reference-profile.json';
/** The exploratory profile of the training data, written beside the model. */
export const DATA_PROFILE_PAGE = 'data-profile.html';
/** What training writes about the model it chose; a promotion commits these (config.json is the PR's own). */
export const TRAINED_FILES: readonly string[] = [
  MODEL_FILE,
  CARD_FILE,
  CARD_MARKDOWN_FILE,
  REFERENCE_PROFILE_FILE,
  DATA_PROFILE_PAGE,
];

export type FeatureName = 'Age' | 'AnnualSalary' | 'Gender';

export interface MetricSummary {
  auc: number;
  accuracy: number;
  logloss: number;
  brier: number;
  [name: string]: unknown;
}

/** card.json. Fields beyond these are the training code's to add (CV results, calibration, ...). */
export interface ModelCard {
  /** One more than the champion it replaced; 1 for the first. */
  version: number;
  /** SHA-256 of the champion this model replaced, or null for the first. */
  replaces: string | null;
  created_by: string;
  model: {
    file: string;
    sha256: string;
    learner: string;
    params: Record<string, unknown>;
    features: FeatureName[];
    /** Probability at or above which a customer is a likely buyer. */
    threshold: number;
  };
  data: { sha256: string; rows: number; files: string[] };
  holdout?: MetricSummary & Record<string, unknown>;
  [section: string]: unknown;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readJsonFile<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InvalidArtifactError(
      `${what} not found at ${path}`,
      `check the path; a model directory holds ${MODEL_FILE} and ${CARD_FILE}`,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new InvalidArtifactError(
      `${what} at ${path} is not valid JSON: ${(error as Error).message}`,
      'restore the file from git',
    );
  }
}

function assertCardShape(card: ModelCard, path: string): void {
  if (typeof card !== 'object' || card === null || Array.isArray(card)) {
    throw new InvalidArtifactError(
      `${path} is not a valid model card: it is not a JSON object`,
      'retrain with `propensity train` or restore the card from git',
    );
  }
  const problems: string[] = [];
  if (!Number.isInteger(card.version) || card.version < 1)
    problems.push('version must be a whole number >= 1');
  if (typeof card.model?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(card.model.sha256)) {
    problems.push('model.sha256 must be a SHA-256 in hex');
  }
  if (!Array.isArray(card.model?.features) || card.model.features.length === 0)
    problems.push('model.features must list the features');
  const threshold = card.model?.threshold;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1))
    problems.push('model.threshold must be between 0 and 1');
  if (problems.length > 0) {
    throw new InvalidArtifactError(
      `${path} is not a valid model card: ${problems.join('; ')}`,
      'retrain with `propensity train` or restore the card from git',
    );
  }
}

export async function readCard(dir: string): Promise<ModelCard> {
  const path = join(dir, CARD_FILE);
  const card = await readJsonFile<ModelCard>(path, 'model card');
  assertCardShape(card, path);
  return card;
}

export interface LoadedModel {
  dir: string;
  card: ModelCard;
  /** The ONNX bytes, verified against the card. */
  onnx: Uint8Array;
}

/** Reads a model directory and refuses a model.onnx whose SHA-256 differs from the one on its card. */
export async function loadVerifiedModel(dir: string): Promise<LoadedModel> {
  const card = await readCard(dir);
  const path = join(dir, card.model.file ?? MODEL_FILE);
  let onnx: Uint8Array;
  try {
    onnx = await readFile(path);
  } catch {
    throw new InvalidArtifactError(
      `model file not found at ${path}`,
      'restore it from git or retrain with `propensity train`',
    );
  }
  const actual = sha256(onnx);
  if (actual !== card.model.sha256) {
    throw new InvalidArtifactError(
      `${path} does not match its card: its SHA-256 is ${actual}, the card says ${card.model.sha256}`,
      'the model file was changed or replaced without its card; restore both from the same commit, or retrain',
    );
  }
  return { dir, card, onnx };
}

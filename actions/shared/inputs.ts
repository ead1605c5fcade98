/** Reading action inputs once, with the checks that turn a typo into a clear message. */
import * as core from '@actions/core';
import { isAbsolute, resolve } from 'node:path';
import { ActionError } from './errors.js';

export function workspace(): string {
  return process.env.GITHUB_WORKSPACE ?? process.cwd();
}

/** A path input, resolved against the workspace. */
export function pathInput(name: string, fallback?: string): string | undefined {
  const raw = core.getInput(name) || fallback;
  if (!raw) return undefined;
  return isAbsolute(raw) ? raw : resolve(workspace(), raw);
}

export function requiredPathInput(name: string, fallback: string): string {
  return pathInput(name, fallback) as string;
}

/** `YYYY-MM`; empty means the current month (UTC). */
export function monthInput(name: string): string {
  const raw = core.getInput(name).trim();
  if (raw === '') return new Date().toISOString().slice(0, 7);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(raw))
    throw new ActionError(`input ${name} must be a month as YYYY-MM, got "${raw}"`);
  return raw;
}

export function positiveIntegerInput(name: string, fallback: number): number {
  const raw = core.getInput(name).trim();
  if (raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new ActionError(`input ${name} must be a whole number >= 1, got "${raw}"`);
  return value;
}

export interface Shard {
  index: number;
  count: number;
}

/** `i/n` with 0 <= i < n; empty means the whole month in one job. */
export function shardInput(name: string): Shard | undefined {
  const raw = core.getInput(name).trim();
  if (raw === '') return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) {
    throw new ActionError(`input ${name} must be "i/n" with 0 <= i < n (for example 0/4), got "${raw}"`);
  }
  return { index, count };
}

export function booleanInput(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name).trim().toLowerCase();
  if (raw === '') return fallback;
  if (['true', 'yes', '1'].includes(raw)) return true;
  if (['false', 'no', '0'].includes(raw)) return false;
  throw new ActionError(`input ${name} must be true or false, got "${raw}"`);
}

import { UsageError } from '../errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Shown in help as the value's name, e.g. FILE. */
  value?: string;
  multiple?: boolean;
  short?: string;
}

export type Options = Record<string, OptionSpec>;
export type ParsedArgs = Record<string, string | boolean | string[] | undefined>;

/** What a command hands back: `data` is printed as one JSON object under --json, `text` otherwise. */
export interface CommandResult {
  data: unknown;
  text: string;
  /** Defaults to 0. */
  exitCode?: number;
}

export interface Command {
  /** One or two words: `validate`, `synth users`. */
  name: string;
  summary: string;
  /** The synopsis after the command name, e.g. `--input FILE [--json]`. */
  usage: string;
  /** A paragraph of help shown under the synopsis. */
  details?: string;
  options: Options;
  run(args: ParsedArgs): Promise<CommandResult>;
}

export function requiredString(args: ParsedArgs, name: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalString(args: ParsedArgs, name: string): string | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} needs a value`);
  return value;
}

export function stringList(args: ParsedArgs, name: string): string[] {
  const value = args[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [String(value)];
}

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
}

export function optionalNumber(args: ParsedArgs, name: string, rule: NumberRule = {}): number | undefined {
  const raw = optionalString(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const problems: string[] = [];
  if (raw.trim() === '' || !Number.isFinite(value)) problems.push('a number');
  else {
    if (rule.integer && !Number.isInteger(value)) problems.push('a whole number');
    if (rule.min !== undefined && value < rule.min) problems.push(`at least ${rule.min}`);
    if (rule.max !== undefined && value > rule.max) problems.push(`at most ${rule.max}`);
  }
  if (problems.length > 0) throw new UsageError(`--${name} must be ${problems.join(' and ')}, got "${raw}"`);
  return value;
}

export function numberWithDefault(
  args: ParsedArgs,
  name: string,
  fallback: number,
  rule: NumberRule = {},
): number {
  return optionalNumber(args, name, rule) ?? fallback;
}

/** The `--json` flag every command that prints results accepts. */
export const jsonOption: Options = {
  json: { type: 'boolean', description: 'print the result as one JSON object on stdout' },
};

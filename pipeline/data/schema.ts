/**
 * The data contract (design.md), in one place for training, scoring and drift: which columns a file must
 * have, how a header is matched, and whether a row is valid.
 */
import { DataFileError } from '../errors.js';

export type Kind = 'users' | 'training';
export type Gender = 'Male' | 'Female';

export const COLUMN = {
  userId: 'User ID',
  age: 'Age',
  salary: 'AnnualSalary',
  gender: 'Gender',
  purchased: 'Purchased',
  optOut: 'MarketingOptOut',
} as const;

export const AGE_MIN = 18;
export const AGE_MAX = 100;
export const GENDERS: readonly Gender[] = ['Female', 'Male'];

/** A customer as the monthly export describes them. */
export interface UserRecord {
  userId: string;
  age: number;
  salary: number;
  gender: Gender;
}

/** A customer of the labeled history: did they buy a car? */
export interface TrainingRecord extends UserRecord {
  purchased: 0 | 1;
}

export type RecordOf<K extends Kind> = K extends 'training' ? TrainingRecord : UserRecord;

export const REJECT_REASONS = [
  'wrong_field_count',
  'missing_user_id',
  'duplicate_user_id',
  'age_missing',
  'age_not_integer',
  'age_out_of_range',
  'salary_missing',
  'salary_not_number',
  'salary_negative',
  'gender_invalid',
  'purchased_invalid',
  'opt_out_invalid',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A row that breaks the contract: it goes to rejects.csv, never silently away. */
export interface Reject {
  /** 1-based line number in the file, the header being line 1. */
  line: number;
  userId: string;
  reason: RejectReason;
  detail: string;
}

/** Where each contract column stands in a file's header. */
export interface ColumnMap {
  userId: number;
  age: number;
  salary: number;
  gender: number;
  purchased: number | undefined;
  optOut: number | undefined;
  /** Header names the contract does not use; they are ignored. */
  extra: string[];
  width: number;
}

export function requiredColumns(kind: Kind): string[] {
  const base = [COLUMN.userId, COLUMN.age, COLUMN.salary, COLUMN.gender];
  return kind === 'training' ? [...base, COLUMN.purchased] : base;
}

const normalizeName = (name: string): string => name.replace(/^\uFEFF/, '').trim().toLowerCase();

/** Matches a header to the contract by name: any order, case and surrounding spaces ignored. */
export function resolveHeader(file: string, header: string[], kind: Kind): ColumnMap {
  const names = header.map(normalizeName);
  if (names.length === 1 && /[;\t|]/.test(header[0] ?? '')) {
    const delimiter = (header[0] ?? '').match(/[;\t|]/)?.[0] === '\t' ? 'tab' : `"${header[0]?.match(/[;|]/)?.[0]}"`;
    throw new DataFileError(
      file,
      `the header is one field with ${delimiter} inside it: the file is not comma-separated`,
      'export the file as CSV with commas between fields (in a spreadsheet: Save As, "CSV UTF-8 (comma delimited)")',
    );
  }
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    if (name !== '' && seen.has(name)) {
      throw new DataFileError(file, `the column "${header[index]?.trim()}" appears twice in the header`, 'keep one of them');
    }
    seen.set(name, index);
  });
  const wanted = requiredColumns(kind);
  const missing = wanted.filter((column) => !seen.has(column.toLowerCase()));
  if (missing.length > 0) {
    throw new DataFileError(
      file,
      `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (found: ${header.map((h) => `"${h.trim()}"`).join(', ')})`,
      `a ${kind} file needs the columns ${wanted.join(', ')} in its first line, in any order`,
    );
  }
  const at = (column: string): number | undefined => seen.get(column.toLowerCase());
  const known = new Set(Object.values(COLUMN).map((c) => c.toLowerCase()));
  if (kind === 'users') known.delete(COLUMN.purchased.toLowerCase());
  return {
    userId: at(COLUMN.userId)!,
    age: at(COLUMN.age)!,
    salary: at(COLUMN.salary)!,
    gender: at(COLUMN.gender)!,
    purchased: kind === 'training' ? at(COLUMN.purchased) : undefined,
    optOut: at(COLUMN.optOut),
    extra: header.filter((_, i) => !known.has(names[i] ?? '')).map((h) => h.trim()),
    width: header.length,
  };
}

export type RowVerdict<K extends Kind> =
  | { status: 'valid'; record: RecordOf<K>; userId: string }
  | { status: 'opted_out'; userId: string }
  | { status: 'rejected'; reason: RejectReason; detail: string; userId: string };

const INTEGER = /^[+-]?\d+$/;
/** A decimal number as exports write it (`72000`, `72000.50`, `7.2e4`); not `0x1F`, `0b101` or `Infinity`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const OPT_OUT_VALUES: Record<string, boolean> = { true: true, yes: true, '1': true, false: false, no: false, '0': false, '': false };

function reject<K extends Kind>(userId: string, reason: RejectReason, detail: string): RowVerdict<K> {
  return { status: 'rejected', reason, detail, userId };
}

export function parseGender(raw: string): Gender | undefined {
  const value = raw.trim().toLowerCase();
  return value === 'male' ? 'Male' : value === 'female' ? 'Female' : undefined;
}

/** Checks one row against the contract. Duplicate IDs are the reader's business: they need the whole file. */
export function validateRow<K extends Kind>(fields: string[], map: ColumnMap, kind: K): RowVerdict<K> {
  const userId = (fields[map.userId] ?? '').trim();
  if (fields.length !== map.width) {
    return reject(userId, 'wrong_field_count', `expected ${map.width} fields, found ${fields.length}`);
  }
  if (userId === '') return reject(userId, 'missing_user_id', 'User ID is empty');

  if (map.optOut !== undefined) {
    const optOut = OPT_OUT_VALUES[(fields[map.optOut] ?? '').trim().toLowerCase()];
    if (optOut === undefined) {
      return reject(userId, 'opt_out_invalid', `MarketingOptOut must be true/false/yes/no/1/0, got "${fields[map.optOut]}"`);
    }
    if (optOut) return { status: 'opted_out', userId };
  }

  const ageText = (fields[map.age] ?? '').trim();
  if (ageText === '') return reject(userId, 'age_missing', 'Age is empty');
  if (!INTEGER.test(ageText)) return reject(userId, 'age_not_integer', `Age must be a whole number, got "${ageText}"`);
  const age = Number(ageText);
  if (age < AGE_MIN || age > AGE_MAX) {
    return reject(userId, 'age_out_of_range', `Age must be between ${AGE_MIN} and ${AGE_MAX}, got ${ageText}`);
  }

  const salaryText = (fields[map.salary] ?? '').trim();
  if (salaryText === '') return reject(userId, 'salary_missing', 'AnnualSalary is empty');
  const salary = DECIMAL.test(salaryText) ? Number(salaryText) : NaN;
  if (!Number.isFinite(salary)) {
    return reject(userId, 'salary_not_number', `AnnualSalary must be a number, got "${salaryText}"`);
  }
  if (salary < 0) return reject(userId, 'salary_negative', `AnnualSalary must be 0 or more, got ${salaryText}`);

  const gender = parseGender(fields[map.gender] ?? '');
  if (!gender) return reject(userId, 'gender_invalid', `Gender must be Male or Female, got "${fields[map.gender]}"`);

  if (kind === 'training') {
    const purchasedText = (fields[map.purchased!] ?? '').trim();
    if (purchasedText !== '0' && purchasedText !== '1') {
      return reject(userId, 'purchased_invalid', `Purchased must be 0 or 1, got "${purchasedText}"`);
    }
    const record: TrainingRecord = { userId, age, salary, gender, purchased: purchasedText === '1' ? 1 : 0 };
    return { status: 'valid', record: record as RecordOf<K>, userId };
  }
  const record: UserRecord = { userId, age, salary, gender };
  return { status: 'valid', record: record as RecordOf<K>, userId };
}

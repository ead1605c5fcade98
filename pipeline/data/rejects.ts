import { csvLine } from './csv.js';
import type { Reject } from './schema.js';

/** rejects.csv: one bad row a line, with where it was, whose it was, and why it was refused. */
export const REJECTS_HEADER = csvLine(['line', 'User ID', 'reason', 'detail']);

export function rejectLine(reject: Reject): string {
  return csvLine([reject.line, reject.userId, reject.reason, reject.detail]);
}

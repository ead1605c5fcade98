/**
 * Whatever text goes into a CSV field (User IDs, reject details: they come from the bank's export), the
 * output parses back to the same fields, one record per line written, and no field a spreadsheet opens can
 * start a formula; a neutralized field is the original behind one apostrophe.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvLine } from '../../pipeline/data/csv.js';

const FORMULA = /^[=+\-@\t\r]/;

const field = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', "'", ' ', 'a', '\u202E'),
    maxLength: 12,
  }),
  fc.constantFrom('=HYPERLINK("http://x")', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '"=1"', "'=1"),
);

describe('csvLine', () => {
  it('round-trips every field, neutralized only where a formula could start', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(field, fc.integer()), { minLength: 1, maxLength: 6 }), (fields) => {
        const text = csvLine(fields);
        const records = parse(text, { relax_column_count: false }) as string[][];
        expect(records).toHaveLength(1);
        const parsed = records[0]!;
        expect(parsed).toHaveLength(fields.length);
        fields.forEach((original, i) => {
          const out = parsed[i]!;
          // numbers are the project's own (a negative number is a number to a spreadsheet, not a formula)
          if (typeof original === 'number') return expect(out).toBe(String(original));
          expect(out).toBe(FORMULA.test(original) ? `'${original}` : original);
          expect(out).not.toMatch(FORMULA);
        });
      }),
      { numRuns: 2_000 },
    );
  });
});

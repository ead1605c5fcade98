import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRankKey, rankKey, ranksBefore, sortRun } from '../../pipeline/score/ranking.js';

const digitId = fc.stringMatching(/^[0-9]{1,9}$/);
const micro = fc.integer({ min: 0, max: 1_000_000 });

describe('rank keys of numeric User IDs', () => {
  it('order rows exactly as probability descending, then ID as text ascending, and give the row back', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(digitId, micro), { selector: ([id]) => id, minLength: 1, maxLength: 60 }),
        (rows) => {
          const keyed = rows.map(([id, m]) => ({
            id,
            micro: m,
            key: rankKey(m, Buffer.from(id, 'latin1'), 0, id.length),
          }));
          for (const row of keyed) expect(fromRankKey(row.key)).toEqual({ micro: row.micro, id: row.id });
          const byKey = [...keyed].sort((a, b) => a.key - b.key).map((r) => r.id);
          const byText = [...keyed]
            .sort((a, b) => (ranksBefore(a.micro, a.id, b.micro, b.id) ? -1 : 1))
            .map((r) => r.id);
          expect(byKey).toEqual(byText);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses IDs that are not 1 to 9 digits', () => {
    for (const id of ['', '1234567890', '12a', '-1', ' 1'])
      expect(rankKey(5, Buffer.from(id, 'latin1'), 0, id.length)).toBe(-1);
  });

  it('sortRun orders text IDs the same way', () => {
    const ids = ['b', 'a', '10', '9', 'c'];
    const sorted = sortRun(ids, Int32Array.from([5, 5, 7, 7, 1]), 5);
    expect(sorted.ids).toEqual(['10', '9', 'a', 'b', 'c']);
  });
});

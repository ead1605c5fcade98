import { describe, expect, it } from 'vitest';
import { CompactIdSet, idHash, idHashBytes } from '../../pipeline/data/ids.js';

describe('CompactIdSet', () => {
  it.each([
    ['sized for the IDs', 200_000, 400_000],
    ['sized too small (it widens its buckets)', 20_000, 400_000],
  ])('finds every repeated ID and takes no two of 200,000 IDs for one, %s', (_, expected, atMost) => {
    const set = new CompactIdSet(expected, atMost);
    const ids = Array.from({ length: 200_000 }, (__, i) => `C${i * 7919}`);
    expect(ids.filter((id) => set.addHashIfAbsent(idHash(id)))).toEqual([]);
    expect(set.size).toBe(200_000);
    expect(ids.filter((id, i) => i % 3 === 0 && !set.addHashIfAbsent(idHash(id)))).toEqual([]);
    expect(set.size).toBe(200_000);
  });
});

describe('idHashBytes', () => {
  it('hashes ASCII bytes exactly as idHash hashes the text', () => {
    for (const id of ['1', '12345678', 'CUST-000042', ' spaced ', 'a,b', '']) {
      const bytes = Buffer.from(`xx${id}yy`, 'latin1');
      expect(idHashBytes(bytes, 2, 2 + id.length)).toBe(idHash(id));
    }
  });
});

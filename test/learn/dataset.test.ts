import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthHistory } from '../../pipeline/data/synth.js';
import {
  dataFiles,
  isHoldout,
  loadTrainingData,
  splitHoldout,
  stratifiedFolds,
} from '../../pipeline/learn/dataset.js';
import { sha256 } from '../../pipeline/model/card.js';
import { useTempDir } from '../helpers/tmp.js';
import { syntheticRecords } from './synthetic.js';

const tmp = useTempDir('dataset-');

describe('the hash holdout', () => {
  it('keeps every customer on their side as history is appended', () => {
    const first = syntheticRecords(1000, 3);
    const grown = [
      ...first,
      ...syntheticRecords(2000, 4).map((r, i) => ({ ...r, userId: `new-${i}` })),
    ].reverse();
    const before = new Set(splitHoldout(first, 0.2).holdout.map((r) => r.userId));
    const after = splitHoldout(grown, 0.2);
    const afterHoldout = new Set(after.holdout.map((r) => r.userId));
    for (const record of first) expect(afterHoldout.has(record.userId)).toBe(before.has(record.userId));
    // Nobody is on both sides.
    expect(after.train.some((r) => afterHoldout.has(r.userId))).toBe(false);
  });

  it('takes about the configured share, and a larger share contains a smaller one', () => {
    const records = syntheticRecords(5000, 5);
    const share = splitHoldout(records, 0.2).holdout.length / records.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.22);
    for (const r of records) if (isHoldout(r.userId, 0.1)) expect(isHoldout(r.userId, 0.2)).toBe(true);
  });
});

describe('stratifiedFolds', () => {
  const y = Uint8Array.from({ length: 203 }, (_, i) => (i % 5 < 2 ? 1 : 0));

  it('puts every row in exactly one test fold per repeat, with the buyer share in each fold', () => {
    const folds = stratifiedFolds(y, 5, 3, 42);
    expect(folds).toHaveLength(15);
    for (let repeat = 0; repeat < 3; repeat++) {
      const seen = new Uint8Array(y.length);
      for (const fold of folds.filter((f) => f.repeat === repeat)) {
        for (const i of fold.test) seen[i]!++;
        expect(fold.train.length + fold.test.length).toBe(y.length);
        const buyers = Array.from(fold.test).filter((i) => y[i] === 1).length;
        expect(Math.abs(buyers / fold.test.length - 0.4)).toBeLessThan(0.03);
        expect(fold.test.length === 40 || fold.test.length === 41).toBe(true);
      }
      expect(seen.every((count) => count === 1)).toBe(true);
    }
  });

  it('is seeded: same seed same folds, another seed other folds, repeats differ', () => {
    const a = stratifiedFolds(y, 5, 2, 1);
    expect(stratifiedFolds(y, 5, 2, 1)).toEqual(a);
    expect(stratifiedFolds(y, 5, 2, 2)[0]!.test).not.toEqual(a[0]!.test);
    expect(a[5]!.test).not.toEqual(a[0]!.test);
  });
});

describe('loadTrainingData', () => {
  it('reads a directory in name order, hashing the files\u2019 bytes in that order', async () => {
    const dir = join(tmp, 'history');
    const text = [...synthHistory({ rows: 300, seed: 9 })].join('');
    const lines = text.trimEnd().split('\n');
    const partB = [lines[0], ...lines.slice(151)].join('\n') + '\n';
    const partA = lines.slice(0, 151).join('\n') + '\n';
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'b.csv'), partB);
    writeFileSync(join(dir, 'a.csv'), partA);
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    expect((await dataFiles(dir)).map((f) => f.slice(dir.length + 1))).toEqual(['a.csv', 'b.csv']);
    const data = await loadTrainingData(dir);
    expect(data.records).toHaveLength(300);
    expect(data.records[0]!.userId).toBe('1');
    expect(data.sha256).toBe(sha256(partA + partB));
  });

  it('uses the first file\u2019s row when a customer appears in two files', async () => {
    const dir = join(tmp, 'dupes');
    mkdirSync(dir, { recursive: true });
    const text = [...synthHistory({ rows: 100, seed: 2 })].join('');
    writeFileSync(join(dir, '1.csv'), text);
    writeFileSync(join(dir, '2.csv'), text);
    const data = await loadTrainingData(dir);
    expect(data.records).toHaveLength(100);
    expect(data.duplicatesAcrossFiles).toBe(100);
  });
});

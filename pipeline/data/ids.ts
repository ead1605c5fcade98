/**
 * Hashing of User IDs. One stable 53-bit hash (cyrb53, seed 0, over UTF-16 code units) decides shards,
 * the holdout, and duplicate detection, so a customer always lands in the same place on every machine.
 */
export function idHash(id: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return finishHash(h1, h2);
}

function finishHash(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * `idHash` of an ASCII User ID given as bytes (`bytes[from..to)`), without making a string of it: the
 * scorer's reader hashes IDs straight from the file. Equal to `idHash` for ASCII text (a test holds it).
 */
export function idHashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = from; i < to; i++) {
    const ch = bytes[i]!;
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  return finishHash(h1, h2);
}

/** The shard (0..count-1) that owns a User ID. */
export function shardOf(id: string, count: number): number {
  return idHash(id) % count;
}

/**
 * A set of User IDs in 8 to 16 bytes per ID, whatever their length: it keeps only the 53-bit hash. The
 * chance that any two different IDs of a file share a hash is about n^2 / 2^54: 1 in 180 million for 1
 * million IDs, 1 in 180 for 10 million. Such a pair would show up as a `duplicate_user_id` reject, never
 * as a silent loss.
 *
 * The table doubles when it is 70% full. Growing costs the old and the new table at once (at 10 million IDs,
 * 64 + 128 MB), so a reader that knows about how many IDs are coming passes `expected` and the table is
 * allocated once at its final size (128 MB for 10 million).
 */
export class IdSet {
  private slots: Float64Array;
  private used = 0;

  constructor(expected = 0) {
    let size = 1 << 12;
    while (expected * 10 > size * 7) size *= 2;
    this.slots = new Float64Array(size);
  }

  /** Adds the ID; answers whether it was there already. */
  addIfAbsent(id: string): boolean {
    return this.addHashIfAbsent(idHash(id));
  }

  /** The same, for an ID whose `idHash` is known. */
  addHashIfAbsent(hash: number): boolean {
    if ((this.used + 1) * 10 > this.slots.length * 7) this.grow();
    return this.insert(hash + 1);
  }

  get size(): number {
    return this.used;
  }

  private insert(key: number): boolean {
    const mask = this.slots.length - 1;
    // the low 32 bits of the key (ToUint32), cheaper than a floating-point modulo
    let slot = (key >>> 0) & mask;
    for (;;) {
      const current = this.slots[slot];
      if (current === 0) {
        this.slots[slot] = key;
        this.used++;
        return false;
      }
      if (current === key) return true;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.used = 0;
    for (const key of old) if (key !== 0) this.insert(key);
  }
}

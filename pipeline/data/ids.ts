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

/** What a reader needs of a duplicate-ID set. */
export interface HashSet {
  addHashIfAbsent(hash: number): boolean;
  readonly size: number;
}

/**
 * A duplicate-ID set in about 5 bytes per ID, for files of millions of rows (the scorer's), where
 * IdSet's 8 bytes a slot at 70% load and its doubling (128 MB, and 192 MB while growing, at 10 million)
 * would dominate the memory of a run.
 *
 * It keeps 32 bits of each ID's 53-bit hash in a Uint32Array of buckets; the bucket is chosen by up to 21
 * other bits of the hash, so about 50 bits tell IDs apart (two different IDs of a 10-million-row file are
 * taken for one about once in 30 files; of a million-row file, once in thousands). Such a pair shows up as
 * a `duplicate_user_id` reject, never as a silent loss. Size it with the expected number of IDs; it grows
 * (wider buckets) if more come, and a lookup reads only a few adjacent buckets.
 */
export class CompactIdSet implements HashSet {
  private readonly bucketBits: number;
  private bucketSize: number;
  private slots: Uint32Array;
  /** Per home bucket: how many buckets past it its IDs reach (linear probing when a bucket is full). */
  private readonly reach: Uint8Array;
  private used = 0;

  /**
   * `expected`: about how many IDs will come; `atMost`: how many could (sets the number of buckets, so
   * that growing only widens them).
   */
  constructor(expected: number, atMost = expected) {
    this.bucketBits = Math.max(4, Math.min(21, Math.ceil(Math.log2(Math.max(1, atMost) / 8))));
    const buckets = 1 << this.bucketBits;
    this.bucketSize = Math.max(4, Math.ceil(expected / (0.92 * buckets)));
    this.slots = new Uint32Array(buckets * this.bucketSize);
    this.reach = new Uint8Array(buckets);
  }

  get size(): number {
    return this.used;
  }

  addHashIfAbsent(hash: number): boolean {
    const fingerprint = hash >>> 0 || 1;
    const home = Math.floor(hash / 4294967296) >>> (21 - this.bucketBits);
    const mask = (1 << this.bucketBits) - 1;
    const size = this.bucketSize;
    const slots = this.slots;
    for (let d = 0; d <= this.reach[home]!; d++) {
      const start = ((home + d) & mask) * size;
      for (let s = start; s < start + size; s++) if (slots[s] === fingerprint) return true;
    }
    if ((this.used + 1) * 100 > slots.length * 95) this.grow();
    this.place(fingerprint, home);
    this.used++;
    return false;
  }

  /** Puts a fingerprint in the first free slot from its home bucket on, and records how far that was. */
  private place(fingerprint: number, home: number): void {
    const mask = (1 << this.bucketBits) - 1;
    const size = this.bucketSize;
    for (let d = 0; d < 256; d++) {
      const start = ((home + d) & mask) * size;
      for (let s = start; s < start + size; s++) {
        if (this.slots[s] === 0) {
          this.slots[s] = fingerprint;
          if (d > this.reach[home]!) this.reach[home] = d;
          return;
        }
      }
    }
    // 256 full buckets in a row does not happen below 95% load; widen and try again
    this.grow();
    this.place(fingerprint, home);
  }

  /** Doubles the bucket width: every fingerprint keeps its bucket, so every reach stays true. */
  private grow(): void {
    const old = this.slots;
    const oldSize = this.bucketSize;
    this.bucketSize = oldSize * 2;
    this.slots = new Uint32Array(old.length * 2);
    for (let b = 0; b * oldSize < old.length; b++) {
      this.slots.set(old.subarray(b * oldSize, (b + 1) * oldSize), b * this.bucketSize);
    }
  }
}

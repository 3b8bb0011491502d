// A compact set of strings for the keys of hook files already read (hundreds of thousands of
// them): each key is kept as a 64-bit hash in an open-addressed table of typed arrays, 8 bytes a
// slot, at most 0.7 full: ~16 bytes a key instead of ~100 for a Set of strings. A hash can collide: with n keys stored, a
// key never stored is taken for a stored one with probability n / 2^64 (5e-14 at n = 1M), so
// even 10M lookups of new files against 1M stored keys give ~5e-7 chance of one lost file.

/** Two independent 32-bit lanes (cyrb53's mixing, both lanes kept): 64 bits of hash. */
function hash64(s: string, out: Uint32Array): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // Lane 0 is never 0: (0, 0) marks an empty slot and (0, 1) a removed one.
  out[0] = (h1 >>> 0) || 1;
  out[1] = h2 >>> 0;
}

/** A HashedKeySet as plain, structured-clonable data. */
export interface KeySetState {
  slots: Uint32Array<ArrayBuffer>;
  used: number;
  size: number;
}

const minSlots = 1024;
const maxLoad = 0.7;

/** A set of strings by their 64-bit hashes (see the module comment for the collision odds). */
export class HashedKeySet {
  /** Slot i holds lanes [2i, 2i + 1]; (0, 0) empty, (0, 1) removed. */
  #slots = new Uint32Array(minSlots * 2);
  #used = 0; // live + removed slots
  #size = 0;
  #h = new Uint32Array(2);

  get size(): number {
    return this.#size;
  }

  /**
   * The set as plain data for another thread, its table given away rather than copied (this set
   * is empty after): at the end of a first backfill the table is 8 MiB for 420k keys, and the
   * copies of a state() sent and taken back in were a 30 MiB spike in the server's peak.
   */
  handOff(): KeySetState {
    const state = { slots: this.#slots, used: this.#used, size: this.#size };
    this.#slots = new Uint32Array(minSlots * 2);
    this.#used = 0;
    this.#size = 0;
    return state;
  }

  /** A set made of what `state` held, its table taken as it is (a clone or handed off: not
   * shared with a set still in use). */
  static from(state: KeySetState): HashedKeySet {
    const set = new HashedKeySet();
    set.#slots = state.slots;
    set.#used = state.used;
    set.#size = state.size;
    return set;
  }

  has(key: string): boolean {
    hash64(key, this.#h);
    return this.#find(this.#h[0], this.#h[1]) >= 0;
  }

  add(key: string): void {
    hash64(key, this.#h);
    const [a, b] = this.#h;
    if (this.#find(a, b) >= 0) return;
    if ((this.#used + 1) > (this.#slots.length / 2) * maxLoad) this.#rehash();
    this.#put(a, b);
    this.#size++;
  }

  /** Removes a key; whether it was there. */
  delete(key: string): boolean {
    hash64(key, this.#h);
    const i = this.#find(this.#h[0], this.#h[1]);
    if (i < 0) return false;
    this.#slots[2 * i] = 0;
    this.#slots[2 * i + 1] = 1;
    this.#size--;
    // Mostly emptied (a first backfill's planned files, settled one by one): smaller again.
    if (this.#size * 16 < this.#slots.length && this.#slots.length > minSlots * 2) this.#rehash();
    return true;
  }

  /** The slot holding (a, b), or -1. */
  #find(a: number, b: number): number {
    const s = this.#slots;
    const mask = s.length / 2 - 1;
    for (let i = (a ^ b) & mask;; i = (i + 1) & mask) {
      const x = s[2 * i];
      if (x === a && s[2 * i + 1] === b) return i;
      if (x === 0 && s[2 * i + 1] === 0) return -1;
    }
  }

  /** Puts (a, b) into the first empty or removed slot on its probe path (not yet present). */
  #put(a: number, b: number): void {
    const s = this.#slots;
    const mask = s.length / 2 - 1;
    let i = (a ^ b) & mask;
    while (s[2 * i] !== 0) i = (i + 1) & mask;
    if (s[2 * i + 1] === 0) this.#used++; // an empty slot (a removed one was counted already)
    s[2 * i] = a;
    s[2 * i + 1] = b;
  }

  /** Rehashes into a table sized for the live keys (removed slots are dropped): larger when
   * full, smaller when mostly removed. */
  #rehash(): void {
    const old = this.#slots;
    let n = minSlots;
    while ((this.#size + 1) > n / 2) n *= 2; // half full at most after a rehash
    this.#slots = new Uint32Array(n * 2);
    this.#used = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.#put(old[i], old[i + 1]);
  }
}

// The hook log folder's file names, packed: hundreds of thousands of names held as one UTF-8
// buffer and an array of ends, sorted, instead of a string and an object per file. A heavy
// user's folder holds 420k of them; as strings in a listing, a map of files to read and a
// progress set they were ~170 MiB of the first backfill's peak, as packed names ~35 MiB.

/** Names as plain data (structured-clonable: handed between threads), in byte order. Name i is
 * bytes[ends[i - 1] .. ends[i]) (from 0 for the first). */
export interface PackedNames {
  bytes: Uint8Array;
  ends: Uint32Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const noNames: PackedNames = { bytes: new Uint8Array(0), ends: new Uint32Array(0) };

/** How many names. */
export function nameCount(p: PackedNames): number {
  return p.ends.length;
}

/** Name i. */
export function nameAt(p: PackedNames, i: number): string {
  return decoder.decode(p.bytes.subarray(i === 0 ? 0 : p.ends[i - 1], p.ends[i]));
}

/** Bytes of one chunk of a NamePacker: a name never straddles two (a longer one gets its own). */
const chunkBytes = 1 << 20;

/**
 * Collects names one at a time (a folder listing streams them) straight into bytes: no string
 * is kept per name, so the peak of a listing is about twice the packed size (the chunks, then
 * the sorted copy), not the strings'.
 */
export class NamePacker {
  #chunks: Uint8Array[] = [];
  #used = chunkBytes; // of the last chunk (none yet)
  #chunkOf: number[] = [];
  #starts: number[] = [];
  #ends: number[] = [];
  #total = 0;

  add(name: string): void {
    // A UTF-8 name takes at most 3 bytes per UTF-16 code unit.
    const most = name.length * 3;
    if (this.#used + most > chunkBytes) {
      this.#chunks.push(new Uint8Array(Math.max(chunkBytes, most)));
      this.#used = 0;
    }
    const chunk = this.#chunks[this.#chunks.length - 1];
    const { written } = encoder.encodeInto(name, chunk.subarray(this.#used));
    this.#chunkOf.push(this.#chunks.length - 1);
    this.#starts.push(this.#used);
    this.#used += written;
    this.#ends.push(this.#used);
    this.#total += written;
  }

  get size(): number {
    return this.#starts.length;
  }

  /** The names added, sorted by their bytes (UTF-8 byte order: code point order), duplicates
   * dropped, in buffers of their size. */
  done(): PackedNames {
    const n = this.#starts.length;
    const chunks = this.#chunks;
    const chunkOf = this.#chunkOf;
    const starts = this.#starts;
    const ends = this.#ends;
    const cmp = (a: number, b: number): number => {
      const x = chunks[chunkOf[a]];
      const y = chunks[chunkOf[b]];
      const a0 = starts[a];
      const b0 = starts[b];
      const la = ends[a] - a0;
      const lb = ends[b] - b0;
      const m = la < lb ? la : lb;
      for (let k = 0; k < m; k++) {
        const d = x[a0 + k] - y[b0 + k];
        if (d !== 0) return d;
      }
      return la - lb;
    };
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort(cmp);
    const bytes = new Uint8Array(this.#total);
    const outEnds = new Uint32Array(n);
    let at = 0;
    let kept = 0;
    for (let j = 0; j < n; j++) {
      const i = order[j];
      if (j > 0 && cmp(i, order[j - 1]) === 0) continue;
      bytes.set(chunks[chunkOf[i]].subarray(starts[i], ends[i]), at);
      at += ends[i] - starts[i];
      outEnds[kept++] = at;
    }
    this.#chunks = [];
    this.#used = chunkBytes;
    this.#chunkOf = [];
    this.#starts = [];
    this.#ends = [];
    this.#total = 0;
    return {
      bytes: at === bytes.length ? bytes : bytes.slice(0, at),
      ends: kept === n ? outEnds : outEnds.slice(0, kept),
    };
  }
}

/** The names `keep` says yes to, packed again (the same object when it keeps every one). */
export function filterNames(p: PackedNames, keep: (name: string) => boolean): PackedNames {
  const n = nameCount(p);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (keep(nameAt(p, i))) kept.push(i);
  if (kept.length === n) return p;
  let size = 0;
  for (const i of kept) size += p.ends[i] - (i === 0 ? 0 : p.ends[i - 1]);
  const bytes = new Uint8Array(size);
  const ends = new Uint32Array(kept.length);
  let at = 0;
  kept.forEach((i, j) => {
    const from = i === 0 ? 0 : p.ends[i - 1];
    bytes.set(p.bytes.subarray(from, p.ends[i]), at);
    at += p.ends[i] - from;
    ends[j] = at;
  });
  return { bytes, ends };
}

/** Packs names given as strings (tests, and small lists). */
export function packNames(names: Iterable<string>): PackedNames {
  const p = new NamePacker();
  for (const n of names) p.add(n);
  return p.done();
}

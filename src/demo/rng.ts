// The workload generator's randomness: a seeded 32-bit PRNG (mulberry32) with the draws the
// generator needs, and the seed mixing that gives every session its own stream. Same seed, same
// sequence: the generated tree is byte-identical run after run.

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX = "0123456789abcdef";

export class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  u32(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = Math.imul(this.a ^ (this.a >>> 15), 1 | this.a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let sum = 0;
    for (const [, w] of items) sum += w;
    let x = this.next() * sum;
    for (const [v, w] of items) {
      x -= w;
      if (x < 0) return v;
    }
    return items[items.length - 1][0];
  }
  /** Index in [0, n), skewed towards small indexes (popular projects). */
  zipf(n: number): number {
    return Math.min(n - 1, Math.floor(n * this.next() ** 2.2));
  }
  b62(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += B62[this.u32() % 62];
    return s;
  }
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += HEX[this.u32() & 15];
    return s;
  }
  uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + (this.u32() & 3)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${
      h.slice(20, 32)
    }`;
  }
}

/** `x` (a non-negative integer below 62^k) as exactly k base-62 digits. */
export function b62Fixed(x: number, k: number): string {
  let s = "";
  for (let i = 0; i < k; i++) {
    s = B62[x % 62] + s;
    x = Math.floor(x / 62);
  }
  return s;
}

// The files waiting to be read: the hook files a listing found unread, kept packed and in name
// order (the backlog: hundreds of thousands on a first backfill), and every other file marked
// since (transcripts, a watcher's hint, a batch put back after a refused commit) by its key.
// Batches are taken from the backlog first: hook file names start with their time, so a burst
// is stored in the order it was written, and the hook reader can stop once they are all read.

import type { SourceKind } from "../core/types.ts";
import { nameAt, nameCount, noNames, type PackedNames } from "./packed_names.ts";

export class DirtyFiles {
  #marked = new Map<string, SourceKind>();
  #backlog: PackedNames = noNames;
  #next = 0;
  #prefix = "";
  /** A backlog ran out since drained() last said so. */
  #ranOut = false;

  /** Files waiting (a file both in the backlog and marked counts twice until it is taken). */
  get size(): number {
    return this.#marked.size + nameCount(this.#backlog) - this.#next;
  }

  /** Marks one file to read. */
  set(key: string, kind: SourceKind): void {
    this.#marked.set(key, kind);
  }

  /** Whether a file is marked to read (the backlog's own are not looked up: each is taken once). */
  has(key: string): boolean {
    return this.#marked.has(key);
  }

  /** The hook files a listing found unread, as names in `prefix`: they replace the previous
   * listing's backlog (a file it held that is gone now is not read). */
  setBacklog(names: PackedNames, prefix: string): void {
    this.#backlog = names;
    this.#next = 0;
    this.#prefix = prefix;
  }

  /** Puts the marked files in key order (the backlog is sorted already). */
  sortMarked(): void {
    if (this.#marked.size < 2) return;
    // The default order of strings is code units and needs no call per comparison: 100k keys
    // sort in a third of the time.
    const keys = [...this.#marked.keys()].sort();
    const kinds = keys.map((k) => this.#marked.get(k)!);
    this.#marked.clear();
    for (let i = 0; i < keys.length; i++) this.#marked.set(keys[i], kinds[i]);
  }

  /**
   * Takes up to `n` files out: the backlog's next ones while it has any, then the marked ones
   * in their order. A batch never holds both: the one that ends a backlog is not topped up
   * with transcripts, so the hook reader's thread is gone before the first transcript is read
   * (a mixed batch kept it through up to 1,000 transcript reads: 40-50 MiB more at the peak of
   * a cold backfill of 100k hook files and 250 MiB of transcripts).
   */
  take(n: number): Array<[string, SourceKind]> {
    const out: Array<[string, SourceKind]> = [];
    const end = nameCount(this.#backlog);
    while (out.length < n && this.#next < end) {
      const key = this.#prefix + nameAt(this.#backlog, this.#next++);
      this.#marked.delete(key); // marked meanwhile too: read once
      out.push([key, "hook"]);
    }
    if (this.#next >= end && end > 0) {
      this.setBacklog(noNames, "");
      this.#ranOut = true;
    }
    if (out.length > 0) return out;
    for (const entry of this.#marked) {
      if (out.length >= n) break;
      out.push(entry);
    }
    for (let i = 0; i < out.length; i++) this.#marked.delete(out[i][0]);
    return out;
  }

  /** Whether a backlog ran out since the last call: once per backlog, so what is done when one
   * is read through (the listing lets go of its names) is not repeated for every later batch. */
  drained(): boolean {
    const ranOut = this.#ranOut;
    this.#ranOut = false;
    return ranOut;
  }

  /** Every file waiting, without taking any (the backlog's first). */
  *entries(): Generator<[string, SourceKind]> {
    const end = nameCount(this.#backlog);
    for (let i = this.#next; i < end; i++) {
      yield [this.#prefix + nameAt(this.#backlog, i), "hook"];
    }
    yield* this.#marked;
  }
}

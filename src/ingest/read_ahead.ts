// Hook files read ahead on the main thread for the backfill worker. The worker is CPU-bound on
// one core during a backfill (its write transactions, then reading the next batch's files),
// while the main thread, which only answers requests, has the other core: the worker names the
// files of its next batch, the main thread reads them with the same checks as readHook (lstat,
// then no link followed, no FIFO waited on, same inode) and hands their bytes over (transferred,
// not copied), and the worker stores them while the main thread reads the batch after. A file
// that is not a small regular file, or that did not arrive in time, the worker reads itself.

import { maxHookFileBytes, syncHookReadMaxBytes } from "../core/config.ts";
import { readSourceSync } from "./sources.ts";

/** A hook file as the main thread read it: what readHook would have seen (its lstat, its bytes). */
export interface ReadAhead {
  /** Its key: relative to the main Claude directory. */
  rel: string;
  size: number;
  mtimeMs: number;
  bytes: Uint8Array;
}

/** How long reading ahead holds the main thread before it lets requests in. */
const sliceMs = 10;

/**
 * Reads the hook files `rels` of the Claude directory `dir`, handing the event loop over every
 * sliceMs. Skips (leaves to the worker) what is gone, a link, not a regular file, larger than
 * syncHookReadMaxBytes or swapped while read; never throws for a file.
 */
export async function readAheadFiles(dir: string, rels: string[]): Promise<ReadAhead[]> {
  const out: ReadAhead[] = [];
  let since = performance.now();
  for (const rel of rels) {
    if (performance.now() - since >= sliceMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      since = performance.now();
    }
    const got = readOne(`${dir}/${rel}`);
    if (got) out.push({ rel, ...got });
  }
  return out;
}

function readOne(abs: string): Omit<ReadAhead, "rel"> | null {
  try {
    const st = Deno.lstatSync(abs);
    if (!st.isFile || st.isSymlink || st.size > syncHookReadMaxBytes) return null;
    const bytes = readSourceSync(abs, st, maxHookFileBytes);
    if (!(bytes instanceof Uint8Array)) return null;
    return { size: st.size, mtimeMs: st.mtime?.getTime() ?? 0, bytes };
  } catch {
    return null; // gone, or not readable here: the worker's own read reports it
  }
}

/** The buffers to transfer with a message carrying `files`. */
export function transferList(files: ReadAhead[]): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const f of files) seen.add(f.bytes.buffer as ArrayBuffer);
  return [...seen];
}

/** The worker's side: asks for each file once, and hands each file read ahead out once. */
export class ReadAheadBuffer {
  #ask: (rels: string[]) => void;
  #asked = new Set<string>();
  #ready = new Map<string, ReadAhead>();

  constructor(ask: (rels: string[]) => void) {
    this.#ask = ask;
  }

  /** Asks for the files of `rels` not asked for yet. */
  request(rels: string[]): void {
    const fresh = rels.filter((rel) => !this.#asked.has(rel));
    if (fresh.length === 0) return;
    for (const rel of fresh) this.#asked.add(rel);
    this.#ask(fresh);
  }

  /** Files read ahead have arrived. */
  deliver(files: ReadAhead[]): void {
    for (const f of files) if (this.#asked.has(f.rel)) this.#ready.set(f.rel, f);
  }

  /** The file read ahead for `rel`, once; undefined when it was not (or not yet) read. */
  take(rel: string): ReadAhead | undefined {
    this.#asked.delete(rel);
    const f = this.#ready.get(rel);
    this.#ready.delete(rel);
    return f;
  }

  /** Files asked for and not taken yet. */
  get pending(): number {
    return this.#asked.size;
  }
}

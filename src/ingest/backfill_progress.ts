// How far the first pass (the backfill, phase "events") has come: files and bytes done of the
// total found by the first listing. Hook files are tiny and many, so they are not stat'ed for a
// byte total: their bytes are estimated from the mean size of those read so far (exact once all
// are read); transcripts' bytes left (size beyond the stored cursor) are summed at listing.

import type { SourceKind } from "../core/types.ts";
import { type BackfillProgress, withRate } from "../core/progress.ts";
import { locate, type Root } from "./root_set.ts";
import { HashedKeySet } from "./key_set.ts";
import type { DirtyFiles } from "./dirty_files.ts";

type Figures = Omit<BackfillProgress, "mbPerSec" | "etaSeconds">;

export class ProgressTracker {
  #p: Figures | null = null;
  /** Taken whole from elsewhere (the backfill worker): the own counting below is off. */
  #adopted = false;
  /** Keys counted in filesTotal and not finished yet (hashed: 420k hook files on a first
   * backfill; a collision only miscounts one file of the progress figures). */
  #pending = new HashedKeySet();
  #bytesAtStart = 0;
  #transcriptBytes = 0;
  #hooksTotal = 0;
  #hooksRead = 0;
  #hookBytes = 0;

  /** The pass starts (`bytesRead`: the ingester's counter now). */
  begin(nowMs: number, bytesRead: number): void {
    if (this.#p) return;
    this.#bytesAtStart = bytesRead;
    this.#p = {
      phase: "events",
      filesDone: 0,
      filesTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      startedAtMs: nowMs,
      finishedAtMs: null,
    };
  }

  get counting(): boolean {
    return this.#p !== null && !this.#adopted && this.#p.phase !== "done";
  }

  /** A file the pass will read; `bytesLeft` for a transcript (hooks: estimated). */
  plan(key: string, kind: SourceKind, bytesLeft = 0): void {
    if (!this.counting || this.#pending.has(key)) return;
    this.#pending.add(key);
    this.#p!.filesTotal++;
    if (kind === "hook") this.#hooksTotal++;
    else this.#transcriptBytes += bytesLeft;
  }

  /** A read produced an update of `rawBytes` (hook files feed the size estimate). */
  added(kind: SourceKind, rawBytes: number): void {
    if (!this.counting || kind !== "hook") return;
    this.#hooksRead++;
    this.#hookBytes += rawBytes;
  }

  /** A file has been read to its end (for now). */
  settled(key: string): void {
    if (this.counting && this.#pending.delete(key)) this.#p!.filesDone++;
  }

  /** Takes the figures someone else measured (the worker's), from now on as they are. */
  adopt(p: BackfillProgress): void {
    this.#adopted = true;
    this.#pending = new HashedKeySet();
    this.#p = { ...p, phase: p.phase === "done" ? "events" : p.phase, finishedAtMs: null };
  }

  /** The pass is over. */
  finish(nowMs: number, bytesRead: number): void {
    if (!this.#p || this.#p.phase === "done") return;
    if (!this.#adopted) this.#p = this.#figures(bytesRead);
    this.#p = { ...this.#p, phase: "done", finishedAtMs: nowMs };
    this.#pending = new HashedKeySet();
  }

  /** The figures now (null: no pass has started). */
  snapshot(nowMs: number, bytesRead: number): BackfillProgress | null {
    if (!this.#p) return null;
    const p = this.counting ? this.#figures(bytesRead) : this.#p;
    return withRate(p, p.finishedAtMs ?? nowMs);
  }

  #figures(bytesRead: number): Figures {
    const p = this.#p!;
    const hooks = this.#hooksRead >= this.#hooksTotal || this.#hooksRead === 0
      ? this.#hookBytes
      : Math.round(this.#hooksTotal * (this.#hookBytes / this.#hooksRead));
    const bytesDone = Math.max(0, bytesRead - this.#bytesAtStart);
    return {
      ...p,
      filesDone: Math.min(p.filesDone, p.filesTotal),
      bytesDone,
      bytesTotal: Math.max(this.#transcriptBytes + hooks, bytesDone),
    };
  }
}

/** The first pass's files, for its progress: every hook file to read, and every transcript
 * with bytes beyond its cursor (`offsetOf`; sizes from lstat, a few per session). */
export function planFirstPass(
  progress: ProgressTracker,
  dirty: DirtyFiles,
  roots: Root[],
  offsetOf: (key: string) => number | undefined,
): void {
  for (const [key, kind] of dirty.entries()) {
    if (kind === "hook") progress.plan(key, kind);
    if (kind !== "transcript") continue;
    const at = locate(roots, key);
    let left = 0;
    try {
      if (at) left = Deno.lstatSync(`${at.root.dir}/${at.rel}`).size;
    } catch { /* gone or not permitted: nothing to read */ }
    left -= offsetOf(key) ?? 0;
    if (left > 0) progress.plan(key, kind, left);
  }
}

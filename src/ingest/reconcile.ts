// One reconcile listing over every root: which source files are to be read (hook files not
// read yet, transcripts not as their cursor left them), and the pace of the next listing, from
// what this one cost.

import {
  reconcileCostFactor,
  reconcileIntervalMs,
  reconcileMaxIntervalMs,
} from "../core/config.ts";
import type { Root } from "./root_set.ts";
import { hookLogPrefix, mtimeSettledMs } from "./sources.ts";
import type { DirtyFiles } from "./dirty_files.ts";
import type { FileCursors } from "./cursors.ts";
import type { FileCursor } from "../store/write/writer.ts";

/** What one listing of every root found. */
export interface Listed {
  hooks: number;
  transcripts: number;
  threadsSeen: boolean;
  /** Keys of the transcripts listed. */
  transcriptKeys: Set<string>;
  /** A folder changed during or just before its listing: list again soon. */
  unsettled: boolean;
}

/** Lists every root found and marks in `dirty` what is to be read (the main root's hook files
 * not read yet become its backlog). */
export async function listRoots(
  roots: Root[],
  files: FileCursors,
  dirty: DirtyFiles,
): Promise<Listed> {
  const found: Listed = {
    hooks: 0,
    transcripts: 0,
    threadsSeen: false,
    transcriptKeys: new Set(),
    unsettled: false,
  };
  const hookRead = (rel: string) => files.hookDone(rel);
  for (const root of roots) {
    if (root.prefix === null) {
      root.status.transcripts = 0;
      continue;
    }
    root.folders.reset();
    // Counted apart and set once listed: /api/health may read the status while a listing
    // waits on the file system, and must not see a root's transcripts drop to 0 meanwhile.
    let transcripts = 0;
    const listing = await root.lister.scan(root.main ? hookRead : undefined);
    if (root.main) dirty.setBacklog(listing.hooks, hookLogPrefix);
    for (const { rel, kind } of listing.files) {
      const key = root.prefix + rel;
      if (kind === "transcript") {
        found.transcripts++;
        transcripts++;
        found.transcriptKeys.add(key);
        if (!unchanged(`${root.dir}/${rel}`, files.get(key))) dirty.set(key, kind);
      } else if (root.main && kind === "threads") found.threadsSeen = true;
    }
    root.status.transcripts = transcripts;
    if (root.main) found.hooks = root.lister.hookFiles;
    if (root.lister.unsettled) found.unsettled = true;
  }
  dirty.sortMarked();
  return found;
}

/** Orders [key, …] entries by key (code units, as the keys compare everywhere else). */
export function byKey(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * Whether a transcript is as its cursor left it, read to its end without error: same size and
 * mtime (the reader's own test for "nothing new"), so it need not be opened or even queued
 * (thousands a scan). One blocking lstat, ~5x cheaper than the reader's async one. Anything
 * else (no cursor, an error, bytes left, gone, a link now) goes to the reader as before.
 */
function unchanged(abs: string, c: FileCursor | undefined): boolean {
  if (!c || c.state !== "ok") return false;
  try {
    const st = Deno.lstatSync(abs);
    return st.isFile && st.size === c.size && (st.mtime?.getTime() ?? 0) === c.mtimeMs &&
      c.offset >= st.size;
  } catch {
    return false;
  }
}

/** The pause before the next reconcile scan, after one that took `costMs`: at most
 * mtimeSettledMs when a folder was `unsettled` (a listing that may have missed a file the
 * watcher missed too is taken again within seconds, not minutes). */
export function reconcilePauseMs(costMs: number, unsettled: boolean): number {
  const paced = Math.min(
    reconcileMaxIntervalMs,
    Math.max(reconcileIntervalMs, costMs * reconcileCostFactor),
  );
  return unsettled ? Math.min(paced, Math.max(reconcileIntervalMs, mtimeSettledMs)) : paced;
}

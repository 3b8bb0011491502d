// What reading one source file needs from the ingester (ReadSink: the stored cursors, the
// counters and the batch being built), and small helpers the hook and transcript readers share.

import type { SourceKind } from "../core/types.ts";
import type { FileCursor, FileUpdate } from "../store/write/writer.ts";
import type { IngestStats } from "./stats.ts";

/** The ingester as a file reader sees it. */
export interface ReadSink {
  readonly stats: IngestStats;
  /** The stored (or last committed) cursor of a file, by its key. */
  cursor(key: string): FileCursor | undefined;
  /** Queues what a read produced for the next commit; `rawBytes` counts toward the batch size. */
  add(update: FileUpdate, rawBytes: number): void;
}

/** The cursor of a file never read. */
export function blankCursor(rel: string, kind: SourceKind): FileCursor {
  return {
    path: rel,
    kind,
    size: 0,
    mtimeMs: 0,
    offset: 0,
    headHash: null,
    generation: 0,
    skipToNewline: false,
    lastTs: null,
    state: "ok",
  };
}

/**
 * Runs one file's read: a file gone meanwhile keeps what was stored; any other failure is
 * queued as the file's error, its cursor otherwise unchanged (the next change reads it again).
 */
export async function readGuarded(
  sink: ReadSink,
  key: string,
  kind: SourceKind,
  read: () => Promise<unknown>,
): Promise<void> {
  try {
    await read();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    sink.add({
      cursor: { ...(sink.cursor(key) ?? blankCursor(key, kind)), state: "error" },
      events: [],
      errors: [{
        path: key,
        offset: null,
        reason: `cannot read: ${e instanceof Error ? e.message : String(e)}`,
      }],
      clearErrors: false,
      rereading: false,
    }, 0);
  }
}

export const linkedFolder = "inside a symbolically linked folder: not followed";

/** The folder part of a "/"-separated relative path. */
export function parentOf(rel: string): string {
  return rel.slice(0, rel.lastIndexOf("/"));
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// Loads the stored file cursors (table files) at start-up, in chunks with a yield between
// them, so a server over a large database answers requests while they load (hundreds of
// thousands of hook files).

import type { SourceKind } from "../core/types.ts";
import type { Db } from "../store/db.ts";
import type { FileCursor } from "../store/write/writer.ts";
import { HashedKeySet, type KeySetState } from "./key_set.ts";

/** Rows a chunk: measured on 418k hook files, 20,000-row chunks left ~100 MiB more resident
 * memory behind (freed, not given back to the OS) than 2,000-row ones. */
const cursorLoadChunkRows = 2_000;
/** Longest the cursors load without handing the event loop over, ms (as ingest's reads). */
const cursorLoadSliceMs = 10;
/** The connection's page cache while the cursors load, KiB: the files table is read once, in
 * full, and its pages are not needed after (a full cache would stay resident when idle). */
const cursorLoadCacheKiB = 2_000;

/** One stored cursor, with whether its file is gone and whether it is in a re-read pass. */
export interface StoredCursor {
  cursor: FileCursor;
  missing: boolean;
  rereading: boolean;
}

/** Every stored cursor, a chunk of rows at a time (yielding to the event loop in between):
 * hook files read without error as their key alone (see FileCursors), unless `hooksDone` is
 * false (the caller has those keys already), the others whole. */
export async function* loadCursors(
  db: Db,
  hooksDone = true,
): AsyncGenerator<Array<StoredCursor | string>> {
  const done = db.prepare(
    `SELECT id, path FROM files WHERE id > ? AND kind = 'hook' AND state = 'ok'
     ORDER BY id LIMIT ${cursorLoadChunkRows}`,
  );
  const others = db.prepare(
    `SELECT id, path, kind, size, mtime_ms, offset, head_hash, generation, skip_to_newline, last_ts, state,
       missing_ms, rereading
     FROM files WHERE id > ? AND NOT (kind = 'hook' AND state = 'ok')
     ORDER BY id LIMIT ${cursorLoadChunkRows}`,
  );
  type Row = Record<string, unknown>;
  const passes: Array<[typeof done, (r: Row) => StoredCursor | string]> = [[others, storedCursor]];
  if (hooksDone) passes.unshift([done, (r) => String(r.path)]);
  const cacheWas = db.prepare("PRAGMA cache_size").get()?.cache_size;
  db.exec(`PRAGMA cache_size = -${cursorLoadCacheKiB}`);
  let slice = performance.now();
  try {
    for (const [stmt, map] of passes) {
      let after = 0;
      for (;;) {
        const rows = stmt.all(after) as Row[];
        if (rows.length === 0) break;
        after = rows[rows.length - 1].id as number;
        yield rows.map(map);
        // A turn for requests once a slice has passed, not after every chunk: a timer turn
        // costs 1–4 ms by itself (500k hook files are 250 chunks).
        if (performance.now() - slice >= cursorLoadSliceMs) {
          await new Promise((r) => setTimeout(r, 0));
          slice = performance.now();
        }
      }
    }
  } finally {
    if (typeof cacheWas === "number") db.exec(`PRAGMA cache_size = ${cacheWas}`);
  }
}

/** Loads every stored cursor into `files` (loadCursors; `hooksDone` as there), telling
 * `transcript` of each transcript's, with whether its file is gone and in a re-read pass. */
export async function loadCursorsInto(
  db: Db,
  files: FileCursors,
  hooksDone: boolean,
  transcript: (cursor: FileCursor, missing: boolean, rereading: boolean) => void,
): Promise<void> {
  for await (const chunk of loadCursors(db, hooksDone)) {
    for (const stored of chunk) {
      if (typeof stored === "string") {
        files.hookStored(stored);
        continue;
      }
      const { cursor, missing, rereading } = stored;
      files.set(cursor);
      if (cursor.kind === "transcript") transcript(cursor, missing, rereading);
    }
  }
}

/** A lookup of one stored cursor by its key (undefined: none stored). */
export function cursorLookup(db: Db): (path: string) => FileCursor | undefined {
  const one = db.prepare(
    `SELECT id, path, kind, size, mtime_ms, offset, head_hash, generation, skip_to_newline, last_ts, state,
       missing_ms, rereading
     FROM files WHERE path = ?`,
  );
  return (path) => {
    const row = one.get(path) as Record<string, unknown> | undefined;
    return row ? storedCursor(row).cursor : undefined;
  };
}

/**
 * The cursors the ingester works from. Hook files are written once, so one read without error
 * is final: of those only the key is kept (their cursor stays in SQLite and is looked up in the
 * rare case one changes), and only as a 64-bit hash (key_set.ts: ~16 bytes a file instead of
 * ~100; the odds that a new file is taken for a read one are shown there); every other cursor
 * is kept whole.
 */
export class FileCursors {
  #whole = new Map<string, FileCursor>();
  #hooksDone = new HashedKeySet();
  #lookup: (path: string) => FileCursor | undefined;

  constructor(db: Db) {
    this.#lookup = cursorLookup(db);
  }

  get(key: string): FileCursor | undefined {
    return this.#whole.get(key) ?? (this.#hooksDone.has(key) ? this.#lookup(key) : undefined);
  }

  /** Whether a hook file has been stored and read without error. */
  hookDone(key: string): boolean {
    return this.#hooksDone.has(key);
  }

  /** A hook file stored and read without error (loaded: its key alone). */
  hookStored(key: string): void {
    this.#hooksDone.add(key);
  }

  /** The keys of the hook files read without error, as plain data for another thread, given
   * away (HashedKeySet.handOff): these cursors hold none after. */
  handOffHookKeys(): KeySetState {
    return this.#hooksDone.handOff();
  }

  /** Takes the hook files read without error from another thread's cursors (handOffHookKeys()), in
   * place of loading them from the database. */
  adoptHookKeys(state: KeySetState): void {
    this.#hooksDone = HashedKeySet.from(state);
  }

  /** A cursor stored (or loaded). */
  set(c: FileCursor): void {
    if (c.kind === "hook" && c.state === "ok") {
      this.#hooksDone.add(c.path);
      this.#whole.delete(c.path);
    } else {
      this.#hooksDone.delete(c.path);
      this.#whole.set(c.path, c);
    }
  }
}

function storedCursor(r: Record<string, unknown>): StoredCursor {
  return {
    cursor: {
      path: r.path as string,
      kind: r.kind as SourceKind,
      size: r.size as number,
      mtimeMs: r.mtime_ms as number,
      offset: r.offset as number,
      headHash: r.head_hash as string | null,
      generation: r.generation as number,
      skipToNewline: r.skip_to_newline === 1,
      lastTs: r.last_ts as number | null,
      state: r.state as "ok" | "error",
    },
    missing: r.missing_ms !== null,
    rereading: r.rereading === 1,
  };
}

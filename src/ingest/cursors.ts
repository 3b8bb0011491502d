// Loads the stored file cursors (table files) at start-up, in chunks with a yield between
// them, so a server over a large database answers requests while they load (hundreds of
// thousands of hook files).

import type { SourceKind } from "../core/types.ts";
import type { Db } from "../store/db.ts";
import type { FileCursor } from "../store/write/writer.ts";

const cursorLoadChunkRows = 20_000;

/** One stored cursor, with whether its file is gone and whether it is in a re-read pass. */
export interface StoredCursor {
  cursor: FileCursor;
  missing: boolean;
  rereading: boolean;
}

/** Every stored cursor, a chunk of rows at a time (yielding to the event loop in between). */
export async function* loadCursors(db: Db): AsyncGenerator<StoredCursor[]> {
  const chunk = db.prepare(
    `SELECT id, path, kind, size, mtime_ms, offset, head_hash, generation, skip_to_newline, last_ts, state,
       missing_ms, rereading
     FROM files WHERE id > ? ORDER BY id LIMIT ${cursorLoadChunkRows}`,
  );
  let after = 0;
  for (;;) {
    const rows = chunk.all(after) as Array<Record<string, unknown>>;
    if (rows.length === 0) return;
    after = rows[rows.length - 1].id as number;
    yield rows.map(storedCursor);
    await new Promise((r) => setTimeout(r, 0));
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

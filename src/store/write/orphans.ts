// Places transcript lines that name no session (summary, file-history-snapshot; marked
// `orphan` by the parser): with a session stored from the same file, else with the session
// holding the message their leafUuid names (at that message's time, so a file's mtime never
// dates a session), else with none (session_id '', kept as history, no session row). A line
// left with none is moved once its file or its leaf message arrives (migration 6's indexes).

import type { ErrorKind, NormalizedEvent } from "../../core/types.ts";
import type { Db } from "../db.ts";

/** The session of no session: lines kept for history that belong to no session row. */
export const noSession = "";

/** Where a stored message is: its session and time. */
export interface Leaf {
  sessionId: string;
  ts: number;
}

/** A line that had no session, now placed; re-stored by the writer under its new session. */
export interface Moved {
  event: NormalizedEvent;
  fileId: number;
}

const rowColumns =
  "id, key, ts, type, tool_name, tool_use_id, summary, cwd, uuid, is_sidechain, error_kind, file_id, offset, raw";
const leafExpr = "(CASE WHEN json_valid(raw) THEN raw ->> '$.leafUuid' END)";

interface UnattachedRow {
  id: number;
  key: string;
  ts: number;
  type: string;
  tool_name: string | null;
  tool_use_id: string | null;
  summary: string;
  cwd: string | null;
  uuid: string | null;
  is_sidechain: number;
  error_kind: number;
  file_id: number;
  offset: number | null;
  raw: string;
}

export class OrphanWrites {
  #fileSession;
  #leafNearby;
  #any;
  #byFile;
  #byLeaf;
  #delete;

  constructor(db: Db) {
    this.#fileSession = db.prepare(
      "SELECT session_id FROM session_files WHERE file_id = ? AND session_id <> '' LIMIT 1",
    );
    // A summary's leaf is a message of the same project folder: probe each of its files.
    this.#leafNearby = db.prepare(
      `SELECT e.session_id, e.ts FROM files f
       JOIN events e INDEXED BY events_file_uuid ON e.file_id = f.id AND e.uuid = :leaf
       WHERE substr(f.path, 1, length(:dir)) = :dir AND e.session_id <> '' LIMIT 1`,
    );
    this.#any = db.prepare("SELECT 1 AS x FROM events WHERE session_id = '' LIMIT 1");
    this.#byFile = db.prepare(
      `SELECT ${rowColumns} FROM events WHERE session_id = '' AND file_id = ? AND id <= ?`,
    );
    this.#byLeaf = db.prepare(
      `SELECT ${rowColumns}, ${leafExpr} AS leaf FROM events
       WHERE session_id = '' AND ${leafExpr} IN (SELECT value FROM json_each(?)) AND id <= ?`,
    );
    this.#delete = db.prepare("DELETE FROM events WHERE id = ?");
  }

  /**
   * Gives an orphan line its session before it is stored (mutates `ev`). Returns whether the
   * line comes from its session's own file (only then does the file count as the session's).
   */
  place(ev: NormalizedEvent, fileId: number, path: string, leaves: Map<string, Leaf>): boolean {
    const leafUuid = ev.orphan?.leafUuid ?? null;
    delete ev.orphan;
    const own = this.#fileSession.get(fileId) as { session_id: string } | undefined;
    if (own) {
      ev.sessionId = own.session_id;
      return true;
    }
    const leaf = leafUuid === null ? undefined : leaves.get(leafUuid) ?? this.#storedLeaf(
      leafUuid,
      path,
    );
    if (leaf) {
      ev.sessionId = leaf.sessionId;
      ev.ts = leaf.ts;
    } else if (ev.usage === null && ev.toolEffects.length === 0) ev.sessionId = noSession;
    return false;
  }

  #storedLeaf(leafUuid: string, path: string): Leaf | undefined {
    const dir = projectFolder(path);
    if (dir === null) return undefined;
    const r = this.#leafNearby.get({ leaf: leafUuid, dir }) as
      | { session_id: string; ts: number }
      | undefined;
    return r ? { sessionId: r.session_id, ts: r.ts } : undefined;
  }

  /**
   * Lines stored up to event `upTo` with no session whose file now has one (`files`: file id →
   * its session and first time, which a summary leading the file takes) or whose leaf message
   * arrived (`leaves`). Each is deleted (its triggers take it out of the search index and the
   * rollups) and returned placed, for the writer to store again.
   */
  reattach(upTo: number, files: Map<number, Leaf>, leaves: Map<string, Leaf>): Moved[] {
    if (files.size === 0 && leaves.size === 0) return [];
    if (this.#any.get() === undefined) return [];
    const moved: Moved[] = [];
    const take = (r: UnattachedRow, sessionId: string, ts: number) => {
      this.#delete.run(r.id);
      moved.push({ event: toEvent(r, sessionId, ts), fileId: r.file_id });
    };
    const done = new Set<number>();
    for (const [fileId, to] of files) {
      for (const r of this.#byFile.all(fileId, upTo) as unknown as UnattachedRow[]) {
        done.add(r.id);
        take(r, to.sessionId, to.ts);
      }
    }
    if (leaves.size > 0) {
      const rows = this.#byLeaf.all(JSON.stringify([...leaves.keys()]), upTo) as unknown as Array<
        UnattachedRow & { leaf: string }
      >;
      for (const r of rows) {
        const leaf = leaves.get(r.leaf);
        if (leaf && !done.has(r.id)) take(r, leaf.sessionId, leaf.ts);
      }
    }
    return moved;
  }
}

/** `projects/<slug>/` of a transcript path, or null. */
export function projectFolder(path: string): string | null {
  const parts = path.split("/");
  return parts.length >= 3 && parts[0] === "projects" ? `projects/${parts[1]}/` : null;
}

function toEvent(r: UnattachedRow, sessionId: string, ts: number): NormalizedEvent {
  return {
    key: r.key,
    source: "transcript",
    sessionId,
    ts,
    type: r.type,
    toolName: r.tool_name,
    toolUseId: r.tool_use_id,
    summary: r.summary,
    cwd: r.cwd,
    uuid: r.uuid,
    isSidechain: r.is_sidechain === 1,
    errorKind: r.error_kind as ErrorKind,
    model: null,
    usage: null,
    toolEffects: [],
    offset: r.offset,
    raw: r.raw,
  };
}

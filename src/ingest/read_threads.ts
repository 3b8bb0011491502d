// Reads the Discord notifier's thread map (~/.claude/hooks/threads.db), strictly read-only.
// Another process writes it: a lock, a missing table or a broken file is an error value.
// SQLite creates -wal/-shm files beside a WAL database even when opened read-only, so the
// database (and its -wal) is copied into claude-dash's own scratch folder and read there:
// nothing is ever created or changed next to the user's file.

import { DatabaseSync } from "node:sqlite";
import type { ThreadMapping } from "../core/types.ts";

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function readThreads(
  path: string,
  scratchDir: string,
): { threads: ThreadMapping[] } | { error: string } {
  let db: DatabaseSync | null = null;
  const copy = `${scratchDir}/threads-copy.db`;
  const clean = () => {
    for (const suffix of ["", "-wal", "-shm"]) {
      try {
        Deno.removeSync(copy + suffix);
      } catch {
        // not there
      }
    }
  };
  try {
    Deno.mkdirSync(scratchDir, { recursive: true });
    clean();
    Deno.copyFileSync(path, copy);
    try {
      Deno.copyFileSync(`${path}-wal`, `${copy}-wal`);
    } catch {
      // no write-ahead log: the main file is complete
    }
    db = new DatabaseSync(copy);
    db.exec("PRAGMA busy_timeout = 200");
    const rows = db.prepare(
      "SELECT session_id, channel_id, thread_id, created_at, is_archived, last_used FROM thread_mappings",
    ).all() as Array<Record<string, unknown>>;
    return {
      threads: rows.filter((r) => r.session_id != null).map((r) => ({
        session_id: String(r.session_id),
        channel_id: text(r.channel_id),
        thread_id: text(r.thread_id),
        created_at: text(r.created_at),
        is_archived: typeof r.is_archived === "number" ? r.is_archived : null,
        last_used: text(r.last_used),
      })),
    };
  } catch (e) {
    return { error: `threads.db unreadable: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    try {
      db?.close();
    } catch {
      // closing a half-opened handle
    }
    clean();
  }
}

// The threads table: claude-dash's copy of the Discord notifier's thread map, replaced whole
// each time the notifier's threads.db is read.

import type { ThreadMapping } from "../../core/types.ts";
import { type Db, inTransaction } from "../db.ts";

/** Replaces the stored copy of the thread map and clears threads.db's recorded errors. */
export function replaceThreads(db: Db, threads: ThreadMapping[]): void {
  inTransaction(db, () => {
    db.exec("DELETE FROM threads");
    const ins = db.prepare(
      "INSERT OR REPLACE INTO threads(session_id, channel_id, thread_id, created_at, is_archived, last_used) VALUES (?,?,?,?,?,?)",
    );
    for (const t of threads) {
      ins.run(t.session_id, t.channel_id, t.thread_id, t.created_at, t.is_archived, t.last_used);
    }
    db.prepare("DELETE FROM ingest_errors WHERE path = ?").run("hooks/threads.db");
  });
}

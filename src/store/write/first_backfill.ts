// Whether this database's first backfill has completed (a meta row). That backfill runs in a
// Worker that exits, so the memory it takes is given back; a later start only checks what
// changed since, and does so on the main thread: a Worker costs more than that check (on 420k
// hook files, 330–440 MiB at its peak and ~20 MiB more resident after it exits, from its own
// listing and cursors), and the main thread's check bounds each write in time all the same.

import type { Db } from "../db.ts";
import { hasMeta, setMeta } from "../meta.ts";
import { log } from "../../core/log.ts";

const key = "first_backfill_done";

/** True once a first backfill ran to its end on this database. Never throws. */
export function firstBackfillDone(db: Db): boolean {
  try {
    return hasMeta(db, key);
  } catch {
    return false;
  }
}

/** Notes that the first backfill ran to its end, once (a failed write: the next start checks
 * in a Worker again, as before). */
export function markFirstBackfillDone(db: Db): void {
  if (firstBackfillDone(db)) return;
  try {
    setMeta(db, key, String(Date.now()));
  } catch (e) {
    log.warn(`noting the first backfill failed: ${e instanceof Error ? e.message : e}`);
  }
}

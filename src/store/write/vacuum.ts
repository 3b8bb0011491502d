// Vacuum of claude-dash's own database (after retention freed space, say), without ATTACH: the
// server's sandbox allows no attached database, so VACUUM itself cannot run (store/compact.ts).
// A database made with auto_vacuum = INCREMENTAL gives its free pages back in place; an older
// one is marked to be rewritten once at the next start, and the answer says so. WAL is
// checkpointed before and after, so "after" is what the file really holds.

import type { Db } from "../db.ts";
import { dbBytes, isIncremental, requestCompaction } from "../compact.ts";

export interface VacuumResult {
  /** "incremental": compacted now; "next_start": the database is rewritten at the next start. */
  mode: "incremental" | "next_start";
  bytes_before: number;
  bytes_after: number;
  ms: number;
}

/** Gives the database's free pages back to the file system, or asks for the rewrite at start. */
export function vacuumDb(db: Db, nowMs = Date.now()): VacuumResult {
  const t0 = performance.now();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const before = dbBytes(db);
  if (!isIncremental(db)) {
    requestCompaction(db, nowMs);
    return { mode: "next_start", bytes_before: before, bytes_after: before, ms: 0 };
  }
  // Each step of the statement frees pages: it must be stepped to the end, not just started.
  db.prepare("PRAGMA incremental_vacuum").all();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return {
    mode: "incremental",
    bytes_before: before,
    bytes_after: dbBytes(db),
    ms: performance.now() - t0,
  };
}

// VACUUM of claude-dash's own database (after retention freed space, say), measured by the
// database's own page counts so no file outside it needs to be looked at. WAL is checkpointed
// before and after, so "after" is what the file really holds.

import type { Db } from "../db.ts";

export interface VacuumResult {
  bytes_before: number;
  bytes_after: number;
  ms: number;
}

function bytes(db: Db): number {
  return (db.prepare(
    "SELECT p.page_count * s.page_size AS n FROM pragma_page_count() p, pragma_page_size() s",
  ).get() as { n: number }).n;
}

/** Rewrites the database compactly. Blocks this process while it runs (seconds per GB). */
export function vacuumDb(db: Db): VacuumResult {
  const t0 = performance.now();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const before = bytes(db);
  // The copy VACUUM builds goes to a temporary file, not memory (the pages of a large
  // database would otherwise all be held in RAM at once).
  db.exec("PRAGMA temp_store = FILE");
  try {
    db.exec("VACUUM");
  } finally {
    db.exec("PRAGMA temp_store = MEMORY");
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return { bytes_before: before, bytes_after: bytes(db), ms: performance.now() - t0 };
}

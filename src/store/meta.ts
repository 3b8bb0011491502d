// Flags kept in the meta table (key → text) by the modules that note a state of the database:
// whether its first backfill completed (write/first_backfill.ts), whether the usage-first pass
// left its sums without their rows (write/usage_first.ts).

import type { Db } from "./db.ts";

/** Whether `key` is set. */
export function hasMeta(db: Db, key: string): boolean {
  return db.prepare("SELECT 1 AS x FROM meta WHERE key = ?").get(key) !== undefined;
}

/** Sets `key` to `value` (replacing what it held). */
export function setMeta(db: Db, key: string, value: string): void {
  db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)").run(key, value);
}

/** Removes `key`. */
export function deleteMeta(db: Db, key: string): void {
  db.prepare("DELETE FROM meta WHERE key = ?").run(key);
}

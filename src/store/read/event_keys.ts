// Whether an event is already stored under a key, and when (HTTP hooks: a retry arriving just
// after a window boundary matches the key of the window before, src/ingest/http_hook.ts).

import type { Db } from "../db.ts";
import { oneRow } from "../rows.ts";

/** The time of the event stored under `key`, or null when there is none. */
export function storedEventTs(db: Db, key: string): number | null {
  return oneRow(db.prepare("SELECT ts FROM events WHERE key = ?"), { ts: "int" }, key)?.ts ?? null;
}

// When something last happened: the newest stored event and the newest assistant message with
// usage. The pages' empty-range hints read these ("Last activity … — 55 days ago"). Both are
// one step down an index (events_ts, messages_ts).

import type { Db } from "../db.ts";
import { oneRow } from "../rows.ts";

/** Time of the newest stored event (epoch ms), or null when there is none. */
export function lastEventTs(db: Db): number | null {
  return oneRow(db.prepare("SELECT MAX(ts) AS t FROM events"), { t: "int?" })?.t ?? null;
}

/** Time of the newest assistant message (the unit of token usage), or null when there is none. */
export function lastMessageTs(db: Db): number | null {
  return oneRow(db.prepare("SELECT MAX(ts) AS t FROM messages"), { t: "int?" })?.t ?? null;
}

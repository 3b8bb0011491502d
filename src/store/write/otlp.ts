// Stores decoded OTLP records (table otlp_records) in one transaction per request, so a request
// is committed, or not at all, before its reply. INSERT OR IGNORE on the content key makes a
// retried batch store nothing twice.

import type { OtlpRecord } from "../../core/otlp_types.ts";
import { type Db, inTransaction } from "../db.ts";

/** How many records of a request were new, and how many were already stored. */
export interface OtlpStored {
  stored: number;
  duplicates: number;
  /** Sessions that gained a record. */
  sessions: string[];
}

/** Stores `records` atomically. */
export function storeOtlpRecords(db: Db, records: OtlpRecord[]): OtlpStored {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO otlp_records(key, kind, name, session_id, tool_use_id, ts, start_ts,
       value, temporality, attrs)
     VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  return inTransaction(db, () => {
    let stored = 0;
    const sessions = new Set<string>();
    for (const r of records) {
      const changes = insert.run(
        r.key,
        r.kind,
        r.name,
        r.sessionId,
        r.toolUseId,
        r.ts,
        r.startTs,
        r.value,
        r.temporality,
        JSON.stringify(r.attrs),
      ).changes;
      if (Number(changes) > 0) {
        stored++;
        if (r.sessionId) sessions.add(r.sessionId);
      }
    }
    return { stored, duplicates: records.length - stored, sessions: [...sessions] };
  });
}

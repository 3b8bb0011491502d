// What a backfill stored, in a form two backfills of the same files compare equal in however
// they were batched, threaded or interrupted (backfill_worker_test.ts, hook_reader_test.ts).

import assert from "node:assert/strict";
import type { Db } from "../../src/store/db.ts";

/** Every stored row that does not depend on insert order (row ids, file ids) or batch size,
 * with each event's payload however it is kept (inline, in a block, compressed ahead). */
export function contents(db: Db): Record<string, unknown[]> {
  // Costs are sums: batches of other sizes add them in another order (last-digit differences).
  const rounded = (row: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v,
      ]),
    );
  const all = (sql: string) => db.prepare(sql).all().map(rounded);
  return {
    events: all(
      `SELECT e.key, e.source, e.session_id, e.ts, e.type, e.tool_name, e.tool_use_id, e.summary,
         e.error_kind, e.offset, f.path, event_raw(e.raw, e.raw_block, e.id) AS payload
       FROM events e LEFT JOIN files f ON f.id = e.file_id
       ORDER BY e.key`,
    ),
    sessions: all("SELECT * FROM sessions ORDER BY session_id"),
    toolCalls: all(
      `SELECT session_id, tool_use_id, tool_name, status, start_ts, end_ts, input_summary, error
       FROM tool_calls ORDER BY session_id, start_ts, tool_name, tool_use_id, end_ts, status`,
    ),
    messages: all(
      `SELECT request_id, session_id, ts, model, input_tokens, output_tokens, cost_usd
       FROM messages ORDER BY request_id`,
    ),
    files: all(
      `SELECT path, kind, size, offset, generation, state, events FROM files ORDER BY path`,
    ),
    errors: all("SELECT path, offset, reason FROM ingest_errors ORDER BY path, offset"),
  };
}

/** Asserts that `got` stored what `want` did, table by table (named when one differs); returns
 * what `want` stored, for further checks. */
export function assertSameContents(got: Db, want: Db): Record<string, unknown[]> {
  const a = contents(want);
  const b = contents(got);
  for (const table of Object.keys(a)) assert.deepEqual(b[table], a[table], table);
  return a;
}

/** How many payload blocks were compressed ahead by the hook reader (store/raw_blocks.ts). */
export function blocksPackedAhead(db: Db): number {
  const row = db.prepare(
    "SELECT count(*) AS n FROM raw_blocks WHERE substr(data, 1, 4) = CAST('CDB1' AS BLOB)",
  ).get() as { n: number };
  return row.n;
}

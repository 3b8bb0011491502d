// Reads of paired tool calls (tool_calls): a session's calls, one tool's recent calls and every
// tool's call counts over time. Times are served as ISO text, durations in ms.

import type { ToolCallRow } from "../../core/types.ts";
import type { Db } from "../db.ts";
import { allRows, type RowOf, RowShapeError } from "../rows.ts";
import { iso } from "../../core/text.ts";
import { maskNullable } from "./events.ts";

type ToolStatus = ToolCallRow["status"];
const toolStatuses: readonly ToolStatus[] = ["running", "ok", "error"];

/** A stored tool_calls.status as its union; anything else is a bug in the writer. */
export function toolStatusOf(s: string): ToolStatus {
  const hit = toolStatuses.find((x) => x === s);
  if (hit === undefined) throw new RowShapeError(`tool_calls.status ${s} is not a tool status`);
  return hit;
}

/** The tool_calls columns a ToolCallRow is made of (queries select `*`). */
const toolCallShape = {
  tool_use_id: "text?",
  session_id: "text",
  tool_name: "text",
  status: "text",
  start_ts: "int?",
  end_ts: "int?",
  input_summary: "text?",
  error: "text?",
} as const;

function toToolCall(r: RowOf<typeof toolCallShape>): ToolCallRow {
  return {
    tool_use_id: r.tool_use_id,
    session_id: r.session_id,
    tool_name: r.tool_name,
    status: toolStatusOf(r.status),
    start_ts: r.start_ts === null ? null : iso(r.start_ts),
    end_ts: r.end_ts === null ? null : iso(r.end_ts),
    duration_ms: r.start_ts !== null && r.end_ts !== null ? r.end_ts - r.start_ts : null,
    input_summary: maskNullable(r.input_summary),
    error: maskNullable(r.error),
  };
}

/** A session's tool calls in start order (calls never seen starting last). */
export function sessionToolCalls(db: Db, id: string, limit: number): ToolCallRow[] {
  const stmt = db.prepare(
    `SELECT * FROM tool_calls WHERE session_id = ?
     ORDER BY start_ts IS NULL, start_ts, id LIMIT ?`,
  );
  return allRows(stmt, toolCallShape, id, limit).map(toToolCall);
}

/** Recent calls of one tool (newest first) with durations, for the tools drill-down. */
export function toolCallsOf(
  db: Db,
  tool: string,
  limit: number,
  f: { since?: number; until?: number } = {},
): ToolCallRow[] {
  // A call's time is its start, or its end when the start was never seen; the
  // (tool_name, COALESCE(start_ts, end_ts)) index answers this in order, without sorting.
  const stmt = db.prepare(
    `SELECT * FROM tool_calls WHERE tool_name = :tool
       AND COALESCE(start_ts, end_ts) >= :since AND COALESCE(start_ts, end_ts) < :until
     ORDER BY COALESCE(start_ts, end_ts) DESC LIMIT :limit`,
  );
  return allRows(stmt, toolCallShape, {
    tool,
    limit,
    since: f.since ?? Number.MIN_SAFE_INTEGER,
    until: f.until ?? Number.MAX_SAFE_INTEGER,
  }).map(toToolCall);
}

/**
 * Calls per tool in `bins` equal slices of [since, until), for the tools page's trend lines:
 * one pass over the (time, tool) index, every tool included.
 */
export function toolTrends(
  db: Db,
  since: number,
  until: number,
  bins: number,
): Map<string, number[]> {
  const width = Math.max(1, Math.ceil((until - since) / bins));
  const stmt = db.prepare(
    `SELECT tool_name AS k, CAST((COALESCE(start_ts, end_ts) - :since) / :width AS INTEGER) AS bi,
       count(*) AS n
     FROM tool_calls
     WHERE COALESCE(start_ts, end_ts) >= :since AND COALESCE(start_ts, end_ts) < :until
     GROUP BY k, bi`,
  );
  const out = new Map<string, number[]>();
  for (const r of allRows(stmt, { k: "text", bi: "int", n: "int" }, { since, until, width })) {
    let v = out.get(r.k);
    if (!v) out.set(r.k, v = new Array<number>(bins).fill(0));
    if (r.bi >= 0 && r.bi < bins) v[r.bi] += r.n;
  }
  return out;
}

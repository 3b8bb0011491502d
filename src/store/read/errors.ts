// One list of everything that went wrong, newest first: failed tool calls (PostToolUseFailure
// or an is_error tool_result, counted once per call), API errors in transcripts (error_kind
// ApiError) and ingest errors. Each source is read newest-first from its own index and the
// pages are merged here; the cursor is (ts, source, id) of the last row served.

import { BadRequest } from "../../core/errors.ts";
import { maskSecrets } from "../../core/secrets.ts";
import { iso } from "../../core/text.ts";
import { ErrorKind } from "../../core/types.ts";
import type { Db } from "../db.ts";
import { allRows, oneRow } from "../rows.ts";
import { highest, lowest, type SqlValue, type TimeRangeMs } from "./time_range.ts";

export interface ErrorRow {
  kind: "tool_failure" | "api_error" | "ingest";
  ts: string;
  session_id: string | null;
  tool_name: string | null;
  /** The error text (tool error, API error message, ingest reason), secrets masked. */
  message: string;
  /** The event that reported it, for a link to its payload; null for ingest errors. */
  event_id: number | null;
  /** Source file of an ingest error (relative to the Claude directory). */
  path: string | null;
  /** What a failed tool call was doing (command, path …), when known. */
  detail: string | null;
}

type Cursor = { ts: number; kind: number; id: number };
/** A row of one source with its place in the (ts DESC, kind DESC, id DESC) order. */
type Item = Cursor & { row: ErrorRow };
/** What each source reader needs: the range, the page size + 1, and the cursor. */
type SourceQuery = { since: number; until: number; take: number; after: Cursor | null };

/** SQL for the rows of source `kind` that sort after the cursor (ts DESC, kind DESC, id DESC). */
function afterCursor(
  q: SourceQuery,
  kind: number,
  tsCol: string,
  idCol: string,
): { sql: string; params: Record<string, SqlValue> } {
  const after = q.after;
  if (!after) return { sql: "1", params: {} };
  if (kind < after.kind) return { sql: `${tsCol} <= :cts`, params: { cts: after.ts } };
  if (kind > after.kind) return { sql: `${tsCol} < :cts`, params: { cts: after.ts } };
  return {
    sql: `(${tsCol} < :cts OR (${tsCol} = :cts AND ${idCol} < :cid))`,
    params: { cts: after.ts, cid: after.id },
  };
}

function parseErrorCursor(cursor: string | null | undefined): Cursor | null {
  if (!cursor) return null;
  const m = /^(-?\d+)_([012])_(\d+)$/.exec(cursor);
  if (!m) throw new BadRequest(`cursor "${cursor}" is not one this API returned`);
  return { ts: Number(m[1]), kind: Number(m[2]), id: Number(m[3]) };
}

/**
 * Everything that went wrong, newest first: failed tool calls, API errors, ingest errors.
 * Each source is read newest-first from its own index and the pages are merged here.
 */
export function errorsPage(
  db: Db,
  q: TimeRangeMs & { limit: number; cursor?: string | null },
): { errors: ErrorRow[]; next_cursor: string | null } {
  const sq: SourceQuery = {
    since: q.since ?? lowest,
    until: q.until ?? highest,
    take: q.limit + 1,
    after: parseErrorCursor(q.cursor),
  };
  const items = [...toolFailures(db, sq), ...apiErrors(db, sq), ...ingestErrors(db, sq)];
  items.sort((a, b) => b.ts - a.ts || b.kind - a.kind || b.id - a.id);
  const page = items.slice(0, q.limit);
  const last = items.length > q.limit ? page[page.length - 1] : null;
  return {
    errors: page.map((i) => i.row),
    next_cursor: last ? `${last.ts}_${last.kind}_${last.id}` : null,
  };
}

const failedShape = {
  id: "int",
  session_id: "text",
  tool_name: "text",
  ts: "int",
  error: "text?",
  input_summary: "text?",
  tool_use_id: "text?",
} as const;

function toolFailures(db: Db, q: SourceQuery): Item[] {
  const { since, until, take } = q;
  const b0 = afterCursor(q, 0, "end_ts", "id");
  const failed = allRows(
    db.prepare(`
    SELECT id, session_id, tool_name, end_ts AS ts, error, input_summary, tool_use_id
    FROM tool_calls INDEXED BY tool_calls_failed
    WHERE status = 'error' AND end_ts >= :since AND end_ts < :until AND ${b0.sql}
    ORDER BY end_ts DESC, id DESC LIMIT :take`),
    failedShape,
    { since, until, take, ...b0.params },
  );
  // The event that reported the failure: the failing hook/tool_result at the call's end time.
  const failureEvent = db.prepare(`
    SELECT id FROM events WHERE session_id = :sid AND ts = :ts
      AND error_kind = ${ErrorKind.ToolFailed}
    ORDER BY (tool_use_id IS :tuid) DESC, id LIMIT 1`);
  return failed.map((r) => {
    const ev = oneRow(failureEvent, { id: "int" }, {
      sid: r.session_id,
      ts: r.ts,
      tuid: r.tool_use_id,
    });
    return {
      ts: r.ts,
      kind: 0,
      id: r.id,
      row: {
        kind: "tool_failure",
        ts: iso(r.ts),
        session_id: r.session_id,
        tool_name: r.tool_name,
        message: maskSecrets(r.error ?? "failed"),
        event_id: ev ? ev.id : null,
        path: null,
        detail: r.input_summary === null ? null : maskSecrets(r.input_summary),
      },
    };
  });
}

const apiShape = { id: "int", session_id: "text", ts: "int", summary: "text" } as const;

function apiErrors(db: Db, q: SourceQuery): Item[] {
  const { since, until, take } = q;
  const b1 = afterCursor(q, 1, "ts", "id");
  const api = allRows(
    db.prepare(`
    SELECT id, session_id, ts, summary FROM events INDEXED BY events_api_errors
    WHERE error_kind = ${ErrorKind.ApiError} AND ts >= :since AND ts < :until AND ${b1.sql}
    ORDER BY ts DESC, id DESC LIMIT :take`),
    apiShape,
    { since, until, take, ...b1.params },
  );
  return api.map((r) => ({
    ts: r.ts,
    kind: 1,
    id: r.id,
    row: {
      kind: "api_error",
      ts: iso(r.ts),
      session_id: r.session_id,
      tool_name: null,
      message: maskSecrets(r.summary),
      event_id: r.id,
      path: null,
      detail: null,
    },
  }));
}

const ingestShape = { id: "int", path: "text", offset: "int", reason: "text", ts: "int" } as const;

function ingestErrors(db: Db, q: SourceQuery): Item[] {
  const { since, until, take } = q;
  const b2 = afterCursor(q, 2, "ts", "id");
  const ingest = allRows(
    db.prepare(`
    SELECT id, path, offset, reason, ts FROM ingest_errors
    WHERE ts >= :since AND ts < :until AND ${b2.sql}
    ORDER BY ts DESC, id DESC LIMIT :take`),
    ingestShape,
    { since, until, take, ...b2.params },
  );
  return ingest.map((r) => ({
    ts: r.ts,
    kind: 2,
    id: r.id,
    row: {
      kind: "ingest",
      ts: iso(r.ts),
      session_id: null,
      tool_name: null,
      message: maskSecrets(r.reason),
      event_id: null,
      path: r.path,
      detail: r.offset >= 0 ? `at byte ${r.offset}` : null,
    },
  }));
}

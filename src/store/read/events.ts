// Reads of stored events: the live list and its replay, the explorer's filtered newest-first
// pages, one event in full, filter menus and cursors. Every list is paged server-side with a
// (ts, id) cursor; text that leaves the server is masked here.

import {
  ErrorKind,
  type EventDetailRow,
  type EventFilters,
  type EventRow,
  type EventSource,
} from "../../core/types.ts";
import type { StatementSync } from "node:sqlite";
import type { ExplorerFilters } from "../../core/view_data.ts";
import type { Db } from "../db.ts";
import { allRows, oneRow, type RowOf, RowShapeError } from "../rows.ts";
import { iso } from "../../core/text.ts";
import { maskJson, maskJsonText, maskSecrets } from "../../core/secrets.ts";
import { rawSql } from "../raw_blocks.ts";

/** Named parameters of a statement built from filters. */
export type SqlParams = Record<string, string | number | null>;

/** A (ts, id) position in time order: where a page ends. */
export interface EventCursor {
  ts: number;
  id: number;
}

/**
 * Adds `condition` (which names the parameter `:name`) when `value` is set; empty strings
 * and undefined mean "no filter".
 */
export function addFilter(
  where: string[],
  params: SqlParams,
  condition: string,
  name: string,
  value: string | number | undefined,
): void {
  if (value === undefined || value === "") return;
  where.push(condition);
  params[name] = value;
}

/** Text that leaves the server goes through the secret masking (see src/core/secrets.ts). */
export function maskNullable(v: string | null): string | null {
  return v === null ? null : maskSecrets(v);
}

/** The "ts_id" cursor of a row, as parseCursor reads it back. */
export function cursorOf(r: EventCursor): string {
  return `${r.ts}_${r.id}`;
}

/** Parses "ts_id" cursors as produced by the event queries. */
export function parseCursor(cursor: string | undefined | null): EventCursor | null {
  if (!cursor) return null;
  const m = /^(-?\d+)_(\d+)$/.exec(cursor);
  return m ? { ts: Number(m[1]), id: Number(m[2]) } : null;
}

const eventSources: readonly EventSource[] = ["hook", "transcript"];
const errorKinds: readonly ErrorKind[] = Object.values(ErrorKind);

function eventSourceOf(s: string): EventSource {
  const hit = eventSources.find((x) => x === s);
  if (hit === undefined) throw new RowShapeError(`events.source ${s} is not an event source`);
  return hit;
}

function errorKindOf(n: number): ErrorKind {
  const hit = errorKinds.find((x) => x === n);
  if (hit === undefined) throw new RowShapeError(`events.error_kind ${n} is not an ErrorKind`);
  return hit;
}

export const eventColumns = "id, ts, source, session_id, type, tool_name, summary";
export const eventShape = {
  id: "int",
  ts: "int",
  source: "text",
  session_id: "text",
  type: "text",
  tool_name: "text?",
  summary: "text",
} as const;

/** An events row as the API shows it (summary masked). */
export function toEvent(r: RowOf<typeof eventShape>): EventRow {
  return {
    id: r.id,
    ts: iso(r.ts),
    source: eventSourceOf(r.source),
    session_id: r.session_id,
    type: r.type,
    tool_name: r.tool_name,
    summary: maskSecrets(r.summary),
  };
}

/** Columns of `events e` an explorer or timeline row shows, and their shape. */
export const detailColumns =
  "e.id, e.ts, e.source, e.session_id, e.type, e.tool_name, e.summary, e.is_sidechain, e.error_kind, e.tool_use_id";
export const detailShape = {
  ...eventShape,
  is_sidechain: "int",
  error_kind: "int",
  tool_use_id: "text?",
} as const;

/** An explorer row from `detailColumns`. */
export function toDetail(r: RowOf<typeof detailShape>): EventDetailRow {
  return {
    ...toEvent(r),
    is_sidechain: r.is_sidechain === 1,
    error_kind: errorKindOf(r.error_kind),
    tool_use_id: r.tool_use_id,
  };
}

/** WHERE conditions for the filters that are set; their values go into `params`. */
export function filterSql(f: ExplorerFilters, params: SqlParams): string[] {
  const where: string[] = [];
  addFilter(
    where,
    params,
    "session_id IN (SELECT session_id FROM sessions WHERE project = :project)",
    "project",
    f.project,
  );
  addFilter(where, params, "session_id = :session", "session", f.session);
  addFilter(where, params, "type = :type", "type", f.type);
  addFilter(where, params, "tool_name = :tool", "tool", f.tool);
  addFilter(where, params, "ts >= :since", "since", f.since);
  addFilter(where, params, "ts < :until", "until", f.until);
  // Claude Code's bookkeeping lines (migration 7) are listed only when asked for by type.
  if (!f.type) where.push("bookkeeping = 0");
  return where;
}

/**
 * One page of filtered events, newest first, after a (ts, id) cursor: `columns` of `events e`,
 * read by `read`, each row mapped by `map`, and the cursor of the next page when there is one.
 */
function newestFirst<R extends EventCursor, T>(
  db: Db,
  columns: string,
  read: (stmt: StatementSync, params: SqlParams) => R[],
  map: (r: R) => T,
  f: ExplorerFilters,
  limit: number,
  before?: EventCursor | null,
): { events: T[]; next_cursor: string | null } {
  const params: SqlParams = { limit: limit + 1 };
  const where = filterSql(f, params);
  if (before) {
    where.push("(ts < :bts OR (ts = :bts AND id < :bid))");
    params.bts = before.ts;
    params.bid = before.id;
  }
  const rows = read(
    db.prepare(
      `SELECT ${columns} FROM events e
     ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY ts DESC, id DESC LIMIT :limit`,
    ),
    params,
  );
  const last = rows.length > limit ? rows[limit - 1] : null;
  return { events: rows.slice(0, limit).map(map), next_cursor: last ? cursorOf(last) : null };
}

/** Newest events first, paged with a (ts, id) cursor. */
export function eventsPage(
  db: Db,
  f: EventFilters,
  limit: number,
  before?: EventCursor | null,
): { events: EventRow[]; next_cursor: string | null } {
  const read = (stmt: StatementSync, p: SqlParams) => allRows(stmt, eventShape, p);
  return newestFirst(db, eventColumns, read, toEvent, f, limit, before);
}

/** Newest events first with the explorer's filters (project included), (ts, id) cursor. */
export function exploreEvents(
  db: Db,
  f: ExplorerFilters,
  limit: number,
  before?: EventCursor | null,
): { events: EventDetailRow[]; next_cursor: string | null } {
  const read = (stmt: StatementSync, p: SqlParams) => allRows(stmt, detailShape, p);
  return newestFirst(db, detailColumns, read, toDetail, f, limit, before);
}

/** Events stored after id `afterId` (in storage order), for Last-Event-ID replay. */
export function eventsAfterId(db: Db, afterId: number, f: EventFilters, limit: number): EventRow[] {
  const params: SqlParams = { after: afterId, limit };
  const where = ["id > :after", ...filterSql(f, params)];
  const stmt = db.prepare(
    `SELECT ${eventColumns} FROM events WHERE ${where.join(" AND ")} ORDER BY id LIMIT :limit`,
  );
  return allRows(stmt, eventShape, params).map(toEvent);
}

/** How many events matching the filters were stored after id `afterId`, counted up to `cap`. */
export function countEventsAfter(db: Db, afterId: number, f: ExplorerFilters, cap: number): number {
  const params: SqlParams = { after: afterId, cap };
  const where = ["id > :after", ...filterSql(f, params)];
  const stmt = db.prepare(
    `SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE ${where.join(" AND ")} LIMIT :cap)`,
  );
  return oneRow(stmt, { n: "int" }, params)?.n ?? 0;
}

/** A session's events in time order, after an optional (ts, id) cursor. */
export function sessionEvents(
  db: Db,
  id: string,
  limit: number,
  after?: EventCursor,
): { events: EventRow[]; next_cursor: string | null } {
  const stmt = db.prepare(
    `SELECT ${eventColumns} FROM events
     WHERE session_id = :sid AND (ts > :ts OR (ts = :ts AND id > :id)) AND bookkeeping = 0
     ORDER BY ts, id LIMIT :limit`,
  );
  const rows = allRows(stmt, eventShape, {
    sid: id,
    ts: after?.ts ?? -1,
    id: after?.id ?? -1,
    limit: limit + 1,
  });
  const events = rows.slice(0, limit).map(toEvent);
  const last = rows.length > limit ? rows[limit - 1] : null;
  return { events, next_cursor: last ? cursorOf(last) : null };
}

/** The stored payload of one event, masked, or null when there is no such event. */
export function eventRaw(db: Db, id: number): string | null {
  const r = oneRow(db.prepare(`SELECT ${rawSql()} AS raw FROM events WHERE id = ?`), {
    raw: "text",
  }, id);
  return r ? maskJsonText(r.raw) : null;
}

/** One event with its original JSON (parsed when it parses, else the text). */
export function eventDetail(
  db: Db,
  id: number,
): (EventDetailRow & { cwd: string | null; uuid: string | null; raw: unknown }) | null {
  const r = oneRow(
    db.prepare(
      `SELECT ${detailColumns}, e.cwd, e.uuid, ${rawSql("e")} AS raw FROM events e WHERE id = ?`,
    ),
    { ...detailShape, cwd: "text?", uuid: "text?", raw: "text" } as const,
    id,
  );
  if (!r) return null;
  let raw: unknown;
  try {
    raw = maskJson(JSON.parse(r.raw));
  } catch {
    // kept as text: a hook file that only half-parsed is still shown
    raw = maskSecrets(r.raw);
  }
  return { ...toDetail(r), cwd: r.cwd, uuid: r.uuid, raw };
}

/** The highest stored event id (0 when there is none): where the live feed starts. */
export function maxEventId(db: Db): number {
  return oneRow(db.prepare("SELECT COALESCE(MAX(id), 0) AS m FROM events"), { m: "int" })?.m ?? 0;
}

/** Time of one event (epoch ms), or null when there is no such event. */
export function eventTs(db: Db, id: number): number | null {
  return oneRow(db.prepare("SELECT ts FROM events WHERE id = ?"), { ts: "int" }, id)?.ts ?? null;
}

/** Time of the oldest stored event (epoch ms), or null when there is none. */
export function firstEventTs(db: Db): number | null {
  return oneRow(db.prepare("SELECT MIN(ts) AS t FROM events"), { t: "int?" })?.t ?? null;
}

/** Distinct event types and tool names, for the explorer's filter menus. */
export function eventFacets(db: Db, cap = 500): { types: string[]; tools: string[] } {
  // Skip-scan over the (type, ts) and (tool_name, ts) indexes: cheap even at 1M events.
  const distinct = (col: string) => {
    const out: string[] = [];
    const next = db.prepare(
      `SELECT MIN(${col}) AS v FROM events WHERE ${col} > ? AND ${col} IS NOT NULL`,
    );
    let last = "";
    while (out.length < cap) {
      const v = oneRow(next, { v: "text?" }, last)?.v ?? null;
      if (v === null) break;
      out.push(v);
      last = v;
    }
    return out;
  };
  return { types: distinct("type"), tools: distinct("tool_name") };
}

// Typed read functions over the store, named after what they answer. Every list is paged
// server-side; nothing here loads a whole table into memory.

import type {
  EventFilters,
  EventRow,
  HealthReport,
  IngestErrorRow,
  SessionStatus,
  SessionSummary,
  ToolCallRow,
} from "../types.ts";
import { endedQuietMs, runningWindowMs, waitingStaleMs } from "../config.ts";
import type { Db } from "./db.ts";
import { iso } from "./writes.ts";

type Row = Record<string, unknown>;
type Param = string | number | null;

/**
 * Session status from stored times, evaluated in SQL so it can be filtered and paged:
 * ended after SessionEnd; waiting while a Notification/PermissionRequest is the newest thing
 * (abandoned after waitingStaleMs); idle after Stop; running while events keep coming.
 */
const statusSql = `CASE
  WHEN end_ts > 0 AND end_ts >= activity_ts AND end_ts >= waiting_ts THEN 'ended'
  WHEN waiting_ts > activity_ts THEN CASE WHEN :now - waiting_ts > ${waitingStaleMs} THEN 'ended' ELSE 'waiting' END
  WHEN stop_ts > 0 AND stop_ts >= activity_ts THEN CASE WHEN :now - last_ts > ${endedQuietMs} THEN 'ended' ELSE 'idle' END
  WHEN :now - last_ts <= ${runningWindowMs} THEN 'running'
  WHEN :now - last_ts > ${endedQuietMs} THEN 'ended'
  ELSE 'idle' END`;

const sessionColumns =
  `session_id, project, cwd, first_ts, last_ts, events, tool_calls, errors, model,
  input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, unpriced_messages,
  waiting_reason, ${statusSql} AS status`;

function toSession(r: Row): SessionSummary {
  const status = r.status as SessionStatus;
  return {
    session_id: r.session_id as string,
    project: r.project as string | null,
    cwd: r.cwd as string | null,
    status,
    first_ts: r.first_ts == null ? null : iso(r.first_ts as number),
    last_ts: r.last_ts == null ? null : iso(r.last_ts as number),
    events: r.events as number,
    tool_calls: r.tool_calls as number,
    errors: r.errors as number,
    model: r.model as string | null,
    input_tokens: r.input_tokens as number,
    output_tokens: r.output_tokens as number,
    cache_creation_tokens: r.cache_creation_tokens as number,
    cache_read_tokens: r.cache_read_tokens as number,
    cost_usd: (r.unpriced_messages as number) > 0 ? null : round6(r.cost_usd as number),
    waiting_reason: status === "waiting" ? r.waiting_reason as string | null : null,
  };
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function toEvent(r: Row): EventRow {
  return {
    id: r.id as number,
    ts: iso(r.ts as number),
    source: r.source as EventRow["source"],
    session_id: r.session_id as string,
    type: r.type as string,
    tool_name: r.tool_name as string | null,
    summary: r.summary as string,
  };
}

export interface SessionsQuery {
  limit: number;
  offset: number;
  project?: string;
  status?: SessionStatus;
  now?: number;
}

/** One page of sessions, newest activity first, with the total matching count. */
export function sessionsPage(
  db: Db,
  q: SessionsQuery,
): { total: number; sessions: SessionSummary[] } {
  const where: string[] = [];
  const params: Record<string, Param> = { now: q.now ?? Date.now() };
  if (q.project) {
    where.push("project = :project");
    params.project = q.project;
  }
  const inner = `SELECT ${sessionColumns} FROM sessions ${
    where.length ? "WHERE " + where.join(" AND ") : ""
  }`;
  const outerWhere = q.status ? "WHERE status = :status" : "";
  if (q.status) params.status = q.status;
  const total = (db.prepare(`SELECT count(*) AS n FROM (${inner}) ${outerWhere}`).get(params) as {
    n: number;
  }).n;
  const rows = db.prepare(
    `SELECT * FROM (${inner}) ${outerWhere} ORDER BY last_ts DESC, session_id LIMIT :limit OFFSET :offset`,
  ).all({ ...params, limit: q.limit, offset: q.offset }) as Row[];
  return { total, sessions: rows.map(toSession) };
}

export function sessionById(db: Db, id: string, now = Date.now()): SessionSummary | null {
  const r = db.prepare(`SELECT ${sessionColumns} FROM sessions WHERE session_id = :id`).get({
    id,
    now,
  }) as
    | Row
    | undefined;
  return r ? toSession(r) : null;
}

export function sessionsByIds(db: Db, ids: string[], now = Date.now()): SessionSummary[] {
  const stmt = db.prepare(`SELECT ${sessionColumns} FROM sessions WHERE session_id = :id`);
  const out: SessionSummary[] = [];
  for (const id of ids) {
    const r = stmt.get({ id, now }) as Row | undefined;
    if (r) out.push(toSession(r));
  }
  return out;
}

/** A session's events in time order, after an optional (ts, id) cursor. */
export function sessionEvents(
  db: Db,
  id: string,
  limit: number,
  after?: { ts: number; id: number },
): { events: EventRow[]; next_cursor: string | null } {
  const rows = db.prepare(
    `SELECT id, ts, source, session_id, type, tool_name, summary FROM events
     WHERE session_id = :sid AND (ts > :ts OR (ts = :ts AND id > :id))
     ORDER BY ts, id LIMIT :limit`,
  ).all({ sid: id, ts: after?.ts ?? -1, id: after?.id ?? -1, limit: limit + 1 }) as Row[];
  const events = rows.slice(0, limit).map(toEvent);
  const last = rows.length > limit ? rows[limit - 1] : null;
  return { events, next_cursor: last ? `${last.ts}_${last.id}` : null };
}

export function sessionToolCalls(db: Db, id: string, limit: number): ToolCallRow[] {
  const rows = db.prepare(
    `SELECT * FROM tool_calls WHERE session_id = ? ORDER BY start_ts IS NULL, start_ts, id LIMIT ?`,
  ).all(id, limit) as Row[];
  return rows.map((r) => ({
    tool_use_id: r.tool_use_id as string | null,
    session_id: r.session_id as string,
    tool_name: r.tool_name as string,
    status: r.status as ToolCallRow["status"],
    start_ts: r.start_ts == null ? null : iso(r.start_ts as number),
    end_ts: r.end_ts == null ? null : iso(r.end_ts as number),
    duration_ms: r.start_ts != null && r.end_ts != null
      ? (r.end_ts as number) - (r.start_ts as number)
      : null,
    input_summary: r.input_summary as string | null,
    error: r.error as string | null,
  }));
}

/** Parses "ts_id" cursors as produced by the event queries. */
export function parseCursor(cursor: string | undefined | null): { ts: number; id: number } | null {
  if (!cursor) return null;
  const m = /^(-?\d+)_(\d+)$/.exec(cursor);
  return m ? { ts: Number(m[1]), id: Number(m[2]) } : null;
}

function filterSql(f: EventFilters, params: Record<string, Param>): string[] {
  const where: string[] = [];
  if (f.session) {
    where.push("session_id = :session");
    params.session = f.session;
  }
  if (f.type) {
    where.push("type = :type");
    params.type = f.type;
  }
  if (f.tool) {
    where.push("tool_name = :tool");
    params.tool = f.tool;
  }
  if (f.since !== undefined) {
    where.push("ts >= :since");
    params.since = f.since;
  }
  if (f.until !== undefined) {
    where.push("ts < :until");
    params.until = f.until;
  }
  return where;
}

/** Newest events first, paged with a (ts, id) cursor. */
export function eventsPage(
  db: Db,
  f: EventFilters,
  limit: number,
  before?: { ts: number; id: number } | null,
): { events: EventRow[]; next_cursor: string | null } {
  const params: Record<string, Param> = { limit: limit + 1 };
  const where = filterSql(f, params);
  if (before) {
    where.push("(ts < :bts OR (ts = :bts AND id < :bid))");
    params.bts = before.ts;
    params.bid = before.id;
  }
  const rows = db.prepare(
    `SELECT id, ts, source, session_id, type, tool_name, summary FROM events
     ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY ts DESC, id DESC LIMIT :limit`,
  ).all(params) as Row[];
  const events = rows.slice(0, limit).map(toEvent);
  const last = rows.length > limit ? rows[limit - 1] : null;
  return { events, next_cursor: last ? `${last.ts}_${last.id}` : null };
}

/** Events stored after id `afterId` (in storage order), for Last-Event-ID replay. */
export function eventsAfterId(db: Db, afterId: number, f: EventFilters, limit: number): EventRow[] {
  const params: Record<string, Param> = { after: afterId, limit };
  const where = ["id > :after", ...filterSql(f, params)];
  const rows = db.prepare(
    `SELECT id, ts, source, session_id, type, tool_name, summary FROM events WHERE ${
      where.join(" AND ")
    } ORDER BY id LIMIT :limit`,
  ).all(params) as Row[];
  return rows.map(toEvent);
}

export function eventRaw(db: Db, id: number): string | null {
  const r = db.prepare("SELECT raw FROM events WHERE id = ?").get(id) as
    | { raw: string }
    | undefined;
  return r?.raw ?? null;
}

export function ingestErrors(db: Db, limit: number): IngestErrorRow[] {
  const rows = db.prepare(
    "SELECT path, offset, reason, ts FROM ingest_errors ORDER BY ts DESC, id DESC LIMIT ?",
  )
    .all(limit) as Row[];
  return rows.map((r) => ({
    path: r.path as string,
    offset: (r.offset as number) >= 0 ? r.offset as number : null,
    reason: r.reason as string,
    ts: iso(r.ts as number),
  }));
}

export function maxEventId(db: Db): number {
  return (db.prepare("SELECT COALESCE(MAX(id), 0) AS m FROM events").get() as { m: number }).m;
}

export interface StoreCounts {
  events: number;
  sessions: number;
  files: number;
  errors: number;
  lastEventTs: number | null;
  dbBytes: number;
}

export function storeCounts(db: Db): StoreCounts {
  const one = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n;
  const pageCount = one("SELECT page_count AS n FROM pragma_page_count()") ?? 0;
  const pageSize = one("SELECT page_size AS n FROM pragma_page_size()") ?? 0;
  return {
    events: one("SELECT count(*) AS n FROM events") ?? 0,
    sessions: one("SELECT count(*) AS n FROM sessions") ?? 0,
    files: one("SELECT count(*) AS n FROM files") ?? 0,
    errors: one("SELECT count(*) AS n FROM ingest_errors") ?? 0,
    lastEventTs: one("SELECT MAX(ts) AS n FROM events"),
    dbBytes: pageCount * pageSize,
  };
}

export function healthReport(c: StoreCounts, uptimeS: number): HealthReport {
  return {
    status: c.errors > 0 ? "degraded" : "ok",
    events: c.events,
    sessions: c.sessions,
    files: c.files,
    errors: c.errors,
    last_event_ts: c.lastEventTs === null ? null : iso(c.lastEventTs),
    db_bytes: c.dbBytes,
    uptime_s: Math.round(uptimeS),
  };
}

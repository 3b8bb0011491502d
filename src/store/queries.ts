// Typed read functions over the store, named after what they answer. Every list is paged
// server-side; nothing here loads a whole table into memory.

import type {
  ErrorKind,
  EventDetailRow,
  EventFilters,
  EventRow,
  HealthReport,
  IngestErrorRow,
  SessionListRow,
  SessionStatus,
  SessionSummary,
  TimelineRow,
  ToolCallRow,
} from "../core/types.ts";
import { endedQuietMs, runningWindowMs, waitingStaleMs } from "../core/config.ts";
import type { Db } from "./db.ts";
import { iso } from "./writes.ts";
import { maskJson, maskJsonText, maskSecrets } from "../core/secrets.ts";
import { contextWindowOf } from "../core/pricing.ts";

type Row = Record<string, unknown>;
type Param = string | number | null;

/**
 * Adds `condition` (which names the parameter `:name`) when `value` is set; empty strings
 * and undefined mean "no filter".
 */
function addFilter(
  where: string[],
  params: Record<string, Param>,
  condition: string,
  name: string,
  value: string | number | undefined,
): void {
  if (value === undefined || value === "") return;
  where.push(condition);
  params[name] = value;
}

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
  waiting_reason, context_tokens, compactions, archived, ${statusSql} AS status`;

/**
 * The context window a session's model has. Transcripts name the API model, which is the same
 * for the 200k and the 1M-token windows: a context already past 200k can only be the 1M one.
 */
export function sessionContextWindow(model: string | null, contextTokens: number | null) {
  const window = contextWindowOf(model);
  if (window !== null && contextTokens !== null && contextTokens > window) return 1_000_000;
  return window;
}

/** Share of the prompt tokens read from the cache; null when there were none. Pure. */
export function cacheHitRatio(
  t: { input_tokens: number; cache_creation_tokens: number; cache_read_tokens: number },
): number | null {
  const all = t.input_tokens + t.cache_creation_tokens + t.cache_read_tokens;
  return all > 0 ? t.cache_read_tokens / all : null;
}

function toSession(r: Row): SessionSummary {
  const status = r.status as SessionStatus;
  const contextTokens = r.context_tokens as number | null;
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
    waiting_reason: status === "waiting" ? maskNullable(r.waiting_reason) : null,
    context_tokens: contextTokens,
    context_window: sessionContextWindow(r.model as string | null, contextTokens),
    cache_hit_ratio: cacheHitRatio(
      r as {
        input_tokens: number;
        cache_creation_tokens: number;
        cache_read_tokens: number;
      },
    ),
    compactions: r.compactions as number,
    source: r.archived === 1 ? "archived" : "live",
  };
}

/** Text that leaves the server goes through the secret masking (see src/secrets.ts). */
function maskNullable(v: unknown): string | null {
  return typeof v === "string" ? maskSecrets(v) : null;
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
    summary: maskSecrets(r.summary as string),
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
  addFilter(where, params, "project = :project", "project", q.project);
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
  return rows.map(toToolCall);
}

/** Parses "ts_id" cursors as produced by the event queries. */
export function parseCursor(cursor: string | undefined | null): { ts: number; id: number } | null {
  if (!cursor) return null;
  const m = /^(-?\d+)_(\d+)$/.exec(cursor);
  return m ? { ts: Number(m[1]), id: Number(m[2]) } : null;
}

/** Event filters of the explorer page: the live filters plus the session's project. */
export interface ExplorerFilters extends EventFilters {
  project?: string;
}

export function filterSql(f: ExplorerFilters, params: Record<string, Param>): string[] {
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
  return where;
}

/**
 * One page of filtered events, newest first, after a (ts, id) cursor: `columns` of `events e`,
 * each row shaped by `shape`, and the cursor of the next page when there is one.
 */
function newestFirst<T>(
  db: Db,
  columns: string,
  shape: (r: Row) => T,
  f: ExplorerFilters,
  limit: number,
  before?: { ts: number; id: number } | null,
): { events: T[]; next_cursor: string | null } {
  const params: Record<string, Param> = { limit: limit + 1 };
  const where = filterSql(f, params);
  if (before) {
    where.push("(ts < :bts OR (ts = :bts AND id < :bid))");
    params.bts = before.ts;
    params.bid = before.id;
  }
  const rows = db.prepare(
    `SELECT ${columns} FROM events e
     ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY ts DESC, id DESC LIMIT :limit`,
  ).all(params) as Row[];
  const last = rows.length > limit ? rows[limit - 1] : null;
  return { events: rows.slice(0, limit).map(shape), next_cursor: last ? cursorOf(last) : null };
}

/** Newest events first, paged with a (ts, id) cursor. */
export function eventsPage(
  db: Db,
  f: EventFilters,
  limit: number,
  before?: { ts: number; id: number } | null,
): { events: EventRow[]; next_cursor: string | null } {
  return newestFirst(
    db,
    "id, ts, source, session_id, type, tool_name, summary",
    toEvent,
    f,
    limit,
    before,
  );
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
  return r ? maskJsonText(r.raw) : null;
}

export function ingestErrors(db: Db, limit: number): IngestErrorRow[] {
  const rows = db.prepare(
    "SELECT path, offset, reason, ts FROM ingest_errors ORDER BY ts DESC, id DESC LIMIT ?",
  )
    .all(limit) as Row[];
  return rows.map((r) => ({
    path: r.path as string,
    offset: (r.offset as number) >= 0 ? r.offset as number : null,
    reason: maskSecrets(r.reason as string),
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
    // The hourly rollup is kept exact in the same transactions as events (store/derived.ts) and
    // is a few thousand rows where count(*) over a million events takes a third of a second.
    events: one("SELECT COALESCE(SUM(n), 0) AS n FROM rollup_event_hours") ?? 0,
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

// ---- Page queries: sessions table, session timeline, event explorer ----

/** Columns a sessions table can be sorted by, mapped to SQL over the session columns. */
export const sessionSorts = {
  last: "last_ts",
  first: "first_ts",
  duration: "(last_ts - first_ts)",
  events: "events",
  tools: "tool_calls",
  errors: "errors",
  tokens: "(input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens)",
  cost: "cost_usd",
  context: "context_tokens",
  project: "project",
  status: "status",
} as const;
export type SessionSort = keyof typeof sessionSorts;

export interface SessionListQuery extends SessionsQuery {
  model?: string;
  /** Sessions active at some point in [since, until). */
  since?: number;
  until?: number;
  sort?: SessionSort;
  dir?: "asc" | "desc";
}

/** One sorted, filtered page of sessions with each one's first prompt. */
export function sessionsListing(
  db: Db,
  q: SessionListQuery,
): { total: number; sessions: SessionListRow[] } {
  const where: string[] = [];
  const params: Record<string, Param> = { now: q.now ?? Date.now() };
  addFilter(where, params, "project = :project", "project", q.project);
  addFilter(where, params, "model = :model", "model", q.model);
  addFilter(where, params, "last_ts >= :since", "since", q.since);
  addFilter(where, params, "first_ts < :until", "until", q.until);
  const inner = `SELECT ${sessionColumns} FROM sessions ${
    where.length ? "WHERE " + where.join(" AND ") : ""
  }`;
  const outerWhere = q.status ? "WHERE status = :status" : "";
  if (q.status) params.status = q.status;
  const total = (db.prepare(`SELECT count(*) AS n FROM (${inner}) ${outerWhere}`).get(params) as {
    n: number;
  }).n;
  const order = sessionSorts[q.sort ?? "last"];
  const dir = q.dir === "asc" ? "ASC" : "DESC";
  const rows = db.prepare(
    `SELECT * FROM (${inner}) ${outerWhere}
     ORDER BY ${order} IS NULL, ${order} ${dir}, last_ts DESC, session_id LIMIT :limit OFFSET :offset`,
  ).all({ ...params, limit: q.limit, offset: q.offset }) as Row[];
  const prompts = firstPrompts(db, rows.map((r) => r.session_id as string));
  return {
    total,
    sessions: rows.map((r) => {
      const s = toSession(r);
      return { ...s, first_prompt: prompts.get(s.session_id) ?? null };
    }),
  };
}

/**
 * The first thing the person asked in each session: a UserPromptSubmit hook, or a main-thread
 * transcript user line that is neither a tool result nor Claude Code's own meta text.
 */
export function firstPrompts(db: Db, ids: string[]): Map<string, string> {
  const stmt = db.prepare(
    `SELECT summary FROM events WHERE session_id = ? AND is_sidechain = 0
       AND (type = 'UserPromptSubmit'
         OR (type = 'user' AND source = 'transcript' AND tool_use_id IS NULL
             AND json_extract(raw, '$.isMeta') IS NOT 1))
     ORDER BY ts, id LIMIT 1`,
  );
  const out = new Map<string, string>();
  for (const id of ids) {
    const r = stmt.get(id) as { summary: string } | undefined;
    if (r && r.summary !== "") out.set(id, maskSecrets(r.summary));
  }
  return out;
}

/** Distinct projects and models, for the filter menus (capped: they are menus). */
export function sessionFacets(db: Db, cap = 500): { projects: string[]; models: string[] } {
  const list = (col: string) =>
    (db.prepare(
      `SELECT DISTINCT ${col} AS v FROM sessions WHERE ${col} IS NOT NULL ORDER BY ${col} LIMIT ?`,
    ).all(cap) as Array<{ v: string }>).map((r) => r.v);
  return { projects: list("project"), models: list("model") };
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
      const r = next.get(last) as { v: string | null };
      if (r.v === null) break;
      out.push(r.v);
      last = r.v;
    }
    return out;
  };
  return { types: distinct("type"), tools: distinct("tool_name") };
}

const detailColumns =
  "e.id, e.ts, e.source, e.session_id, e.type, e.tool_name, e.summary, e.is_sidechain, e.error_kind, e.tool_use_id";

function toDetail(r: Row): EventDetailRow {
  return {
    ...toEvent(r),
    is_sidechain: r.is_sidechain === 1,
    error_kind: r.error_kind as ErrorKind,
    tool_use_id: r.tool_use_id as string | null,
  };
}

function toTimeline(r: Row): TimelineRow {
  const start = r.t_start as number | null;
  const end = r.t_end as number | null;
  return {
    ...toDetail(r),
    tool_status: r.t_status as TimelineRow["tool_status"],
    tool_duration_ms: start !== null && end !== null ? end - start : null,
    tool_error: maskNullable(r.t_error),
  };
}

const timelineSelect = `SELECT ${detailColumns},
  t.status AS t_status, t.start_ts AS t_start, t.end_ts AS t_end, t.error AS t_error
  FROM events e LEFT JOIN tool_calls t ON t.tool_use_id = e.tool_use_id AND e.tool_use_id IS NOT NULL`;

export interface TimelinePage {
  rows: TimelineRow[];
  /** Cursor of the first row when earlier rows exist (pass as `before`). */
  earlier: string | null;
  /** Cursor of the last row when later rows exist (pass as `after`). */
  later: string | null;
}

/**
 * A window of a session's timeline in time order: the latest `limit` rows by default,
 * the rows before a (ts, id) cursor, or the rows after one.
 */
export function sessionTimeline(
  db: Db,
  id: string,
  limit: number,
  at: { before?: { ts: number; id: number }; after?: { ts: number; id: number } } = {},
): TimelinePage {
  const params: Record<string, Param> = { sid: id, limit: limit + 1 };
  let rows: Row[];
  if (at.after) {
    params.ts = at.after.ts;
    params.id = at.after.id;
    rows = db.prepare(
      `${timelineSelect} WHERE e.session_id = :sid AND (e.ts > :ts OR (e.ts = :ts AND e.id > :id))
       ORDER BY e.ts, e.id LIMIT :limit`,
    ).all(params) as Row[];
    const more = rows.length > limit;
    rows = rows.slice(0, limit);
    return {
      rows: rows.map(toTimeline),
      earlier: rows.length ? cursorOf(rows[0]) : null,
      later: more ? cursorOf(rows[rows.length - 1]) : null,
    };
  }
  params.ts = at.before?.ts ?? Number.MAX_SAFE_INTEGER;
  params.id = at.before?.id ?? Number.MAX_SAFE_INTEGER;
  rows = db.prepare(
    `${timelineSelect} WHERE e.session_id = :sid AND (e.ts < :ts OR (e.ts = :ts AND e.id < :id))
     ORDER BY e.ts DESC, e.id DESC LIMIT :limit`,
  ).all(params) as Row[];
  const more = rows.length > limit;
  rows = rows.slice(0, limit).reverse();
  return {
    rows: rows.map(toTimeline),
    earlier: more && rows.length ? cursorOf(rows[0]) : null,
    later: at.before && rows.length ? cursorOf(rows[rows.length - 1]) : null,
  };
}

function cursorOf(r: Row): string {
  return `${r.ts}_${r.id}`;
}

/** Timeline rows of a session stored after event id `afterId`, for the live tail. */
export function sessionTimelineAfterId(
  db: Db,
  id: string,
  afterId: number,
  limit: number,
): TimelineRow[] {
  const rows = db.prepare(
    `${timelineSelect} WHERE e.session_id = :sid AND e.id > :after ORDER BY e.ts, e.id LIMIT :limit`,
  ).all({ sid: id, after: afterId, limit }) as Row[];
  return rows.map(toTimeline);
}

/**
 * Cumulative tokens and cost over a session, from its deduplicated assistant messages,
 * thinned to at most `maxPoints` points (the last one always kept).
 */
export function sessionUsageSeries(
  db: Db,
  id: string,
  maxPoints: number,
): { points: Array<[string, number, number]>; cost_known: boolean; messages: number } {
  const rows = db.prepare(
    `SELECT ts, input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens AS tokens,
       cost_usd FROM messages WHERE session_id = ? ORDER BY ts`,
  ).all(id) as Array<{ ts: number; tokens: number; cost_usd: number | null }>;
  let tokens = 0;
  let cost = 0;
  let known = true;
  const all: Array<[string, number, number]> = [];
  for (const r of rows) {
    tokens += r.tokens;
    if (r.cost_usd === null) known = false;
    else cost += r.cost_usd;
    all.push([iso(r.ts), tokens, round6(cost)]);
  }
  if (all.length <= maxPoints) return { points: all, cost_known: known, messages: all.length };
  const step = all.length / maxPoints;
  const points: Array<[string, number, number]> = [];
  for (let i = 1; i <= maxPoints; i++) {
    points.push(all[Math.min(all.length - 1, Math.ceil(i * step) - 1)]);
  }
  return { points, cost_known: known, messages: all.length };
}

export interface ThreadLink {
  channel_id: string | null;
  thread_id: string | null;
  created_at: string | null;
  is_archived: boolean;
}

/** The notifier's Discord thread for a session, when threads.db maps one. */
export function threadForSession(db: Db, id: string): ThreadLink | null {
  const r = db.prepare(
    "SELECT channel_id, thread_id, created_at, is_archived FROM threads WHERE session_id = ?",
  ).get(id) as Row | undefined;
  if (!r) return null;
  return {
    channel_id: maskNullable(r.channel_id),
    thread_id: maskNullable(r.thread_id),
    created_at: r.created_at as string | null,
    is_archived: r.is_archived === 1,
  };
}

/** Newest events first with the explorer's filters (project included), (ts, id) cursor. */
export function exploreEvents(
  db: Db,
  f: ExplorerFilters,
  limit: number,
  before?: { ts: number; id: number } | null,
): { events: EventDetailRow[]; next_cursor: string | null } {
  return newestFirst(db, detailColumns, toDetail, f, limit, before);
}

/** How many events matching the filters were stored after id `afterId`, counted up to `cap`. */
export function countEventsAfter(db: Db, afterId: number, f: ExplorerFilters, cap: number): number {
  const params: Record<string, Param> = { after: afterId, cap };
  const where = ["id > :after", ...filterSql(f, params)];
  return (db.prepare(
    `SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE ${where.join(" AND ")} LIMIT :cap)`,
  ).get(params) as { n: number }).n;
}

/** One event with its original JSON (parsed when it parses, else the text). */
export function eventDetail(
  db: Db,
  id: number,
): (EventDetailRow & { cwd: string | null; uuid: string | null; raw: unknown }) | null {
  const r = db.prepare(`SELECT ${detailColumns}, e.cwd, e.uuid, e.raw FROM events e WHERE id = ?`)
    .get(id) as Row | undefined;
  if (!r) return null;
  let raw: unknown;
  try {
    raw = maskJson(JSON.parse(r.raw as string));
  } catch {
    // kept as text: a hook file that only half-parsed is still shown
    raw = maskSecrets(r.raw as string);
  }
  return { ...toDetail(r), cwd: r.cwd as string | null, uuid: r.uuid as string | null, raw };
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
  const rows = db.prepare(
    `SELECT * FROM tool_calls WHERE tool_name = :tool
       AND COALESCE(start_ts, end_ts) >= :since AND COALESCE(start_ts, end_ts) < :until
     ORDER BY COALESCE(start_ts, end_ts) DESC LIMIT :limit`,
  ).all({
    tool,
    limit,
    since: f.since ?? Number.MIN_SAFE_INTEGER,
    until: f.until ?? Number.MAX_SAFE_INTEGER,
  }) as Row[];
  return rows.map(toToolCall);
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
  const rows = db.prepare(
    `SELECT tool_name AS k, CAST((COALESCE(start_ts, end_ts) - :since) / :width AS INTEGER) AS bi,
       count(*) AS n
     FROM tool_calls
     WHERE COALESCE(start_ts, end_ts) >= :since AND COALESCE(start_ts, end_ts) < :until
     GROUP BY k, bi`,
  ).all({ since, until, width }) as Array<{ k: string; bi: number; n: number }>;
  const out = new Map<string, number[]>();
  for (const r of rows) {
    let v = out.get(r.k);
    if (!v) out.set(r.k, v = new Array<number>(bins).fill(0));
    if (r.bi >= 0 && r.bi < bins) v[r.bi] += r.n;
  }
  return out;
}

/** Time of one event (epoch ms), or null when there is no such event. */
export function eventTs(db: Db, id: number): number | null {
  const r = db.prepare("SELECT ts FROM events WHERE id = ?").get(id) as { ts: number } | undefined;
  return r?.ts ?? null;
}

/** Time of the oldest stored event (epoch ms), or null when there is none. */
export function firstEventTs(db: Db): number | null {
  return (db.prepare("SELECT MIN(ts) AS t FROM events").get() as { t: number | null }).t;
}

function toToolCall(r: Row): ToolCallRow {
  return {
    tool_use_id: r.tool_use_id as string | null,
    session_id: r.session_id as string,
    tool_name: r.tool_name as string,
    status: r.status as ToolCallRow["status"],
    start_ts: r.start_ts == null ? null : iso(r.start_ts as number),
    end_ts: r.end_ts == null ? null : iso(r.end_ts as number),
    duration_ms: r.start_ts != null && r.end_ts != null
      ? (r.end_ts as number) - (r.start_ts as number)
      : null,
    input_summary: maskNullable(r.input_summary),
    error: maskNullable(r.error),
  };
}

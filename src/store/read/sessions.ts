// Reads of sessions: paged and sorted lists, one or several by id, filter menus, each one's
// first prompt, its usage over time and its notifier thread. A session's status is derived in
// SQL from stored times (see statusSql), so it can be filtered and paged like a column.

import type { SessionListRow, SessionStatus, SessionSummary } from "../../core/types.ts";
import type { SessionSort, ThreadLink } from "../../core/view_data.ts";
import { endedQuietMs, runningWindowMs, waitingStaleMs } from "../../core/config.ts";
import type { StatementSync } from "node:sqlite";
import type { Db } from "../db.ts";
import { allRows, oneRow, type RowOf, RowShapeError } from "../rows.ts";
import { iso } from "../../core/text.ts";
import { maskSecrets } from "../../core/secrets.ts";
import { contextWindowOf } from "../../core/pricing.ts";
import { addFilter, maskNullable, type SqlParams } from "./events.ts";
import { rawSql } from "../raw_blocks.ts";

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
  waiting_reason, context_tokens, compactions, archived, reported_cost_usd, reported_lines_added,
  reported_lines_removed, reported_api_ms, reported_tool_ms, reported_context_window,
  (SELECT context_window FROM session_context_windows w
    WHERE w.session_id = sessions.session_id) AS statusline_context_window,
  ${statusSql} AS status`;
const sessionShape = {
  session_id: "text",
  project: "text?",
  cwd: "text?",
  first_ts: "int?",
  last_ts: "int?",
  events: "int",
  tool_calls: "int",
  errors: "int",
  model: "text?",
  input_tokens: "int",
  output_tokens: "int",
  cache_creation_tokens: "int",
  cache_read_tokens: "int",
  cost_usd: "real",
  unpriced_messages: "int",
  waiting_reason: "text?",
  context_tokens: "int?",
  compactions: "int",
  archived: "int",
  reported_cost_usd: "real?",
  reported_lines_added: "int?",
  reported_lines_removed: "int?",
  reported_api_ms: "int?",
  reported_tool_ms: "int?",
  reported_context_window: "int?",
  statusline_context_window: "int?",
  status: "text",
} as const;

const sessionStatuses: readonly SessionStatus[] = ["running", "waiting", "idle", "ended"];

function sessionStatusOf(s: string): SessionStatus {
  const hit = sessionStatuses.find((x) => x === s);
  if (hit === undefined) throw new RowShapeError(`session status ${s} is not a SessionStatus`);
  return hit;
}

/**
 * The context window of a session: the size Claude Code reported when it did (`reported`),
 * else a guess from its model. Transcripts name the API model, which is the same for the 200k
 * and the 1M-token windows: a context already past 200k can only be the 1M one.
 */
export function sessionContextWindow(
  model: string | null,
  contextTokens: number | null,
  reported: number | null = null,
): number | null {
  if (reported !== null && reported > 0) return reported;
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

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function toSession(r: RowOf<typeof sessionShape>): SessionSummary {
  const status = sessionStatusOf(r.status);
  return {
    session_id: r.session_id,
    project: r.project,
    cwd: r.cwd,
    status,
    first_ts: r.first_ts === null ? null : iso(r.first_ts),
    last_ts: r.last_ts === null ? null : iso(r.last_ts),
    events: r.events,
    tool_calls: r.tool_calls,
    errors: r.errors,
    model: r.model,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cache_creation_tokens: r.cache_creation_tokens,
    cache_read_tokens: r.cache_read_tokens,
    // Claude Code's own figure wherever it wrote one; the price table only where it did not.
    cost_usd: r.reported_cost_usd !== null
      ? round6(r.reported_cost_usd)
      : r.unpriced_messages > 0
      ? null
      : round6(r.cost_usd),
    cost_source: r.reported_cost_usd !== null ? "reported" : "estimated",
    lines_added: r.reported_lines_added,
    lines_removed: r.reported_lines_removed,
    api_ms: r.reported_api_ms,
    tool_ms: r.reported_tool_ms,
    waiting_reason: status === "waiting" ? maskNullable(r.waiting_reason) : null,
    context_tokens: r.context_tokens,
    // The statusline's figure is the current model's window; cost-state's is the largest of
    // the session's models.
    context_window: sessionContextWindow(
      r.model,
      r.context_tokens,
      r.statusline_context_window ?? r.reported_context_window,
    ),
    cache_hit_ratio: cacheHitRatio(r),
    compactions: r.compactions,
    source: r.archived === 1 ? "archived" : "live",
  };
}

export interface SessionsQuery {
  limit: number;
  offset: number;
  project?: string;
  status?: SessionStatus;
  now?: number;
}

/**
 * The sessions matching `where` as a subquery, the outer status filter (status is computed in
 * the subquery, so it is filtered outside it) and how many sessions match both.
 */
function filteredSessions(
  db: Db,
  where: string[],
  params: SqlParams,
  status: string | undefined,
): { inner: string; outerWhere: string; total: number } {
  const inner = `SELECT ${sessionColumns} FROM sessions ${
    where.length ? "WHERE " + where.join(" AND ") : ""
  }`;
  const outerWhere = status ? "WHERE status = :status" : "";
  if (status) params.status = status;
  const counted = db.prepare(`SELECT count(*) AS n FROM (${inner}) ${outerWhere}`);
  const total = oneRow(counted, { n: "int" }, params)?.n ?? 0;
  return { inner, outerWhere, total };
}

/** One page of sessions, newest activity first, with the total matching count. */
export function sessionsPage(
  db: Db,
  q: SessionsQuery,
): { total: number; sessions: SessionSummary[] } {
  const where: string[] = [];
  const params: SqlParams = { now: q.now ?? Date.now() };
  addFilter(where, params, "project = :project", "project", q.project);
  const { inner, outerWhere, total } = filteredSessions(db, where, params, q.status);
  const rows = allRows(
    db.prepare(
      `SELECT * FROM (${inner}) ${outerWhere} ORDER BY last_ts DESC, session_id LIMIT :limit OFFSET :offset`,
    ),
    sessionShape,
    { ...params, limit: q.limit, offset: q.offset },
  );
  return { total, sessions: rows.map(toSession) };
}

/** One session's summary, or null when it is not stored. */
export function sessionById(db: Db, id: string, now = Date.now()): SessionSummary | null {
  const stmt = db.prepare(`SELECT ${sessionColumns} FROM sessions WHERE session_id = :id`);
  const r = oneRow(stmt, sessionShape, { id, now });
  return r ? toSession(r) : null;
}

/** sessionsByIds' statement, per connection: the server runs it after every commit. */
const byIdStatements = new WeakMap<Db, StatementSync>();

/** The summaries of the stored sessions among `ids`, in the order of `ids`. */
export function sessionsByIds(db: Db, ids: string[], now = Date.now()): SessionSummary[] {
  let stmt = byIdStatements.get(db);
  if (!stmt) {
    stmt = db.prepare(`SELECT ${sessionColumns} FROM sessions WHERE session_id = :id`);
    byIdStatements.set(db, stmt);
  }
  const out: SessionSummary[] = [];
  for (const id of ids) {
    const r = oneRow(stmt, sessionShape, { id, now });
    if (r) out.push(toSession(r));
  }
  return out;
}

/** Columns a sessions table can be sorted by (sessionSortKeys), mapped to SQL over the columns. */
export const sessionSorts: Record<SessionSort, string> = {
  last: "last_ts",
  first: "first_ts",
  duration: "(last_ts - first_ts)",
  events: "events",
  tools: "tool_calls",
  errors: "errors",
  tokens: "(input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens)",
  cost: "COALESCE(reported_cost_usd, cost_usd)",
  context: "context_tokens",
  project: "project",
  status: "status",
};

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
  const params: SqlParams = { now: q.now ?? Date.now() };
  addFilter(where, params, "project = :project", "project", q.project);
  addFilter(where, params, "model = :model", "model", q.model);
  addFilter(where, params, "last_ts >= :since", "since", q.since);
  addFilter(where, params, "first_ts < :until", "until", q.until);
  const { inner, outerWhere, total } = filteredSessions(db, where, params, q.status);
  const order = sessionSorts[q.sort ?? "last"];
  const dir = q.dir === "asc" ? "ASC" : "DESC";
  const rows = allRows(
    db.prepare(
      `SELECT * FROM (${inner}) ${outerWhere}
     ORDER BY ${order} IS NULL, ${order} ${dir}, last_ts DESC, session_id LIMIT :limit OFFSET :offset`,
    ),
    sessionShape,
    { ...params, limit: q.limit, offset: q.offset },
  );
  const prompts = firstPrompts(db, rows.map((r) => r.session_id));
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
             AND json_extract(${rawSql()}, '$.isMeta') IS NOT 1))
     ORDER BY ts, id LIMIT 1`,
  );
  const out = new Map<string, string>();
  for (const id of ids) {
    const r = oneRow(stmt, { summary: "text" }, id);
    if (r && r.summary !== "") out.set(id, maskSecrets(r.summary));
  }
  return out;
}

/** Distinct projects and models, for the filter menus (capped: they are menus). */
export function sessionFacets(db: Db, cap = 500): { projects: string[]; models: string[] } {
  const list = (col: string) =>
    allRows(
      db.prepare(
        `SELECT DISTINCT ${col} AS v FROM sessions WHERE ${col} IS NOT NULL ORDER BY ${col} LIMIT ?`,
      ),
      { v: "text" },
      cap,
    ).map((r) => r.v);
  return { projects: list("project"), models: list("model") };
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
  const rows = allRows(
    db.prepare(
      `SELECT ts, input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens AS tokens,
       cost_usd FROM messages WHERE session_id = ? ORDER BY ts`,
    ),
    { ts: "int", tokens: "int", cost_usd: "real?" },
    id,
  );
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

/** The notifier's Discord thread for a session, when threads.db maps one. */
export function threadForSession(db: Db, id: string): ThreadLink | null {
  const r = oneRow(
    db.prepare(
      "SELECT channel_id, thread_id, created_at, is_archived FROM threads WHERE session_id = ?",
    ),
    { channel_id: "text?", thread_id: "text?", created_at: "text?", is_archived: "int?" },
    id,
  );
  if (!r) return null;
  return {
    channel_id: maskNullable(r.channel_id),
    thread_id: maskNullable(r.thread_id),
    created_at: r.created_at,
    is_archived: r.is_archived === 1,
  };
}

// Alert reads: the snapshot the rules read (src/domain/alerts/rules.ts) and the alert rows.
// Every snapshot query is bounded and indexed (it runs every second over a database that may
// hold a million events): recent sessions through sessions_last, errors through the partial
// error indexes, running calls through the hourly tool rollup, activity through the minute
// rollup. Statements are prepared once per connection.

import type { StatementSync } from "node:sqlite";
import type { Db } from "../db.ts";
import { allRows, oneRow, type RowOf, RowShapeError } from "../rows.ts";
import { type ActiveBlock, type AlertRow, type AlertState, ErrorKind } from "../../core/types.ts";
import {
  type AlertSettings,
  type AlertSnapshot,
  emptySnapshot,
  type FinishedCall,
  isAlertState,
  openKey,
  type RunningCall,
  type SessionCalls,
  type SessionCost,
  utcDay,
  type WaitingSession,
} from "../../core/alert_types.ts";
import { iso } from "../../core/text.ts";
import { maskSecrets } from "../../core/secrets.ts";
import {
  alertErrorWindowMs,
  alertLookbackMs,
  alertMaxCandidates,
  waitingStaleMs,
} from "../../core/config.ts";

const statements = new WeakMap<Db, Map<string, StatementSync>>();

/** A prepared statement, prepared once per connection (the snapshot runs every second). */
export function cachedStatement(db: Db, sql: string): StatementSync {
  let cache = statements.get(db);
  if (!cache) statements.set(db, cache = new Map());
  let s = cache.get(sql);
  if (!s) cache.set(sql, s = db.prepare(sql));
  return s;
}
const stmt = cachedStatement;

interface CachedCalls {
  /** sessions.events/tool_calls/errors when read: any stored event changes it. */
  marker: string;
  limit: number;
  calls: FinishedCall[];
}

/** The recent finished calls of each failure-streak candidate, per connection. */
const streakCache = new WeakMap<Db, Map<string, CachedCalls>>();

/** Transcript line types that show a conversation moving (as isActivity in write/session_delta.ts). */
const conversationTypes = new Set(["user", "assistant", "system"]);

/** Which source each event type comes from (types never change source), per connection. */
const typeSources = new WeakMap<Db, Map<string, string>>();

/** Reads what the enabled rules need at `now`. */
export function alertSnapshot(
  db: Db,
  settings: AlertSettings,
  now: number,
  activeBlock: ActiveBlock | null = null,
): AlertSnapshot {
  const snap = emptySnapshot(now);
  const on = (id: keyof AlertSettings) => settings[id]?.enabled === true;
  snap.open = new Set(
    allRows(
      stmt(db, "SELECT rule, key FROM alerts WHERE state <> 'cleared'"),
      { rule: "text", key: "text" },
    ).map((r) => openKey(r.rule, r.key)),
  );
  if (on("waiting")) snap.waiting = waitingSessions(db, now);
  if (on("failure_streak")) {
    snap.sessionCalls = failureStreakCandidates(db, settings.failure_streak.threshold, now);
  }
  if (on("error_rate")) snap.recentErrors = recentErrors(db, now);
  if (on("long_tool")) snap.runningCalls = runningCalls(db, settings.long_tool.threshold, now);
  if (on("session_budget")) {
    snap.sessionCosts = sessionCosts(db, settings.session_budget.threshold, now);
  }
  if (on("daily_budget")) snap.dayCost = dayCost(db, now);
  if (on("hooks_silent")) snap.activity = activity(db, settings.hooks_silent.threshold, now);
  if (on("ingest_errors")) {
    snap.ingestErrors =
      oneRow(stmt(db, "SELECT count(*) AS n FROM ingest_errors"), { n: "int" })?.n ?? 0;
  }
  if (on("window_over_limit")) snap.activeBlock = activeBlock;
  return snap;
}

const waitingShape = {
  session_id: "text",
  project: "text?",
  waiting_ts: "int",
  waiting_reason: "text?",
} as const;

/** Sessions waiting for the user (the "waiting" rule). */
function waitingSessions(db: Db, now: number): WaitingSession[] {
  // The SQL twin of the "waiting" status in queries.ts: a Notification/PermissionRequest
  // newer than any activity, no SessionEnd after it, not abandoned. last_ts ≥ waiting_ts,
  // so the sessions_last index bounds the scan to recently active sessions.
  const since = now - waitingStaleMs;
  return allRows(
    stmt(
      db,
      `SELECT session_id, project, waiting_ts, waiting_reason FROM sessions
       WHERE last_ts >= :since AND waiting_ts >= :since AND waiting_ts > activity_ts
         AND NOT (end_ts > 0 AND end_ts >= waiting_ts)
       ORDER BY last_ts DESC LIMIT :cap`,
    ),
    waitingShape,
    { since, cap: alertMaxCandidates },
  );
}

const recentCallShape = {
  id: "int",
  tool_use_id: "text?",
  tool_name: "text",
  status: "text",
  error: "text?",
} as const;
const candidateShape = { session_id: "text", project: "text?", marker: "text" } as const;

/** Recently active sessions with errors whose newest finished call failed (failure_streak). */
function failureStreakCandidates(db: Db, threshold: number, now: number): SessionCalls[] {
  const limit = Math.min(Math.max(Math.ceil(threshold), 20), 1000);
  const recent = stmt(
    db,
    `SELECT id, tool_use_id, tool_name, status, error FROM tool_calls
     WHERE session_id = ? AND status <> 'running'
     ORDER BY start_ts DESC, id DESC LIMIT ?`,
  );
  const sessions = allRows(
    stmt(
      db,
      `SELECT session_id, project, events || '/' || tool_calls || '/' || errors AS marker
       FROM sessions WHERE last_ts >= ? AND errors > 0 ORDER BY last_ts DESC LIMIT ?`,
    ),
    candidateShape,
    now - alertLookbackMs,
    alertMaxCandidates,
  );
  // A session's recent calls change only when it stores events: re-read just those sessions
  // (reading every candidate each second cost ~45 ms at 1,200 busy sessions).
  let cache = streakCache.get(db);
  if (!cache) streakCache.set(db, cache = new Map());
  const next = new Map<string, CachedCalls>();
  const out: SessionCalls[] = [];
  for (const s of sessions) {
    let hit = cache.get(s.session_id);
    if (!hit || hit.marker !== s.marker || hit.limit !== limit) {
      hit = {
        marker: s.marker,
        limit,
        calls: allRows(recent, recentCallShape, s.session_id, limit).map((r): FinishedCall => ({
          key: r.tool_use_id ?? `#${r.id}`,
          tool_name: r.tool_name,
          status: r.status === "error" ? "error" : "ok",
          error: r.error,
        })),
      };
    }
    next.set(s.session_id, hit);
    if (hit.calls[0]?.status === "error") {
      out.push({ session_id: s.session_id, project: s.project, recent: hit.calls });
    }
  }
  streakCache.set(db, next);
  return out;
}

const errorCountShape = { n: "int", last: "int?" } as const;

/** API errors and failed tool calls in the last alertErrorWindowMs (error_rate). */
function recentErrors(db: Db, now: number): AlertSnapshot["recentErrors"] {
  const since = now - alertErrorWindowMs;
  const api = oneRow(
    stmt(
      db,
      `SELECT count(*) AS n, max(id) AS last FROM events
       WHERE error_kind = ${ErrorKind.ApiError} AND ts >= ?`,
    ),
    errorCountShape,
    since,
  );
  const tools = oneRow(
    stmt(
      db,
      "SELECT count(*) AS n, max(id) AS last FROM tool_calls WHERE status = 'error' AND end_ts >= ?",
    ),
    errorCountShape,
    since,
  );
  return {
    count: (api?.n ?? 0) + (tools?.n ?? 0),
    newest: `${api?.last ?? 0}/${tools?.last ?? 0}`,
  };
}

const runningShape = {
  id: "int",
  tool_use_id: "text?",
  session_id: "text",
  tool_name: "text",
  input_summary: "text?",
  start_ts: "int",
  project: "text?",
  end_ts: "int",
  stop_ts: "int",
} as const;

/** Calls running for at least `seconds` within the lookback (long_tool). */
function runningCalls(db: Db, seconds: number, now: number): RunningCall[] {
  // Still-running calls are few but spread over the whole table: the hourly rollup says
  // which tools have any in the window, and (tool_name, status) finds them.
  const lookback = now - alertLookbackMs;
  return allRows(
    stmt(
      db,
      `SELECT t.id, t.tool_use_id, t.session_id, t.tool_name, t.input_summary, t.start_ts,
         s.project, COALESCE(s.end_ts, 0) AS end_ts, COALESCE(s.stop_ts, 0) AS stop_ts
       FROM tool_calls t LEFT JOIN sessions s ON s.session_id = t.session_id
       WHERE t.tool_name IN (SELECT DISTINCT tool FROM rollup_tools WHERE hour >= :hour AND running > 0)
         AND t.status = 'running' AND t.start_ts >= :since AND t.start_ts <= :cut
       ORDER BY t.start_ts LIMIT :cap`,
    ),
    runningShape,
    {
      hour: Math.floor(lookback / 3_600_000) * 3_600_000,
      since: lookback,
      cut: now - seconds * 1000,
      cap: alertMaxCandidates,
    },
  ).map((r) => ({
    key: r.tool_use_id ?? `${r.session_id}/${r.tool_name}/${r.start_ts}`,
    session_id: r.session_id,
    project: r.project,
    tool_name: r.tool_name,
    input_summary: r.input_summary,
    start_ts: r.start_ts,
    session_end_ts: r.end_ts,
    session_stop_ts: r.stop_ts,
  }));
}

const sessionCostShape = {
  session_id: "text",
  project: "text?",
  cost_usd: "real",
  unpriced_messages: "int",
} as const;

/**
 * Recently active sessions that cost more than `budget` (session_budget): Claude Code's reported
 * cost where it wrote one (then never unknown), else the estimate.
 */
function sessionCosts(db: Db, budget: number, now: number): SessionCost[] {
  return allRows(
    stmt(
      db,
      `SELECT session_id, project, COALESCE(reported_cost_usd, cost_usd) AS cost_usd,
         CASE WHEN reported_cost_usd IS NULL THEN unpriced_messages ELSE 0 END AS unpriced_messages
       FROM sessions
       WHERE last_ts >= ? AND COALESCE(reported_cost_usd, cost_usd) > ? ORDER BY last_ts DESC
       LIMIT ?`,
    ),
    sessionCostShape,
    now - alertLookbackMs,
    budget,
    alertMaxCandidates,
  );
}

/** The priced cost of the current UTC day (daily_budget). */
function dayCost(db: Db, now: number): AlertSnapshot["dayCost"] {
  const day = utcDay(now);
  const start = Date.parse(`${day}T00:00:00Z`);
  const r = oneRow(
    stmt(
      db,
      `SELECT COALESCE(sum(cost_usd), 0) AS cost, COALESCE(sum(unpriced), 0) AS unpriced
       FROM rollup_usage WHERE hour >= ? AND hour < ?`,
    ),
    { cost: "real", unpriced: "int" },
    start,
    start + 86_400_000,
  );
  return { day, cost_usd: r?.cost ?? 0, unpriced_messages: r?.unpriced ?? 0 };
}

/** Hook and conversation events within the last `minutes` (hooks_silent). */
function activity(db: Db, minutes: number, now: number): AlertSnapshot["activity"] {
  const out = { hookEvents: 0, transcriptEvents: 0 };
  const since = now - minutes * 60_000;
  const types = allRows(
    stmt(db, "SELECT type, sum(n) AS n FROM rollup_events WHERE minute >= ? GROUP BY type"),
    { type: "text", n: "int" },
    Math.floor(since / 60_000) * 60_000,
  );
  for (const t of types) {
    if (t.n <= 0) continue;
    const source = sourceOfType(db, t.type);
    if (source === "hook") out.hookEvents += t.n;
    // Conversation lines only: summary and snapshot lines carry no time of their own.
    else if (source === "transcript" && conversationTypes.has(t.type)) {
      out.transcriptEvents += t.n;
    }
  }
  return out;
}

function sourceOfType(db: Db, type: string): string | null {
  let known = typeSources.get(db);
  if (!known) typeSources.set(db, known = new Map());
  const hit = known.get(type);
  if (hit) return hit;
  const r = oneRow(
    stmt(db, "SELECT source FROM events WHERE type = ? ORDER BY ts DESC LIMIT 1"),
    { source: "text" },
    type,
  );
  if (r) known.set(type, r.source);
  return r?.source ?? null;
}

const rowColumns =
  "id, rule, session_id, project, first_ts, last_ts, count, message, state, snoozed_until";
const alertShape = {
  id: "int",
  rule: "text",
  session_id: "text?",
  project: "text?",
  first_ts: "int",
  last_ts: "int",
  count: "int",
  message: "text",
  state: "text",
  snoozed_until: "int?",
} as const;

function alertStateOf(s: string): AlertState {
  if (!isAlertState(s)) throw new RowShapeError(`alerts.state ${s} is not an alert state`);
  return s;
}

function toAlert(r: RowOf<typeof alertShape>): AlertRow {
  return {
    id: r.id,
    rule: r.rule,
    session_id: r.session_id,
    project: r.project,
    first_ts: iso(r.first_ts),
    last_ts: iso(r.last_ts),
    count: r.count,
    // Messages quote waiting reasons and tool errors: masked like every text that leaves.
    message: maskSecrets(r.message),
    state: alertStateOf(r.state),
    snoozed_until: r.snoozed_until === null ? null : iso(r.snoozed_until),
  };
}

export interface AlertListQuery {
  state?: AlertState;
  rule?: string;
  /** Alerts last seen at or after this time (epoch ms). */
  since?: number;
  /** Alerts first seen before this time (epoch ms). */
  until?: number;
  limit: number;
  offset?: number;
}

/** The WHERE clause and parameters of a list query (a few fixed shapes, each cached). */
function alertFilter(
  q: AlertListQuery,
): { where: string; params: Record<string, string | number> } {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  if (q.state) {
    parts.push("state = :state");
    params.state = q.state;
  }
  if (q.rule) {
    parts.push("rule = :rule");
    params.rule = q.rule;
  }
  // An alert belongs to a range it overlaps: [first_ts, last_ts] meets [since, until).
  if (q.since !== undefined) {
    parts.push("last_ts >= :since");
    params.since = q.since;
  }
  if (q.until !== undefined) {
    parts.push("first_ts < :until");
    params.until = q.until;
  }
  return { where: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/** Alerts matching the filters, most recently seen first, `limit` from `offset`. */
export function listAlerts(db: Db, q: AlertListQuery): AlertRow[] {
  const f = alertFilter(q);
  return allRows(
    stmt(
      db,
      `SELECT ${rowColumns} FROM alerts ${f.where}
       ORDER BY last_ts DESC, id DESC LIMIT :limit OFFSET :offset`,
    ),
    alertShape,
    { ...f.params, limit: q.limit, offset: q.offset ?? 0 },
  ).map(toAlert);
}

/** How many alerts match the filters (limit and offset aside). */
export function countAlerts(db: Db, q: Omit<AlertListQuery, "limit" | "offset">): number {
  const f = alertFilter({ ...q, limit: 0 });
  return oneRow(stmt(db, `SELECT count(*) AS n FROM alerts ${f.where}`), { n: "int" }, f.params)
    ?.n ?? 0;
}

export function alertById(db: Db, id: number): AlertRow | null {
  const r = oneRow(stmt(db, `SELECT ${rowColumns} FROM alerts WHERE id = ?`), alertShape, id);
  return r ? toAlert(r) : null;
}

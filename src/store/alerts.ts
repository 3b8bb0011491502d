// Alerts in the store: the snapshot the rules read (src/alerts/rules.ts) and the alert rows.
// Every snapshot query is bounded and indexed (it runs every second over a database that may
// hold a million events): recent sessions through sessions_last, errors through the partial
// error indexes, running calls through the hourly tool rollup, activity through the minute
// rollup. reconcile() keeps one open row per (rule, key) while its condition holds.

import type { Db } from "./db.ts";
import { inTransaction } from "./db.ts";
import type { ActiveBlock, AlertRow, AlertState } from "../core/types.ts";
import {
  type AlertCondition,
  type AlertSettings,
  type AlertSnapshot,
  emptySnapshot,
  type FinishedCall,
  openKey,
  utcDay,
} from "../domain/alerts/rules.ts";
import { iso } from "./writes.ts";
import { maskSecrets } from "../core/secrets.ts";
import {
  alertErrorWindowMs,
  alertLookbackMs,
  alertMaxCandidates,
  waitingStaleMs,
} from "../core/config.ts";

type Row = Record<string, unknown>;
type Statement = ReturnType<Db["prepare"]>;

const statements = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement, prepared once per connection (the snapshot runs every second). */
function stmt(db: Db, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, cache = new Map());
  let s = cache.get(sql);
  if (!s) cache.set(sql, s = db.prepare(sql));
  return s;
}

interface CachedCalls {
  /** sessions.events/tool_calls/errors when read: any stored event changes it. */
  marker: string;
  limit: number;
  calls: FinishedCall[];
}

/** The recent finished calls of each failure-streak candidate, per connection. */
const streakCache = new WeakMap<Db, Map<string, CachedCalls>>();

/** Transcript line types that show a conversation moving (as isActivity in writes.ts). */
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
  const lookback = now - alertLookbackMs;
  const cap = alertMaxCandidates;

  snap.open = new Set(
    (stmt(db, "SELECT rule, key FROM alerts WHERE state <> 'cleared'").all() as Array<
      { rule: string; key: string }
    >).map((r) => openKey(r.rule, r.key)),
  );

  if (on("waiting")) {
    // The SQL twin of the "waiting" status in queries.ts: a Notification/PermissionRequest
    // newer than any activity, no SessionEnd after it, not abandoned. last_ts ≥ waiting_ts,
    // so the sessions_last index bounds the scan to recently active sessions.
    const since = now - waitingStaleMs;
    snap.waiting = (stmt(
      db,
      `SELECT session_id, project, waiting_ts, waiting_reason FROM sessions
       WHERE last_ts >= :since AND waiting_ts >= :since AND waiting_ts > activity_ts
         AND NOT (end_ts > 0 AND end_ts >= waiting_ts)
       ORDER BY last_ts DESC LIMIT :cap`,
    ).all({ since, cap }) as Row[]).map((r) => ({
      session_id: r.session_id as string,
      project: r.project as string | null,
      waiting_ts: r.waiting_ts as number,
      waiting_reason: r.waiting_reason as string | null,
    }));
  }

  if (on("failure_streak")) {
    const n = settings.failure_streak.threshold;
    const limit = Math.min(Math.max(Math.ceil(n), 20), 1000);
    const recent = stmt(
      db,
      `SELECT id, tool_use_id, tool_name, status, error FROM tool_calls
       WHERE session_id = ? AND status <> 'running'
       ORDER BY start_ts DESC, id DESC LIMIT ?`,
    );
    const sessions = stmt(
      db,
      `SELECT session_id, project, events || '/' || tool_calls || '/' || errors AS marker
       FROM sessions WHERE last_ts >= ? AND errors > 0 ORDER BY last_ts DESC LIMIT ?`,
    ).all(lookback, cap) as Array<{ session_id: string; project: string | null; marker: string }>;
    // A session's recent calls change only when it stores events: re-read just those sessions
    // (reading every candidate each second cost ~45 ms at 1,200 busy sessions).
    let cache = streakCache.get(db);
    if (!cache) streakCache.set(db, cache = new Map());
    const next = new Map<string, CachedCalls>();
    for (const s of sessions) {
      let hit = cache.get(s.session_id);
      if (!hit || hit.marker !== s.marker || hit.limit !== limit) {
        hit = {
          marker: s.marker,
          limit,
          calls: (recent.all(s.session_id, limit) as Row[]).map((r): FinishedCall => ({
            key: (r.tool_use_id as string | null) ?? `#${r.id}`,
            tool_name: r.tool_name as string,
            status: r.status === "error" ? "error" : "ok",
            error: r.error as string | null,
          })),
        };
      }
      next.set(s.session_id, hit);
      if (hit.calls[0]?.status === "error") {
        snap.sessionCalls.push({ session_id: s.session_id, project: s.project, recent: hit.calls });
      }
    }
    streakCache.set(db, next);
  }

  if (on("error_rate")) {
    const since = now - alertErrorWindowMs;
    const api = stmt(
      db,
      "SELECT count(*) AS n, max(id) AS last FROM events WHERE error_kind = 1 AND ts >= ?",
    ).get(since) as { n: number; last: number | null };
    const tools = stmt(
      db,
      "SELECT count(*) AS n, max(id) AS last FROM tool_calls WHERE status = 'error' AND end_ts >= ?",
    ).get(since) as { n: number; last: number | null };
    snap.recentErrors = { count: api.n + tools.n, newest: `${api.last ?? 0}/${tools.last ?? 0}` };
  }

  if (on("long_tool")) {
    // Still-running calls are few but spread over the whole table: the hourly rollup says
    // which tools have any in the window, and (tool_name, status) finds them.
    const cut = now - settings.long_tool.threshold * 1000;
    snap.runningCalls = (stmt(
      db,
      `SELECT t.id, t.tool_use_id, t.session_id, t.tool_name, t.input_summary, t.start_ts,
         s.project, COALESCE(s.end_ts, 0) AS end_ts, COALESCE(s.stop_ts, 0) AS stop_ts
       FROM tool_calls t LEFT JOIN sessions s ON s.session_id = t.session_id
       WHERE t.tool_name IN (SELECT DISTINCT tool FROM rollup_tools WHERE hour >= :hour AND running > 0)
         AND t.status = 'running' AND t.start_ts >= :since AND t.start_ts <= :cut
       ORDER BY t.start_ts LIMIT :cap`,
    ).all({
      hour: Math.floor(lookback / 3_600_000) * 3_600_000,
      since: lookback,
      cut,
      cap,
    }) as Row[]).map((r) => ({
      key: (r.tool_use_id as string | null) ??
        `${r.session_id}/${r.tool_name}/${r.start_ts}`,
      session_id: r.session_id as string,
      project: r.project as string | null,
      tool_name: r.tool_name as string,
      input_summary: r.input_summary as string | null,
      start_ts: r.start_ts as number,
      session_end_ts: r.end_ts as number,
      session_stop_ts: r.stop_ts as number,
    }));
  }

  if (on("session_budget")) {
    snap.sessionCosts = (stmt(
      db,
      `SELECT session_id, project, cost_usd, unpriced_messages FROM sessions
       WHERE last_ts >= ? AND cost_usd > ? ORDER BY last_ts DESC LIMIT ?`,
    ).all(lookback, settings.session_budget.threshold, cap) as Row[]).map((r) => ({
      session_id: r.session_id as string,
      project: r.project as string | null,
      cost_usd: r.cost_usd as number,
      unpriced_messages: r.unpriced_messages as number,
    }));
  }

  if (on("daily_budget")) {
    const day = utcDay(now);
    const start = Date.parse(`${day}T00:00:00Z`);
    const r = stmt(
      db,
      `SELECT COALESCE(sum(cost_usd), 0) AS cost, COALESCE(sum(unpriced), 0) AS unpriced
       FROM rollup_usage WHERE hour >= ? AND hour < ?`,
    ).get(start, start + 86_400_000) as { cost: number; unpriced: number };
    snap.dayCost = { day, cost_usd: r.cost, unpriced_messages: r.unpriced };
  }

  if (on("hooks_silent")) {
    const since = now - settings.hooks_silent.threshold * 60_000;
    const types = stmt(
      db,
      "SELECT type, sum(n) AS n FROM rollup_events WHERE minute >= ? GROUP BY type",
    ).all(Math.floor(since / 60_000) * 60_000) as Array<{ type: string; n: number }>;
    for (const t of types) {
      if (t.n <= 0) continue;
      const source = sourceOfType(db, t.type);
      if (source === "hook") snap.activity.hookEvents += t.n;
      // Conversation lines only: summary and snapshot lines carry no time of their own.
      else if (source === "transcript" && conversationTypes.has(t.type)) {
        snap.activity.transcriptEvents += t.n;
      }
    }
  }

  if (on("ingest_errors")) {
    snap.ingestErrors = (stmt(db, "SELECT count(*) AS n FROM ingest_errors").get() as {
      n: number;
    }).n;
  }

  if (on("window_over_limit")) snap.activeBlock = activeBlock;
  return snap;
}

function sourceOfType(db: Db, type: string): string | null {
  let known = typeSources.get(db);
  if (!known) typeSources.set(db, known = new Map());
  const hit = known.get(type);
  if (hit) return hit;
  const r = stmt(db, "SELECT source FROM events WHERE type = ? ORDER BY ts DESC LIMIT 1").get(
    type,
  ) as { source: string } | undefined;
  if (r) known.set(type, r.source);
  return r?.source ?? null;
}

const rowColumns =
  "id, rule, session_id, project, first_ts, last_ts, count, message, state, snoozed_until";

function toAlert(r: Row): AlertRow {
  return {
    id: r.id as number,
    rule: r.rule as string,
    session_id: r.session_id as string | null,
    project: r.project as string | null,
    first_ts: iso(r.first_ts as number),
    last_ts: iso(r.last_ts as number),
    count: r.count as number,
    // Messages quote waiting reasons and tool errors: masked like every text that leaves.
    message: maskSecrets(r.message as string),
    state: r.state as AlertState,
    snoozed_until: r.snoozed_until == null ? null : iso(r.snoozed_until as number),
  };
}

interface OpenRow {
  id: number;
  rule: string;
  key: string;
  state: AlertState;
  evidence: string | null;
  snoozed_until: number | null;
  project: string | null;
}

/**
 * Brings the alert rows in line with the conditions that hold at `now`: a new condition opens
 * an active row; one still holding with new evidence counts up and takes the new message; one
 * that stopped holding is cleared. Acknowledged rows stay acknowledged until they clear.
 * Expired snoozes are lifted. Returns the rows that changed (not those only seen again).
 */
export function reconcile(db: Db, conditions: AlertCondition[], now: number): AlertRow[] {
  const open = new Map<string, OpenRow>();
  for (
    const r of stmt(
      db,
      "SELECT id, rule, key, state, evidence, snoozed_until, project FROM alerts WHERE state <> 'cleared'",
    ).all() as unknown as OpenRow[]
  ) open.set(openKey(r.rule, r.key), r);
  // The usual tick: nothing holds and nothing is open, so no write transaction at all. (This
  // connection is the only writer and JavaScript runs one thing at a time: what was read
  // here is still true inside the transaction.)
  if (open.size === 0 && conditions.length === 0) return [];
  return inTransaction(db, () => {
    const changed: number[] = [];
    const seen = new Set<string>();
    for (const c of conditions) {
      const k = openKey(c.rule, c.key);
      if (seen.has(k)) continue;
      seen.add(k);
      const row = open.get(k);
      if (!row) {
        const { id } = stmt(
          db,
          `INSERT INTO alerts(rule, key, session_id, project, first_ts, last_ts, count, message,
             state, evidence) VALUES (?, ?, ?, ?, ?, ?, 1, ?, 'active', ?) RETURNING id`,
        ).get(c.rule, c.key, c.session_id, c.project, now, now, c.message, c.evidence) as {
          id: number;
        };
        changed.push(id);
        continue;
      }
      const snoozeOver = row.snoozed_until !== null && row.snoozed_until <= now;
      if (row.evidence !== c.evidence) {
        stmt(
          db,
          `UPDATE alerts SET count = count + 1, last_ts = ?, message = ?, evidence = ?,
             project = COALESCE(?, project) WHERE id = ?`,
        ).run(now, c.message, c.evidence, c.project, row.id);
        changed.push(row.id);
      } else {
        stmt(db, "UPDATE alerts SET last_ts = ? WHERE id = ?").run(now, row.id);
      }
      if (snoozeOver) {
        stmt(db, "UPDATE alerts SET snoozed_until = NULL WHERE id = ?").run(row.id);
        if (changed[changed.length - 1] !== row.id) changed.push(row.id);
      }
    }
    for (const [k, row] of open) {
      if (seen.has(k)) continue;
      stmt(db, "UPDATE alerts SET state = 'cleared', cleared_ts = ? WHERE id = ?").run(now, row.id);
      changed.push(row.id);
    }
    return changed.map((id) => alertById(db, id)!);
  });
}

export interface AlertListQuery {
  state?: AlertState;
  limit: number;
}

/** Alerts, most recently seen first. */
export function listAlerts(db: Db, q: AlertListQuery): AlertRow[] {
  const rows = q.state
    ? stmt(
      db,
      `SELECT ${rowColumns} FROM alerts WHERE state = ? ORDER BY last_ts DESC, id DESC LIMIT ?`,
    ).all(q.state, q.limit)
    : stmt(db, `SELECT ${rowColumns} FROM alerts ORDER BY last_ts DESC, id DESC LIMIT ?`).all(
      q.limit,
    );
  return (rows as Row[]).map(toAlert);
}

export function alertById(db: Db, id: number): AlertRow | null {
  const r = stmt(db, `SELECT ${rowColumns} FROM alerts WHERE id = ?`).get(id) as Row | undefined;
  return r ? toAlert(r) : null;
}

/** Acknowledges an active alert (others are left as they are); null when there is no such id. */
export function ackAlert(db: Db, id: number, now = Date.now()): AlertRow | null {
  stmt(
    db,
    "UPDATE alerts SET state = 'acknowledged', acked_ts = ? WHERE id = ? AND state = 'active'",
  )
    .run(now, id);
  return alertById(db, id);
}

/** Hides an open alert from the banner for `minutes`; null when there is no such id. */
export function snoozeAlert(
  db: Db,
  id: number,
  minutes: number,
  now = Date.now(),
): AlertRow | null {
  stmt(db, "UPDATE alerts SET snoozed_until = ? WHERE id = ? AND state <> 'cleared'").run(
    now + Math.round(minutes * 60_000),
    id,
  );
  return alertById(db, id);
}

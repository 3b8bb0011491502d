// Reads of what Claude Code's telemetry reported (otlp_records): per tool call its decision and
// its own duration, per session its API requests and errors and its code metrics, and the code
// metrics per UTC day. Metric sums count delta points as they are, and cumulative series by the
// largest value per series and start time (a cumulative point repeats what came before).

import type { ToolCallRow } from "../../core/types.ts";
import type { CodeMetrics } from "../../core/otlp_types.ts";
import type { Db } from "../db.ts";
import { allRows, oneRow } from "../rows.ts";
import { iso } from "../../core/text.ts";
import { maskSecrets } from "../../core/secrets.ts";

/** Claude Code's word on one tool call (null: no telemetry for it). */
export interface ToolTelemetry {
  /** `accept` or `reject` (tool_decision). */
  decision: string | null;
  /** Where the decision came from: config, user_temporary, user_permanent, hook, … */
  decision_source: string | null;
  /** tool_result duration_ms: how long Claude Code says the tool ran. */
  reported_duration_ms: number | null;
  reported_success: boolean | null;
}

/** One API error as Claude Code reported it. */
export interface ApiErrorRow {
  ts: string;
  status_code: string | null;
  error: string | null;
  attempt: number | null;
  duration_ms: number | null;
  model: string | null;
}

/** What a session's telemetry says, or null when none arrived for it. */
export interface SessionTelemetry {
  api_requests: number;
  /** Sum of api_request duration_ms. */
  api_duration_ms: number;
  /** Mean time to first token over the requests that report one. */
  ttft_ms_avg: number | null;
  api_errors: number;
  /** The latest API errors, newest first (attempt > 1: a retry that failed again). */
  recent_api_errors: ApiErrorRow[];
  tool_decisions: { accept: number; reject: number };
  code: CodeMetrics;
}

const codeNames = {
  lines: "claude_code.lines_of_code.count",
  commits: "claude_code.commit.count",
  prs: "claude_code.pull_request.count",
};
const recentApiErrors = 20;

const toolShape = {
  tool_use_id: "text",
  decision: "text?",
  decision_source: "text?",
  duration_ms: "real?",
  success: "int?",
} as const;

/** Decision and reported duration of each of a session's tool calls, by tool_use_id. */
export function toolTelemetry(db: Db, sessionId: string): Map<string, ToolTelemetry> {
  const rows = allRows(
    db.prepare(
      `SELECT tool_use_id,
         max(CASE WHEN name = 'tool_decision' THEN attrs ->> '$.decision' END) AS decision,
         max(CASE WHEN name = 'tool_decision' THEN attrs ->> '$.source' END) AS decision_source,
         max(CASE WHEN name = 'tool_result' THEN CAST(attrs ->> '$.duration_ms' AS REAL) END)
           AS duration_ms,
         max(CASE WHEN name = 'tool_result' THEN CASE attrs ->> '$.success'
           WHEN 'true' THEN 1 WHEN 1 THEN 1 WHEN 'false' THEN 0 WHEN 0 THEN 0 END END) AS success
       FROM otlp_records
       WHERE session_id = ? AND tool_use_id IS NOT NULL AND name IN ('tool_decision', 'tool_result')
       GROUP BY tool_use_id`,
    ),
    toolShape,
    sessionId,
  );
  return new Map(rows.map((r) => [r.tool_use_id, {
    decision: r.decision,
    decision_source: r.decision_source,
    reported_duration_ms: r.duration_ms,
    reported_success: r.success === null ? null : r.success === 1,
  }]));
}

const noTelemetry: ToolTelemetry = {
  decision: null,
  decision_source: null,
  reported_duration_ms: null,
  reported_success: null,
};

/** Tool call rows with Claude Code's decision and reported duration beside each. */
export function withToolTelemetry(
  rows: ToolCallRow[],
  byId: Map<string, ToolTelemetry>,
): Array<ToolCallRow & ToolTelemetry> {
  return rows.map((r) => ({
    ...r,
    ...((r.tool_use_id && byId.get(r.tool_use_id)) || noTelemetry),
  }));
}

const apiShape = {
  requests: "int",
  duration_ms: "real",
  ttft: "real?",
  errors: "int",
  accept: "int",
  reject: "int",
} as const;

const errorShape = {
  ts: "int",
  status_code: "text?",
  error: "text?",
  attempt: "real?",
  duration_ms: "real?",
  model: "text?",
} as const;

/** A session's API requests, errors, tool decisions and code metrics from telemetry. */
export function sessionTelemetry(db: Db, sessionId: string): SessionTelemetry | null {
  const api = oneRow(
    db.prepare(
      `SELECT count(*) FILTER (WHERE name = 'api_request') AS requests,
         COALESCE(sum(CAST(attrs ->> '$.duration_ms' AS REAL)) FILTER (WHERE name = 'api_request'), 0)
           AS duration_ms,
         avg(CAST(attrs ->> '$.ttft_ms' AS REAL)) FILTER (WHERE name = 'api_request') AS ttft,
         count(*) FILTER (WHERE name = 'api_error') AS errors,
         count(*) FILTER (WHERE name = 'tool_decision' AND attrs ->> '$.decision' = 'accept') AS accept,
         count(*) FILTER (WHERE name = 'tool_decision' AND attrs ->> '$.decision' = 'reject') AS reject,
         count(*) AS n
       FROM otlp_records WHERE session_id = ?`,
    ),
    { ...apiShape, n: "int" },
    sessionId,
  );
  if (!api || api.n === 0) return null;
  const errors = allRows(
    db.prepare(
      `SELECT ts, CAST(attrs ->> '$.status_code' AS TEXT) AS status_code, attrs ->> '$.error' AS error,
         CAST(attrs ->> '$.attempt' AS REAL) AS attempt,
         CAST(attrs ->> '$.duration_ms' AS REAL) AS duration_ms, attrs ->> '$.model' AS model
       FROM otlp_records WHERE session_id = ? AND name = 'api_error' ORDER BY ts DESC, id DESC LIMIT ?`,
    ),
    errorShape,
    sessionId,
    recentApiErrors,
  );
  return {
    api_requests: api.requests,
    api_duration_ms: api.duration_ms,
    ttft_ms_avg: api.ttft === null ? null : Math.round(api.ttft),
    api_errors: api.errors,
    recent_api_errors: errors.map((e) => ({
      ...e,
      ts: iso(e.ts),
      error: e.error === null ? null : maskSecrets(e.error),
    })),
    tool_decisions: { accept: api.accept, reject: api.reject },
    code: codeMetrics(db, "session_id = ?", [sessionId]).get("") ?? emptyCode(),
  };
}

/** Code metrics per UTC day (YYYY-MM-DD) over [since, until), oldest first. */
export function codeMetricsByDay(
  db: Db,
  since: number,
  until: number,
): Array<{ day: string } & CodeMetrics> {
  const days = codeMetrics(db, "ts >= ? AND ts < ?", [since, until], true);
  return [...days].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([day, m]) => ({ day, ...m }));
}

const emptyCode = (): CodeMetrics => ({
  lines_added: 0,
  lines_removed: 0,
  commits: 0,
  pull_requests: 0,
});

const metricShape = { day: "text", name: "text", type: "text?", value: "real" } as const;

/** Code metric sums matching `where`, per UTC day (or all under "" when `byDay` is false). */
function codeMetrics(
  db: Db,
  where: string,
  params: Array<string | number>,
  byDay = false,
): Map<string, CodeMetrics> {
  const day = byDay ? "strftime('%Y-%m-%d', ts / 1000, 'unixepoch')" : "''";
  const rows = allRows(
    db.prepare(
      `WITH pts AS (
         SELECT ${day} AS day, name, attrs ->> '$.type' AS type, attrs, start_ts, temporality, value
         FROM otlp_records
         WHERE kind = 'metric' AND name IN (?, ?, ?) AND ${where}
       )
       SELECT day, name, type, sum(value) AS value FROM (
         SELECT day, name, type, value FROM pts WHERE temporality <> 2
         UNION ALL
         SELECT day, name, type, max(value) FROM pts WHERE temporality = 2
           GROUP BY day, name, attrs, start_ts
       ) GROUP BY day, name, type`,
    ),
    metricShape,
    codeNames.lines,
    codeNames.commits,
    codeNames.prs,
    ...params,
  );
  const out = new Map<string, CodeMetrics>();
  for (const r of rows) {
    let m = out.get(r.day);
    if (!m) out.set(r.day, m = emptyCode());
    if (r.name === codeNames.lines && r.type === "added") m.lines_added += r.value;
    else if (r.name === codeNames.lines && r.type === "removed") m.lines_removed += r.value;
    else if (r.name === codeNames.commits) m.commits += r.value;
    else if (r.name === codeNames.prs) m.pull_requests += r.value;
  }
  return out;
}

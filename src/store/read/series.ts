// Time series for charts: one metric per UTC bucket over a range, one series per key of a
// split (type, tool, model or project), zero-filled and capped at maxSeriesKeys series. Events
// and tool calls come from the rollups where the bucket allows, the rest from the indexes.

import { maxSeriesBuckets, maxSeriesKeys } from "../../core/config.ts";
import { BadRequest } from "../../core/errors.ts";
import { iso } from "../../core/text.ts";
import { ErrorKind } from "../../core/types.ts";
import type { Db } from "../db.ts";
import { allRows, type RowOf } from "../rows.ts";
import { dayMs, hourMs, minuteMs, noneKey, otherKey, round6 } from "./time_range.ts";

export type Metric = "events" | "tool_calls" | "errors" | "tokens" | "cost";
export type Bucket = "minute" | "hour" | "day";
export type SeriesBy = "type" | "tool" | "model" | "project";
export const metrics: readonly Metric[] = ["events", "tool_calls", "errors", "tokens", "cost"];
export const buckets: Record<Bucket, number> = { minute: minuteMs, hour: hourMs, day: dayMs };
export const seriesBys: readonly SeriesBy[] = ["type", "tool", "model", "project"];

/** Which `by` each metric can be split by (type of tokens = input/output/cache_*). */
const tokenTypes = ["input", "output", "cache_creation", "cache_read"] as const;

const allowedBy: Record<Metric, readonly SeriesBy[]> = {
  events: ["type", "tool", "project"],
  tool_calls: ["tool", "project"],
  errors: ["type", "tool", "project"],
  tokens: ["type", "model", "project"],
  cost: ["model", "project"],
};

export interface Series {
  key: string;
  points: Array<[string, number]>;
}

export interface SeriesResult {
  metric: Metric;
  bucket: Bucket;
  by: SeriesBy | null;
  /** The range actually covered: since rounded down, until rounded up to whole buckets. */
  since: string;
  until: string;
  series: Series[];
  /** cost only: messages in the range whose model has no known price (not in the values). */
  unpriced_messages?: number;
}

/** A row of seriesSql: series key, bucket index, value, unpriced messages. */
const seriesRowShape = { k: "text?", bi: "int", v: "real?", u: "int?" } as const;
type SeriesRow = RowOf<typeof seriesRowShape>;
/** A row of seriesSql for tokens by type: one sum per token type. */
const tokenTypeShape = {
  bi: "int",
  input: "int?",
  output: "int?",
  cache_creation: "int?",
  cache_read: "int?",
} as const;

/**
 * SQL giving rows (k = series key, bi = bucket index, v = value, u = unpriced messages) of one
 * metric. For by=project the inner query keys rows by session and is wrapped to sum them per
 * project, so each session's project is looked up once.
 */
function seriesSql(metric: Metric, by: SeriesBy | null, b: number): string {
  // The divisor is inlined as an integer literal: a bound JS number is a REAL in SQLite, which
  // would turn the bucket index into a fraction.
  if (!Number.isSafeInteger(b)) throw new Error(`bucket size ${b} is not an integer`);
  const project = by === "project";
  const perProject = (inner: string) =>
    `SELECT COALESCE(s.project, '') AS k, g.bi AS bi, sum(g.v) AS v, sum(g.u) AS u
     FROM (${inner}) AS g LEFT JOIN sessions AS s ON s.session_id = g.k GROUP BY 1, 2`;
  switch (metric) {
    case "events": {
      if (!project) {
        const k = by === "type" ? "type" : by === "tool" ? "tool" : "''";
        const [table, t] = b >= hourMs
          ? ["rollup_event_hours", "hour"]
          : ["rollup_events", "minute"];
        return `SELECT ${k} AS k, ${t} / ${b} AS bi, sum(n) AS v, 0 AS u FROM ${table}
          WHERE ${t} >= :from AND ${t} < :to GROUP BY 1, 2`;
      }
      if (b >= hourMs) {
        return perProject(`SELECT session_id AS k, hour / ${b} AS bi, sum(n) AS v, 0 AS u
          FROM rollup_session_hours WHERE hour >= :from AND hour < :to GROUP BY 1, 2`);
      }
      // Minute buckets per project: each active session's events from (session_id, ts).
      return perProject(`SELECT session_id AS k, ts / ${b} AS bi, count(*) AS v, 0 AS u
        FROM events WHERE session_id IN (
          SELECT session_id FROM sessions WHERE last_ts >= :from AND first_ts < :to)
          AND ts >= :from AND ts < :to AND bookkeeping = 0 GROUP BY 1, 2`);
    }
    case "tool_calls": {
      if (!project && b >= hourMs) {
        return `SELECT ${by === "tool" ? "tool" : "''"} AS k, hour / ${b} AS bi,
            sum(calls) AS v, 0 AS u FROM rollup_tools
          WHERE hour >= :from AND hour < :to GROUP BY 1, 2`;
      }
      const k = by === "tool" ? "tool_name" : project ? "session_id" : "''";
      const sql = `SELECT ${k} AS k, COALESCE(start_ts, end_ts) / ${b} AS bi, count(*) AS v,
          0 AS u FROM tool_calls INDEXED BY tool_calls_time
        WHERE COALESCE(start_ts, end_ts) >= :from AND COALESCE(start_ts, end_ts) < :to
        GROUP BY 1, 2`;
      return project ? perProject(sql) : sql;
    }
    case "errors": {
      const kt = by === "type"
        ? "'tool_failure'"
        : by === "tool"
        ? "tool_name"
        : project
        ? "session_id"
        : "''";
      const ka = by === "type" ? "'api_error'" : project ? "session_id" : "''";
      const sql = `SELECT k, bi, sum(v) AS v, 0 AS u FROM (
          SELECT ${kt} AS k, end_ts / ${b} AS bi, count(*) AS v
          FROM tool_calls INDEXED BY tool_calls_failed
          WHERE status = 'error' AND end_ts >= :from AND end_ts < :to GROUP BY 1, 2
          UNION ALL
          SELECT ${ka} AS k, ts / ${b} AS bi, count(*) AS v FROM events INDEXED BY events_api_errors
          WHERE error_kind = ${ErrorKind.ApiError} AND ts >= :from AND ts < :to GROUP BY 1, 2
        ) GROUP BY 1, 2`;
      return project ? perProject(sql) : sql;
    }
    case "tokens":
    case "cost": {
      const src = b >= hourMs
        ? `SELECT hour AS t, session_id, model, input_tokens, output_tokens, cache_creation_tokens,
             cache_read_tokens, cost_usd, unpriced FROM rollup_usage WHERE hour >= :from AND hour < :to`
        : `SELECT ts AS t, session_id, COALESCE(model, '') AS model, input_tokens, output_tokens,
             cache_creation_tokens, cache_read_tokens, COALESCE(cost_usd, 0) AS cost_usd,
             cost_usd IS NULL AS unpriced FROM messages INDEXED BY messages_ts_usage
           WHERE ts >= :from AND ts < :to`;
      if (metric === "tokens" && by === "type") {
        // One pass; timeseries() turns each row into one value per token type.
        return `SELECT t / ${b} AS bi, ${
          tokenTypes.map((t) => `sum(${t}_tokens) AS ${t}`).join(", ")
        }, 0 AS u FROM (${src}) GROUP BY 1`;
      }
      const k = by === "model" ? "model" : project ? "session_id" : "''";
      const value = metric === "tokens"
        ? "sum(input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens)"
        : "sum(cost_usd)";
      const sql = `SELECT ${k} AS k, t / ${b} AS bi, ${value} AS v, sum(unpriced) AS u
        FROM (${src}) GROUP BY 1, 2`;
      return project ? perProject(sql) : sql;
    }
  }
}

/**
 * One chart's data: `metric` per bucket in [since, until) (widened to whole UTC buckets), one
 * series per key of `by` (or one series "total"), zero-filled. At most maxSeriesKeys series:
 * the smallest keys beyond that are summed into "(other)". Throws BadRequest for a range of
 * more than maxSeriesBuckets buckets or a `by` the metric has no meaning for.
 */
export function timeseries(
  db: Db,
  q: { metric: Metric; bucket: Bucket; since: number; until: number; by?: SeriesBy | null },
): SeriesResult {
  const by = q.by ?? null;
  if (!Object.hasOwn(allowedBy, q.metric)) {
    throw new BadRequest(`metric must be one of ${metrics.join(", ")}; got "${q.metric}"`);
  }
  if (!Object.hasOwn(buckets, q.bucket)) {
    throw new BadRequest(`bucket must be one of minute, hour, day; got "${q.bucket}"`);
  }
  if (by !== null && !allowedBy[q.metric].includes(by)) {
    throw new BadRequest(
      `by=${by} does not apply to ${q.metric}; use one of ${allowedBy[q.metric].join(", ")}`,
    );
  }
  const b = buckets[q.bucket];
  if (!(q.until > q.since)) throw new BadRequest("until must be after since");
  const from = Math.floor(q.since / b) * b;
  const to = Math.ceil(q.until / b) * b;
  const n = (to - from) / b;
  if (n > maxSeriesBuckets) {
    throw new BadRequest(
      `${n} ${q.bucket} buckets requested; at most ${maxSeriesBuckets}: use a larger bucket or a shorter range`,
    );
  }
  const stmt = db.prepare(seriesSql(q.metric, by, b));
  const rows: SeriesRow[] = q.metric === "tokens" && by === "type"
    ? allRows(stmt, tokenTypeShape, { from, to }).flatMap((r) =>
      tokenTypes.map((k): SeriesRow => ({ k, bi: r.bi, v: r[k], u: null }))
    )
    : allRows(stmt, seriesRowShape, { from, to });
  const unpriced = rows.reduce((sum, r) => sum + (r.u ?? 0), 0);
  const first = from / b;
  const byKey = new Map<string, Float64Array>();
  for (const r of rows) {
    const key = r.k === null || r.k === "" ? (by === null ? "total" : noneKey) : r.k;
    let values = byKey.get(key);
    if (!values) byKey.set(key, values = new Float64Array(n));
    const i = r.bi - first;
    if (i >= 0 && i < n) values[i] += r.v ?? 0;
  }
  let entries = [...byKey].map(([key, values]) => ({
    key,
    values,
    total: values.reduce((a, v) => a + v, 0),
  }));
  entries.sort((a, c) => c.total - a.total || (a.key < c.key ? -1 : 1));
  if (entries.length > maxSeriesKeys) {
    const rest = entries.slice(maxSeriesKeys - 1);
    const other = new Float64Array(n);
    for (const e of rest) for (let i = 0; i < n; i++) other[i] += e.values[i];
    entries = [
      ...entries.slice(0, maxSeriesKeys - 1),
      { key: otherKey, values: other, total: 0 },
    ];
  }
  const round = q.metric === "cost" ? round6 : (v: number) => v;
  const stamps = Array.from({ length: n }, (_, i) => iso(from + i * b));
  const result: SeriesResult = {
    metric: q.metric,
    bucket: q.bucket,
    by,
    since: iso(from),
    until: iso(to),
    series: entries.map((e) => ({
      key: e.key,
      points: stamps.map((t, i): [string, number] => [t, round(e.values[i])]),
    })),
  };
  if (q.metric === "cost") result.unpriced_messages = unpriced;
  return result;
}

//

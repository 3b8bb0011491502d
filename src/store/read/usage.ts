// Token usage and cost over a time range, grouped by day, hour, model, project or session.
// Usage counts deduplicated assistant messages (table `messages`: one row per message id +
// request id, its largest streaming snapshot; src/store/write/messages.ts). cost_usd is null
// whenever a row includes a message of a model without a known price (and no reported cost):
// its tokens are counted, its cost is unknown (never 0); priced_cost_usd then holds the part
// that is known. A message's cost is Claude
// Code's own (its share of a session's reported cost, src/store/write/cost_spread.ts) where a
// cost-state covers it, else the price table's estimate; each row says how much is which.

import { BadRequest } from "../../core/errors.ts";
import { type UsageCostSource, usageCostSource } from "../../core/types.ts";
import { iso } from "../../core/text.ts";
import type { Db } from "../db.ts";
import { allRows, type RowOf } from "../rows.ts";
import {
  dayMs,
  hourMs,
  noneKey,
  round6,
  splitRange,
  type SqlValue,
  type TimeRangeMs,
} from "./time_range.ts";

export type UsageGroup = "day" | "hour" | "model" | "project" | "session";
export const usageGroups: readonly UsageGroup[] = ["day", "hour", "model", "project", "session"];

export interface UsageRow {
  /** Day "YYYY-MM-DD", hour start (ISO), model, project or session id; "(none)" when unknown. */
  key: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  /** Deduplicated assistant messages. */
  messages: number;
  /** null when some message in this row has no known price. */
  cost_usd: number | null;
  /** Cost of the priced messages only. */
  priced_cost_usd: number;
  /** Messages whose model has no known price. */
  unpriced_messages: number;
}

/** A usage row as served: with how much of its cost Claude Code reported. */
export interface UsageRowWithSource extends UsageRow {
  /** Messages whose cost Claude Code reported, and that part of the cost. */
  reported_messages: number;
  cost_reported_usd: number;
  /** "reported" by Claude Code, "estimated" from prices, or "mixed" (partly estimated). */
  cost_source: UsageCostSource;
}

/** The columns of usageSums (NULL when no message is summed). */
export const usageSumsShape = {
  messages: "int?",
  input_tokens: "int?",
  output_tokens: "int?",
  cache_creation_tokens: "int?",
  cache_read_tokens: "int?",
  cost_usd: "real?",
  unpriced: "int?",
  reported: "int?",
  cost_reported_usd: "real?",
} as const;
export type UsageSums = RowOf<typeof usageSumsShape>;

/**
 * Deduplicated message usage in a range as rows (t, session_id, model, sums…): whole hours from
 * rollup_usage, the partial hours at the edges from messages (index messages_ts_usage).
 */
export function usageSource(range: TimeRangeMs, params: Record<string, SqlValue>): string {
  const { full, edges } = splitRange(range, hourMs);
  const parts: string[] = [];
  if (full) {
    params.uf = full[0];
    params.ut = full[1];
    parts.push(`SELECT hour AS t, session_id, model, messages, input_tokens, output_tokens,
      cache_creation_tokens, cache_read_tokens, cost_usd, unpriced, reported, cost_reported_usd
      FROM rollup_usage WHERE hour >= :uf AND hour < :ut`);
  }
  edges.forEach(([from, to], i) => {
    params[`ef${i}`] = from;
    params[`et${i}`] = to;
    parts.push(`SELECT ts AS t, session_id, COALESCE(model, '') AS model, 1 AS messages,
      input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,
      COALESCE(cost_usd, 0) AS cost_usd, cost_usd IS NULL AS unpriced, cost_reported AS reported,
      CASE WHEN cost_reported THEN COALESCE(cost_usd, 0) ELSE 0.0 END AS cost_reported_usd
      FROM messages WHERE ts >= :ef${i} AND ts < :et${i}`);
  });
  if (parts.length === 0) {
    return `SELECT 0 AS t, '' AS session_id, '' AS model, 0 AS messages, 0 AS input_tokens,
      0 AS output_tokens, 0 AS cache_creation_tokens, 0 AS cache_read_tokens, 0.0 AS cost_usd,
      0 AS unpriced, 0 AS reported, 0.0 AS cost_reported_usd WHERE 0`;
  }
  return parts.join(" UNION ALL ");
}

const usageSumsOf = (t: string) =>
  `sum(${t}messages) AS messages, sum(${t}input_tokens) AS input_tokens,
  sum(${t}output_tokens) AS output_tokens, sum(${t}cache_creation_tokens) AS cache_creation_tokens,
  sum(${t}cache_read_tokens) AS cache_read_tokens, sum(${t}cost_usd) AS cost_usd,
  sum(${t}unpriced) AS unpriced, sum(${t}reported) AS reported,
  sum(${t}cost_reported_usd) AS cost_reported_usd`;
/** The sums of usageSource's rows, as the columns of usageSumsShape. */
export const usageSums = usageSumsOf("");

/** A usage row from sums (missing sums count as 0). */
export function toUsageRow(key: string, r: Partial<UsageSums>): UsageRowWithSource {
  const unpriced = r.unpriced ?? 0;
  const priced = round6(r.cost_usd ?? 0);
  const messages = r.messages ?? 0;
  const reported = r.reported ?? 0;
  return {
    key,
    input_tokens: r.input_tokens ?? 0,
    output_tokens: r.output_tokens ?? 0,
    cache_creation_tokens: r.cache_creation_tokens ?? 0,
    cache_read_tokens: r.cache_read_tokens ?? 0,
    messages,
    cost_usd: unpriced > 0 ? null : priced,
    priced_cost_usd: priced,
    unpriced_messages: unpriced,
    reported_messages: reported,
    cost_reported_usd: round6(r.cost_reported_usd ?? 0),
    cost_source: usageCostSource(messages, reported),
  };
}

const timeKeyShape = { k: "int", ...usageSumsShape } as const;
const nameKeyShape = { k: "text?", ...usageSumsShape } as const;

/**
 * Token usage and cost grouped by day, hour, model, project or session. Time groups come in
 * time order; the others by total tokens, largest first.
 */
export function usageBy(db: Db, group: UsageGroup, range: TimeRangeMs): UsageRowWithSource[] {
  const params: Record<string, SqlValue> = {};
  const src = usageSource(range, params);
  switch (group) {
    case "day":
    case "hour": {
      const unit = group === "day" ? dayMs : hourMs;
      // Integer literals: node:sqlite binds JS numbers as REAL, and a REAL divisor would make
      // this a fractional division.
      const sql = `SELECT t / ${unit} AS k, ${usageSums} FROM (${src}) GROUP BY k ORDER BY k`;
      return allRows(db.prepare(sql), timeKeyShape, params).map((r) => {
        const start = iso(r.k * unit);
        return toUsageRow(group === "day" ? start.slice(0, 10) : start, r);
      });
    }
    case "model":
    case "session":
    case "project": {
      const rows = allRows(db.prepare(namedUsageSql(group, src)), nameKeyShape, params).map((r) =>
        toUsageRow(r.k === "" || r.k === null ? noneKey : r.k, r)
      );
      const total = (u: UsageRowWithSource) =>
        u.input_tokens + u.output_tokens + u.cache_creation_tokens + u.cache_read_tokens;
      return rows.sort((a, b) =>
        total(b) - total(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
      );
    }
    default:
      throw new BadRequest(`group must be one of ${usageGroups.join(", ")}; got "${group}"`);
  }
}

function namedUsageSql(group: "model" | "session" | "project", src: string): string {
  switch (group) {
    case "model":
      return `SELECT model AS k, ${usageSums} FROM (${src}) GROUP BY k`;
    case "session":
      return `SELECT session_id AS k, ${usageSums} FROM (${src}) GROUP BY k`;
    case "project":
      // Sum per session first, then look each session's project up once.
      return `SELECT COALESCE(s.project, '') AS k, ${usageSumsOf("g.")} FROM (
          SELECT session_id, ${usageSums} FROM (${src}) GROUP BY session_id
        ) AS g LEFT JOIN sessions AS s USING (session_id) GROUP BY k`;
  }
}

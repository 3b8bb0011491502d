// The headline numbers of a time range (the overview's KPI cards): events, tool calls, errors,
// tokens, cost (Claude Code's reported cost where it exists, see ./usage.ts) and active
// sessions, exact to the millisecond: whole hours and minutes from the rollups, the rest from
// the indexes (see ./time_range.ts).

import { ErrorKind, type UsageCostSource } from "../../core/types.ts";
import type { Db } from "../db.ts";
import { oneRow, type Param } from "../rows.ts";
import { hourMs, minuteMs, splitRange, type SqlValue } from "./time_range.ts";
import { toUsageRow, usageSource, usageSums, usageSumsShape } from "./usage.ts";

export interface Kpis {
  events: number;
  tool_calls: number;
  /** Failed tool calls + API errors. */
  errors: number;
  /** input + output + cache creation + cache read tokens of deduplicated messages. */
  tokens: number;
  /** null when some message in the range has no known price. */
  cost_usd: number | null;
  priced_cost_usd: number;
  unpriced_messages: number;
  /** The part of the cost Claude Code reported, and whether all, none or some of it is. */
  cost_reported_usd: number;
  cost_source: UsageCostSource;
  messages: number;
  /** Sessions active during the range (first event before until, last event at or after since). */
  sessions: number;
}

/** The count or sum `n` of one statement (0 when NULL). */
function countOf(db: Db, sql: string, params: Param): number {
  return oneRow(db.prepare(sql), { n: "int?" }, params)?.n ?? 0;
}

/** The headline numbers of a time range, exact to the millisecond. */
export function kpis(db: Db, range: { since: number; until: number }): Kpis {
  const { since, until } = range;
  const events = eventCount(db, range);
  const toolCalls = toolCallCount(db, range);
  const errors = countOf(
    db,
    `SELECT count(*) AS n FROM tool_calls INDEXED BY tool_calls_failed
     WHERE status = 'error' AND end_ts >= :since AND end_ts < :until`,
    { since, until },
  ) + countOf(
    db,
    `SELECT count(*) AS n FROM events INDEXED BY events_api_errors
     WHERE error_kind = ${ErrorKind.ApiError} AND ts >= :since AND ts < :until`,
    { since, until },
  );
  const sessions = countOf(
    db,
    "SELECT count(*) AS n FROM sessions WHERE last_ts >= :since AND first_ts < :until",
    { since, until },
  );
  const params: Record<string, SqlValue> = {};
  const sums = oneRow(
    db.prepare(`SELECT ${usageSums} FROM (${usageSource(range, params)})`),
    usageSumsShape,
    params,
  );
  const usage = toUsageRow("", sums ?? {});
  return {
    events,
    tool_calls: toolCalls,
    errors,
    tokens: usage.input_tokens + usage.output_tokens + usage.cache_creation_tokens +
      usage.cache_read_tokens,
    cost_usd: usage.cost_usd,
    priced_cost_usd: usage.priced_cost_usd,
    unpriced_messages: usage.unpriced_messages,
    cost_reported_usd: usage.cost_reported_usd,
    cost_source: usage.cost_source,
    messages: usage.messages,
    sessions,
  };
}

/** Events in [since, until): whole hours, then whole minutes from the rollups, then the rest. */
function eventCount(db: Db, range: { since: number; until: number }): number {
  const hours = splitRange(range, hourMs);
  let n = hours.full
    ? countOf(
      db,
      "SELECT sum(n) AS n FROM rollup_event_hours WHERE hour >= :f AND hour < :t",
      { f: hours.full[0], t: hours.full[1] },
    )
    : 0;
  for (const [since, until] of hours.edges) {
    const minutes = splitRange({ since, until }, minuteMs);
    if (minutes.full) {
      n += countOf(
        db,
        "SELECT sum(n) AS n FROM rollup_events WHERE minute >= :f AND minute < :t",
        { f: minutes.full[0], t: minutes.full[1] },
      );
    }
    for (const [f, t] of minutes.edges) {
      n += countOf(
        db,
        "SELECT count(*) AS n FROM events WHERE ts >= :f AND ts < :t AND bookkeeping = 0",
        { f, t },
      );
    }
  }
  return n;
}

/** Tool calls in [since, until): whole hours from rollup_tools, the rest from tool_calls_time. */
function toolCallCount(db: Db, range: { since: number; until: number }): number {
  const { full, edges } = splitRange(range, hourMs);
  let n = full
    ? countOf(
      db,
      "SELECT sum(calls) AS n FROM rollup_tools WHERE hour >= :f AND hour < :t",
      { f: full[0], t: full[1] },
    )
    : 0;
  for (const [f, t] of edges) {
    n += countOf(
      db,
      `SELECT count(*) AS n FROM tool_calls INDEXED BY tool_calls_time
       WHERE COALESCE(start_ts, end_ts) >= :f AND COALESCE(start_ts, end_ts) < :t`,
      { f, t },
    );
  }
  return n;
}

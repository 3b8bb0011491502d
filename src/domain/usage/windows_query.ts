// SQL behind the 5-hour windows: the windows of the whole history from the hourly usage rollup
// (rollup_usage) plus a few index lookups per window, deduplicated messages streamed in time
// order from the covering index messages_ts_usage (for extending the newest window), and usage
// per day, week and rolling 7 days (from the insights' rollups).
//
// A window's start depends on every message before it back to the last gap of more than 5 h,
// so a range's windows are computed from the first message on (cheap: hours, not messages),
// never from `since`, and up to 5 h past `until`, so no window is split by the range.

import type { Db } from "../../store/db.ts";
import type { TokenTotals, UsageBlock } from "../../core/types.ts";
import type { PeriodUsage } from "../../core/view_data.ts";
import { usageBy, type UsageRowWithSource } from "../../store/read/usage.ts";
import {
  hourFloor,
  type HourRow,
  type MessageLookups,
  sumTotals,
  toBlock,
  type UsageSums,
  type Window,
  windowMs,
  windowsOfHours,
} from "./blocks.ts";

const dayMs = 86_400_000;
const hourMs = 3_600_000;

type SumsRow = {
  messages: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_creation_tokens: number | null;
  cache_read_tokens: number | null;
  cost: number | null;
  unpriced: number | null;
  reported: number | null;
  reported_cost: number | null;
  models: string | null;
};

function toSums(r: SumsRow): UsageSums {
  const models = (JSON.parse(r.models ?? "[]") as Array<string | null>)
    .filter((m): m is string => typeof m === "string" && m !== "");
  return {
    messages: Number(r.messages ?? 0),
    input_tokens: Number(r.input_tokens ?? 0),
    output_tokens: Number(r.output_tokens ?? 0),
    cache_creation_tokens: Number(r.cache_creation_tokens ?? 0),
    cache_read_tokens: Number(r.cache_read_tokens ?? 0),
    pricedCost: Number(r.cost ?? 0),
    unpriced: Number(r.unpriced ?? 0),
    reported: Number(r.reported ?? 0),
    reportedCost: Number(r.reported_cost ?? 0),
    models,
  };
}

/** Non-empty UTC hours with from ≤ hour ≤ to (either open), in order, from the hourly rollup. */
function hourRows(db: Db, from: number | null, to: number | null): HourRow[] {
  const rows = db.prepare(`
    SELECT hour, sum(messages) AS messages, sum(input_tokens) AS input_tokens,
      sum(output_tokens) AS output_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
      sum(cache_read_tokens) AS cache_read_tokens, sum(cost_usd) AS cost,
      sum(unpriced) AS unpriced, sum(reported) AS reported,
      sum(cost_reported_usd) AS reported_cost, json_group_array(DISTINCT model) AS models
    FROM rollup_usage WHERE messages > 0 AND hour >= :from AND hour <= :to
    GROUP BY hour ORDER BY hour`)
    .all({ from: from ?? Number.MIN_SAFE_INTEGER, to: to ?? Number.MAX_SAFE_INTEGER }) as Array<
      SumsRow & { hour: number }
    >;
  return rows.map((r) => ({ hour: Number(r.hour), ...toSums(r) }));
}

/** The exact lookups windowsOfHours needs, each one index range of `messages`. */
function lookups(db: Db): MessageLookups {
  const sums = db.prepare(`
    SELECT count(*) AS messages, sum(input_tokens) AS input_tokens,
      sum(output_tokens) AS output_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
      sum(cache_read_tokens) AS cache_read_tokens, sum(cost_usd) AS cost,
      sum(cost_usd IS NULL) AS unpriced, sum(cost_reported) AS reported,
      sum(CASE WHEN cost_reported THEN cost_usd END) AS reported_cost,
      json_group_array(DISTINCT model) AS models
    FROM messages INDEXED BY messages_ts_usage WHERE ts >= :from AND ts < :to`);
  const first = db.prepare(
    "SELECT min(ts) AS t FROM messages INDEXED BY messages_ts WHERE ts >= :from AND ts < :to",
  );
  const last = db.prepare(
    "SELECT max(ts) AS t FROM messages INDEXED BY messages_ts WHERE ts >= :from AND ts < :to",
  );
  const time = (r: unknown, fallback: number) => {
    const t = (r as { t: number | null } | undefined)?.t;
    return t == null ? fallback : Number(t);
  };
  return {
    sums: (from, to) => toSums(sums.get({ from, to }) as SumsRow),
    first: (from, to) => time(first.get({ from, to }), from),
    last: (from, to) => time(last.get({ from, to }), from),
  };
}

/**
 * Every window of the history (or of the part up to `to`), from the hourly rollup plus a few
 * index lookups per window: O(hours with usage), not O(messages).
 */
export function allWindows(db: Db, to: number | null = null): Window[] {
  return windowsOfHours(hourRows(db, null, to), lookups(db));
}

/**
 * The windows of the messages from `start` on, where `start` is the first message of a
 * window (so nothing before it matters): the same computation, begun at that window.
 */
export function windowsFrom(db: Db, start: number): Window[] {
  const hour = hourFloor(start);
  const look = lookups(db);
  const rows = hourRows(db, hour, null);
  // Messages of start's hour before it belong to the window before (it ended at that hour).
  if (rows[0]?.hour === hour && start > hour) {
    rows[0] = { hour, ...look.sums(start, hour + hourMs) };
  }
  return windowsOfHours(rows, {
    ...look,
    first: (from, to) => look.first(Math.max(from, start), to),
  });
}

export interface RangeMs {
  since?: number;
  until?: number;
}

/**
 * Every window that overlaps [since, until), whole (oldest first). Windows are computed from
 * the first message on — a window's start depends on the history before it — up to 5 h past
 * `until`, so the last window is not cut by the range.
 */
export function windowsInRange(db: Db, range: RangeMs): Window[] {
  const to = range.until === undefined ? null : range.until + windowMs;
  return allWindows(db, to).filter((w) =>
    (range.until === undefined || w.startMs < range.until) &&
    (range.since === undefined || w.endMs > range.since)
  );
}

/** GET /api/blocks' list. */
export function blocksInRange(db: Db, range: RangeMs, now: number): UsageBlock[] {
  return windowsInRange(db, range).map((w) => toBlock(w, now));
}

function totalsOf(r: UsageRowWithSource): TokenTotals {
  return {
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cache_creation_tokens: r.cache_creation_tokens,
    cache_read_tokens: r.cache_read_tokens,
    cost_usd: r.cost_usd,
    cost_source: r.cost_source,
  };
}

/** Token and cost totals of the 7 days up to now (rolling, to the millisecond). */
export function weekTotals(db: Db, now: number): TokenTotals {
  return sumTotals(usageBy(db, "model", { since: now - 7 * dayMs, until: now + 1 }).map(totalsOf));
}

/** Usage per UTC day in [since, until). */
export function usageByDay(db: Db, range: RangeMs): PeriodUsage[] {
  return usageBy(db, "day", range).map((r) => ({
    key: r.key,
    messages: r.messages,
    ...totalsOf(r),
  }));
}

/** Usage per UTC week (Monday to Sunday, keyed by the Monday) in [since, until). */
export function usageByWeek(db: Db, range: RangeMs): PeriodUsage[] {
  const weeks = new Map<string, { days: PeriodUsage[]; messages: number }>();
  for (const d of usageByDay(db, range)) {
    const t = Date.parse(d.key + "T00:00:00Z");
    const monday = t - ((new Date(t).getUTCDay() + 6) % 7) * dayMs;
    const key = new Date(monday).toISOString().slice(0, 10);
    let w = weeks.get(key);
    if (!w) weeks.set(key, w = { days: [], messages: 0 });
    w.days.push(d);
    w.messages += d.messages;
  }
  return [...weeks].map(([key, w]) => ({ key, messages: w.messages, ...sumTotals(w.days) }));
}

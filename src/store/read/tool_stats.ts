// Tool-call statistics per tool: calls, failures, still-running calls and duration
// percentiles. Tool calls are the paired calls of `tool_calls`; a call's time is its start (its
// end when the start was never seen). Durations: end − start of calls with both ends,
// end ≥ start. Percentiles are nearest-rank: p-th = the value at rank ceil(p/100 × n) in
// ascending order.

import { iso } from "../../core/text.ts";
import type { Db } from "../db.ts";
import { allRows, oneRow } from "../rows.ts";
import { highest, hourMs, lowest, splitRange, type TimeRangeMs } from "./time_range.ts";

export interface ToolStat {
  tool_name: string;
  calls: number;
  failures: number;
  /** failures / calls (0 when there are no calls). */
  failure_rate: number;
  /** Nearest-rank percentiles of the durations of calls with both ends; null when none. */
  p50_ms: number | null;
  p95_ms: number | null;
  /** Start of the tool's most recent call. */
  last_ts: string | null;
  /** Calls whose end has not been seen (yet). */
  running: number;
  /** Calls with a measured duration (the population of the percentiles). */
  timed: number;
}

/** Lowest duration (ms) of a tool_durations bucket (see migration 3). */
export function durationBucketLow(bucket: number): number {
  if (bucket < 10) return bucket;
  const digits = Math.floor(bucket / 100);
  return (bucket % 100) * 10 ** (digits - 2);
}

/** Nearest-rank position (1-based) of percentile p among n sorted values. */
export function percentileRank(p: number, n: number): number {
  // p × n first: an integer, so the division is exact whenever the rank is a whole number.
  return Math.max(1, Math.ceil((p * n) / 100));
}

type Counts = { calls: number; failures: number; running: number; last: number | null };

const hourCountsShape = {
  tool: "text",
  calls: "int",
  failures: "int",
  running: "int",
  last_hour: "int?",
} as const;
const edgeCountsShape = {
  tool: "text",
  calls: "int",
  failures: "int",
  running: "int",
  last: "int",
} as const;

/**
 * Calls, failures, running calls and the last call per tool in a range: whole hours from
 * rollup_tools plus the partial hours at the edges from tool_calls_time.
 */
function toolCounts(db: Db, range: TimeRangeMs): Map<string, Counts> {
  const acc = new Map<string, Counts>();
  const add = (tool: string, c: Counts) => {
    let a = acc.get(tool);
    if (!a) acc.set(tool, a = { calls: 0, failures: 0, running: 0, last: null });
    a.calls += c.calls;
    a.failures += c.failures;
    a.running += c.running;
    if (c.last !== null && (a.last === null || c.last > a.last)) a.last = c.last;
  };
  const { full, edges } = splitRange(range, hourMs);
  if (full) {
    const rows = allRows(
      db.prepare(`
      SELECT tool, sum(calls) AS calls, sum(failures) AS failures, sum(running) AS running,
        max(CASE WHEN calls > 0 THEN hour END) AS last_hour
      FROM rollup_tools WHERE hour >= :f AND hour < :t GROUP BY tool`),
      hourCountsShape,
      { f: full[0], t: full[1] },
    );
    // The exact last call lies in the tool's latest non-empty hour.
    const lastIn = db.prepare(`
      SELECT max(COALESCE(start_ts, end_ts)) AS last FROM tool_calls INDEXED BY tool_calls_time
      WHERE COALESCE(start_ts, end_ts) >= :f AND COALESCE(start_ts, end_ts) < :t
        AND tool_name = :tool`);
    for (const r of rows) {
      if (r.calls <= 0) continue;
      const h = r.last_hour;
      const last = h === null
        ? null
        : oneRow(lastIn, { last: "int?" }, { f: h, t: h + hourMs, tool: r.tool })?.last ?? null;
      add(r.tool, { calls: r.calls, failures: r.failures, running: r.running, last });
    }
  }
  for (const [f, t] of edges) {
    const rows = allRows(
      db.prepare(`
      SELECT tool_name AS tool, count(*) AS calls, sum(status = 'error') AS failures,
        sum(status = 'running') AS running, max(COALESCE(start_ts, end_ts)) AS last
      FROM tool_calls INDEXED BY tool_calls_time
      WHERE COALESCE(start_ts, end_ts) >= :f AND COALESCE(start_ts, end_ts) < :t
      GROUP BY tool_name`),
      edgeCountsShape,
      { f, t },
    );
    for (const r of rows) add(r.tool, r);
  }
  return acc;
}

/**
 * Calls, failures and duration percentiles per tool, most used first. Counts: whole hours from
 * rollup_tools plus the partial hours at the edges from tool_calls_time. Percentiles over all
 * time: the histogram gives the bucket holding the k-th duration, tool_calls_duration the
 * exact value inside it; over a range: sorted in SQL per tool (window function).
 */
export function toolStats(db: Db, range: TimeRangeMs): ToolStat[] {
  const acc = toolCounts(db, range);
  const pct = range.since === undefined && range.until === undefined
    ? allTimePercentiles(db)
    : rangedPercentiles(db, range);
  const stats: ToolStat[] = [];
  for (const [tool, a] of acc) {
    const p = pct.get(tool);
    stats.push({
      tool_name: tool,
      calls: a.calls,
      failures: a.failures,
      failure_rate: a.calls > 0 ? Math.round((a.failures / a.calls) * 1e4) / 1e4 : 0,
      p50_ms: p?.p50 ?? null,
      p95_ms: p?.p95 ?? null,
      last_ts: a.last === null ? null : iso(a.last),
      running: a.running,
      timed: p?.n ?? 0,
    });
  }
  stats.sort((a, b) => b.calls - a.calls || (a.tool_name < b.tool_name ? -1 : 1));
  return stats;
}

type Percentiles = Map<string, { n: number; p50: number | null; p95: number | null }>;
type Histogram = Map<string, Array<{ bucket: number; n: number }>>;

const histogramShape = { tool: "text", bucket: "int", n: "int" } as const;

/** The duration bucket of tool_durations (migration 3), as SQL over a duration expression. */
const bucketSql = (d: string) =>
  `CASE WHEN ${d} < 10 THEN ${d} ELSE length(${d}) * 100 + CAST(substr(${d}, 1, 2) AS INTEGER) END`;

/**
 * p50 and p95 per tool from a histogram of its durations: the bucket that holds the k-th value
 * is found by counting, the exact value by an index walk inside that bucket only.
 */
function percentilesOf(db: Db, hist: Histogram, range: TimeRangeMs): Percentiles {
  const nth = db.prepare(`
    SELECT end_ts - start_ts AS d FROM tool_calls INDEXED BY tool_calls_duration
    WHERE tool_name = :tool AND end_ts >= start_ts AND end_ts - start_ts >= :lo
      AND start_ts >= :since AND start_ts < :until
    ORDER BY end_ts - start_ts LIMIT 1 OFFSET :k`);
  const since = range.since ?? lowest;
  const until = range.until ?? highest;
  const out: Percentiles = new Map();
  for (const [tool, buckets] of hist) {
    buckets.sort((a, b) => a.bucket - b.bucket);
    const n = buckets.reduce((sum, b) => sum + b.n, 0);
    const value = (p: number): number | null => {
      if (n === 0) return null;
      let k = percentileRank(p, n);
      for (const b of buckets) {
        if (k <= b.n) {
          const lo = durationBucketLow(b.bucket);
          return oneRow(nth, { d: "int" }, { tool, lo, since, until, k: k - 1 })?.d ?? null;
        }
        k -= b.n;
      }
      return null;
    };
    out.set(tool, { n, p50: value(50), p95: value(95) });
  }
  return out;
}

function histogramOf(rows: Iterable<{ tool: string; bucket: number; n: number }>): Histogram {
  const hist: Histogram = new Map();
  for (const r of rows) {
    let h = hist.get(r.tool);
    if (!h) hist.set(r.tool, h = []);
    h.push({ bucket: r.bucket, n: r.n });
  }
  return hist;
}

/** All time: the histogram kept by triggers (tool_durations). */
function allTimePercentiles(db: Db): Percentiles {
  const rows = allRows(
    db.prepare("SELECT tool, bucket, n FROM tool_durations WHERE n > 0"),
    histogramShape,
  );
  return percentilesOf(db, histogramOf(rows), {});
}

/** A range: the same histogram, counted over the range's calls (covering index). */
function rangedPercentiles(db: Db, range: TimeRangeMs): Percentiles {
  const rows = allRows(
    db.prepare(`
    SELECT tool_name AS tool, ${bucketSql("end_ts - start_ts")} AS bucket, count(*) AS n
    FROM tool_calls INDEXED BY tool_calls_time
    WHERE COALESCE(start_ts, end_ts) >= :since AND COALESCE(start_ts, end_ts) < :until
      AND end_ts >= start_ts
    GROUP BY 1, 2`),
    histogramShape,
    { since: range.since ?? lowest, until: range.until ?? highest },
  );
  return percentilesOf(db, histogramOf(rows), range);
}

// Insights over the store: token usage and cost, tool-call statistics, one list of everything
// that went wrong, full-text search and chart series. Named after what they answer; fast at a
// million events because they read the rollups and indexes of migration 3 (rollup_* tables,
// tool_durations, events_fts, tool_calls_* and messages_ts_usage indexes), never a full scan:
// a range is answered from whole hours (or minutes) of a rollup plus the partial units at its
// edges from the detail rows, so it is exact to the millisecond.
//
// Rules (the README's API table points here):
// - Times are epoch ms; day and hour keys/buckets are UTC. A range is [since, until).
// - Usage counts deduplicated assistant messages (table `messages`: one row per message id +
//   request id, the first line seen wins; Claude Code repeats an assistant message on one line
//   per content block, each carrying the same usage). cost_usd is null whenever a row includes a
//   message of a model without a known price: its tokens are counted, its cost is unknown
//   (never 0); priced_cost_usd then holds the part that is known.
// - Tool calls are the paired calls of `tool_calls`; a call's time is its start (its end when
//   the start was never seen). Durations: end − start of calls with both ends, end ≥ start.
//   Percentiles are nearest-rank: p-th = the value at rank ceil(p/100 × n) in ascending order.
// - Errors = failed tool calls (PostToolUseFailure or an is_error tool_result, counted once per
//   call) + API errors in transcripts (error_kind 1); ingest errors are listed separately.

import type { EventFilters, EventRow } from "../core/types.ts";
import {
  maxSeriesBuckets,
  maxSeriesKeys,
  searchFilterSetMax,
  searchProbeMax,
  searchRankWindow,
  searchSnippetTokens,
} from "../core/config.ts";
import { BadRequest } from "../core/errors.ts";
import { maskSecrets } from "../core/secrets.ts";
import type { Db } from "./db.ts";
import { iso } from "./writes.ts";
import { hitEnd, hitStart, parseSearch } from "./fts.ts";

type Row = Record<string, unknown>;
type Param = string | number | null;

const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 86_400_000;
const lowest = Number.MIN_SAFE_INTEGER;
const highest = Number.MAX_SAFE_INTEGER;

/** Key used for a missing model, project or tool. */
export const noneKey = "(none)";
/** Series key of the keys beyond maxSeriesKeys, summed. */
export const otherKey = "(other)";

export interface TimeRangeMs {
  since?: number;
  until?: number;
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/**
 * Splits [since, until) into whole units, read from a rollup, and the partial units at either
 * edge, read from the detail rows. Either side may be open.
 */
function splitRange(range: TimeRangeMs, unit: number) {
  const since = range.since ?? lowest;
  const until = range.until ?? highest;
  const fullFrom = range.since === undefined ? lowest : Math.ceil(since / unit) * unit;
  const fullTo = range.until === undefined ? highest : Math.floor(until / unit) * unit;
  if (fullFrom >= fullTo) {
    return { full: null, edges: since < until ? [[since, until]] : [] };
  }
  const edges: Array<[number, number]> = [];
  if (since < fullFrom) edges.push([since, fullFrom]);
  if (fullTo < until) edges.push([fullTo, until]);
  return { full: [fullFrom, fullTo] as [number, number], edges };
}

// ---------------------------------------------------------------------------------------------
// Usage: tokens and cost

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

/**
 * Deduplicated message usage in a range as rows (t, session_id, model, sums…): whole hours from
 * rollup_usage, the partial hours at the edges from messages (index messages_ts_usage).
 */
function usageSource(range: TimeRangeMs, params: Record<string, Param>): string {
  const { full, edges } = splitRange(range, hourMs);
  const parts: string[] = [];
  if (full) {
    params.uf = full[0];
    params.ut = full[1];
    parts.push(`SELECT hour AS t, session_id, model, messages, input_tokens, output_tokens,
      cache_creation_tokens, cache_read_tokens, cost_usd, unpriced
      FROM rollup_usage WHERE hour >= :uf AND hour < :ut`);
  }
  edges.forEach(([from, to], i) => {
    params[`ef${i}`] = from;
    params[`et${i}`] = to;
    parts.push(`SELECT ts AS t, session_id, COALESCE(model, '') AS model, 1 AS messages,
      input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,
      COALESCE(cost_usd, 0) AS cost_usd, cost_usd IS NULL AS unpriced
      FROM messages WHERE ts >= :ef${i} AND ts < :et${i}`);
  });
  if (parts.length === 0) {
    return `SELECT 0 AS t, '' AS session_id, '' AS model, 0 AS messages, 0 AS input_tokens,
      0 AS output_tokens, 0 AS cache_creation_tokens, 0 AS cache_read_tokens, 0.0 AS cost_usd,
      0 AS unpriced WHERE 0`;
  }
  return parts.join(" UNION ALL ");
}

const usageSumsOf = (t: string) =>
  `sum(${t}messages) AS messages, sum(${t}input_tokens) AS input_tokens,
  sum(${t}output_tokens) AS output_tokens, sum(${t}cache_creation_tokens) AS cache_creation_tokens,
  sum(${t}cache_read_tokens) AS cache_read_tokens, sum(${t}cost_usd) AS cost_usd,
  sum(${t}unpriced) AS unpriced`;
const usageSums = usageSumsOf("");

function toUsageRow(key: string, r: Row): UsageRow {
  const unpriced = Number(r.unpriced ?? 0);
  const priced = round6(Number(r.cost_usd ?? 0));
  return {
    key,
    input_tokens: Number(r.input_tokens ?? 0),
    output_tokens: Number(r.output_tokens ?? 0),
    cache_creation_tokens: Number(r.cache_creation_tokens ?? 0),
    cache_read_tokens: Number(r.cache_read_tokens ?? 0),
    messages: Number(r.messages ?? 0),
    cost_usd: unpriced > 0 ? null : priced,
    priced_cost_usd: priced,
    unpriced_messages: unpriced,
  };
}

/**
 * Token usage and cost grouped by day, hour, model, project or session. Time groups come in
 * time order; the others by total tokens, largest first.
 */
export function usageBy(db: Db, group: UsageGroup, range: TimeRangeMs): UsageRow[] {
  const params: Record<string, Param> = {};
  const src = usageSource(range, params);
  let sql: string;
  switch (group) {
    case "day":
    case "hour":
      // Integer literals: node:sqlite binds JS numbers as REAL, and a REAL divisor would make
      // this a fractional division.
      sql = `SELECT t / ${
        group === "day" ? dayMs : hourMs
      } AS k, ${usageSums} FROM (${src}) GROUP BY k ORDER BY k`;
      break;
    case "model":
      sql = `SELECT model AS k, ${usageSums} FROM (${src}) GROUP BY k`;
      break;
    case "session":
      sql = `SELECT session_id AS k, ${usageSums} FROM (${src}) GROUP BY k`;
      break;
    case "project":
      // Sum per session first, then look each session's project up once.
      sql = `SELECT COALESCE(s.project, '') AS k, ${usageSumsOf("g.")} FROM (
          SELECT session_id, ${usageSums} FROM (${src}) GROUP BY session_id
        ) AS g LEFT JOIN sessions AS s USING (session_id) GROUP BY k`;
      break;
    default:
      throw new BadRequest(`group must be one of ${usageGroups.join(", ")}; got "${group}"`);
  }
  const rows = db.prepare(sql).all(params) as Row[];
  const out = rows.map((r) => {
    if (group === "day") return toUsageRow(iso(Number(r.k) * dayMs).slice(0, 10), r);
    if (group === "hour") return toUsageRow(iso(Number(r.k) * hourMs), r);
    return toUsageRow(r.k === "" || r.k == null ? noneKey : String(r.k), r);
  });
  if (group !== "day" && group !== "hour") {
    const total = (u: UsageRow) =>
      u.input_tokens + u.output_tokens + u.cache_creation_tokens + u.cache_read_tokens;
    out.sort((a, b) => total(b) - total(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tool statistics

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

/**
 * Calls, failures and duration percentiles per tool, most used first. Counts: whole hours from
 * rollup_tools plus the partial hours at the edges from tool_calls_time. Percentiles over all
 * time: the histogram gives the bucket holding the k-th duration, tool_calls_duration the
 * exact value inside it; over a range: sorted in SQL per tool (window function).
 */
export function toolStats(db: Db, range: TimeRangeMs): ToolStat[] {
  type Acc = { calls: number; failures: number; running: number; last: number | null };
  const acc = new Map<string, Acc>();
  const add = (
    tool: string,
    calls: number,
    failures: number,
    running: number,
    last: number | null,
  ) => {
    let a = acc.get(tool);
    if (!a) acc.set(tool, a = { calls: 0, failures: 0, running: 0, last: null });
    a.calls += calls;
    a.failures += failures;
    a.running += running;
    if (last !== null && (a.last === null || last > a.last)) a.last = last;
  };
  const { full, edges } = splitRange(range, hourMs);
  if (full) {
    const rows = db.prepare(`
      SELECT tool, sum(calls) AS calls, sum(failures) AS failures, sum(running) AS running,
        max(CASE WHEN calls > 0 THEN hour END) AS last_hour
      FROM rollup_tools WHERE hour >= :f AND hour < :t GROUP BY tool`).all({
      f: full[0],
      t: full[1],
    }) as Row[];
    // The exact last call lies in the tool's latest non-empty hour.
    const lastIn = db.prepare(`
      SELECT max(COALESCE(start_ts, end_ts)) AS last FROM tool_calls INDEXED BY tool_calls_time
      WHERE COALESCE(start_ts, end_ts) >= :f AND COALESCE(start_ts, end_ts) < :t
        AND tool_name = :tool`);
    for (const r of rows) {
      const calls = Number(r.calls);
      if (calls <= 0) continue;
      const h = r.last_hour == null ? null : Number(r.last_hour);
      const last = h === null
        ? null
        : (lastIn.get({ f: h, t: h + hourMs, tool: r.tool as string }) as Row).last;
      add(
        r.tool as string,
        calls,
        Number(r.failures),
        Number(r.running),
        last == null ? null : Number(last),
      );
    }
  }
  for (const [f, t] of edges) {
    const rows = db.prepare(`
      SELECT tool_name AS tool, count(*) AS calls, sum(status = 'error') AS failures,
        sum(status = 'running') AS running, max(COALESCE(start_ts, end_ts)) AS last
      FROM tool_calls INDEXED BY tool_calls_time
      WHERE COALESCE(start_ts, end_ts) >= :f AND COALESCE(start_ts, end_ts) < :t
      GROUP BY tool_name`).all({ f, t }) as Row[];
    for (const r of rows) {
      add(r.tool as string, Number(r.calls), Number(r.failures), Number(r.running), Number(r.last));
    }
  }
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
          const r = nth.get({ tool, lo, since, until, k: k - 1 }) as Row | undefined;
          return r ? Number(r.d) : null;
        }
        k -= b.n;
      }
      return null;
    };
    out.set(tool, { n, p50: value(50), p95: value(95) });
  }
  return out;
}

/** All time: the histogram kept by triggers (tool_durations). */
function allTimePercentiles(db: Db): Percentiles {
  const hist: Histogram = new Map();
  for (const r of db.prepare("SELECT tool, bucket, n FROM tool_durations WHERE n > 0").all()) {
    const tool = r.tool as string;
    let h = hist.get(tool);
    if (!h) hist.set(tool, h = []);
    h.push({ bucket: Number(r.bucket), n: Number(r.n) });
  }
  return percentilesOf(db, hist, {});
}

/** A range: the same histogram, counted over the range's calls (covering index). */
function rangedPercentiles(db: Db, range: TimeRangeMs): Percentiles {
  const rows = db.prepare(`
    SELECT tool_name AS tool, ${bucketSql("end_ts - start_ts")} AS bucket, count(*) AS n
    FROM tool_calls INDEXED BY tool_calls_time
    WHERE COALESCE(start_ts, end_ts) >= :since AND COALESCE(start_ts, end_ts) < :until
      AND end_ts >= start_ts
    GROUP BY 1, 2`).all({ since: range.since ?? lowest, until: range.until ?? highest }) as Row[];
  const hist: Histogram = new Map();
  for (const r of rows) {
    const tool = r.tool as string;
    let h = hist.get(tool);
    if (!h) hist.set(tool, h = []);
    h.push({ bucket: Number(r.bucket), n: Number(r.n) });
  }
  return percentilesOf(db, hist, range);
}

// ---------------------------------------------------------------------------------------------
// Errors: one list of everything that went wrong

export interface ErrorRow {
  kind: "tool_failure" | "api_error" | "ingest";
  ts: string;
  session_id: string | null;
  tool_name: string | null;
  /** The error text (tool error, API error message, ingest reason), secrets masked. */
  message: string;
  /** The event that reported it, for a link to its payload; null for ingest errors. */
  event_id: number | null;
  /** Source file of an ingest error (relative to the Claude directory). */
  path: string | null;
  /** What a failed tool call was doing (command, path …), when known. */
  detail: string | null;
}

function parseErrorCursor(cursor: string | null | undefined) {
  if (!cursor) return null;
  const m = /^(-?\d+)_([012])_(\d+)$/.exec(cursor);
  if (!m) throw new BadRequest(`cursor "${cursor}" is not one this API returned`);
  return { ts: Number(m[1]), kind: Number(m[2]), id: Number(m[3]) };
}

/**
 * Everything that went wrong, newest first: failed tool calls, API errors, ingest errors.
 * Each source is read newest-first from its own index and the pages are merged here.
 */
export function errorsPage(
  db: Db,
  q: TimeRangeMs & { limit: number; cursor?: string | null },
): { errors: ErrorRow[]; next_cursor: string | null } {
  const after = parseErrorCursor(q.cursor);
  const since = q.since ?? lowest;
  const until = q.until ?? highest;
  const take = q.limit + 1;
  // Rows of source `kind` that sort after the cursor in (ts DESC, kind DESC, id DESC) order.
  const bound = (
    kind: number,
    tsCol: string,
    idCol: string,
  ): { sql: string; params: Record<string, Param> } => {
    if (!after) return { sql: "1", params: {} };
    if (kind < after.kind) return { sql: `${tsCol} <= :cts`, params: { cts: after.ts } };
    if (kind > after.kind) return { sql: `${tsCol} < :cts`, params: { cts: after.ts } };
    return {
      sql: `(${tsCol} < :cts OR (${tsCol} = :cts AND ${idCol} < :cid))`,
      params: { cts: after.ts, cid: after.id },
    };
  };
  type Item = { ts: number; kind: number; id: number; row: ErrorRow };
  const items: Item[] = [];

  const b0 = bound(0, "end_ts", "id");
  const failed = db.prepare(`
    SELECT id, session_id, tool_name, end_ts AS ts, error, input_summary, tool_use_id
    FROM tool_calls INDEXED BY tool_calls_failed
    WHERE status = 'error' AND end_ts >= :since AND end_ts < :until AND ${b0.sql}
    ORDER BY end_ts DESC, id DESC LIMIT :take`).all({ since, until, take, ...b0.params }) as Row[];
  // The event that reported the failure: the failing hook/tool_result at the call's end time.
  const failureEvent = db.prepare(`
    SELECT id FROM events WHERE session_id = :sid AND ts = :ts AND error_kind = 2
    ORDER BY (tool_use_id IS :tuid) DESC, id LIMIT 1`);
  for (const r of failed) {
    const ev = failureEvent.get({
      sid: r.session_id as string,
      ts: r.ts as number,
      tuid: r.tool_use_id as string | null,
    }) as
      | Row
      | undefined;
    items.push({
      ts: r.ts as number,
      kind: 0,
      id: r.id as number,
      row: {
        kind: "tool_failure",
        ts: iso(r.ts as number),
        session_id: r.session_id as string,
        tool_name: r.tool_name as string,
        message: maskSecrets((r.error as string | null) ?? "failed"),
        event_id: ev ? ev.id as number : null,
        path: null,
        detail: r.input_summary == null ? null : maskSecrets(r.input_summary as string),
      },
    });
  }

  const b1 = bound(1, "ts", "id");
  const api = db.prepare(`
    SELECT id, session_id, ts, summary FROM events INDEXED BY events_api_errors
    WHERE error_kind = 1 AND ts >= :since AND ts < :until AND ${b1.sql}
    ORDER BY ts DESC, id DESC LIMIT :take`).all({ since, until, take, ...b1.params }) as Row[];
  for (const r of api) {
    items.push({
      ts: r.ts as number,
      kind: 1,
      id: r.id as number,
      row: {
        kind: "api_error",
        ts: iso(r.ts as number),
        session_id: r.session_id as string,
        tool_name: null,
        message: maskSecrets(r.summary as string),
        event_id: r.id as number,
        path: null,
        detail: null,
      },
    });
  }

  const b2 = bound(2, "ts", "id");
  const ingest = db.prepare(`
    SELECT id, path, offset, reason, ts FROM ingest_errors
    WHERE ts >= :since AND ts < :until AND ${b2.sql}
    ORDER BY ts DESC, id DESC LIMIT :take`).all({ since, until, take, ...b2.params }) as Row[];
  for (const r of ingest) {
    const offset = r.offset as number;
    items.push({
      ts: r.ts as number,
      kind: 2,
      id: r.id as number,
      row: {
        kind: "ingest",
        ts: iso(r.ts as number),
        session_id: null,
        tool_name: null,
        message: maskSecrets(r.reason as string),
        event_id: null,
        path: r.path as string,
        detail: offset >= 0 ? `at byte ${offset}` : null,
      },
    });
  }

  items.sort((a, b) => b.ts - a.ts || b.kind - a.kind || b.id - a.id);
  const page = items.slice(0, q.limit);
  const last = items.length > q.limit ? page[page.length - 1] : null;
  return {
    errors: page.map((i) => i.row),
    next_cursor: last ? `${last.ts}_${last.kind}_${last.id}` : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Full-text search

/** Filters of /api/search: the event filters plus the session's project. */
export interface SearchFilters extends EventFilters {
  project?: string;
}

/**
 * One search hit: the event as /api/events serves it, plus `snippet`: the matching passage as
 * plain text in which each highlighted part is wrapped in U+0002 (start) … U+0003 (end). These
 * control characters never occur in indexed text; render the parts as text, never as HTML.
 */
export interface SearchResult extends EventRow {
  snippet: string;
  /** bm25 score (lower is better), within this result set only. */
  rank: number;
}

function parseSearchCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  if (!/^\d{1,9}$/.test(cursor) || Number(cursor) >= searchRankWindow) {
    throw new BadRequest(`cursor "${cursor}" is not one this API returned`);
  }
  return Number(cursor);
}

/** How session/project/time filters are applied (see searchEvents). */
export type SearchPlan = "none" | "probe" | "set" | "scan";

/** Conditions on `events` (alias e) for the search filters, split by how they are applied. */
function searchFilterSql(f: SearchFilters, params: Record<string, Param>) {
  const exact: string[] = [];
  const rest: string[] = [];
  const cond = (to: string[], sql: string, name: string, v: Param) => {
    to.push(sql);
    params[name] = v;
  };
  if (f.type) cond(exact, "e.type = :type", "type", f.type);
  if (f.tool) cond(exact, "e.tool_name = :tool", "tool", f.tool);
  if (f.project) {
    cond(
      rest,
      "e.session_id IN (SELECT session_id FROM sessions WHERE project = :project)",
      "project",
      f.project,
    );
  }
  if (f.session) cond(rest, "e.session_id = :session", "session", f.session);
  if (f.since !== undefined) cond(rest, "e.ts >= :since", "since", f.since);
  if (f.until !== undefined) cond(rest, "e.ts < :until", "until", f.until);
  return { exact, rest };
}

/** The MATCH expression: the user's terms in the text, type and tool in the kind column. */
function matchExpr(terms: string, f: SearchFilters): string {
  let m = `text : (${terms})`;
  if (f.type) m += ` AND kind : ${ftsString(f.type)}`;
  if (f.tool) m += ` AND kind : ${ftsString(f.tool)}`;
  return m;
}

function ftsString(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Events whose searchable text matches `q` (syntax: src/store/fts.ts), best first.
 *
 * Ranking: the candidates are the newest searchRankWindow matching events; among them those
 * holding two or more plain words as one exact phrase come first, then all by bm25 over the
 * text (lower is better), ties newest first. A rare term is ranked over all its matches; for a
 * term found in a hundred thousand events only the recent ones are ranked, which keeps every
 * search fast: FTS5 reads its posting lists newest-first and stops. Paging (cursor = offset)
 * ends with the candidates. A quoted "phrase" finds its matches in all of history.
 *
 * Filters: type and tool are matched in the index itself (column kind; each candidate is then
 * checked exactly). Session, project and time pick the cheapest plan from a bounded count of
 * the events they admit: few → look each of them up in the index; up to searchFilterSetMax →
 * check each match against that set; more (a filter admitting many events) → check each match's
 * event row. Throws BadRequest for a query that cannot be searched.
 */
export function searchEvents(
  db: Db,
  q: string,
  filters: SearchFilters,
  limit: number,
  cursor?: string | null,
  /** Tests only: force how session/project/time filters are applied. */
  forcePlan?: SearchPlan,
): { results: SearchResult[]; next_cursor: string | null } {
  const fq = parseSearch(q);
  const offset = parseSearchCursor(cursor);
  const fparams: Record<string, Param> = {};
  const { exact, rest } = searchFilterSql(filters, fparams);
  const all = [...exact, ...rest];
  let plan: SearchPlan = "none";
  if (rest.length > 0 && forcePlan) plan = forcePlan;
  else if (rest.length > 0) {
    const n = Number(
      (db.prepare(
        `SELECT count(*) AS n FROM (SELECT 1 FROM events AS e WHERE ${
          all.join(" AND ")
        } LIMIT :cap)`,
      ).get({ ...fparams, cap: searchFilterSetMax + 1 }) as Row).n,
    );
    plan = n <= searchProbeMax ? "probe" : n <= searchFilterSetMax ? "set" : "scan";
  }
  const admitted = `(SELECT e.id FROM events AS e WHERE ${all.join(" AND ")})`;
  const where = {
    none: exact,
    probe: [`f.rowid IN ${admitted}`],
    // "+f.rowid": a filter on each match, not a list of lookups into the index.
    set: [`+f.rowid IN ${admitted}`],
    scan: all,
  }[plan];
  const join = where.some((w) => w.startsWith("e.")) ? "JOIN events AS e ON e.id = f.rowid" : "";
  const sql = `SELECT f.rowid AS id, bm25(events_fts, 1.0, 0.0) AS rank
    FROM events_fts AS f ${join}
    WHERE events_fts MATCH :m AND f.rowid >= :lo ${where.map((w) => `AND ${w}`).join(" ")}
    ORDER BY f.rowid DESC LIMIT :w`;
  const candidates = (m: string, w: number, lo: number) => {
    try {
      return db.prepare(sql).all({ ...fparams, m, w, lo }) as Array<
        { id: number; rank: number }
      >;
    } catch (e) {
      throw ftsError(e);
    }
  };
  type Hit = { id: number; rank: number; tier: number };
  const hits = new Map<number, Hit>();
  const match = matchExpr(fq.match, filters);
  const found = candidates(match, searchRankWindow, 0);
  if (fq.phrase) {
    // Which candidates hold the words as one phrase: the phrase query over the candidates'
    // rowid span, without bm25 (scoring a phrase reads every position list: ~60 ms for common
    // words at a million events; matching alone: ~1 ms).
    const lo = found.length < searchRankWindow ? 0 : Math.min(...found.map((h) => h.id));
    const inPhrase = new Set(
      (db.prepare(
        "SELECT rowid AS id FROM events_fts WHERE events_fts MATCH :m AND rowid >= :lo",
      ).all({ m: `text : (${fq.phrase})`, lo }) as Array<{ id: number }>).map((r) => r.id),
    );
    for (const h of found) {
      if (inPhrase.has(h.id)) hits.set(h.id, { id: h.id, rank: h.rank, tier: 0 });
    }
  }
  for (const h of found) {
    if (!hits.has(h.id)) hits.set(h.id, { id: h.id, rank: h.rank, tier: 1 });
  }
  const ranked = [...hits.values()].sort((a, b) =>
    a.tier - b.tier || a.rank - b.rank || b.id - a.id
  );
  const page = ranked.slice(offset, offset + limit);
  const eventById = db.prepare(
    "SELECT id, ts, source, session_id, type, tool_name, summary FROM events WHERE id = ?",
  );
  // All snippets in one pass over the page's rowid span: a per-row "rowid = ?" lookup would
  // re-evaluate the whole query (a prefix query merges every matching term) once per row.
  const snippets = new Map<number, string>();
  if (page.length > 0) {
    const ids = page.map((h) => h.id);
    const rows = db.prepare(
      `SELECT rowid AS id, snippet(events_fts, 0, char(2), char(3), '…', ${searchSnippetTokens}) AS s
       FROM events_fts WHERE events_fts MATCH :m AND rowid >= :lo AND rowid <= :hi
         AND +rowid IN (SELECT value FROM json_each(:ids))`,
    ).all({
      m: match,
      lo: Math.min(...ids),
      hi: Math.max(...ids),
      ids: JSON.stringify(ids),
    }) as Array<{ id: number; s: string | null }>;
    for (const r of rows) snippets.set(r.id, r.s ?? "");
  }
  const results: SearchResult[] = [];
  for (const h of page) {
    const e = eventById.get(h.id) as Row | undefined;
    if (!e) continue;
    results.push({
      id: e.id as number,
      ts: iso(e.ts as number),
      source: e.source as EventRow["source"],
      session_id: e.session_id as string,
      type: e.type as string,
      tool_name: e.tool_name as string | null,
      summary: maskSecrets(e.summary as string),
      snippet: maskSnippet(snippets.get(h.id) ?? ""),
      rank: Math.round(h.rank * 1e6) / 1e6,
    });
  }
  const next = offset + limit;
  return { results, next_cursor: next < ranked.length ? String(next) : null };
}

/** An FTS5 complaint about the query becomes a 400; anything else stays an internal error. */
function ftsError(e: unknown): unknown {
  const msg = e instanceof Error ? e.message : String(e);
  if (
    /fts5|syntax error|unterminated|no such column|unknown special query|malformed MATCH/i.test(msg)
  ) {
    return new BadRequest(`search query not understood (${msg}); use words, "a phrase" or prefix*`);
  }
  return e;
}

/**
 * Masks secrets in a snippet without letting the highlight marks hide one: when masking the
 * plain text changes it and masking part by part does not give the same text, the snippet is
 * returned masked and without highlights.
 */
export function maskSnippet(snippet: string): string {
  const parts: string[] = [];
  let run = "";
  for (const ch of snippet) {
    if (ch === hitStart || ch === hitEnd) {
      parts.push(run, ch);
      run = "";
    } else run += ch;
  }
  parts.push(run);
  const plain = parts.filter((p) => p !== hitStart && p !== hitEnd).join("");
  const masked = maskSecrets(plain);
  if (masked === plain) return snippet;
  const byPart = parts.map((p) => (p === hitStart || p === hitEnd ? p : maskSecrets(p)));
  const joined = byPart.join("");
  return joined.replaceAll(hitStart, "").replaceAll(hitEnd, "") === masked ? joined : masked;
}

// ---------------------------------------------------------------------------------------------
// Time series for charts

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
          AND ts >= :from AND ts < :to GROUP BY 1, 2`);
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
          WHERE error_kind = 1 AND ts >= :from AND ts < :to GROUP BY 1, 2
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
  let rows = db.prepare(seriesSql(q.metric, by, b)).all({ from, to }) as Row[];
  if (q.metric === "tokens" && by === "type") {
    rows = rows.flatMap((r) => tokenTypes.map((k): Row => ({ k, bi: r.bi, v: r[k] })));
  }
  const unpriced = rows.reduce((sum, r) => sum + Number(r.u ?? 0), 0);
  const first = from / b;
  const byKey = new Map<string, Float64Array>();
  for (const r of rows) {
    const key = r.k == null || r.k === "" ? (by === null ? "total" : noneKey) : String(r.k);
    let values = byKey.get(key);
    if (!values) byKey.set(key, values = new Float64Array(n));
    const i = Number(r.bi) - first;
    if (i >= 0 && i < n) values[i] += Number(r.v ?? 0);
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

// ---------------------------------------------------------------------------------------------
// KPIs

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
  messages: number;
  /** Sessions active during the range (first event before until, last event at or after since). */
  sessions: number;
}

/** The headline numbers of a time range, exact to the millisecond. */
export function kpis(db: Db, range: { since: number; until: number }): Kpis {
  const one = (sql: string, p: Record<string, Param>) =>
    Number((db.prepare(sql).get(p) as { n: number | null }).n ?? 0);
  const { since, until } = range;
  const events = eventCount(db, range);
  const toolCalls = toolCallCount(db, range);
  const errors = one(
    `SELECT count(*) AS n FROM tool_calls INDEXED BY tool_calls_failed
     WHERE status = 'error' AND end_ts >= :since AND end_ts < :until`,
    { since, until },
  ) + one(
    `SELECT count(*) AS n FROM events INDEXED BY events_api_errors
     WHERE error_kind = 1 AND ts >= :since AND ts < :until`,
    { since, until },
  );
  const sessions = one(
    "SELECT count(*) AS n FROM sessions WHERE last_ts >= :since AND first_ts < :until",
    { since, until },
  );
  const params: Record<string, Param> = {};
  const u = db.prepare(`SELECT ${usageSums} FROM (${usageSource(range, params)})`).get(
    params,
  ) as Row;
  const usage = toUsageRow("", u);
  return {
    events,
    tool_calls: toolCalls,
    errors,
    tokens: usage.input_tokens + usage.output_tokens + usage.cache_creation_tokens +
      usage.cache_read_tokens,
    cost_usd: usage.cost_usd,
    priced_cost_usd: usage.priced_cost_usd,
    unpriced_messages: usage.unpriced_messages,
    messages: usage.messages,
    sessions,
  };
}

/** Events in [since, until): whole hours, then whole minutes from the rollups, then the rest. */
function eventCount(db: Db, range: { since: number; until: number }): number {
  const one = (sql: string, f: number, t: number) =>
    Number((db.prepare(sql).get({ f, t }) as { n: number | null }).n ?? 0);
  const hours = splitRange(range, hourMs);
  let n = hours.full
    ? one(
      "SELECT sum(n) AS n FROM rollup_event_hours WHERE hour >= :f AND hour < :t",
      ...hours.full,
    )
    : 0;
  for (const [since, until] of hours.edges) {
    const minutes = splitRange({ since, until }, minuteMs);
    if (minutes.full) {
      n += one(
        "SELECT sum(n) AS n FROM rollup_events WHERE minute >= :f AND minute < :t",
        ...minutes.full,
      );
    }
    for (const [f, t] of minutes.edges) {
      n += one("SELECT count(*) AS n FROM events WHERE ts >= :f AND ts < :t", f, t);
    }
  }
  return n;
}

/** Tool calls in [since, until): whole hours from rollup_tools, the rest from tool_calls_time. */
function toolCallCount(db: Db, range: { since: number; until: number }): number {
  const one = (sql: string, f: number, t: number) =>
    Number((db.prepare(sql).get({ f, t }) as { n: number | null }).n ?? 0);
  const { full, edges } = splitRange(range, hourMs);
  let n = full
    ? one("SELECT sum(calls) AS n FROM rollup_tools WHERE hour >= :f AND hour < :t", ...full)
    : 0;
  for (const [f, t] of edges) {
    n += one(
      `SELECT count(*) AS n FROM tool_calls INDEXED BY tool_calls_time
       WHERE COALESCE(start_ts, end_ts) >= :f AND COALESCE(start_ts, end_ts) < :t`,
      f,
      t,
    );
  }
  return n;
}

// Store-wide counts: the aggregates behind /metrics and the OTLP counters, and the counts and
// ingest errors /health shows. The metric aggregates are kept cheap enough to run on every
// scrape at a million events. Ingest only ever inserts events and messages, so their sums are
// counted once and then extended by the rows added since, found by id (events.id,
// messages.event_id); rows a retention policy deletes later stay counted, as a Prometheus
// counter should, until a restart counts the table again. Tool calls change status, so they
// are counted afresh from the covering index tool_calls_tool_status each time.

import type { HealthReport, IngestErrorRow } from "../../core/types.ts";
import type { Db } from "../db.ts";
import { allRows, oneRow } from "../rows.ts";
import { iso } from "../../core/text.ts";
import { maskSecrets } from "../../core/secrets.ts";
import { rawBlocksOf } from "../raw_blocks.ts";

export interface CountByLabel {
  label: string;
  n: number;
}

/** Events per type with id > `afterId`, and the highest id counted. */
export function eventTypeCountsAfter(
  db: Db,
  afterId: number,
): { maxId: number; counts: CountByLabel[] } {
  const maxId =
    oneRow(db.prepare("SELECT COALESCE(MAX(id), 0) AS m FROM events"), { m: "int" })?.m ?? 0;
  if (maxId <= afterId) return { maxId, counts: [] };
  // From scratch, the covering index is far cheaper than the table (which holds raw JSON);
  // for a few new rows the rowid range is. Both run in one synchronous call with the max
  // read above, and the only writer shares this connection and thread, so nothing slips in.
  const shape = { label: "text", n: "int" } as const;
  const counts = afterId === 0
    ? allRows(db.prepare("SELECT type AS label, count(*) AS n FROM events GROUP BY type"), shape)
    : allRows(
      db.prepare(
        "SELECT type AS label, count(*) AS n FROM events WHERE id > ? AND id <= ? GROUP BY type",
      ),
      shape,
      afterId,
      maxId,
    );
  return { maxId, counts };
}

export interface ToolCallCounts {
  tool: string;
  calls: number;
  failures: number;
  running: number;
}

/** Paired tool calls per tool: all, failed, still running. */
export function toolCallCounts(db: Db): ToolCallCounts[] {
  const rows = allRows(
    db.prepare(
      "SELECT tool_name AS tool, status, count(*) AS n FROM tool_calls GROUP BY tool_name, status",
    ),
    { tool: "text", status: "text", n: "int" },
  );
  const byTool = new Map<string, ToolCallCounts>();
  for (const r of rows) {
    let t = byTool.get(r.tool);
    if (!t) byTool.set(r.tool, t = { tool: r.tool, calls: 0, failures: 0, running: 0 });
    t.calls += r.n;
    if (r.status === "error") t.failures += r.n;
    else if (r.status === "running") t.running += r.n;
  }
  return [...byTool.values()];
}

export interface ModelUsage {
  model: string | null;
  messages: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  /** Sum over priced messages only. */
  cost_usd: number;
  /** Messages of a model without a known price (their cost is not in cost_usd). */
  unpriced: number;
}

const usageColumns = `model, count(*) AS messages, SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens, SUM(cache_creation_tokens) AS cache_creation_tokens,
  SUM(cache_read_tokens) AS cache_read_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
  SUM(cost_usd IS NULL) AS unpriced`;
const usageShape = {
  model: "text?",
  messages: "int",
  input_tokens: "int",
  output_tokens: "int",
  cache_creation_tokens: "int",
  cache_read_tokens: "int",
  cost_usd: "real",
  unpriced: "int",
} as const;

/**
 * Deduplicated assistant messages per model (tokens, cost) stored with an event id above
 * `afterEventId`, and the highest event id counted. The usage-first pass's messages (event id
 * -1 until the backfill stores their lines, store/write/usage_first.ts) are left out: they are
 * replaced by rows with new event ids, which a running sum counts when they come.
 */
export function usageByModelAfter(
  db: Db,
  afterEventId: number,
): { maxEventId: number; usage: ModelUsage[] } {
  const maxEventId = oneRow(
    db.prepare("SELECT COALESCE(MAX(event_id), 0) AS m FROM messages WHERE event_id > 0"),
    { m: "int" },
  )?.m ?? 0;
  if (maxEventId <= afterEventId) return { maxEventId, usage: [] };
  // From scratch, a scan: through messages_event (`event_id > 0` unary-plussed away from it)
  // SQLite would look every row up by its rowid: 1.7-1.9 × the time at 180k messages.
  const usage = afterEventId === 0
    ? allRows(
      db.prepare(`SELECT ${usageColumns} FROM messages WHERE +event_id > 0 GROUP BY model`),
      usageShape,
    )
    : allRows(
      db.prepare(
        `SELECT ${usageColumns} FROM messages WHERE event_id > ? AND event_id <= ? GROUP BY model`,
      ),
      usageShape,
      afterEventId,
      maxEventId,
    );
  return { maxEventId, usage };
}

/** Stored ingest errors (files and lines that could not be read), now. */
export function ingestErrorCount(db: Db): number {
  return oneRow(db.prepare("SELECT count(*) AS n FROM ingest_errors"), { n: "int" })?.n ?? 0;
}

/** Size of the database file in bytes (pages × page size). */
export function dbBytes(db: Db): number {
  return oneRow(
    db.prepare(
      "SELECT p.page_count * s.page_size AS n FROM pragma_page_count() p, pragma_page_size() s",
    ),
    { n: "int" },
  )?.n ?? 0;
}

/** The newest stored ingest errors (unreadable files and lines), masked, for /health. */
export function ingestErrors(db: Db, limit: number): IngestErrorRow[] {
  const rows = allRows(
    db.prepare(
      "SELECT path, offset, reason, ts FROM ingest_errors ORDER BY ts DESC, id DESC LIMIT ?",
    ),
    { path: "text", offset: "int", reason: "text", ts: "int" },
    limit,
  );
  return rows.map((r) => ({
    path: r.path,
    offset: r.offset >= 0 ? r.offset : null,
    reason: maskSecrets(r.reason),
    ts: iso(r.ts),
  }));
}

export interface StoreCounts {
  events: number;
  sessions: number;
  files: number;
  errors: number;
  lastEventTs: number | null;
  dbBytes: number;
  /** Compressed payload blocks found unreadable (store/raw_blocks.ts). */
  damagedBlocks: number;
}

/** What the store holds, counted now, for /health. */
export function storeCounts(db: Db): StoreCounts {
  const one = (sql: string) => oneRow(db.prepare(sql), { n: "int?" })?.n ?? null;
  const pageCount = one("SELECT page_count AS n FROM pragma_page_count()") ?? 0;
  const pageSize = one("SELECT page_size AS n FROM pragma_page_size()") ?? 0;
  return {
    // The hourly rollup is kept exact in the same transactions as events (store/write/derived.ts)
    // and is a few thousand rows where count(*) over a million events takes a third of a second.
    events: one("SELECT COALESCE(SUM(n), 0) AS n FROM rollup_event_hours") ?? 0,
    sessions: one("SELECT count(*) AS n FROM sessions") ?? 0,
    files: one("SELECT count(*) AS n FROM files") ?? 0,
    errors: one("SELECT count(*) AS n FROM ingest_errors") ?? 0,
    lastEventTs: one("SELECT MAX(ts) AS n FROM events"),
    dbBytes: pageCount * pageSize,
    damagedBlocks: rawBlocksOf(db).damaged,
  };
}

/** The /api/health report from the store's counts and the process uptime. Pure. */
export function healthReport(c: StoreCounts, uptimeS: number): HealthReport {
  return {
    // An unreadable payload block is reported too (HealthSnapshot.damaged_blocks).
    status: c.errors > 0 || c.damagedBlocks > 0 ? "degraded" : "ok",
    events: c.events,
    sessions: c.sessions,
    files: c.files,
    errors: c.errors,
    last_event_ts: c.lastEventTs === null ? null : iso(c.lastEventTs),
    db_bytes: c.dbBytes,
    uptime_s: Math.round(uptimeS),
  };
}

// Aggregates behind /metrics and the OTLP counters, kept cheap enough to run on every scrape
// at a million events. Ingest only ever inserts events and messages, so their sums are
// counted once and then extended by the rows added since, found by id (events.id,
// messages.event_id); rows a retention policy deletes later stay counted, as a Prometheus
// counter should, until a restart counts the table again. Tool calls change status, so they
// are counted afresh from the covering index tool_calls_tool_status each time.

import type { Db } from "./db.ts";

export interface CountByLabel {
  label: string;
  n: number;
}

/** Events per type with id > `afterId`, and the highest id counted. */
export function eventTypeCountsAfter(
  db: Db,
  afterId: number,
): { maxId: number; counts: CountByLabel[] } {
  const maxId = (db.prepare("SELECT COALESCE(MAX(id), 0) AS m FROM events").get() as { m: number })
    .m;
  if (maxId <= afterId) return { maxId, counts: [] };
  // From scratch, the covering index is far cheaper than the table (which holds raw JSON);
  // for a few new rows the rowid range is. Both run in one synchronous call with the max
  // read above, and the only writer shares this connection and thread, so nothing slips in.
  const sql = afterId === 0
    ? "SELECT type AS label, count(*) AS n FROM events GROUP BY type"
    : "SELECT type AS label, count(*) AS n FROM events WHERE id > ? AND id <= ? GROUP BY type";
  const rows =
    (afterId === 0
      ? db.prepare(sql).all()
      : db.prepare(sql).all(afterId, maxId)) as unknown as CountByLabel[];
  return { maxId, counts: rows };
}

export interface ToolCallCounts {
  tool: string;
  calls: number;
  failures: number;
  running: number;
}

/** Paired tool calls per tool: all, failed, still running. */
export function toolCallCounts(db: Db): ToolCallCounts[] {
  const rows = db.prepare(
    "SELECT tool_name AS tool, status, count(*) AS n FROM tool_calls GROUP BY tool_name, status",
  ).all() as unknown as Array<{ tool: string; status: string; n: number }>;
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

/**
 * Deduplicated assistant messages per model (tokens, cost) stored with an event id above
 * `afterEventId`, and the highest event id counted.
 */
export function usageByModelAfter(
  db: Db,
  afterEventId: number,
): { maxEventId: number; usage: ModelUsage[] } {
  const maxEventId = (db.prepare("SELECT COALESCE(MAX(event_id), 0) AS m FROM messages").get() as {
    m: number;
  }).m;
  if (maxEventId <= afterEventId) return { maxEventId, usage: [] };
  const rows = afterEventId === 0
    ? db.prepare(`SELECT ${usageColumns} FROM messages GROUP BY model`).all()
    : db.prepare(
      `SELECT ${usageColumns} FROM messages WHERE event_id > ? AND event_id <= ? GROUP BY model`,
    ).all(afterEventId, maxEventId);
  return { maxEventId, usage: rows as unknown as ModelUsage[] };
}

/** Stored ingest errors (files and lines that could not be read), now. */
export function ingestErrorCount(db: Db): number {
  return (db.prepare("SELECT count(*) AS n FROM ingest_errors").get() as { n: number }).n;
}

/** Size of the database file in bytes (pages × page size). */
export function dbBytes(db: Db): number {
  const r = db.prepare(
    "SELECT p.page_count * s.page_size AS n FROM pragma_page_count() p, pragma_page_size() s",
  ).get() as { n: number };
  return r.n;
}

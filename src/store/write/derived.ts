// Keeps the tables derived from events and messages (migration 3: the rollup_* counts) up to
// date, one statement per table per write batch. (The events_fts search index is written by
// the writer, one row per stored event, with the text its parser computed.) The writer
// calls mark() before a batch and update() after it, inside the batch's transaction, so the
// derived rows commit (or roll back) together with the events they come from.
//
// Why not AFTER INSERT triggers: a trigger makes every event insert a statement with its own
// savepoint, and FTS5 flushes its pending index data at each one — measured, ingest of a
// transcript backfill took 2.6 times as long. (A plain INSERT per row opens no savepoint: the
// writer's search index rows stay pending until the commit.) One INSERT … SELECT per batch.
// Tool-call rollups stay trigger-maintained (tool_calls rows are upserted and re-paired).
// Claude Code's bookkeeping lines (events.bookkeeping, migration 7) are indexed, not counted.

import type { Db } from "../db.ts";

/** Deletes an hour's rollup_usage row once no message is left in it (hour, session, model). */
export const dropEmptyRollupUsage =
  "DELETE FROM rollup_usage WHERE hour = ? AND session_id = ? AND model = ? AND messages <= 0";

/** The upsert tail that adds a row's figures to an hour's rollup_usage row (`excluded`). */
export const addToRollupUsage = `ON CONFLICT DO UPDATE SET messages = messages + excluded.messages,
  input_tokens = input_tokens + excluded.input_tokens,
  output_tokens = output_tokens + excluded.output_tokens,
  cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
  cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
  cost_usd = cost_usd + excluded.cost_usd, unpriced = unpriced + excluded.unpriced,
  reported = reported + excluded.reported,
  cost_reported_usd = cost_reported_usd + excluded.cost_reported_usd`;

/**
 * Adds the messages matching `where` to rollup_usage, by hour, session and model: what a row of
 * it is, by definition. reported / cost_reported_usd: the part Claude Code reported
 * (cost_spread.ts).
 */
export function rollupUsageOf(where: string): string {
  return `INSERT INTO rollup_usage(hour, session_id, model, messages, input_tokens, output_tokens,
      cache_creation_tokens, cache_read_tokens, cost_usd, unpriced, reported, cost_reported_usd)
    SELECT ts / 3600000 * 3600000, session_id, COALESCE(model, ''), count(*),
      sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens),
      sum(cache_read_tokens), COALESCE(sum(cost_usd), 0), sum(cost_usd IS NULL),
      sum(cost_reported), COALESCE(sum(CASE WHEN cost_reported THEN cost_usd END), 0)
    FROM messages WHERE ${where} GROUP BY 1, 2, 3
    ${addToRollupUsage}`;
}

export class DerivedTables {
  #maxId;
  #statements;

  constructor(db: Db) {
    this.#maxId = db.prepare("SELECT COALESCE(max(id), 0) AS m FROM events");
    this.#statements = [
      `INSERT INTO rollup_events(minute, type, tool, n)
       SELECT ts / 60000 * 60000, type, COALESCE(tool_name, ''), count(*) FROM events
       WHERE id > :after AND bookkeeping = 0 GROUP BY 1, 2, 3
       ON CONFLICT DO UPDATE SET n = n + excluded.n`,
      `INSERT INTO rollup_event_hours(hour, type, tool, n)
       SELECT ts / 3600000 * 3600000, type, COALESCE(tool_name, ''), count(*) FROM events
       WHERE id > :after AND bookkeeping = 0 GROUP BY 1, 2, 3
       ON CONFLICT DO UPDATE SET n = n + excluded.n`,
      `INSERT INTO rollup_session_hours(hour, session_id, n)
       SELECT ts / 3600000 * 3600000, session_id, count(*) FROM events
       WHERE id > :after AND bookkeeping = 0 GROUP BY 1, 2
       ON CONFLICT DO UPDATE SET n = n + excluded.n`,
      // Messages are only ever stored for events of the same batch (messages_event index).
      rollupUsageOf("event_id > :after"),
    ].map((sql) => db.prepare(sql));
  }

  /** The highest event id now; events stored after this call get larger ids. */
  mark(): number {
    return (this.#maxId.get() as { m: number }).m;
  }

  /** Adds the events with id > `after` (and their messages) to the rollups. */
  update(after: number): void {
    for (const s of this.#statements) s.run({ after });
  }
}

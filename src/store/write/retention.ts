// Retention: deletes what is older than N days from claude-dash's own database, never from the
// source files under ~/.claude. Events go with their search-index entries and rollup counts
// (migration 3's delete triggers keep both exact); messages and tool calls older than the
// cutoff and sessions whose last activity is older go too. File cursors (table files) are
// kept, so nothing deleted is ever read in again. Deletes run in small transactions with a
// pause between them, so ingest and the HTTP server keep going during a large first run.

import { retentionBatchRows, retentionIntervalMs } from "../../core/config.ts";
import { type Db, inTransaction } from "../db.ts";
import { readSettings } from "../settings.ts";
import { log } from "../../core/log.ts";
import { syncMasking } from "./masking.ts";
import { rawBlocksOf } from "../raw_blocks.ts";

const dayMs = 24 * 3600_000;

export interface RetentionResult {
  /** Rows with a time before this (ms since epoch) were deleted. */
  cutoff: number;
  events: number;
  messages: number;
  tool_calls: number;
  sessions: number;
  /** Compressed payload blocks left with no event. */
  raw_blocks?: number;
}

/** One run at a time per database (the hourly timer and a save may meet). */
const running = new WeakMap<Db, Promise<unknown>>();

export interface RetentionOptions {
  /** Rows deleted per transaction. */
  batchRows?: number;
  /** Stops between batches (shutdown); what was deleted so far stays deleted. */
  signal?: AbortSignal;
}

/** Deletes everything older than `days` days before `now` (ms). */
export function applyRetention(
  db: Db,
  days: number,
  now: number,
  opts: RetentionOptions = {},
): Promise<RetentionResult> {
  const before = running.get(db) ?? Promise.resolve();
  const run = before.catch(() => {}).then(() =>
    deleteOlder(db, now - days * dayMs, opts.batchRows ?? retentionBatchRows, opts.signal)
  );
  running.set(db, run);
  return run;
}

const pause = () => new Promise((r) => setTimeout(r, 0));

async function deleteOlder(
  db: Db,
  cutoff: number,
  batchRows: number,
  signal: AbortSignal | undefined,
): Promise<RetentionResult> {
  const result: RetentionResult = { cutoff, events: 0, messages: 0, tool_calls: 0, sessions: 0 };
  const batches: Array<[keyof Omit<RetentionResult, "cutoff" | "raw_blocks">, string]> = [
    [
      "events",
      "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < :cutoff LIMIT :n)",
    ],
    [
      "messages",
      `DELETE FROM messages WHERE (message_id, request_id) IN
         (SELECT message_id, request_id FROM messages WHERE ts < :cutoff LIMIT :n)`,
    ],
    [
      // A call is old when its last known time is: started (or ended) and, if ended, ended
      // before the cutoff. The first condition reads the tool_calls_time index.
      "tool_calls",
      `DELETE FROM tool_calls WHERE id IN (SELECT id FROM tool_calls
         WHERE COALESCE(start_ts, end_ts) < :cutoff AND COALESCE(end_ts, start_ts) < :cutoff
         LIMIT :n)`,
    ],
    [
      "sessions",
      `DELETE FROM sessions WHERE session_id IN
         (SELECT session_id FROM sessions WHERE last_ts < :cutoff LIMIT :n)`,
    ],
  ];
  for (const [what, sql] of batches) {
    const stmt = db.prepare(sql);
    for (;;) {
      const n = Number(inTransaction(db, () => {
        // The delete trigger recomputes each event's indexed text: masked as it was indexed.
        if (what === "events") syncMasking(db);
        return stmt.run({ cutoff, n: batchRows }).changes;
      }));
      result[what] += n;
      if (n < batchRows) break;
      await pause();
      if (signal?.aborted) return result;
    }
  }
  if (result.events > 0) result.raw_blocks = dropUnusedBlocks(db);
  if (result.events + result.messages + result.tool_calls > 0) {
    // Rollup rows the triggers counted down to nothing: dropped, so the tables stay small.
    inTransaction(db, () => {
      db.exec("DELETE FROM rollup_events WHERE n <= 0");
      db.exec("DELETE FROM rollup_event_hours WHERE n <= 0");
      db.exec("DELETE FROM rollup_session_hours WHERE n <= 0");
      db.exec("DELETE FROM rollup_tools WHERE calls <= 0");
      db.exec("DELETE FROM tool_durations WHERE n <= 0");
      db.exec("DELETE FROM rollup_usage WHERE messages <= 0");
    });
  }
  return result;
}

/**
 * Deletes the compressed payload blocks (store/raw_blocks.ts) none of whose events is left. Read
 * outside a transaction: only the batch that wrote a block ever adds events to it, so a block
 * found unused stays unused.
 */
function dropUnusedBlocks(db: Db): number {
  const unused = db.prepare(
    `SELECT id FROM raw_blocks
      WHERE id NOT IN (SELECT raw_block FROM events WHERE raw_block IS NOT NULL)`,
  ).all().map((r) => Number(r.id));
  const drop = db.prepare("DELETE FROM raw_blocks WHERE id = ?");
  inTransaction(db, () => {
    for (const id of unused) drop.run(id);
  });
  rawBlocksOf(db).forget();
  return unused.length;
}

/** Applies the retention setting (if any) now and then every `intervalMs`; stop() waits. */
export function startRetentionTimer(
  db: Db,
  intervalMs = retentionIntervalMs,
): { stop(): Promise<void> } {
  const abort = new AbortController();
  const tick = async () => {
    if (abort.signal.aborted) return;
    try {
      const days = readSettings(db).retention_days;
      if (days === null) return;
      const r = await applyRetention(db, days, Date.now(), { signal: abort.signal });
      const n = r.events + r.messages + r.tool_calls + r.sessions;
      if (n > 0) {
        log.info(
          `retention (${days} days): deleted ${r.events} events, ${r.messages} messages, ` +
            `${r.tool_calls} tool calls, ${r.sessions} sessions from claude-dash's database`,
        );
      }
    } catch (e) {
      if (!abort.signal.aborted) {
        log.error(`retention failed: ${e instanceof Error ? e.message : e}`);
      }
    }
  };
  const timer = setInterval(tick, intervalMs);
  tick(); // a restart must not postpone retention by another interval
  return {
    async stop() {
      abort.abort();
      clearInterval(timer);
      await running.get(db)?.catch(() => {});
    },
  };
}

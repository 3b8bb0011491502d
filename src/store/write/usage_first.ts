// Rows of the usage-first pass (issue 18; src/ingest/usage_first.ts): deduplicated messages
// stored before their events, so usage answers are complete seconds after a cold start. They
// are marked by event_id = provisionalEventId (no event has an id below 1) and counted in
// rollup_usage like any message. The normal backfill then stores every line again: the
// writer (messages.ts) drops a provisional row before it stores the same message, exactly as
// if it had never been there, so the end state equals a backfill alone. Rows it never
// reaches (a line the full parser refuses) are dropped once the backfill has caught up.

import type { PriceTable } from "../../core/pricing.ts";
import type { Usage } from "../../core/types.ts";
import { type Db, inTransaction } from "../db.ts";
import { addToRollupUsage, dropEmptyRollupUsage } from "./derived.ts";

/** SQLite page cache while the pass stores its rows, KiB. */
export const provisionalCacheKib = 1024;

/** event_id of a message stored by the usage-first pass. */
export const provisionalEventId = -1;

/** One deduplicated message to store. */
export interface ProvisionalMessage {
  messageId: string;
  requestId: string;
  sessionId: string;
  ts: number;
  model: string | null;
  usage: Usage;
}

/** A stored message as the writer finds it (messages.ts). */
export interface FoundMessage {
  request_id: string;
  session_id: string;
  ts: number;
  model: string | null;
  event_id: number;
}

const hourOf = (ts: number) => Math.floor(ts / 3_600_000) * 3_600_000;

/** Whether the first backfill has stored any transcript (then the usage-first pass is not run). */
export function hasTranscriptCursors(db: Db): boolean {
  return db.prepare("SELECT 1 AS x FROM files WHERE kind = 'transcript' LIMIT 1").get() !==
    undefined;
}

/** Stores the pass's messages (replacing an earlier pass's) in one transaction; returns rows. */
export function storeProvisional(
  db: Db,
  prices: PriceTable,
  messages: Iterable<ProvisionalMessage>,
): number {
  // A small page cache for the bulk insert: SQLite spills to the WAL as it goes instead of
  // holding every dirty page (measured at 45k messages: +10 MiB of peak RSS with 1 MiB, +14
  // with 4 MiB, about +40 with the default 32 MiB, in about the same time).
  const cacheWas = db.prepare("PRAGMA cache_size").get()?.cache_size;
  db.exec(`PRAGMA cache_size = -${provisionalCacheKib}`);
  try {
    return storeAll(db, prices, messages);
  } finally {
    if (typeof cacheWas === "number") db.exec(`PRAGMA cache_size = ${cacheWas}`);
  }
}

function storeAll(db: Db, prices: PriceTable, messages: Iterable<ProvisionalMessage>): number {
  return inTransaction(db, () => {
    dropAllProvisional(db);
    // On an empty table (a cold start) its indexes are built once after the rows are in, in
    // key order: measured 0.29 s instead of 0.5 s for 45k messages. Same definitions, same
    // transaction, so nothing outside it sees the difference.
    const empty = db.prepare("SELECT 1 AS x FROM messages LIMIT 1").get() === undefined;
    const indexes = empty ? messageIndexes(db) : [];
    for (const ix of indexes) db.exec(`DROP INDEX "${ix.name.replaceAll('"', '""')}"`);
    const insert = db.prepare(`
      INSERT OR IGNORE INTO messages(message_id, request_id, session_id, ts, model, input_tokens,
        output_tokens, cache_creation_tokens, cache_creation_1h_tokens, cache_read_tokens,
        cost_usd, event_id, cost_estimated_usd)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,${provisionalEventId},?)`);
    // In key order without indexes; in time order (the time indexes grow at their end) with.
    const list = [...messages].sort(
      empty
        ? (a, b) => cmp(a.messageId, b.messageId) || cmp(a.requestId, b.requestId)
        : (a, b) => a.ts - b.ts,
    );
    const rollup = new Map<string, RollupRow>();
    let rows = 0;
    for (const m of list) {
      const u = m.usage;
      const cost = prices.costOf(m.model, u);
      const added = insert.run(
        m.messageId,
        m.requestId,
        m.sessionId,
        m.ts,
        m.model,
        u.input_tokens,
        u.output_tokens,
        u.cache_creation_tokens,
        u.cache_creation_1h_tokens,
        u.cache_read_tokens,
        cost,
        cost,
      ).changes;
      if (Number(added) === 0) continue;
      rows++;
      addToRollup(rollup, m, cost);
    }
    for (const ix of indexes) db.exec(ix.sql);
    // The same sums the writer's rollup adds per batch (derived.ts), summed here rather than
    // by a GROUP BY over the rows just written (whose sort would hold them all in memory).
    const upsert = db.prepare(`
      INSERT INTO rollup_usage(hour, session_id, model, messages, input_tokens, output_tokens,
        cache_creation_tokens, cache_read_tokens, cost_usd, unpriced, reported, cost_reported_usd)
      VALUES (?,?,?,?,?,?,?,?,?,?,0,0)
      ${addToRollupUsage}`);
    for (const r of rollup.values()) {
      upsert.run(r.hour, r.session, r.model, r.n, r.i, r.o, r.cc, r.cr, r.cost, r.unpriced);
    }
    return rows;
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The messages table's own indexes (name and CREATE statement). */
function messageIndexes(db: Db): Array<{ name: string; sql: string }> {
  const out: Array<{ name: string; sql: string }> = [];
  const rows = db.prepare(
    `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'
     AND sql IS NOT NULL`,
  ).all();
  for (const r of rows) {
    if (typeof r.name === "string" && typeof r.sql === "string") {
      out.push({ name: r.name, sql: r.sql });
    }
  }
  return out;
}

interface RollupRow {
  hour: number;
  session: string;
  model: string;
  n: number;
  i: number;
  o: number;
  cc: number;
  cr: number;
  cost: number;
  unpriced: number;
}

function addToRollup(
  rollup: Map<string, RollupRow>,
  m: ProvisionalMessage,
  cost: number | null,
): void {
  const hour = hourOf(m.ts);
  const model = m.model ?? "";
  const key = `${hour}\u0000${m.sessionId}\u0000${model}`;
  let r = rollup.get(key);
  if (!r) {
    r = { hour, session: m.sessionId, model, n: 0, i: 0, o: 0, cc: 0, cr: 0, cost: 0, unpriced: 0 };
    rollup.set(key, r);
  }
  r.n++;
  r.i += m.usage.input_tokens;
  r.o += m.usage.output_tokens;
  r.cc += m.usage.cache_creation_tokens;
  r.cr += m.usage.cache_read_tokens;
  if (cost === null) r.unpriced++;
  else r.cost += cost;
}

/**
 * Drops every provisional row (inside a transaction). The messages table's delete trigger
 * (migration_cost_spread.ts) takes each out of rollup_usage; rows left empty go.
 */
function dropAllProvisional(db: Db): number {
  const n = Number(
    db.prepare(`DELETE FROM messages WHERE event_id = ${provisionalEventId}`).run().changes,
  );
  // A rollup row holds at least one message everywhere else.
  if (n > 0) db.prepare("DELETE FROM rollup_usage WHERE messages <= 0").run();
  return n;
}

/**
 * Once the backfill has caught up (no transcript more than `slackBytes` behind its size),
 * drops the provisional rows it never replaced; returns how many (null: not caught up yet).
 */
export function settleProvisional(db: Db, slackBytes: number): number | null {
  const behind = db.prepare(
    "SELECT 1 AS x FROM files WHERE kind = 'transcript' AND size - offset > ? LIMIT 1",
  ).get(slackBytes);
  if (behind !== undefined) return null;
  const any = db.prepare(
    `SELECT 1 AS x FROM messages INDEXED BY messages_event WHERE event_id = ${provisionalEventId}
     LIMIT 1`,
  ).get();
  if (any === undefined) return 0;
  return inTransaction(db, () => dropAllProvisional(db));
}

/**
 * The writer's side (messages.ts): before a message is stored, a provisional row it found
 * for it is deleted (the delete trigger takes it out of rollup_usage; a row left empty goes),
 * so the message is stored as new.
 */
export class ProvisionalDrop {
  #emptyRollup;
  #delete;

  constructor(db: Db) {
    this.#emptyRollup = db.prepare(dropEmptyRollupUsage);
    this.#delete = db.prepare("DELETE FROM messages WHERE message_id = ? AND request_id = ?");
  }

  /** Drops `found` if it is provisional; true when it was. */
  dropIf(messageId: string, found: FoundMessage): boolean {
    if (found.event_id !== provisionalEventId) return false;
    this.#delete.run(messageId, found.request_id);
    this.#emptyRollup.run(hourOf(found.ts), found.session_id, found.model ?? "");
    return true;
  }
}

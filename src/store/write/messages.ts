// The messages table: one row per assistant message's usage, priced when stored with the
// prices in force (the built-in table under the user's overrides), and what it adds to its
// session's token, cost and context totals. cost_estimated_usd is that price; cost_usd equals
// it until a cost-state of the session replaces it by Claude Code's figure (cost_reported = 1,
// cost_spread.ts). Sessions' cost_usd sums the estimates (their reported total is apart).
// Streaming: Claude Code writes one line per content block of a message, all with the same
// message id and request id, and early ones may carry partial output_tokens. The row keeps the
// largest usage seen (its final snapshot) and that snapshot's time (as ccusage 20 does: a
// message counts on the day its final snapshot was written); a line without a request id
// matches its message id alone. Only a copy in the same session is merged; one in another
// session (a fork) is not counted twice. A provisional row of the usage-first pass
// (usage_first.ts) is dropped before the same message is stored, as if it had never been.
// A message first seen in a write batch is held here and written once, with its final
// snapshot, when the batch's lines are all in (flush): about half of a transcript's assistant
// lines repeat a message of the same batch, and each cost a SELECT and an UPDATE.

import type { NormalizedEvent, Usage } from "../../core/types.ts";
import type { PriceTable } from "../../core/pricing.ts";
import type { Db } from "../db.ts";
import type { SessionDelta } from "./session_delta.ts";
import { ProvisionalDrop } from "./usage_first.ts";
import { RollupMove } from "./message_move.ts";

const total = (u: Usage) =>
  u.input_tokens + u.output_tokens + u.cache_creation_tokens + u.cache_read_tokens;

export class MessageWrites {
  #insert;
  #find;
  #update;
  #shiftRollup;
  #provisional;
  #move;
  #prices: PriceTable;
  /** The batch's new rows by message id (usually one each), not yet written. */
  #pending = new Map<string, StoredRow[]>();

  constructor(db: Db, prices: PriceTable) {
    this.#prices = prices;
    this.#insert = db.prepare(`
      INSERT OR IGNORE INTO messages(message_id, request_id, session_id, ts, model, input_tokens, output_tokens,
        cache_creation_tokens, cache_creation_1h_tokens, cache_read_tokens, cost_usd, event_id,
        cost_estimated_usd)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`);
    this.#find = db.prepare(`
      SELECT request_id, session_id, ts, model, input_tokens, output_tokens, cache_creation_tokens,
        cache_creation_1h_tokens, cache_read_tokens, cost_usd, cost_estimated_usd, cost_reported,
        event_id
      FROM messages WHERE message_id = :mid AND (request_id = :rid OR :rid = '' OR request_id = '')
      ORDER BY request_id = :rid DESC LIMIT 1`);
    this.#update = db.prepare(`
      UPDATE messages SET input_tokens = ?, output_tokens = ?, cache_creation_tokens = ?,
        cache_creation_1h_tokens = ?, cache_read_tokens = ?, cost_estimated_usd = ?,
        cost_usd = CASE WHEN cost_reported THEN cost_usd ELSE ? END, ts = ?
      WHERE message_id = ? AND request_id = ?`);
    // A row stored by an earlier batch is already in the rollup: move it by the difference
    // (rows of this batch reach it at the batch's end with their final values; derived.ts).
    this.#shiftRollup = db.prepare(`
      UPDATE rollup_usage SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
        cache_creation_tokens = cache_creation_tokens + ?, cache_read_tokens = cache_read_tokens + ?,
        cost_usd = cost_usd + ?, unpriced = unpriced + ?
      WHERE hour = ? AND session_id = ? AND model = ?`);
    this.#provisional = new ProvisionalDrop(db);
    this.#move = new RollupMove(db);
  }

  /** A new write batch: rows held for a batch that rolled back are gone with it. */
  begin(): void {
    this.#pending.clear();
  }

  /** Writes the batch's new rows (before anything else of the batch reads messages). */
  flush(): void {
    for (const rows of this.#pending.values()) this.#write(rows);
    this.#pending.clear();
  }

  #write(rows: StoredRow[]): void {
    for (const r of rows) {
      this.#insert.run(
        r.message_id,
        r.request_id,
        r.session_id,
        r.ts,
        r.model,
        r.input_tokens,
        r.output_tokens,
        r.cache_creation_tokens,
        r.cache_creation_1h_tokens,
        r.cache_read_tokens,
        r.cost_usd,
        r.event_id,
        r.cost_estimated_usd,
      );
    }
  }

  /** The stored row a line of message `mid` (request `rid`) belongs to, as #find chooses it. */
  #lookup(mid: string, rid: string): StoredMessage | undefined {
    const held = this.#pending.get(mid);
    if (held) {
      // The row with this very key comes first in #find's order, and only one row has it.
      const same = held.find((r) => r.request_id === rid);
      if (same) return same;
      // Matched by #find's other terms (a line or row without a request id): it sees them all.
      this.#write(held);
      this.#pending.delete(mid);
    }
    return this.#find.get({ mid, rid }) as StoredMessage | undefined;
  }

  /**
   * Stores an event's usage (once per message, its largest snapshot) and adds what it changes
   * to the session's delta. `batchStart`: the highest event id before this batch.
   */
  store(d: SessionDelta, ev: NormalizedEvent, eventId: number, batchStart: number): void {
    const rec = ev.usage!;
    const u = rec.usage;
    let old = this.#lookup(rec.messageId, rec.requestId);
    // A row of the usage-first pass (usage_first.ts) goes: the message is stored as if new.
    while (old && this.#provisional.dropIf(rec.messageId, old)) {
      old = this.#lookup(rec.messageId, rec.requestId);
    }
    if (old) {
      if (old.session_id === ev.sessionId && total(u) > total(stored(old))) {
        this.#grow(d, rec.messageId, old, u, ev.ts, batchStart);
      }
      return;
    }
    const cost = this.#prices.costOf(rec.model, u);
    const row: StoredRow = {
      message_id: rec.messageId,
      request_id: rec.requestId,
      session_id: ev.sessionId,
      ts: ev.ts,
      model: rec.model,
      ...u,
      cost_usd: cost,
      cost_estimated_usd: cost,
      cost_reported: 0,
      event_id: eventId,
      pending: true,
    };
    const same = this.#pending.get(rec.messageId);
    if (same) same.push(row);
    else this.#pending.set(rec.messageId, [row]);
    // Context: what the latest main-thread turn sent (sub-agents have their own context;
    // Claude Code's synthetic error messages carry no usage).
    const context = u.input_tokens + u.cache_creation_tokens + u.cache_read_tokens;
    if (!ev.isSidechain && context > 0 && rec.model !== "<synthetic>" && ev.ts >= d.contextTs) {
      d.contextTokens = context;
      d.contextTs = ev.ts;
    }
    d.input += u.input_tokens;
    d.output += u.output_tokens;
    d.cacheCreation += u.cache_creation_tokens;
    d.cacheRead += u.cache_read_tokens;
    if (cost === null) d.unpriced++;
    else d.cost += cost;
  }

  /** Replaces a stored message's usage and time by a larger snapshot's, moving its totals. */
  #grow(
    d: SessionDelta,
    messageId: string,
    old: StoredMessage,
    u: Usage,
    ts: number,
    batchStart: number,
  ): void {
    // Priced with the model the row was stored under, so one message never changes model.
    // A reported share stays until the session's next cost-state re-spreads it.
    const newCost = this.#prices.costOf(old.model, u);
    const was = stored(old);
    const di = u.input_tokens - was.input_tokens;
    const dOut = u.output_tokens - was.output_tokens;
    const dcc = u.cache_creation_tokens - was.cache_creation_tokens;
    const dcr = u.cache_read_tokens - was.cache_read_tokens;
    const dCost = (newCost ?? 0) - (old.cost_estimated_usd ?? 0);
    const dUnpriced = (newCost === null ? 1 : 0) - (old.cost_estimated_usd === null ? 1 : 0);
    d.input += di;
    d.output += dOut;
    d.cacheCreation += dcc;
    d.cacheRead += dcr;
    d.cost += dCost;
    d.unpriced += dUnpriced;
    if (old.pending) {
      // Not written yet, so in no rollup either: it is written with these values (flush).
      Object.assign(old, u, { cost_usd: newCost, cost_estimated_usd: newCost, ts });
      return;
    }
    this.#update.run(
      u.input_tokens,
      u.output_tokens,
      u.cache_creation_tokens,
      u.cache_creation_1h_tokens,
      u.cache_read_tokens,
      newCost,
      newCost,
      ts,
      messageId,
      old.request_id,
    );
    const reported = old.cost_reported === 1;
    const hour = (t: number) => Math.floor(t / 3_600_000);
    if (old.event_id <= batchStart && hour(ts) !== hour(old.ts)) {
      // The final snapshot's time is the message's time: it moves to another hour's row.
      const cost = reported ? old.cost_usd : newCost;
      this.#move.move(
        old.session_id,
        old.model ?? "",
        old.ts,
        {
          input: was.input_tokens,
          output: was.output_tokens,
          cacheCreation: was.cache_creation_tokens,
          cacheRead: was.cache_read_tokens,
          cost: old.cost_usd,
          reported,
        },
        ts,
        {
          input: u.input_tokens,
          output: u.output_tokens,
          cacheCreation: u.cache_creation_tokens,
          cacheRead: u.cache_read_tokens,
          cost,
          reported,
        },
      );
    } else if (old.event_id <= batchStart) {
      this.#shiftRollup.run(
        di,
        dOut,
        dcc,
        dcr,
        reported ? 0 : dCost,
        reported ? 0 : dUnpriced,
        Math.floor(old.ts / 3_600_000) * 3_600_000,
        old.session_id,
        old.model ?? "",
      );
    }
  }
}

interface StoredMessage {
  request_id: string;
  session_id: string;
  ts: number;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_creation_1h_tokens: number;
  cache_read_tokens: number;
  cost_usd: number | null;
  cost_estimated_usd: number | null;
  cost_reported: number;
  event_id: number;
  /** A row of this batch not written yet (#pending). */
  pending?: true;
}

interface StoredRow extends StoredMessage {
  message_id: string;
}

function stored(m: StoredMessage): Usage {
  return {
    input_tokens: m.input_tokens,
    output_tokens: m.output_tokens,
    cache_creation_tokens: m.cache_creation_tokens,
    cache_creation_1h_tokens: m.cache_creation_1h_tokens,
    cache_read_tokens: m.cache_read_tokens,
  };
}

// The messages table: one row per assistant message's usage, priced when stored with the
// prices in force (the built-in table under the user's overrides), and what it adds to its
// session's token, cost and context totals.

import type { NormalizedEvent } from "../../core/types.ts";
import type { PriceTable } from "../../core/pricing.ts";
import type { Db } from "../db.ts";
import type { SessionDelta } from "./session_delta.ts";

export class MessageWrites {
  #insert;
  #prices: PriceTable;

  constructor(db: Db, prices: PriceTable) {
    this.#prices = prices;
    this.#insert = db.prepare(`
      INSERT OR IGNORE INTO messages(message_id, request_id, session_id, ts, model, input_tokens, output_tokens,
        cache_creation_tokens, cache_creation_1h_tokens, cache_read_tokens, cost_usd, event_id)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`);
  }

  /** Stores an event's usage (once per message) and adds it to the session's delta. */
  store(d: SessionDelta, ev: NormalizedEvent, eventId: number): void {
    const rec = ev.usage!;
    const u = rec.usage;
    const cost = this.#prices.costOf(rec.model, u);
    const res = this.#insert.run(
      rec.messageId,
      rec.requestId,
      ev.sessionId,
      ev.ts,
      rec.model,
      u.input_tokens,
      u.output_tokens,
      u.cache_creation_tokens,
      u.cache_creation_1h_tokens,
      u.cache_read_tokens,
      cost,
      eventId,
    );
    if (res.changes === 0) return;
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
}

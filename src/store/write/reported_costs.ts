// What Claude Code reports about a session in its transcript's cost-state lines: its own total
// cost, per-model cost and tokens, lines added/removed, API and tool time, context window.
// Each line holds the session's running totals, so the latest (by time) replaces the stored
// ones; an older line read later (a re-read file) changes nothing. The stored costs are then
// spread over the session's messages (cost_spread.ts).

import type { CostState } from "../../core/types.ts";
import type { Db } from "../db.ts";
import { costSpreadSql, costSpreadTable } from "./cost_spread.ts";

export class ReportedCostWrites {
  #session;
  #clearModels;
  #model;
  #spreadFill;
  #spreadApply;
  #spreadFrom;
  #spreadClear;
  #lateMessages;

  constructor(db: Db) {
    this.#session = db.prepare(`
      UPDATE sessions SET reported_cost_usd = :cost, reported_ts = :ts,
        reported_lines_added = :added, reported_lines_removed = :removed,
        reported_api_ms = :api, reported_tool_ms = :tool,
        reported_context_window = COALESCE(:window, reported_context_window)
      WHERE session_id = :sid AND reported_ts <= :ts`);
    this.#clearModels = db.prepare("DELETE FROM session_model_costs WHERE session_id = ?");
    this.#model = db.prepare(`
      INSERT INTO session_model_costs(session_id, model, cost_usd, input_tokens, output_tokens,
        cache_creation_tokens, cache_read_tokens, context_window) VALUES (?,?,?,?,?,?,?,?)`);
    db.exec(costSpreadTable);
    const spread = costSpreadSql("session_id = :sid");
    this.#spreadFill = spread.fill.map((sql) => db.prepare(sql));
    this.#spreadApply = spread.apply.map((sql) => db.prepare(sql));
    this.#spreadFrom = db.prepare(
      "SELECT min(ts) AS t FROM temp.cost_spread WHERE new IS NOT old OR rep <> old_rep",
    );
    this.#spreadClear = db.prepare("DELETE FROM temp.cost_spread");
    // Sessions of a batch's new messages that an already stored cost-state covers (a file read
    // after the one holding the cost-state, e.g. a sub-agent's).
    this.#lateMessages = db.prepare(`
      SELECT DISTINCT m.session_id FROM messages m INDEXED BY messages_event
      JOIN sessions s ON s.session_id = m.session_id
      WHERE m.event_id > ? AND s.reported_cost_usd IS NOT NULL AND m.ts <= s.reported_ts`);
  }

  /**
   * Spreads the stored reported costs over the messages of the sessions whose cost-state this
   * batch changed (`sessions`) or that gained messages a stored cost-state covers (event id >
   * `after`). Run after the batch's rollups; returns the earliest time of a message whose cost
   * changed (null: none), so cached windows can be recomputed from there.
   */
  spread(sessions: Iterable<string>, after: number): number | null {
    const all = new Set(sessions);
    for (const r of this.#lateMessages.all(after) as Array<{ session_id: string }>) {
      all.add(r.session_id);
    }
    let from: number | null = null;
    for (const sid of all) {
      for (const st of this.#spreadFill) st.run({ sid });
      const t = (this.#spreadFrom.get() as { t: number | null }).t;
      if (t !== null) {
        for (const st of this.#spreadApply) st.run();
        from = Math.min(from ?? t, t);
      }
      this.#spreadClear.run();
    }
    return from;
  }

  /** Stores a session's cost-state read at `ts` if it is the latest seen; true if it was. */
  store(sessionId: string, ts: number, s: CostState): boolean {
    const windows = s.models.map((m) => m.contextWindow ?? 0);
    const window = Math.max(0, ...windows);
    const changed = this.#session.run({
      sid: sessionId,
      ts,
      cost: s.totalCostUsd,
      added: s.linesAdded,
      removed: s.linesRemoved,
      api: Math.round(s.apiDurationMs),
      tool: Math.round(s.toolDurationMs),
      window: window > 0 ? window : null,
    }).changes;
    if (changed === 0) return false;
    this.#clearModels.run(sessionId);
    for (const m of s.models) {
      this.#model.run(
        sessionId,
        m.model,
        m.costUsd,
        m.input,
        m.output,
        m.cacheCreation,
        m.cacheRead,
        m.contextWindow,
      );
    }
    return true;
  }
}

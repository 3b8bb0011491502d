// Re-prices stored usage after the price overrides change: the cost of every stored message of
// a model whose price changed, the sessions' cost totals and the hourly usage rollup. Only
// models whose price actually differs are touched. Call it inside the transaction that stores
// the new overrides, so costs and settings change together or not at all.

import type { Price, Pricer } from "../../core/pricing.ts";
import type { Db } from "../db.ts";

export interface RepriceResult {
  /** Models whose price changed (and whose messages were re-priced). */
  models: string[];
  messages: number;
  sessions: number;
}

function samePrice(a: Price | null, b: Price | null): boolean {
  if (a === null || b === null) return a === b;
  return a.input === b.input && a.output === b.output && a.cacheWrite5m === b.cacheWrite5m &&
    a.cacheWrite1h === b.cacheWrite1h && a.cacheRead === b.cacheRead;
}

/**
 * The same arithmetic as costOf() in src/core/pricing.ts, in the same order, so a re-priced message
 * holds exactly the value a fresh ingest would store. No price: null, unless no tokens at all.
 */
const costSql = `CASE
  WHEN input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens = 0 THEN 0.0
  WHEN :priced = 0 THEN NULL
  ELSE (input_tokens * :input + output_tokens * :output
    + (cache_creation_tokens - min(cache_creation_1h_tokens, cache_creation_tokens)) * :w5m
    + min(cache_creation_1h_tokens, cache_creation_tokens) * :w1h
    + cache_read_tokens * :read) / 1000000.0 END`;

/** Models that have stored usage; the rollup holds one row per hour, session and model. */
function storedModels(db: Db): string[] {
  return (db.prepare("SELECT DISTINCT model FROM rollup_usage WHERE model <> ''").all() as Array<
    { model: string }
  >).map((r) => r.model);
}

/** Re-prices what `before` and `after` price differently. Run inside a transaction. */
export function repriceStored(db: Db, before: Pricer, after: Pricer): RepriceResult {
  const models = storedModels(db).filter((m) => !samePrice(before(m), after(m)));
  const result: RepriceResult = { models, messages: 0, sessions: 0 };
  if (models.length === 0) return result;
  const perSession = db.prepare(
    `SELECT session_id, COALESCE(sum(cost_estimated_usd), 0) AS cost,
       sum(cost_estimated_usd IS NULL) AS unpriced
     FROM messages WHERE model = ? GROUP BY session_id`,
  );
  // A cost Claude Code reported (cost_reported) is not a price: only its estimate changes.
  const update = db.prepare(
    `UPDATE messages SET cost_estimated_usd = ${costSql},
       cost_usd = CASE WHEN cost_reported THEN cost_usd ELSE ${costSql} END
     WHERE model = :model`,
  );
  // Deltas, not recomputed sums: a session trimmed by retention keeps the cost of the
  // messages it no longer stores.
  const shiftSession = db.prepare(
    `UPDATE sessions SET cost_usd = cost_usd + ?, unpriced_messages = unpriced_messages + ?
     WHERE session_id = ?`,
  );
  // The rollup always equals its messages (retention deletes through a trigger): recompute.
  const rollup = db.prepare(
    `UPDATE rollup_usage SET
       cost_usd = (SELECT COALESCE(sum(m.cost_usd), 0) FROM messages m
         WHERE m.session_id = rollup_usage.session_id AND m.ts >= rollup_usage.hour
           AND m.ts < rollup_usage.hour + 3600000 AND m.model = rollup_usage.model),
       unpriced = (SELECT count(*) FROM messages m
         WHERE m.session_id = rollup_usage.session_id AND m.ts >= rollup_usage.hour
           AND m.ts < rollup_usage.hour + 3600000 AND m.model = rollup_usage.model
           AND m.cost_usd IS NULL)
     WHERE model = ?`,
  );
  const sessions = new Set<string>();
  type Sums = { session_id: string; cost: number; unpriced: number };
  for (const model of models) {
    const old = new Map(
      (perSession.all(model) as Sums[]).map((r) => [r.session_id, r]),
    );
    const p = after(model);
    result.messages += Number(
      update.run({
        model,
        priced: p ? 1 : 0,
        input: p?.input ?? 0,
        output: p?.output ?? 0,
        w5m: p?.cacheWrite5m ?? 0,
        w1h: p?.cacheWrite1h ?? 0,
        read: p?.cacheRead ?? 0,
      }).changes,
    );
    for (const now of perSession.all(model) as Sums[]) {
      const was = old.get(now.session_id);
      const dCost = now.cost - (was?.cost ?? 0);
      const dUnpriced = now.unpriced - (was?.unpriced ?? 0);
      if (dCost === 0 && dUnpriced === 0) continue;
      shiftSession.run(dCost, dUnpriced, now.session_id);
      sessions.add(now.session_id);
    }
    rollup.run(model);
  }
  result.sessions = sessions.size;
  return result;
}

// The SQL that spreads Claude Code's reported cost over a session's stored messages, shared by
// the writer (reported_costs.ts, per session) and the migration (migration_cost_spread.ts, all
// sessions), so an upgraded database holds what a fresh ingest stores.
//
// Spreading: so that usage by day, hour, model and project, the 5-hour windows and the KPIs sum
// Claude Code's cost too, each model's reported cost is spread over the session's messages of
// that model up to the cost-state (ts <= sessions.reported_ts), in proportion to their
// estimated cost, or to a token weight when the model has no price (input + 5 × output +
// 1.25 × cache write + 0.1 × cache read), then scaled so the session's messages sum to its
// totalCostUSD (a model Claude Code billed without a transcript message, e.g. a background
// call, is carried by the others). messages.cost_usd takes the share (cost_reported = 1;
// cost_estimated_usd keeps the price table's figure) and rollup_usage moves by the difference.
// Messages after the cost-state keep their estimate until the next one. Zero-token messages
// of a covered session (Claude Code's synthetic ones) are reported at 0.

/** The temp table a spread works in (created by the writer and by the migration). */
export const costSpreadTable = `CREATE TEMP TABLE IF NOT EXISTS cost_spread (
  message_id TEXT NOT NULL, request_id TEXT NOT NULL, session_id TEXT NOT NULL,
  ts INTEGER NOT NULL, model TEXT, old REAL, old_rep INTEGER NOT NULL, new REAL,
  rep INTEGER NOT NULL, PRIMARY KEY (message_id, request_id)) WITHOUT ROWID`;

/**
 * The statements of a spread over the sessions `filter` (a condition on `sessions`) selects:
 * the new cost of each affected message into cost_spread (`fill`, parameters as in
 * `filter`), then (`apply`, no parameters) the unchanged ones dropped, the rollup moved by the
 * differences and the messages updated. The writer runs them per session; the migration for all.
 */
export function costSpreadSql(filter: string): { fill: string[]; apply: string[] } {
  const s = `SELECT session_id, reported_cost_usd AS total, reported_ts AS cut FROM sessions
    WHERE reported_cost_usd IS NOT NULL AND (${filter})`;
  const fill = [
    `INSERT INTO temp.cost_spread(message_id, request_id, session_id, ts, model, old, old_rep,
       new, rep)
     WITH s AS (${s}),
     cov AS MATERIALIZED (
       SELECT m.message_id, m.request_id, m.session_id, m.ts, m.model, m.cost_usd,
         m.cost_reported, c.cost_usd AS model_cost,
         COALESCE(m.cost_estimated_usd, m.input_tokens + 5.0 * m.output_tokens
           + 1.25 * m.cache_creation_tokens + 0.1 * m.cache_read_tokens) AS w
       FROM s JOIN messages m ON m.session_id = s.session_id AND m.ts <= s.cut
       LEFT JOIN session_model_costs c ON c.session_id = m.session_id AND c.model = m.model
       WHERE c.model IS NOT NULL OR m.input_tokens + m.output_tokens + m.cache_creation_tokens
         + m.cache_read_tokens = 0),
     g AS (
       SELECT *, sum(w) OVER (PARTITION BY session_id, model) AS wsum,
         count(*) OVER (PARTITION BY session_id, model) AS n
       FROM cov),
     k AS (
       SELECT s.session_id, CASE WHEN x.c > 0 THEN s.total / x.c ELSE 1.0 END AS k
       FROM s JOIN (
         SELECT session_id, sum(model_cost) AS c FROM (
           SELECT DISTINCT session_id, model, model_cost FROM cov WHERE model_cost IS NOT NULL)
         GROUP BY 1) AS x USING (session_id))
     SELECT g.message_id, g.request_id, g.session_id, g.ts, g.model, g.cost_usd, g.cost_reported,
       CASE WHEN g.model_cost IS NULL THEN 0.0 ELSE g.model_cost
         * (CASE WHEN g.wsum > 0 THEN g.w / g.wsum ELSE 1.0 / g.n END) * COALESCE(k.k, 1.0) END,
       1
     FROM g LEFT JOIN k USING (session_id)`,
    // Messages reported before that the latest cost-state no longer covers: the estimate.
    `INSERT OR IGNORE INTO temp.cost_spread(message_id, request_id, session_id, ts, model, old,
       old_rep, new, rep)
     SELECT message_id, request_id, session_id, ts, model, cost_usd, 1, cost_estimated_usd, 0
     FROM messages WHERE cost_reported = 1 AND session_id IN (SELECT session_id FROM sessions
       WHERE ${filter})`,
  ];
  const apply = [
    "DELETE FROM temp.cost_spread WHERE new IS old AND rep = old_rep",
    `UPDATE rollup_usage SET cost_usd = cost_usd + d.dc, unpriced = unpriced + d.du,
       reported = reported + d.dr, cost_reported_usd = cost_reported_usd + d.dcr
     FROM (
       SELECT ts / 3600000 * 3600000 AS hour, session_id, COALESCE(model, '') AS model,
         sum(COALESCE(new, 0) - COALESCE(old, 0)) AS dc, sum((new IS NULL) - (old IS NULL)) AS du,
         sum(rep - old_rep) AS dr,
         sum(CASE WHEN rep THEN COALESCE(new, 0) ELSE 0 END
           - CASE WHEN old_rep THEN COALESCE(old, 0) ELSE 0 END) AS dcr
       FROM temp.cost_spread GROUP BY 1, 2, 3) AS d
     WHERE rollup_usage.hour = d.hour AND rollup_usage.session_id = d.session_id
       AND rollup_usage.model = d.model`,
    `UPDATE messages SET cost_usd = c.new, cost_reported = c.rep FROM temp.cost_spread c
     WHERE messages.message_id = c.message_id AND messages.request_id = c.request_id`,
  ];
  return { fill, apply };
}

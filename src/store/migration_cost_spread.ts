// Migration: Claude Code's reported cost in every cost sum (issue 16; see migrations.ts; never
// edit once released). Sessions already took their cost from their latest cost-state
// (migration 7); usage, windows and KPIs summed the price table's estimate per message.
// - messages.cost_usd: the message's share of its session's reported cost when a cost-state
//   covers it (cost_reported = 1), else the estimate; cost_estimated_usd keeps the estimate.
// - rollup_usage.reported / cost_reported_usd: how many of the row's messages, and how much of
//   its cost, Claude Code reported (the rest is estimated); the delete trigger keeps them.
// - messages_ts_usage covers cost_reported too (usage edges and window lookups read it).
// - Stored sessions with a cost-state are spread here with the ingest's own statements
//   (costSpreadSql in src/store/write/cost_spread.ts), so an upgraded database sums what a
//   fresh ingest would.

import { costSpreadSql, costSpreadTable } from "./write/cost_spread.ts";

const spread = costSpreadSql("1");

export const migrationCostSpread = `
  ALTER TABLE messages ADD COLUMN cost_estimated_usd REAL;
  ALTER TABLE messages ADD COLUMN cost_reported INTEGER NOT NULL DEFAULT 0;
  UPDATE messages SET cost_estimated_usd = cost_usd;
  ALTER TABLE rollup_usage ADD COLUMN reported INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE rollup_usage ADD COLUMN cost_reported_usd REAL NOT NULL DEFAULT 0;
  DROP INDEX messages_ts_usage;
  CREATE INDEX messages_ts_usage ON messages(ts, session_id, model, input_tokens, output_tokens,
    cache_creation_tokens, cache_read_tokens, cost_usd, cost_reported);
  DROP TRIGGER rollup_usage_delete;
  CREATE TRIGGER rollup_usage_delete AFTER DELETE ON messages BEGIN
    UPDATE rollup_usage SET messages = messages - 1,
      input_tokens = input_tokens - OLD.input_tokens,
      output_tokens = output_tokens - OLD.output_tokens,
      cache_creation_tokens = cache_creation_tokens - OLD.cache_creation_tokens,
      cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
      cost_usd = cost_usd - COALESCE(OLD.cost_usd, 0), unpriced = unpriced - (OLD.cost_usd IS NULL),
      reported = reported - OLD.cost_reported,
      cost_reported_usd = cost_reported_usd
        - CASE WHEN OLD.cost_reported THEN COALESCE(OLD.cost_usd, 0) ELSE 0 END
    WHERE hour = OLD.ts / 3600000 * 3600000 AND session_id = OLD.session_id
      AND model = COALESCE(OLD.model, '');
  END;
  ${costSpreadTable};
  ${spread.fill.join(";\n")};
  ${spread.apply.join(";\n")};
  DROP TABLE temp.cost_spread;
`;

// Migration 7 (see migrations.ts; kept apart for the file-size limit; never edit once released).
// 7: the transcript format of Claude Code 2.1.x (issue 16; docs/FORMATS.md).
// - events.bookkeeping: Claude Code's own metadata lines (cost-state, api-request, attachment, …;
//   the list below equals bookkeepingLineTypes in src/core/types.ts at this release) are kept
//   as history and stay searchable, but are not counted as events (sessions.events, the
//   rollup_event* tables), not timeline rows and not sent live. Stored ones are marked here and
//   taken out of the counts; the delete trigger no longer subtracts them.
// - sessions.reported_*: what Claude Code reports for the session in its latest cost-state line
//   (its own total cost, lines added/removed, API and tool time, context window), and
//   session_model_costs its per-model share. NULL reported_cost_usd: no cost-state seen, the
//   cost shown is estimated from prices.
// - Streaming duplicates: Claude Code writes one assistant line per content block, all with the
//   same message id and request id; early ones carry partial output_tokens. Stored messages
//   kept the first line's usage; here each takes the largest usage among its stored lines
//   (same session), and the sessions' totals and rollup_usage move by the difference. The cost
//   difference is priced by message_cost() (built-in prices, registered by openDb).

export const migration7 = `
  ALTER TABLE events ADD COLUMN bookkeeping INTEGER NOT NULL DEFAULT 0;
  UPDATE events SET bookkeeping = 1 WHERE source = 'transcript' AND type IN ('queue-operation',
    'attachment', 'atis-latch', 'api-request-shape', 'api-request-blob', 'api-request',
    'api-request-resumed', 'tools-used', 'last-prompt', 'cost-state', 'file-history-delta',
    'continued-in', 'resume-head-vouch', 'content-replacement', 'data-flow-records',
    'data-flow-incomplete', 'derived-from', 'fork-context-ref', 'frame-link', 'custom-title',
    'ended-by-model', 'ai-title', 'tag', 'relocated', 'agent-name', 'agent-color', 'agent-setting',
    'pr-link', 'artifact-comment-monitor', 'artifact-autoreact-ledger', 'bridge-session',
    'history-suppression', 'attribution-snapshot', 'mode', 'permission-mode', 'isolation-latch',
    'session-owner', 'dev-mods', 'memory-mode', 'worktree-state', 'observer-ref');
  UPDATE rollup_events SET n = n - d.c FROM (
    SELECT ts / 60000 * 60000 AS minute, type, COALESCE(tool_name, '') AS tool, count(*) AS c
    FROM events WHERE bookkeeping = 1 GROUP BY 1, 2, 3
  ) AS d WHERE rollup_events.minute = d.minute AND rollup_events.type = d.type
    AND rollup_events.tool = d.tool;
  UPDATE rollup_event_hours SET n = n - d.c FROM (
    SELECT ts / 3600000 * 3600000 AS hour, type, COALESCE(tool_name, '') AS tool, count(*) AS c
    FROM events WHERE bookkeeping = 1 GROUP BY 1, 2, 3
  ) AS d WHERE rollup_event_hours.hour = d.hour AND rollup_event_hours.type = d.type
    AND rollup_event_hours.tool = d.tool;
  UPDATE rollup_session_hours SET n = n - d.c FROM (
    SELECT ts / 3600000 * 3600000 AS hour, session_id, count(*) AS c
    FROM events WHERE bookkeeping = 1 GROUP BY 1, 2
  ) AS d WHERE rollup_session_hours.hour = d.hour AND rollup_session_hours.session_id = d.session_id;
  DELETE FROM rollup_events WHERE n <= 0;
  DELETE FROM rollup_event_hours WHERE n <= 0;
  DELETE FROM rollup_session_hours WHERE n <= 0;
  UPDATE sessions SET events = max(0, events - d.c) FROM (
    SELECT session_id, count(*) AS c FROM events WHERE bookkeeping = 1 GROUP BY 1
  ) AS d WHERE sessions.session_id = d.session_id;
  DROP TRIGGER rollup_events_delete;
  CREATE TRIGGER rollup_events_delete AFTER DELETE ON events WHEN OLD.bookkeeping = 0 BEGIN
    UPDATE rollup_events SET n = n - 1 WHERE minute = OLD.ts / 60000 * 60000
      AND type = OLD.type AND tool = COALESCE(OLD.tool_name, '');
    UPDATE rollup_event_hours SET n = n - 1 WHERE hour = OLD.ts / 3600000 * 3600000
      AND type = OLD.type AND tool = COALESCE(OLD.tool_name, '');
    UPDATE rollup_session_hours SET n = n - 1
      WHERE hour = OLD.ts / 3600000 * 3600000 AND session_id = OLD.session_id;
  END;

  ALTER TABLE sessions ADD COLUMN reported_cost_usd REAL;
  ALTER TABLE sessions ADD COLUMN reported_ts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN reported_lines_added INTEGER;
  ALTER TABLE sessions ADD COLUMN reported_lines_removed INTEGER;
  ALTER TABLE sessions ADD COLUMN reported_api_ms INTEGER;
  ALTER TABLE sessions ADD COLUMN reported_tool_ms INTEGER;
  ALTER TABLE sessions ADD COLUMN reported_context_window INTEGER;
  CREATE TABLE session_model_costs (
    session_id TEXT NOT NULL,
    model TEXT NOT NULL,
    cost_usd REAL NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    context_window INTEGER,
    PRIMARY KEY (session_id, model)
  ) WITHOUT ROWID;
  CREATE TEMP TABLE m7_cost AS
    SELECT session_id, ts, raw FROM (
      SELECT session_id, ts, raw, row_number() OVER (
        PARTITION BY session_id ORDER BY ts DESC, id DESC) AS rn
      FROM events WHERE type = 'cost-state' AND source = 'transcript' AND session_id <> ''
        AND json_valid(raw) AND instr((SELECT path FROM files WHERE id = file_id), '/subagents/') = 0)
    WHERE rn = 1;
  UPDATE sessions SET reported_cost_usd = c.raw ->> '$.totalCostUSD', reported_ts = c.ts,
    reported_lines_added = c.raw ->> '$.totalLinesAdded',
    reported_lines_removed = c.raw ->> '$.totalLinesRemoved',
    reported_api_ms = c.raw ->> '$.totalAPIDuration',
    reported_tool_ms = c.raw ->> '$.totalToolDuration'
    FROM m7_cost c WHERE c.session_id = sessions.session_id
      AND json_type(c.raw, '$.totalCostUSD') IN ('integer', 'real');
  INSERT INTO session_model_costs
    SELECT c.session_id, m.key, COALESCE(m.value ->> '$.costUSD', 0),
      COALESCE(m.value ->> '$.inputTokens', 0), COALESCE(m.value ->> '$.outputTokens', 0),
      COALESCE(m.value ->> '$.cacheCreationInputTokens', 0),
      COALESCE(m.value ->> '$.cacheReadInputTokens', 0), m.value ->> '$.contextWindow'
    FROM m7_cost c, json_each(c.raw, '$.modelUsage') m
    WHERE json_type(c.raw, '$.modelUsage') = 'object' AND m.type = 'object'
      AND c.session_id IN (SELECT session_id FROM sessions);
  UPDATE sessions SET reported_context_window = x.w FROM (
    SELECT session_id, max(context_window) AS w FROM session_model_costs GROUP BY 1) AS x
    WHERE x.session_id = sessions.session_id AND x.w > 0;
  DROP TABLE m7_cost;

  CREATE TEMP TABLE m7_lines AS
    SELECT session_id, raw ->> '$.message.id' AS mid, COALESCE(raw ->> '$.requestId', '') AS rid,
      COALESCE(raw ->> '$.message.usage.input_tokens', 0) AS i,
      COALESCE(raw ->> '$.message.usage.output_tokens', 0) AS o,
      COALESCE(raw ->> '$.message.usage.cache_creation_input_tokens', 0) AS cc,
      COALESCE(raw ->> '$.message.usage.cache_creation.ephemeral_1h_input_tokens', 0) AS cc1h,
      COALESCE(raw ->> '$.message.usage.cache_read_input_tokens', 0) AS cr
    FROM events
    WHERE type = 'assistant' AND source = 'transcript' AND json_valid(raw)
      AND json_type(raw, '$.message.usage') = 'object'
      AND json_type(raw, '$.message.id') = 'text';
  CREATE TEMP TABLE m7_best AS
    SELECT m.message_id, m.request_id, m.model, m.ts, m.session_id, m.cost_usd,
      m.input_tokens AS oi, m.output_tokens AS oo, m.cache_creation_tokens AS occ,
      m.cache_creation_1h_tokens AS occ1h, m.cache_read_tokens AS ocr, b.i, b.o, b.cc, b.cc1h, b.cr
    FROM messages m JOIN (
      SELECT session_id, mid, rid, i, o, cc, cc1h, cr, row_number() OVER (
        PARTITION BY session_id, mid, rid ORDER BY i + o + cc + cr DESC) AS rn
      FROM m7_lines) AS b
      ON b.rn = 1 AND b.mid = m.message_id AND b.rid = m.request_id AND b.session_id = m.session_id
    WHERE b.i + b.o + b.cc + b.cr > m.input_tokens + m.output_tokens + m.cache_creation_tokens
      + m.cache_read_tokens;
  ALTER TABLE m7_best ADD COLUMN new_cost REAL;
  UPDATE m7_best SET new_cost = CASE WHEN cost_usd IS NULL THEN NULL
    ELSE cost_usd + COALESCE(message_cost(model, i, o, cc, cc1h, cr), 0)
      - COALESCE(message_cost(model, oi, oo, occ, occ1h, ocr), 0) END;
  UPDATE messages SET input_tokens = b.i, output_tokens = b.o, cache_creation_tokens = b.cc,
    cache_creation_1h_tokens = b.cc1h, cache_read_tokens = b.cr, cost_usd = b.new_cost
    FROM m7_best b WHERE messages.message_id = b.message_id AND messages.request_id = b.request_id;
  UPDATE sessions SET input_tokens = input_tokens + d.i, output_tokens = output_tokens + d.o,
    cache_creation_tokens = cache_creation_tokens + d.cc, cache_read_tokens = cache_read_tokens + d.cr,
    cost_usd = cost_usd + d.c FROM (
      SELECT session_id, sum(i - oi) AS i, sum(o - oo) AS o, sum(cc - occ) AS cc, sum(cr - ocr) AS cr,
        COALESCE(sum(new_cost - cost_usd), 0) AS c
      FROM m7_best GROUP BY 1) AS d
    WHERE sessions.session_id = d.session_id;
  UPDATE rollup_usage SET input_tokens = input_tokens + d.i, output_tokens = output_tokens + d.o,
    cache_creation_tokens = cache_creation_tokens + d.cc, cache_read_tokens = cache_read_tokens + d.cr,
    cost_usd = cost_usd + d.c FROM (
      SELECT ts / 3600000 * 3600000 AS hour, session_id, COALESCE(model, '') AS model,
        sum(i - oi) AS i, sum(o - oo) AS o, sum(cc - occ) AS cc, sum(cr - ocr) AS cr,
        COALESCE(sum(new_cost - cost_usd), 0) AS c
      FROM m7_best GROUP BY 1, 2, 3) AS d
    WHERE rollup_usage.hour = d.hour AND rollup_usage.session_id = d.session_id
      AND rollup_usage.model = d.model;
  DROP TABLE m7_best;
  DROP TABLE m7_lines;
`;

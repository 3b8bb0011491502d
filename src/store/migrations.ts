// Forward-only schema migrations; PRAGMA user_version holds the applied version.
// Never edit a released migration: add the next one.
// events.error_kind holds ErrorKind (src/core/types.ts): 0 None, 1 ApiError, 2 ToolFailed. The
// partial indexes below name 1 literally; queries interpolate ${ErrorKind.ApiError}, the same
// literal, so the planner still matches them (a bound parameter would not).

import { migration6 } from "./migration_6.ts";
import { migration7 } from "./migration_7.ts";
import { migrationOtlp } from "./migration_otlp.ts";
import { migrationRateLimits } from "./migration_rate_limits.ts";
import { migrationCostSpread } from "./migration_cost_spread.ts";
import { migrationContextWindow } from "./migration_context_window.ts";
import { migrationRawBlocks } from "./migration_raw_blocks.ts";
import { migrationIdlessPairing } from "./migration_idless_pairing.ts";
import { migrationMask } from "./migration_mask.ts";
import { searchTextExpr } from "./search_text_sql.ts";
import { migrationSearchText } from "./migration_search_text.ts";

export const migrations: string[] = [
  // 1: events, derived sessions, paired tool calls, per-file cursors, ingest errors.
  `
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    mtime_ms INTEGER NOT NULL DEFAULT 0,
    offset INTEGER NOT NULL DEFAULT 0,
    head_hash TEXT,
    generation INTEGER NOT NULL DEFAULT 0,
    skip_to_newline INTEGER NOT NULL DEFAULT 0,
    last_ts INTEGER,
    state TEXT NOT NULL DEFAULT 'ok',
    events INTEGER NOT NULL DEFAULT 0,
    updated_ms INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    session_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    type TEXT NOT NULL,
    tool_name TEXT,
    tool_use_id TEXT,
    summary TEXT NOT NULL,
    cwd TEXT,
    uuid TEXT,
    is_sidechain INTEGER NOT NULL DEFAULT 0,
    error_kind INTEGER NOT NULL DEFAULT 0,
    file_id INTEGER NOT NULL,
    offset INTEGER,
    raw TEXT NOT NULL
  );
  CREATE INDEX events_ts ON events(ts, id);
  CREATE INDEX events_session_ts ON events(session_id, ts, id);
  CREATE INDEX events_type_ts ON events(type, ts, id);
  CREATE INDEX events_tool_ts ON events(tool_name, ts, id) WHERE tool_name IS NOT NULL;
  CREATE INDEX events_file_uuid ON events(file_id, uuid) WHERE uuid IS NOT NULL;
  CREATE INDEX events_session_errors ON events(session_id) WHERE error_kind = 1;

  CREATE TABLE messages (
    message_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    model TEXT,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    cache_creation_1h_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cost_usd REAL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (message_id, request_id)
  ) WITHOUT ROWID;
  CREATE INDEX messages_session ON messages(session_id, ts);
  CREATE INDEX messages_ts ON messages(ts);

  CREATE TABLE tool_calls (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    tool_use_id TEXT,
    tool_name TEXT NOT NULL DEFAULT '?',
    status TEXT NOT NULL DEFAULT 'running',
    start_ts INTEGER,
    end_ts INTEGER,
    input_summary TEXT,
    error TEXT
  );
  CREATE UNIQUE INDEX tool_calls_use_id ON tool_calls(tool_use_id) WHERE tool_use_id IS NOT NULL;
  CREATE INDEX tool_calls_session ON tool_calls(session_id, start_ts);
  CREATE INDEX tool_calls_open ON tool_calls(session_id, tool_name, start_ts)
    WHERE tool_use_id IS NULL AND end_ts IS NULL;

  CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    project TEXT,
    cwd TEXT,
    cwd_main INTEGER NOT NULL DEFAULT 0,
    first_ts INTEGER NOT NULL,
    last_ts INTEGER NOT NULL,
    events INTEGER NOT NULL DEFAULT 0,
    tool_calls INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    model TEXT,
    model_ts INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    unpriced_messages INTEGER NOT NULL DEFAULT 0,
    activity_ts INTEGER NOT NULL DEFAULT 0,
    waiting_ts INTEGER NOT NULL DEFAULT 0,
    waiting_reason TEXT,
    stop_ts INTEGER NOT NULL DEFAULT 0,
    end_ts INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX sessions_last ON sessions(last_ts);
  CREATE INDEX sessions_project ON sessions(project, last_ts);

  CREATE TABLE ingest_errors (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    offset INTEGER NOT NULL DEFAULT -1,
    reason TEXT NOT NULL,
    ts INTEGER NOT NULL,
    UNIQUE (path, offset)
  );

  CREATE TABLE threads (
    session_id TEXT PRIMARY KEY,
    channel_id TEXT,
    thread_id TEXT,
    created_at TEXT,
    is_archived INTEGER,
    last_used TEXT
  );

  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: /metrics at a million events (store/read/metrics.ts): tool calls per tool and
  // status from a covering index instead of a sort, and messages added since the last
  // scrape found by their (ever-increasing) event id instead of a scan.
  `
  CREATE INDEX tool_calls_tool_status ON tool_calls(tool_name, status);
  CREATE INDEX messages_event ON messages(event_id);
  `,
  // 3: insights (src/store/read/): full-text search over events (FTS5 over text taken
  // from the stored payloads), rollups of event, token and tool-call counts for charts and
  // KPIs, and the indexes the tool, error and usage queries read. Existing events are
  // indexed and rolled up here, so an upgraded database answers at once.
  `
  -- New events and messages reach events_fts and the rollup_* tables in one statement per
  -- write batch (src/store/write/derived.ts, called by the writer inside the batch's transaction):
  -- an FTS5 insert from a per-row trigger flushes the index on every statement and made
  -- ingest 2.6 times slower. Deletes (retention) are kept exact by triggers; events are never
  -- updated.
  --
  -- Searchable text of an event, extracted from its stored payload (see src/store/fts.ts),
  -- and its type and tool name (column kind: lets a search filtered by type or tool intersect
  -- posting lists instead of reading event rows). events_fts is an external-content FTS5
  -- index over this view: the text is not stored a second time; snippet() recomputes it for
  -- the rows it shows. Payloads SQLite cannot parse (json_valid = 0, e.g. nested deeper than
  -- its limit) index no text and never fail an insert.
  CREATE VIEW events_search_text(id, text, kind) AS
  SELECT id, ${searchTextExpr} AS text,
    concat_ws(' ', type, tool_name) AS kind
  FROM events;

  CREATE VIRTUAL TABLE events_fts USING fts5(
    text, kind, content = 'events_search_text', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
  );
  INSERT INTO events_fts(rowid, text, kind) SELECT id, text, kind FROM events_search_text;
  CREATE TRIGGER events_fts_delete BEFORE DELETE ON events BEGIN
    INSERT INTO events_fts(events_fts, rowid, text, kind)
      SELECT 'delete', id, text, kind FROM events_search_text WHERE id = OLD.id;
  END;

  -- Event counts per minute and per hour by type/tool, and per hour by session: series, KPIs
  -- and per-project series read a few thousand rows instead of scanning a million events.
  CREATE TABLE rollup_events (
    minute INTEGER NOT NULL,
    type TEXT NOT NULL,
    tool TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (minute, type, tool)
  ) WITHOUT ROWID;
  CREATE TABLE rollup_event_hours (
    hour INTEGER NOT NULL,
    type TEXT NOT NULL,
    tool TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, type, tool)
  ) WITHOUT ROWID;
  CREATE TABLE rollup_session_hours (
    hour INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, session_id)
  ) WITHOUT ROWID;
  INSERT INTO rollup_events(minute, type, tool, n)
    SELECT ts / 60000 * 60000, type, COALESCE(tool_name, ''), count(*) FROM events GROUP BY 1, 2, 3;
  INSERT INTO rollup_event_hours(hour, type, tool, n)
    SELECT minute / 3600000 * 3600000, type, tool, sum(n) FROM rollup_events GROUP BY 1, 2, 3;
  INSERT INTO rollup_session_hours(hour, session_id, n)
    SELECT ts / 3600000 * 3600000, session_id, count(*) FROM events GROUP BY 1, 2;
  CREATE TRIGGER rollup_events_delete AFTER DELETE ON events BEGIN
    UPDATE rollup_events SET n = n - 1 WHERE minute = OLD.ts / 60000 * 60000
      AND type = OLD.type AND tool = COALESCE(OLD.tool_name, '');
    UPDATE rollup_event_hours SET n = n - 1 WHERE hour = OLD.ts / 3600000 * 3600000
      AND type = OLD.type AND tool = COALESCE(OLD.tool_name, '');
    UPDATE rollup_session_hours SET n = n - 1
      WHERE hour = OLD.ts / 3600000 * 3600000 AND session_id = OLD.session_id;
  END;

  -- Tool calls per hour (of their start, else end) and tool, with failures and still-running
  -- calls; and a histogram of durations per tool in buckets of two significant digits
  -- (bucket = ms below 10, else digits × 100 + first two digits), which finds the bucket of a
  -- percentile so the exact value is read from tool_calls_duration within that bucket only.
  -- tool_calls rows are upserted (start and end arrive separately) and re-paired, so insert,
  -- update and delete all keep both tables exact.
  CREATE TABLE rollup_tools (
    hour INTEGER NOT NULL,
    tool TEXT NOT NULL,
    calls INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    running INTEGER NOT NULL,
    PRIMARY KEY (hour, tool)
  ) WITHOUT ROWID;
  CREATE TABLE tool_durations (
    tool TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (tool, bucket)
  ) WITHOUT ROWID;
  INSERT INTO rollup_tools(hour, tool, calls, failures, running)
    SELECT COALESCE(start_ts, end_ts, 0) / 3600000 * 3600000, tool_name, count(*),
      sum(status = 'error'), sum(status = 'running')
    FROM tool_calls GROUP BY 1, 2;
  INSERT INTO tool_durations(tool, bucket, n)
    SELECT tool_name, CASE WHEN end_ts - start_ts < 10 THEN end_ts - start_ts
      ELSE length(end_ts - start_ts) * 100 + CAST(substr(end_ts - start_ts, 1, 2) AS INTEGER) END,
      count(*)
    FROM tool_calls WHERE end_ts >= start_ts GROUP BY 1, 2;
  CREATE TRIGGER rollup_tools_insert AFTER INSERT ON tool_calls BEGIN
    INSERT INTO rollup_tools(hour, tool, calls, failures, running)
      VALUES (COALESCE(NEW.start_ts, NEW.end_ts, 0) / 3600000 * 3600000, NEW.tool_name, 1,
        NEW.status = 'error', NEW.status = 'running')
      ON CONFLICT DO UPDATE SET calls = calls + 1, failures = failures + excluded.failures,
        running = running + excluded.running;
    INSERT INTO tool_durations(tool, bucket, n)
      SELECT NEW.tool_name, CASE WHEN NEW.end_ts - NEW.start_ts < 10 THEN NEW.end_ts - NEW.start_ts
        ELSE length(NEW.end_ts - NEW.start_ts) * 100
          + CAST(substr(NEW.end_ts - NEW.start_ts, 1, 2) AS INTEGER) END, 1
      WHERE NEW.end_ts >= NEW.start_ts
      ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER rollup_tools_delete AFTER DELETE ON tool_calls BEGIN
    UPDATE rollup_tools SET calls = calls - 1, failures = failures - (OLD.status = 'error'),
      running = running - (OLD.status = 'running')
    WHERE hour = COALESCE(OLD.start_ts, OLD.end_ts, 0) / 3600000 * 3600000 AND tool = OLD.tool_name;
    UPDATE tool_durations SET n = n - 1
    WHERE OLD.end_ts >= OLD.start_ts AND tool = OLD.tool_name
      AND bucket = CASE WHEN OLD.end_ts - OLD.start_ts < 10 THEN OLD.end_ts - OLD.start_ts
        ELSE length(OLD.end_ts - OLD.start_ts) * 100
          + CAST(substr(OLD.end_ts - OLD.start_ts, 1, 2) AS INTEGER) END;
  END;
  CREATE TRIGGER rollup_tools_update
  AFTER UPDATE OF tool_name, status, start_ts, end_ts ON tool_calls
  WHEN OLD.tool_name IS NOT NEW.tool_name OR OLD.status IS NOT NEW.status
    OR OLD.start_ts IS NOT NEW.start_ts OR OLD.end_ts IS NOT NEW.end_ts
  BEGIN
    UPDATE rollup_tools SET calls = calls - 1, failures = failures - (OLD.status = 'error'),
      running = running - (OLD.status = 'running')
    WHERE hour = COALESCE(OLD.start_ts, OLD.end_ts, 0) / 3600000 * 3600000 AND tool = OLD.tool_name;
    UPDATE tool_durations SET n = n - 1
    WHERE OLD.end_ts >= OLD.start_ts AND tool = OLD.tool_name
      AND bucket = CASE WHEN OLD.end_ts - OLD.start_ts < 10 THEN OLD.end_ts - OLD.start_ts
        ELSE length(OLD.end_ts - OLD.start_ts) * 100
          + CAST(substr(OLD.end_ts - OLD.start_ts, 1, 2) AS INTEGER) END;
    INSERT INTO rollup_tools(hour, tool, calls, failures, running)
      VALUES (COALESCE(NEW.start_ts, NEW.end_ts, 0) / 3600000 * 3600000, NEW.tool_name, 1,
        NEW.status = 'error', NEW.status = 'running')
      ON CONFLICT DO UPDATE SET calls = calls + 1, failures = failures + excluded.failures,
        running = running + excluded.running;
    INSERT INTO tool_durations(tool, bucket, n)
      SELECT NEW.tool_name, CASE WHEN NEW.end_ts - NEW.start_ts < 10 THEN NEW.end_ts - NEW.start_ts
        ELSE length(NEW.end_ts - NEW.start_ts) * 100
          + CAST(substr(NEW.end_ts - NEW.start_ts, 1, 2) AS INTEGER) END, 1
      WHERE NEW.end_ts >= NEW.start_ts
      ON CONFLICT DO UPDATE SET n = n + 1;
  END;

  -- Deduplicated token usage per hour, session and model (cost: priced messages only, with
  -- the count of unpriced ones so a total can say "unknown" instead of a wrong number).
  CREATE TABLE rollup_usage (
    hour INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    model TEXT NOT NULL,
    messages INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    unpriced INTEGER NOT NULL,
    PRIMARY KEY (hour, session_id, model)
  ) WITHOUT ROWID;
  INSERT INTO rollup_usage
    SELECT ts / 3600000 * 3600000, session_id, COALESCE(model, ''), count(*), sum(input_tokens),
      sum(output_tokens), sum(cache_creation_tokens), sum(cache_read_tokens),
      COALESCE(sum(cost_usd), 0), sum(cost_usd IS NULL)
    FROM messages GROUP BY 1, 2, 3;
  CREATE TRIGGER rollup_usage_delete AFTER DELETE ON messages BEGIN
    UPDATE rollup_usage SET messages = messages - 1,
      input_tokens = input_tokens - OLD.input_tokens,
      output_tokens = output_tokens - OLD.output_tokens,
      cache_creation_tokens = cache_creation_tokens - OLD.cache_creation_tokens,
      cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
      cost_usd = cost_usd - COALESCE(OLD.cost_usd, 0), unpriced = unpriced - (OLD.cost_usd IS NULL)
    WHERE hour = OLD.ts / 3600000 * 3600000 AND session_id = OLD.session_id
      AND model = COALESCE(OLD.model, '');
  END;

  -- Minute-bucket token series and the partial hours at the edges of a usage range.
  CREATE INDEX messages_ts_usage ON messages(ts, session_id, model, input_tokens, output_tokens,
    cache_creation_tokens, cache_read_tokens, cost_usd);
  -- Tool calls by time, covering (series, the partial hours of ranged stats, ranged
  -- percentiles); durations per tool (a percentile's exact value within its histogram
  -- bucket); failures by time (error list and series).
  CREATE INDEX tool_calls_time ON tool_calls(COALESCE(start_ts, end_ts), tool_name, status,
    session_id, start_ts, end_ts);
  CREATE INDEX tool_calls_duration ON tool_calls(tool_name, end_ts - start_ts, start_ts)
    WHERE end_ts >= start_ts;
  CREATE INDEX tool_calls_failed ON tool_calls(end_ts, id) WHERE status = 'error';
  -- API errors (error_kind 1) by time: the error list, series and KPIs.
  CREATE INDEX events_api_errors ON events(ts, id) WHERE error_kind = 1;
  `,
  // 4: alerts and settings (src/alerts/, src/store/settings.ts). An alert is one row per
  // (rule, key) while its condition holds: the partial unique index keeps one open row, a
  // cleared row stays as history and the next occurrence opens a new one.
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
  );

  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    key TEXT NOT NULL,
    session_id TEXT,
    project TEXT,
    first_ts INTEGER NOT NULL,
    last_ts INTEGER NOT NULL,
    count INTEGER NOT NULL DEFAULT 1,
    message TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    evidence TEXT,
    snoozed_until INTEGER,
    acked_ts INTEGER,
    cleared_ts INTEGER
  );
  CREATE UNIQUE INDEX alerts_open ON alerts(rule, key) WHERE state <> 'cleared';
  CREATE INDEX alerts_last ON alerts(last_ts);
  `,
  // 5: context per session, compactions, and history that outlives the transcripts
  // (src/store/write/sessions.ts keeps these current; existing rows are filled in here).
  // - sessions.context_tokens: input + cache creation + cache read tokens of the session's
  //   latest main-thread (not sidechain) assistant message with any, context_ts its time.
  // - sessions.compactions: compact boundaries in transcripts, plus PreCompact hooks that no
  //   boundary follows within 10 minutes (one compaction seen by both counts once; the window
  //   is compactionPairWindowMs in src/config.ts).
  // - sessions.archived: the session has transcript data and every transcript file it came
  //   from is gone (files.missing_ms set by the reconcile scan); session_files says which
  //   files each session's transcript events came from.
  // - files.rereading: the file is being re-read from the start (truncated or replaced), so
  //   lines already stored are skipped until that pass reaches the end, across restarts.
  `
  ALTER TABLE sessions ADD COLUMN context_tokens INTEGER;
  ALTER TABLE sessions ADD COLUMN context_ts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN compactions INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE files ADD COLUMN missing_ms INTEGER;
  ALTER TABLE files ADD COLUMN rereading INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE session_files (
    session_id TEXT NOT NULL,
    file_id INTEGER NOT NULL,
    PRIMARY KEY (session_id, file_id)
  ) WITHOUT ROWID;
  CREATE INDEX session_files_file ON session_files(file_id);
  INSERT INTO session_files(session_id, file_id)
    SELECT session_id, file_id FROM events WHERE source = 'transcript' GROUP BY 1, 2;

  -- Compaction events of a session (system lines are few next to user/assistant lines).
  CREATE INDEX events_compaction ON events(session_id, ts) WHERE type IN ('system', 'PreCompact');

  UPDATE sessions SET context_tokens = c.tokens, context_ts = c.ts FROM (
    SELECT session_id, tokens, ts FROM (
      SELECT m.session_id, m.input_tokens + m.cache_creation_tokens + m.cache_read_tokens AS tokens,
        m.ts, row_number() OVER (PARTITION BY m.session_id ORDER BY m.ts DESC, m.event_id DESC) AS rn
      FROM messages m JOIN events e ON e.id = m.event_id
      WHERE e.is_sidechain = 0 AND m.model IS NOT '<synthetic>'
        AND m.input_tokens + m.cache_creation_tokens + m.cache_read_tokens > 0)
    WHERE rn = 1) AS c
  WHERE c.session_id = sessions.session_id;

  -- Compaction rows: PreCompact hooks and compact boundary lines (CASE evaluates lazily, so no
  -- JSON function ever sees a payload that does not parse), with the trigger each names.
  WITH c AS MATERIALIZED (
    SELECT session_id, ts, type, CASE WHEN json_valid(raw) THEN CASE type
      WHEN 'PreCompact' THEN raw ->> '$.trigger' ELSE raw ->> '$.compactMetadata.trigger' END
      END AS trig
    FROM events
    WHERE type IN ('system', 'PreCompact') AND CASE
      WHEN type = 'PreCompact' THEN source = 'hook'
      WHEN source = 'transcript' AND json_valid(raw) THEN (raw ->> '$.subtype') = 'compact_boundary'
      ELSE 0 END
  )
  UPDATE sessions SET compactions = x.n FROM (
    SELECT h.session_id, sum(h.type = 'system' OR NOT EXISTS (
      SELECT 1 FROM c b WHERE b.session_id = h.session_id AND b.type = 'system'
        AND b.ts BETWEEN h.ts - 5000 AND h.ts + 600000
        AND (h.trig IS NULL OR b.trig IS NULL OR h.trig = b.trig))) AS n
    FROM c h GROUP BY h.session_id) AS x
  WHERE x.session_id = sessions.session_id;
  `,
  migration6,
  migration7,
  migrationOtlp,
  // Claude's official rate-limit samples (issue 16; migration_rate_limits.ts).
  migrationRateLimits,
  // Claude Code's reported cost spread over its messages (issue 16; migration_cost_spread.ts).
  migrationCostSpread,
  // The context window Claude Code reports per session (issue 16; migration_context_window.ts).
  migrationContextWindow,
  // Secrets masked before indexing and storing display text (issue 17; migration_mask.ts).
  migrationMask,
  // Indexes that keep id-less tool-call pairing per pair, not per database (issue 18).
  migrationIdlessPairing,
  // Raw payloads compressed in blocks (issue 18; migration_raw_blocks.ts).
  migrationRawBlocks,
  // Search text computed where the payload is parsed (issue 18; migration_search_text.ts).
  migrationSearchText,
];

// Forward-only schema migrations; PRAGMA user_version holds the applied version.
// Never edit a released migration: add the next one.

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
];

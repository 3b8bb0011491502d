// The OTLP migration (see migrations.ts; kept apart for the file-size limit; never edit once
// released): what Claude Code's telemetry reports (POST /v1/logs and /v1/metrics, issue 16).
// One row per log record (an event: tool_decision, tool_result, api_request, api_error, …) or
// metric data point, keyed by its content (src/ingest/parse/otlp.ts) so a retried batch stores
// nothing twice. Rows join sessions by session_id and tool calls by tool_use_id.
// temporality: 0 none (logs, gauges), 1 delta (Claude Code's default), 2 cumulative.

export const migrationOtlp = `
  CREATE TABLE otlp_records (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    session_id TEXT,
    tool_use_id TEXT,
    ts INTEGER NOT NULL,
    start_ts INTEGER,
    value REAL,
    temporality INTEGER NOT NULL DEFAULT 0,
    attrs TEXT NOT NULL
  );
  -- A session's telemetry (api requests and errors, code metrics) and a tool call's decision
  -- and reported duration; per-day code metrics by name and time.
  CREATE INDEX otlp_records_session ON otlp_records(session_id, name, ts)
    WHERE session_id IS NOT NULL;
  CREATE INDEX otlp_records_tool ON otlp_records(tool_use_id, name) WHERE tool_use_id IS NOT NULL;
  CREATE INDEX otlp_records_name_ts ON otlp_records(name, ts);
`;

// Migration: the context window Claude Code reports per session (see migrations.ts; never edit
// once released). session_context_windows: one row per session, `context_window_size` from the
// statusline payload (src/commands/statusline.ts writes it into its sample files only when it is
// new for the session; src/ingest/read_rate_limits.ts stores it), the latest by `ts` kept. Its
// own table, not a sessions column: the statusline may report a session before any of its
// events is ingested, and sessions rows are derived from events.

export const migrationContextWindow = `
  CREATE TABLE session_context_windows (
    session_id TEXT PRIMARY KEY,
    context_window INTEGER NOT NULL,
    ts INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

// Migration: Claude's official rate-limit samples (see migrations.ts; never edit once released).
// rate_limit_samples: one row per window kind per statusline sample (src/commands/statusline.ts
// writes the sample files, src/ingest/read_rate_limits.ts stores them): Claude's used
// percentage and the window's reset time (epoch ms), as seen at `ts`. Keyed by (kind, ts,
// session_id), so storing a sample twice stores it once; (kind, resets_at) finds a window's
// samples (the burn rate, the weekly view).

export const migrationRateLimits = `
  CREATE TABLE rate_limit_samples (
    kind TEXT NOT NULL,
    ts INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    used_pct REAL NOT NULL,
    resets_at INTEGER NOT NULL,
    PRIMARY KEY (kind, ts, session_id)
  ) WITHOUT ROWID;
  CREATE INDEX rate_limit_samples_window ON rate_limit_samples(kind, resets_at, ts);
`;

// Stores Claude's official rate-limit samples (from the statusline's sample files): one row per
// window kind, INSERT OR IGNORE so a file read twice stores nothing twice; and the context window
// size a sample reports for its session (the latest by time wins).

import type { Db } from "../db.ts";
import { inTransaction } from "../db.ts";
import { rateLimitKinds, type RateLimitSample } from "../../core/rate_limits.ts";

/** Stores samples in one transaction; returns the rows added or changed. */
export function storeRateLimitSamples(db: Db, samples: RateLimitSample[]): number {
  if (samples.length === 0) return 0;
  const insert = db.prepare(`
    INSERT OR IGNORE INTO rate_limit_samples(kind, ts, session_id, used_pct, resets_at)
    VALUES (?, ?, ?, ?, ?)`);
  const window = db.prepare(`
    INSERT INTO session_context_windows(session_id, context_window, ts) VALUES (?, ?, ?)
    ON CONFLICT(session_id) DO UPDATE SET context_window = excluded.context_window,
      ts = excluded.ts
    WHERE excluded.ts >= session_context_windows.ts`);
  return inTransaction(db, () => {
    let added = 0;
    for (const s of samples) {
      for (const kind of rateLimitKinds) {
        const f = s[kind];
        if (!f) continue;
        added += Number(insert.run(kind, s.ts, s.session_id, f.used_pct, f.resets_at_ms).changes);
      }
      if (s.context_window !== undefined && s.session_id !== "") {
        added += Number(window.run(s.session_id, s.context_window, s.ts).changes);
      }
    }
    return added;
  });
}

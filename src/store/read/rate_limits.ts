// Claude's official rate-limit samples as the usage views read them: the newest of a window
// kind, the samples of one window (for its burn rate), and the last figure of each window in a
// span (the weekly view).

import type { Db } from "../db.ts";
import { allRows, oneRow } from "../rows.ts";
import type { RateLimitKind } from "../../core/rate_limits.ts";

const sampleShape = { ts: "int", used_pct: "real", resets_at: "int" } as const;

export interface RateLimitRow {
  ts: number;
  used_pct: number;
  resets_at: number;
}

/** The newest sample of a kind at or before `now`, or null. */
export function latestRateLimit(db: Db, kind: RateLimitKind, now: number): RateLimitRow | null {
  return oneRow(
    db.prepare(`SELECT ts, used_pct, resets_at FROM rate_limit_samples
      WHERE kind = ? AND ts <= ? ORDER BY ts DESC LIMIT 1`),
    sampleShape,
    kind,
    now,
  );
}

/** The samples of one window (kind and reset time) seen in [since, until], oldest first. */
export function windowSamples(
  db: Db,
  kind: RateLimitKind,
  resetsAt: number,
  since: number,
  until: number,
): RateLimitRow[] {
  return allRows(
    db.prepare(`SELECT ts, used_pct, resets_at FROM rate_limit_samples
      WHERE kind = ? AND resets_at = ? AND ts >= ? AND ts <= ? ORDER BY ts`),
    sampleShape,
    kind,
    resetsAt,
    since,
    until,
  );
}

/** Per window of a kind resetting in [from, to): its last sample (reset time, figure, when). */
export function lastPerWindow(db: Db, kind: RateLimitKind, from: number, to: number) {
  return allRows(
    db.prepare(`SELECT resets_at, max(ts) AS ts, used_pct FROM rate_limit_samples
      WHERE kind = ? AND resets_at >= ? AND resets_at < ? GROUP BY resets_at ORDER BY resets_at`),
    sampleShape,
    kind,
    from,
    to,
  );
}

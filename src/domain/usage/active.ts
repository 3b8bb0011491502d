// The active 5-hour window, kept current cheaply for the live `usage` message and the alert
// rules: every window of the history is computed once per database, then only its newest
// window is recomputed.
//
// Why that is exact: a window's start depends only on the messages before its first message.
// So messages at or after the last window's first message can change only the last window and
// open new ones; each computation rebuilds from there (from the hourly rollup plus a few index
// lookups: constant cost, whatever the message rate). A message stored earlier than that (a
// backfill of older transcripts) is reported by the ingest commit (noteStored) and the windows
// are rebuilt from the one it falls in. A change of the oldest message (retention) or of the
// price overrides (re-pricing) rebuilds everything (O(hours with usage), see queries.ts).

import type { Db } from "../../store/db.ts";
import type { ActiveBlock, LiveMessage } from "../../core/types.ts";
import type { CommitResult } from "../../store/write/writer.ts";
import { readSettings } from "../../store/settings.ts";
import type { Settings } from "../../core/settings_schema.ts";
import { usageLiveMinIntervalMs } from "../../core/config.ts";
import { activeBlock, isActive, tokensOf, type Window, windowLimits } from "./blocks.ts";
import type { UsageCardData, WindowLimits } from "../../core/view_data.ts";
import { allWindows, windowsFrom } from "./windows_query.ts";
import { officialLimits, officialWindow, withOfficialBudget } from "./official.ts";

interface Tail {
  windows: Window[];
  minTs: number;
  maxTs: number;
  /** Earliest time of a message stored since the last computation at or before maxTs. */
  dirtyFrom: number | null;
  /** The price overrides the costs were computed with (a change re-prices stored messages). */
  prices: string;
}

const tails = new WeakMap<Db, Tail>();
const dayMs = 86_400_000;

/** Tells the cache that messages at `ts` or later may have been stored (an ingest commit). */
export function noteStored(db: Db, ts: number): void {
  const t = tails.get(db);
  if (t && ts <= t.maxTs) t.dirtyFrom = Math.min(t.dirtyFrom ?? ts, ts);
}

/** Index of the last window whose first message is at or before ts; -1 when none. */
function windowAt(windows: Window[], ts: number): number {
  let lo = 0;
  let hi = windows.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (windows[mid].firstTs <= ts) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Every window of the history, brought up to date with the table. */
function currentWindows(db: Db, settings: Settings = readSettings(db)): Window[] {
  const bounds = db.prepare(
    "SELECT (SELECT min(ts) FROM messages) AS lo, (SELECT max(ts) FROM messages) AS hi",
  ).get() as { lo: number | null; hi: number | null };
  if (bounds.lo === null || bounds.hi === null) {
    tails.delete(db);
    return [];
  }
  const lo = Number(bounds.lo);
  const hi = Number(bounds.hi);
  const prices = JSON.stringify(settings.prices);
  let t = tails.get(db);
  if (!t || t.minTs !== lo || hi < t.maxTs || t.prices !== prices) {
    // From scratch (first use, retention trimmed the oldest messages, or re-priced costs).
    t = { windows: allWindows(db), minTs: lo, maxTs: hi, dirtyFrom: null, prices };
    tails.set(db, t);
    return t.windows;
  }
  // Messages at or after the last window's first message change only that window and what
  // follows; earlier ones (reported by noteStored) from the window they fall in.
  const last = t.windows[t.windows.length - 1];
  if (!last) return t.windows;
  const from = Math.min(t.dirtyFrom ?? last.firstTs, last.firstTs);
  const k = windowAt(t.windows, from);
  if (k < 0) {
    tails.delete(db);
    return currentWindows(db, settings);
  }
  t.windows = [...t.windows.slice(0, k), ...windowsFrom(db, t.windows[k].firstTs)];
  t.maxTs = hi;
  t.dirtyFrom = null;
  return t.windows;
}

/**
 * The window in progress at `now` with its burn rate, projection and limits (settings, else
 * the p90 of the completed windows), or null when no window is active. Cheap when called
 * repeatedly: see the cache above.
 */
export function currentActiveBlock(db: Db, now: number = Date.now()): ActiveBlock | null {
  const settings = readSettings(db);
  const windows = currentWindows(db, settings);
  const last = windows[windows.length - 1];
  if (!last || !isActive(last, now)) return null;
  return activeBlock(last, now, limitsOf(db, windows, now, settings));
}

/** Settings, else the budget Claude's 5-hour figure implies, else the p90 of completed windows. */
function limitsOf(db: Db, windows: Window[], now: number, settings: Settings): WindowLimits {
  return withOfficialBudget(
    windowLimits(windows.filter((w) => !isActive(w, now)), settings),
    officialWindow(db, "five_hour", now),
  );
}

/** The per-window limits in force (settings, else Claude's figure, else the p90). */
export function currentLimits(db: Db, now: number = Date.now()): WindowLimits {
  const settings = readSettings(db);
  return limitsOf(db, currentWindows(db, settings), now, settings);
}

/** The overview card: the active window and the windows of the last 24 h (from the cache). */
export function usageCardData(db: Db, now: number = Date.now()): UsageCardData {
  const windows = currentWindows(db);
  const recent = windows.filter((w) => w.endMs > now - dayMs && w.startMs <= now).map((w) => ({
    start: new Date(w.startMs).toISOString(),
    tokens: tokensOf(w),
  }));
  return { active: currentActiveBlock(db, now), recent, now, official: officialLimits(db, now) };
}

/**
 * Publishes `{type: "usage", active}` after ingest commits that stored assistant messages:
 * the first one at once, then at most one computation per usageLiveMinIntervalMs (a burst
 * ends with one more, so the last state is always sent).
 */
export class UsageLive {
  #db: Db;
  #publish: (m: LiveMessage[]) => void;
  #minIntervalMs: number;
  #last = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(
    db: Db,
    publish: (m: LiveMessage[]) => void,
    minIntervalMs = usageLiveMinIntervalMs,
  ) {
    this.#db = db;
    this.#publish = publish;
    this.#minIntervalMs = minIntervalMs;
  }

  /** Called with every ingest commit (synchronously, before anything reads the windows). */
  onCommit(result: CommitResult): void {
    // Claude Code's cost spread over stored messages changes the windows holding them.
    let min = result.costsFrom ?? Infinity;
    for (const e of result.events) {
      if (e.source !== "transcript" || e.type !== "assistant") continue;
      const t = Date.parse(e.ts);
      if (t < min) min = t;
    }
    if (min === Infinity) return;
    noteStored(this.#db, min);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== null || this.#closed) return;
    const wait = Math.max(0, this.#last + this.#minIntervalMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#closed) return;
      this.#last = performance.now();
      let active: ActiveBlock | null;
      try {
        active = currentActiveBlock(this.#db, Date.now());
      } catch {
        return; // the database is closing; nothing to tell
      }
      this.#publish([{ type: "usage", active }]);
    }, wait);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

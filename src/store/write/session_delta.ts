// What one write batch changes in each session's summary row, folded from its events in
// memory (pure) before one upsert per session (sessions.ts). Activity, waiting, stop and end
// times only move forward, so the order events arrive in never matters.

import type { NormalizedEvent } from "../../core/types.ts";

/** A session's pending summary change within one batch. */
export interface SessionDelta {
  first: number;
  last: number;
  events: number;
  cwd: string | null;
  cwdIsMain: boolean;
  model: string | null;
  modelTs: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  cost: number;
  unpriced: number;
  /** Latest main-thread assistant message's context (input + cache) tokens, and its time. */
  contextTokens: number | null;
  contextTs: number;
  activity: number;
  waiting: number;
  waitingReason: string | null;
  stop: number;
  end: number;
}

const waitingTypes = new Set(["Notification", "PermissionRequest"]);
const transcriptActivity = new Set(["user", "assistant", "system"]);

/** Whether an event shows the session doing something (which ends a wait). */
export function isActivity(ev: Pick<NormalizedEvent, "source" | "type">): boolean {
  if (ev.source === "transcript") return transcriptActivity.has(ev.type);
  return !waitingTypes.has(ev.type) && ev.type !== "SessionEnd";
}

/**
 * Whether an event may be a compaction: a PreCompact hook or a transcript system line that
 * mentions a compact boundary (a cheap superset; the recount in SQL is exact).
 */
export function maybeCompaction(ev: Pick<NormalizedEvent, "source" | "type" | "raw">): boolean {
  if (ev.source === "hook") return ev.type === "PreCompact";
  return ev.type === "system" && ev.raw.includes("compact_boundary");
}

/** How far past the write time an event's time may count for its session. */
export const futureSlackMs = 86_400_000;

/**
 * The event as its session summary sees it: a time more than futureSlackMs past `now` (a
 * wrong clock, a line dated 9999-12-31) counts as now + futureSlackMs, so it cannot keep the
 * session "running" and sorted first forever. The stored event and its raw JSON keep the time
 * as read.
 */
export function clampFuture<E extends { ts: number }>(ev: E, now: number): E {
  const ceiling = now + futureSlackMs;
  return ev.ts > ceiling ? { ...ev, ts: ceiling } : ev;
}

/** The pending change of an event's session, created empty on its first event. */
export function deltaFor(deltas: Map<string, SessionDelta>, ev: NormalizedEvent): SessionDelta {
  let d = deltas.get(ev.sessionId);
  if (!d) {
    d = {
      first: ev.ts,
      last: ev.ts,
      events: 0,
      cwd: null,
      cwdIsMain: false,
      model: null,
      modelTs: 0,
      input: 0,
      output: 0,
      cacheCreation: 0,
      cacheRead: 0,
      cost: 0,
      unpriced: 0,
      contextTokens: null,
      contextTs: 0,
      activity: 0,
      waiting: 0,
      waitingReason: null,
      stop: 0,
      end: 0,
    };
    deltas.set(ev.sessionId, d);
  }
  return d;
}

/** Folds one event into its session's pending summary change. Pure. */
export function applyEvent(d: SessionDelta, ev: NormalizedEvent): void {
  d.events++;
  if (ev.ts < d.first) d.first = ev.ts;
  if (ev.ts > d.last) d.last = ev.ts;
  if (ev.cwd && !d.cwdIsMain) {
    if (!ev.isSidechain) {
      d.cwd = ev.cwd;
      d.cwdIsMain = true;
    } else d.cwd ??= ev.cwd;
  }
  if (ev.model && ev.model !== "<synthetic>" && ev.ts >= d.modelTs) {
    d.model = ev.model;
    d.modelTs = ev.ts;
  }
  if (isActivity(ev) && ev.ts > d.activity) d.activity = ev.ts;
  if (ev.source === "hook") {
    if (waitingTypes.has(ev.type) && ev.ts >= d.waiting) {
      d.waiting = ev.ts;
      d.waitingReason = ev.summary;
    }
    if (ev.type === "Stop" && ev.ts > d.stop) d.stop = ev.ts;
    if (ev.type === "SessionEnd" && ev.ts > d.end) d.end = ev.ts;
  }
}

// The data the alert rules and the store share: the snapshot the store reads
// (src/store/read/alerts.ts), the rule settings, and the conditions the rules find
// (src/domain/alerts/rules.ts) and the store reconciles into alert rows (src/store/write/alerts.ts).

import type { ActiveBlock, AlertState } from "./types.ts";
import type { OfficialLimits } from "./rate_limits.ts";
import type { AlertRuleId } from "./alert_catalog.ts";

/** One rule's setting: on or off, and its threshold (unit: the rule's, see alert_catalog.ts). */
export interface AlertRuleSetting {
  enabled: boolean;
  threshold: number;
}

export type AlertSettings = Record<AlertRuleId, AlertRuleSetting>;

/** One thing that needs the user's attention now. */
export interface AlertCondition {
  rule: AlertRuleId;
  /** What makes this occurrence distinct within its rule (session id, tool call, day …). */
  key: string;
  session_id: string | null;
  project: string | null;
  message: string;
  /**
   * Changes when the condition has something new to report (counted by the store): made of
   * stored data only (a newer failure, a higher cost, a new message in the window), never of
   * the time, so an open alert's count counts new evidence, not evaluations.
   */
  evidence: string;
}

/** A session whose newest event is a Notification or PermissionRequest. */
export interface WaitingSession {
  session_id: string;
  project: string | null;
  waiting_ts: number;
  waiting_reason: string | null;
}

/** A finished tool call, for failure streaks. */
export interface FinishedCall {
  /** tool_use_id, or a stand-in unique within the session. */
  key: string;
  tool_name: string;
  status: "ok" | "error";
  error: string | null;
}

/** The most recent finished tool calls of one session, newest first. */
export interface SessionCalls {
  session_id: string;
  project: string | null;
  recent: FinishedCall[];
}

/** A tool call with a start and no end yet. */
export interface RunningCall {
  key: string;
  session_id: string;
  project: string | null;
  tool_name: string;
  input_summary: string | null;
  start_ts: number;
  /** The session's SessionEnd and Stop times (0 when none). */
  session_end_ts: number;
  session_stop_ts: number;
}

export interface SessionCost {
  session_id: string;
  project: string | null;
  cost_usd: number;
  unpriced_messages: number;
}

/** What the store says now; each part is empty when its rule is disabled. */
export interface AlertSnapshot {
  waiting: WaitingSession[];
  sessionCalls: SessionCalls[];
  /** Errors (API errors and failed tool calls) in the last alertErrorWindowMs. */
  recentErrors: { count: number; newest: string };
  runningCalls: RunningCall[];
  sessionCosts: SessionCost[];
  /** Priced cost of the current UTC day (`day` = YYYY-MM-DD). */
  dayCost: { day: string; cost_usd: number; unpriced_messages: number };
  /** Events per source within the hooks_silent span. */
  activity: { hookEvents: number; transcriptEvents: number };
  ingestErrors: number;
  activeBlock: ActiveBlock | null;
  /** Claude's own 5-hour and weekly figures (the statusline's), for limit_runout. */
  official: OfficialLimits;
  /** `rule\u0000key` of the alerts open now (rules with hysteresis need to know). */
  open: ReadonlySet<string>;
}

export function emptySnapshot(now: number): AlertSnapshot {
  return {
    waiting: [],
    sessionCalls: [],
    recentErrors: { count: 0, newest: "" },
    runningCalls: [],
    sessionCosts: [],
    dayCost: { day: utcDay(now), cost_usd: 0, unpriced_messages: 0 },
    activity: { hookEvents: 0, transcriptEvents: 0 },
    ingestErrors: 0,
    activeBlock: null,
    official: { five_hour: null, seven_day: null },
    open: new Set(),
  };
}

export function openKey(rule: string, key: string): string {
  return `${rule}\u0000${key}`;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const alertStates: readonly string[] = ["active", "acknowledged", "cleared"];

/** Whether a stored state string is one of the AlertState names. */
export function isAlertState(s: string): s is AlertState {
  return alertStates.includes(s);
}

// The built-in alert rules: what each watches, its threshold's unit and default, and whether
// it is on out of the box. Data only; the evaluation lives in rules.ts, persistence in
// store/settings.ts.

export type AlertRuleId =
  | "waiting"
  | "failure_streak"
  | "error_rate"
  | "long_tool"
  | "session_budget"
  | "daily_budget"
  | "window_over_limit"
  | "limit_runout"
  | "hooks_silent"
  | "ingest_errors";

export interface AlertRuleInfo {
  id: AlertRuleId;
  label: string;
  /** What the threshold means, shown next to its input. */
  unit: string;
  defaultThreshold: number;
  defaultEnabled: boolean;
  /** Smallest accepted threshold (inclusive). */
  min: number;
}

export const alertRules: readonly AlertRuleInfo[] = [
  {
    id: "waiting",
    label: "Session waiting for input or permission",
    unit: "seconds waiting before the alert",
    defaultThreshold: 0,
    defaultEnabled: true,
    min: 0,
  },
  {
    id: "failure_streak",
    label: "Tool failures in a row in one session",
    unit: "failures in a row",
    defaultThreshold: 3,
    defaultEnabled: true,
    min: 1,
  },
  {
    id: "error_rate",
    label: "Error rate across all sessions",
    unit: "errors per minute",
    defaultThreshold: 10,
    defaultEnabled: true,
    min: 1,
  },
  {
    id: "long_tool",
    label: "Long-running tool call (no PostToolUse yet)",
    unit: "seconds",
    defaultThreshold: 300,
    defaultEnabled: true,
    min: 1,
  },
  {
    id: "session_budget",
    label: "Session cost over budget",
    unit: "USD per session",
    defaultThreshold: 20,
    defaultEnabled: true,
    min: 0,
  },
  {
    id: "daily_budget",
    label: "Daily cost over budget (UTC day, all sessions)",
    unit: "USD per day",
    defaultThreshold: 100,
    defaultEnabled: true,
    min: 0,
  },
  {
    id: "window_over_limit",
    label: "5-hour window projected over its limit",
    unit: "% of the window limit",
    defaultThreshold: 100,
    defaultEnabled: true,
    min: 1,
  },
  {
    id: "limit_runout",
    label: "5-hour / weekly window projected to run out before reset (Claude's figures)",
    unit: "% of Claude's limit projected at the reset",
    defaultThreshold: 100,
    defaultEnabled: true,
    min: 1,
  },
  {
    id: "hooks_silent",
    label: "No hook activity while transcripts are moving (hooks misconfigured)",
    unit: "minutes",
    defaultThreshold: 10,
    defaultEnabled: true,
    min: 1,
  },
  {
    id: "ingest_errors",
    label: "Ingest errors appeared",
    unit: "errors",
    defaultThreshold: 1,
    defaultEnabled: true,
    min: 1,
  },
];

export function isAlertRuleId(id: string): id is AlertRuleId {
  return alertRules.some((r) => r.id === id);
}

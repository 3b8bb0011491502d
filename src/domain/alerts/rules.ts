// The alert rules: pure functions from what the store says now (an AlertSnapshot, read by
// src/store/read/alerts.ts) and the user's rule settings to the conditions that hold at `now`.
// A condition is identified by (rule, key); its evidence changes when there is something new
// to say (a new failure, a higher cost), which the store counts. Disabled rules say nothing.

import type { AlertRuleId } from "../../core/alert_catalog.ts";
import {
  type AlertCondition,
  type AlertSettings,
  type AlertSnapshot,
  openKey,
} from "../../core/alert_types.ts";
import { duration, shortId, usd } from "../../core/format.ts";
import { alertErrorWindowMs, alertLookbackMs, officialRateMinSpanMs } from "../../core/config.ts";
import { rateLimitKinds, runoutMessage } from "../../core/rate_limits.ts";
import {
  type MeasureFigures,
  type WindowFigures,
  windowFigures,
} from "../../core/window_figures.ts";

/** Every condition that holds at `now`. Pure. */
export function evaluateRules(
  snap: AlertSnapshot,
  settings: AlertSettings,
  now: number,
): AlertCondition[] {
  const out: AlertCondition[] = [];
  const on = (id: AlertRuleId) => settings[id]?.enabled === true;
  const thr = (id: AlertRuleId) => settings[id].threshold;
  if (on("waiting")) out.push(...waiting(snap, thr("waiting"), now));
  if (on("failure_streak")) out.push(...failureStreaks(snap, thr("failure_streak")));
  if (on("error_rate")) out.push(...errorRate(snap, thr("error_rate")));
  if (on("long_tool")) out.push(...longTools(snap, thr("long_tool"), now));
  if (on("session_budget")) out.push(...sessionBudgets(snap, thr("session_budget")));
  if (on("daily_budget")) out.push(...dailyBudget(snap, thr("daily_budget")));
  if (on("hooks_silent")) out.push(...hooksSilent(snap, thr("hooks_silent")));
  if (on("ingest_errors")) out.push(...ingestErrors(snap, thr("ingest_errors")));
  if (on("window_over_limit")) out.push(...windowOverLimit(snap, thr("window_over_limit")));
  if (on("limit_runout")) out.push(...limitRunout(snap, thr("limit_runout")));
  return out;
}

function where(session_id: string, project: string | null): string {
  return project ? `${project} (session ${shortId(session_id)})` : `session ${shortId(session_id)}`;
}

function cut(text: string, max = 160): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? one.slice(0, max - 1) + "…" : one;
}

function waiting(snap: AlertSnapshot, seconds: number, now: number): AlertCondition[] {
  return snap.waiting
    .filter((w) => now - w.waiting_ts >= seconds * 1000)
    .map((w) => ({
      rule: "waiting",
      key: w.session_id,
      session_id: w.session_id,
      project: w.project,
      message: `${where(w.session_id, w.project)} is waiting for you` +
        (w.waiting_reason ? `: ${cut(w.waiting_reason)}` : ""),
      // A further Notification while still waiting is news.
      evidence: String(w.waiting_ts),
    }));
}

function failureStreaks(snap: AlertSnapshot, n: number): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const s of snap.sessionCalls) {
    let streak = 0;
    while (streak < s.recent.length && s.recent[streak].status === "error") streak++;
    if (streak === 0 || streak < n) continue;
    const last = s.recent[0];
    out.push({
      rule: "failure_streak",
      key: s.session_id,
      session_id: s.session_id,
      project: s.project,
      message: `${streak} tool calls failed in a row in ${
        where(s.session_id, s.project)
      }; last: ${last.tool_name}${last.error ? `: ${cut(last.error, 120)}` : ""}`,
      evidence: last.key,
    });
  }
  return out;
}

function errorRate(snap: AlertSnapshot, perMin: number): AlertCondition[] {
  const { count, newest } = snap.recentErrors;
  if (count < perMin) return [];
  return [{
    rule: "error_rate",
    key: "all",
    session_id: null,
    project: null,
    message: `${count} errors in the last ${
      Math.round(alertErrorWindowMs / 1000)
    } s across all sessions (alert at ${perMin} per minute)`,
    evidence: newest,
  }];
}

function longTools(snap: AlertSnapshot, seconds: number, now: number): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const c of snap.runningCalls) {
    const age = now - c.start_ts;
    if (age < seconds * 1000 || age > alertLookbackMs) continue;
    // A SessionEnd or Stop after the call began means the session moved on without a
    // PostToolUse (interrupted): the call is not running any more.
    if (c.session_end_ts >= c.start_ts || c.session_stop_ts >= c.start_ts) continue;
    out.push({
      rule: "long_tool",
      key: c.key,
      session_id: c.session_id,
      project: c.project,
      message:
        `${c.tool_name} still running after ${duration(seconds * 1000)} (since ${
          new Date(c.start_ts).toISOString().slice(11, 19)
        } UTC) in ${where(c.session_id, c.project)}` +
        (c.input_summary ? `: ${cut(c.input_summary, 120)}` : ""),
      evidence: "",
    });
  }
  return out;
}

function sessionBudgets(snap: AlertSnapshot, budget: number): AlertCondition[] {
  return snap.sessionCosts
    .filter((s) => s.cost_usd > budget)
    .map((s) => ({
      rule: "session_budget",
      key: s.session_id,
      session_id: s.session_id,
      project: s.project,
      message:
        `${where(s.session_id, s.project)} has cost ${usd(s.cost_usd)}, over the ${
          usd(budget)
        } session budget` + (s.unpriced_messages > 0 ? " (some usage has no known price)" : ""),
      evidence: usd(s.cost_usd),
    }));
}

function dailyBudget(snap: AlertSnapshot, budget: number): AlertCondition[] {
  const d = snap.dayCost;
  if (!(d.cost_usd > budget)) return [];
  return [{
    rule: "daily_budget",
    key: d.day,
    session_id: null,
    project: null,
    message: `Cost on ${d.day} (UTC) is ${usd(d.cost_usd)}, over the ${usd(budget)} daily budget` +
      (d.unpriced_messages > 0 ? " (some usage has no known price)" : ""),
    evidence: usd(d.cost_usd),
  }];
}

function hooksSilent(snap: AlertSnapshot, minutes: number): AlertCondition[] {
  const a = snap.activity;
  if (a.transcriptEvents === 0 || a.hookEvents > 0) return [];
  return [{
    rule: "hooks_silent",
    key: "all",
    session_id: null,
    project: null,
    message: `Transcripts moved in the last ${minutes} min but no hook event arrived: ` +
      "are the logging hooks configured? (run `claude-dash doctor`)",
    evidence: "",
  }];
}

function ingestErrors(snap: AlertSnapshot, threshold: number): AlertCondition[] {
  const n = snap.ingestErrors;
  // Raised at the threshold, held until no error is left (not flapping around the threshold).
  const holds = n >= threshold || (n > 0 && snap.open.has(openKey("ingest_errors", "all")));
  if (!holds) return [];
  return [{
    rule: "ingest_errors",
    key: "all",
    session_id: null,
    project: null,
    message: `${n} ingest error${n === 1 ? "" : "s"}: files or lines claude-dash could not read ` +
      "(see the Health page)",
    evidence: String(n),
  }];
}

function windowOverLimit(snap: AlertSnapshot, percent: number): AlertCondition[] {
  const active = snap.activeBlock;
  if (!active) return [];
  // The panel's own figures (core/window_figures.ts), so the banner reads what the panel shows.
  // While the burn rate spans fewer than alertWindowMinRateSpanMin minutes what decides is
  // what was used, not the projection; the threshold is a share of the limit (80 warns early),
  // the larger of the token and cost shares. Without a limit there is nothing to be over.
  const f = windowFigures(active);
  const m = f.lead === null ? null : f[f.lead];
  if (!m || m.share === null || m.share * 100 < percent) return [];
  const message = windowMessage(f, m);
  return [{
    rule: "window_over_limit",
    key: active.start,
    session_id: null,
    project: null,
    message,
    // Every figure is as of the window's last message, so this changes only when a message
    // arrives (or a limit changes): the count counts new evidence, not evaluations.
    evidence: `${active.as_of} ${active.tokens} ${active.cost_usd} ${message}`,
  }];
}

/** "The 5-hour window that started 18:00 UTC is projected to cost $6.35 by 23:00 UTC, 115% of
 * its cost limit of $5.52 (your p90 of 41 windows); limit reached about 22:18 UTC". */
function windowMessage(f: WindowFigures, m: MeasureFigures): string {
  const cost = m.measure === "cost";
  const pct = f.provisional || m.state === "over" ? m.usedPct : m.projectedPct;
  const figure = f.provisional || m.state === "over"
    ? `has ${cost ? "cost" : "used"} ${m.used}${cost ? "" : " tokens"}`
    : `is projected to ${cost ? "cost" : "use"} ${m.projected}${
      cost ? "" : " tokens"
    } by ${f.end} UTC`;
  return `The 5-hour window that started ${f.start} UTC ${figure}, ${pct}% of its ` +
    `${cost ? "cost" : "token"} limit of ${m.limit} (${m.source})` +
    (m.eta ? `; limit reached about ${m.eta} UTC` : "");
}

/**
 * Claude's own 5-hour or weekly figure projected to reach `percent` of the limit before the
 * window resets (at the rate of its recent samples). A figure whose window has reset since says
 * nothing about now. Keyed by the window's reset time: the next window is a new alert.
 */
function limitRunout(snap: AlertSnapshot, percent: number): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const kind of rateLimitKinds) {
    const w = snap.official[kind];
    if (!w || w.stale || w.projected_pct < percent) continue;
    // A rate over a few minutes projects wildly: it decides only once measured long enough.
    if (w.used_pct < 100 && w.rate_span_min * 60_000 < officialRateMinSpanMs[kind]) continue;
    const message = runoutMessage(w);
    out.push({
      rule: "limit_runout",
      key: `${kind} ${w.resets_at}`,
      session_id: null,
      project: null,
      message,
      // Changes only with a new figure from Claude (a sample), never with time alone.
      evidence: `${w.as_of} ${w.used_pct} ${message}`,
    });
  }
  return out;
}

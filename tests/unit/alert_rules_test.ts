// The alert rules, pure: a snapshot of what the store says now plus the rule settings → the
// conditions that hold at `now`. Each rule is tested on its own, at and around its threshold.

import assert from "node:assert/strict";
import { evaluateRules } from "../../src/domain/alerts/rules.ts";
import {
  type AlertSettings,
  type AlertSnapshot,
  emptySnapshot,
  openKey,
} from "../../src/core/alert_types.ts";
import { type AlertRuleId, alertRules } from "../../src/core/alert_catalog.ts";
import { activeBlock, windowsOf } from "../../src/domain/usage/blocks.ts";
import { officialFigure } from "../../src/domain/usage/official.ts";

const now = Date.UTC(2025, 7, 12, 12, 0, 0);

/** Only `rule` on, at `threshold`. */
function only(rule: AlertRuleId, threshold: number): AlertSettings {
  const s = Object.fromEntries(
    alertRules.map((r) => [r.id, { enabled: false, threshold: r.defaultThreshold }]),
  ) as AlertSettings;
  s[rule] = { enabled: true, threshold };
  return s;
}

function snap(over: Partial<AlertSnapshot>): AlertSnapshot {
  return { ...emptySnapshot(now), ...over };
}

Deno.test("a disabled rule says nothing however bad things are", () => {
  const s = snap({ ingestErrors: 500, recentErrors: { count: 99, newest: "e" } });
  const off = only("waiting", 0);
  off.waiting.enabled = false;
  assert.deepEqual(evaluateRules(s, off, now), []);
});

Deno.test("waiting: a session waiting at least the threshold is an alert naming its project", () => {
  const waiting = [{
    session_id: "abcdef0123456789",
    project: "shop",
    waiting_ts: now - 30_000,
    waiting_reason: "Claude needs your permission to use Bash",
  }];
  const [c] = evaluateRules(snap({ waiting }), only("waiting", 30), now);
  assert.equal(c.rule, "waiting");
  assert.equal(c.key, "abcdef0123456789");
  assert.equal(
    c.message,
    "shop (session abcdef01) is waiting for you: Claude needs your permission to use Bash",
  );
  assert.equal(c.evidence, String(now - 30_000));
  assert.deepEqual(evaluateRules(snap({ waiting }), only("waiting", 31), now), []);
});

Deno.test("failure streak: counted from the newest call back, only errors in a row", () => {
  const call = (key: string, status: "ok" | "error") => ({
    key,
    tool_name: "Bash",
    status,
    error: status === "error" ? "exit 1" : null,
  });
  const sessionCalls = [{
    session_id: "s-1",
    project: null,
    recent: [call("c4", "error"), call("c3", "error"), call("c2", "ok"), call("c1", "error")],
  }];
  assert.deepEqual(evaluateRules(snap({ sessionCalls }), only("failure_streak", 3), now), []);
  const [c] = evaluateRules(snap({ sessionCalls }), only("failure_streak", 2), now);
  assert.equal(c.message, "2 tool calls failed in a row in session s-1; last: Bash: exit 1");
  assert.equal(c.evidence, "c4", "a further failure is news");
});

Deno.test("error rate: at the threshold per minute across all sessions", () => {
  const recentErrors = { count: 10, newest: "ev-99" };
  const [c] = evaluateRules(snap({ recentErrors }), only("error_rate", 10), now);
  assert.equal(c.key, "all");
  assert.match(c.message, /^10 errors in the last 60 s across all sessions/);
  assert.deepEqual(evaluateRules(snap({ recentErrors }), only("error_rate", 11), now), []);
});

Deno.test("long tool: a call running past the threshold, unless its session stopped after it began", () => {
  const running = {
    key: "toolu_1",
    session_id: "s-1",
    project: "api",
    tool_name: "Bash",
    input_summary: "npm run build",
    start_ts: now - 400_000,
    session_end_ts: 0,
    session_stop_ts: 0,
  };
  const [c] = evaluateRules(snap({ runningCalls: [running] }), only("long_tool", 300), now);
  assert.match(c.message, /^Bash still running after 5 m 00 s \(since 11:53:20 UTC\) in api/);
  assert.match(c.message, /: npm run build$/);
  const stopped = { ...running, session_stop_ts: now - 100_000 };
  assert.deepEqual(
    evaluateRules(snap({ runningCalls: [stopped] }), only("long_tool", 300), now),
    [],
  );
  const ancient = { ...running, start_ts: now - 2 * 86_400_000 };
  assert.deepEqual(
    evaluateRules(snap({ runningCalls: [ancient] }), only("long_tool", 300), now),
    [],
    "older than the lookback: not tracked",
  );
});

Deno.test("session and daily budgets: over, not at, the budget; unknown prices are mentioned", () => {
  const sessionCosts = [
    { session_id: "s-1", project: null, cost_usd: 5, unpriced_messages: 0 },
    { session_id: "s-2", project: null, cost_usd: 5.01, unpriced_messages: 2 },
  ];
  const cs = evaluateRules(snap({ sessionCosts }), only("session_budget", 5), now);
  assert.deepEqual(cs.map((c) => c.key), ["s-2"]);
  assert.equal(
    cs[0].message,
    "session s-2 has cost $5.01, over the $5.00 session budget (some usage has no known price)",
  );
  const dayCost = { day: "2025-08-12", cost_usd: 20.5, unpriced_messages: 0 };
  const [d] = evaluateRules(snap({ dayCost }), only("daily_budget", 20), now);
  assert.equal(d.message, "Cost on 2025-08-12 (UTC) is $20.50, over the $20.00 daily budget");
  assert.equal(d.key, "2025-08-12");
});

Deno.test("hooks silent: transcripts moved but no hook event arrived", () => {
  const silent = snap({ activity: { hookEvents: 0, transcriptEvents: 12 } });
  assert.equal(evaluateRules(silent, only("hooks_silent", 10), now).length, 1);
  const fine = snap({ activity: { hookEvents: 1, transcriptEvents: 12 } });
  assert.deepEqual(evaluateRules(fine, only("hooks_silent", 10), now), []);
  const idle = snap({ activity: { hookEvents: 0, transcriptEvents: 0 } });
  assert.deepEqual(evaluateRules(idle, only("hooks_silent", 10), now), []);
});

Deno.test("ingest errors: raised at the threshold and held while any error is left", () => {
  assert.deepEqual(evaluateRules(snap({ ingestErrors: 4 }), only("ingest_errors", 5), now), []);
  const [c] = evaluateRules(snap({ ingestErrors: 5 }), only("ingest_errors", 5), now);
  assert.equal(
    c.message,
    "5 ingest errors: files or lines claude-dash could not read (see the Health page)",
  );
  const open = new Set([openKey("ingest_errors", "all")]);
  assert.equal(
    evaluateRules(snap({ ingestErrors: 1, open }), only("ingest_errors", 5), now).length,
    1,
  );
  assert.deepEqual(
    evaluateRules(snap({ ingestErrors: 0, open }), only("ingest_errors", 5), now),
    [],
  );
});

Deno.test("window over limit: the projection's share of the limit, once the rate spans enough minutes", () => {
  const start = Date.UTC(2025, 7, 12, 10, 0, 0);
  const message = (ts: number) => ({
    ts,
    model: "claude-sonnet-4-5",
    input_tokens: 1000,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    cost_usd: 0.003,
  });
  const limits = {
    tokens: 4000,
    tokens_source: "setting",
    tokens_source_text: "your setting",
    cost_usd: null,
    cost_source: null,
    cost_source_text: null,
  } as const;
  // 2 000 tokens over 60 min (the window opens at 11:00, its last message is at 12:00);
  // 4 h from the last message to the end: 2 000 + 33.3 × 240 = 10 000.
  const [w] = windowsOf([message(start + 60 * 60_000), message(start + 120 * 60_000)]);
  const active = activeBlock(w, start + 3 * 3_600_000, limits)!;
  const [c] = evaluateRules(snap({ activeBlock: active }), only("window_over_limit", 80), now);
  assert.equal(c.key, active.start);
  assert.equal(
    c.message,
    "The 5-hour window that started 11:00 UTC is projected to use 10k tokens by 16:00 UTC, " +
      "250% of its token limit of 4.0k (your setting); limit reached about 13:00 UTC",
  );
  // A minute later, with no new message, the condition is the same: nothing new to count.
  const later = activeBlock(w, start + 3 * 3_600_000 + 60_000, limits)!;
  const [c2] = evaluateRules(snap({ activeBlock: later }), only("window_over_limit", 80), now);
  assert.deepEqual(c2, c);
  // Two messages a minute apart: too short a span to trust the rate, so only what was used counts.
  const [q] = windowsOf([message(start), message(start + 60_000)]);
  const quick = activeBlock(q, start + 2 * 60_000, limits)!;
  assert.ok(quick.projected_over_limit, "the raw projection would alarm");
  assert.deepEqual(
    evaluateRules(snap({ activeBlock: quick }), only("window_over_limit", 80), now),
    [],
  );
  assert.deepEqual(evaluateRules(snap({}), only("window_over_limit", 80), now), []);
});

Deno.test("no rule's evidence changes with time alone, so an open alert counts new evidence, not evaluations", () => {
  const all = Object.fromEntries(
    alertRules.map((r) => [r.id, { enabled: true, threshold: r.defaultThreshold }]),
  ) as AlertSettings;
  all.waiting.threshold = 1;
  all.long_tool.threshold = 1;
  const start = Date.UTC(2025, 7, 12, 10, 0, 0);
  const m = (ts: number) => ({
    ts,
    model: "claude-sonnet-4-5",
    input_tokens: 1000,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    cost_usd: 0.003,
  });
  const [w] = windowsOf([m(start), m(start + 60 * 60_000)]);
  const limits = {
    tokens: 1000,
    tokens_source: "p90",
    tokens_source_text: "your p90 of 12 windows",
    cost_usd: 0.001,
    cost_source: "p90",
    cost_source_text: "your p90 of 12 windows",
  } as const;
  // Claude's 5-hour figure: 20 % → 50 % in the last hour, 2 h left: projected to run out.
  const fig = (m: number, pct: number) => ({
    ts: now - 60 * 60_000 + m * 60_000,
    used_pct: pct,
    resets_at: now + 2 * 3_600_000,
  });
  const runningOut = officialFigure("five_hour", fig(60, 50), [fig(0, 20), fig(60, 50)], {
    tokens: 1,
    cost_usd: 0,
  }, now);
  const at = (t: number) =>
    evaluateRules(
      snap({
        waiting: [{
          session_id: "s-w",
          project: null,
          waiting_ts: now - 60_000,
          waiting_reason: null,
        }],
        sessionCalls: [{
          session_id: "s-f",
          project: null,
          recent: Array.from({ length: 10 }, (_, i) => ({
            key: `c${i}`,
            tool_name: "Bash",
            status: "error" as const,
            error: "exit 1",
          })),
        }],
        recentErrors: { count: 100, newest: "9/9" },
        runningCalls: [{
          key: "t-1",
          session_id: "s-l",
          project: null,
          tool_name: "Bash",
          input_summary: null,
          start_ts: now - 3_600_000,
          session_end_ts: 0,
          session_stop_ts: 0,
        }],
        sessionCosts: [{ session_id: "s-c", project: null, cost_usd: 1e6, unpriced_messages: 0 }],
        dayCost: { day: "2025-08-12", cost_usd: 1e6, unpriced_messages: 0 },
        activity: { hookEvents: 0, transcriptEvents: 5 },
        ingestErrors: 100,
        activeBlock: activeBlock(w, t, limits),
        official: { five_hour: runningOut, seven_day: null },
      }),
      all,
      t,
    ).map((c) => [c.rule, c.key, c.evidence, c.message]);
  const first = at(now);
  assert.equal(new Set(first.map(([rule]) => rule)).size, alertRules.length, "every rule holds");
  assert.deepEqual(at(now + 60_000), first, "a minute later: the same evidence and messages");
});

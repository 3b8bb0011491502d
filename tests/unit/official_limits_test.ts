// Claude's official 5-hour and weekly figures, pure: the statusline's line and thinning, the
// figures derived from samples (pace, projection, run-out, implied budget), the implied budget
// replacing the p90 guess (never a setting), and the limit_runout alert.

import assert from "node:assert/strict";
import {
  formatLine,
  parseFormat,
  parseState,
  sampleDue,
  statusInput,
  todayCost,
  withCost,
  withWindow,
} from "../../src/commands/statusline.ts";
import { officialFigure, withOfficialBudget } from "../../src/domain/usage/official.ts";
import { evaluateRules } from "../../src/domain/alerts/rules.ts";
import { type AlertSettings, emptySnapshot } from "../../src/core/alert_types.ts";
import { alertRules } from "../../src/core/alert_catalog.ts";
import { parseSample, sampleJson } from "../../src/core/rate_limits.ts";
import { statuslineSampleEveryMs, statuslineWindowSessionsKept } from "../../src/core/config.ts";

const hour = 3_600_000;
const t0 = Date.UTC(2026, 0, 5, 10, 0, 0);

Deno.test("the statusline line shows model, context, both official windows and today's cost, in the format's order", () => {
  const input = statusInput({
    session_id: "s1",
    model: { id: "claude-opus-5-5", display_name: "Opus 5.5" },
    context_window: { used_percentage: 42 },
    cost: { total_cost_usd: 1.5 },
    rate_limits: {
      five_hour: { used_percentage: 23.5, resets_at: (t0 + 2 * hour) / 1000 },
      seven_day: { used_percentage: 41, resets_at: (t0 + 50 * hour) / 1000 },
    },
  })!;
  const all = parseFormat("model,context,5h,7d,cost");
  assert.ok(Array.isArray(all));
  const line = formatLine(input, all, 3.2);
  assert.match(line, /^Opus 5\.5 · ctx 42% · 5h 24% ↻\d\d:\d\d · 7d 41% · \$3\.20 today$/);
  assert.equal(formatLine(input, ["7d", "model"], 3.2), "7d 41% · Opus 5.5");
  assert.deepEqual(parseFormat("model,weekly"), {
    error: 'unknown statusline part "weekly" (parts: model, context, 5h, 7d, cost)',
  });
});

Deno.test("without rate_limits (API-key users) the line leaves the windows out, and no payload at all prints the minimal line", () => {
  const input = statusInput({ session_id: "s", model: { id: "m" }, cost: { total_cost_usd: 0 } })!;
  assert.equal(input.limits, null);
  assert.equal(formatLine(input, ["model", "5h", "7d", "cost"], 0), "m · $0 today");
  assert.equal(formatLine(statusInput({})!, ["5h"], null), "claude-dash");
  assert.equal(statusInput("text"), null);
});

Deno.test("today's cost counts only what each session spent since the day began, across restarts", () => {
  let s = parseState(null, "2026-01-05");
  s = withCost(s, "2026-01-05", "a", 2);
  s = withCost(s, "2026-01-05", "b", 1);
  assert.equal(todayCost(s), 3);
  s = withCost(s, "2026-01-06", "a", 2.5); // a new day: a's 2 belong to yesterday
  assert.equal(todayCost(s), 0.5);
  s = withCost(s, "2026-01-06", "a", 0.25); // the session ran again from 0
  assert.equal(todayCost(s), 0.75);
  assert.deepEqual(parseState(JSON.stringify(s), "2026-01-06"), s, "the state survives its file");
});

Deno.test("thinning: a sample is due when none was stored, a figure changed, or 30 s passed", () => {
  const s = { ...parseState(null, "d"), sample: { ts: t0, key: "k" } };
  assert.equal(sampleDue(parseState(null, "d"), "k", t0), true);
  assert.equal(sampleDue(s, "k", t0 + 300), false);
  assert.equal(sampleDue(s, "k2", t0 + 300), true);
  assert.equal(sampleDue(s, "k", t0 + statuslineSampleEveryMs), true);
});

Deno.test("a sample file round-trips, resets_at in epoch seconds as Claude Code sends it", () => {
  const sample = {
    ts: t0,
    session_id: "s",
    five_hour: { used_pct: 12, resets_at_ms: t0 + hour },
    seven_day: null,
  };
  assert.deepEqual(parseSample(sampleJson(sample)), sample);
  assert.equal(JSON.parse(sampleJson(sample)).rate_limits.five_hour.resets_at, (t0 + hour) / 1000);
  assert.equal(parseSample("{}"), null);
});

Deno.test("pace, projection from the recent burn rate, run-out time and the implied budget", () => {
  const resets = t0 + 3 * hour; // the window began at t0 - 2 h
  const at = (m: number, pct: number) => ({
    ts: t0 + m * 60_000,
    used_pct: pct,
    resets_at: resets,
  });
  const samples = [at(0, 20), at(30, 35), at(60, 50)];
  const w = officialFigure(
    "five_hour",
    samples[2],
    samples,
    { tokens: 5_000_000, cost_usd: 10 },
    t0,
  );
  assert.equal(w.elapsed_pct, 60); // 3 h of 5 gone at the newest sample
  assert.equal(w.rate_basis, "recent");
  assert.equal(w.rate_pct_per_hour, 30); // 20 % → 50 % in the last hour
  assert.equal(w.projected_pct, 110); // 50 % + 2 h × 30 %/h
  assert.equal(w.runout_at, new Date(t0 + 60 * 60_000 + 100 * 60_000).toISOString());
  assert.equal(w.implied_tokens, 10_000_000); // 5M tokens are 50 %
  assert.equal(w.implied_cost_usd, 20);
  assert.equal(w.stale, false);
  // One sample only: the window's average so far (50 % in 3 h).
  const avg = officialFigure("five_hour", samples[2], [samples[2]], { tokens: 1, cost_usd: 0 }, t0);
  assert.equal(avg.rate_basis, "window");
  assert.equal(Math.round(avg.projected_pct), 83);
  assert.equal(avg.runout_at, null);
  // Below officialMinUsedPct the percentage is too coarse to divide by.
  const low = officialFigure("five_hour", at(0, 2), [], { tokens: 100, cost_usd: 1 }, t0);
  assert.equal(low.implied_tokens, null);
  // Once the window has reset the figure is stale.
  assert.equal(
    officialFigure("five_hour", samples[2], samples, { tokens: 1, cost_usd: 0 }, resets)
      .stale,
    true,
  );
});

Deno.test("Claude's implied budget replaces the p90 guess as the limit, labelled Claude's figure; a setting still wins", () => {
  const p90 = {
    tokens: 1000,
    tokens_source: "p90",
    tokens_source_text: "your p90 of 3 windows",
    cost_usd: 1,
    cost_source: "setting",
    cost_source_text: "your setting",
  } as const;
  const resets = t0 + 3 * hour;
  const s = { ts: t0, used_pct: 50, resets_at: resets };
  const five = officialFigure("five_hour", s, [s], { tokens: 4000, cost_usd: 3 }, t0);
  const l = withOfficialBudget(p90, five);
  assert.equal(l.tokens, 8000);
  assert.equal(l.tokens_source, "claude");
  assert.equal(l.tokens_source_text, "Claude's figure");
  assert.equal(l.cost_usd, 1, "the setting stays");
  assert.deepEqual(withOfficialBudget(p90, { ...five, stale: true }), p90);
  assert.deepEqual(withOfficialBudget(p90, null), p90);
});

Deno.test("limit_runout: the 5-hour or weekly window projected to run out before its reset is an alert with Claude's figures", () => {
  const settings = Object.fromEntries(
    alertRules.map((r) => [r.id, { enabled: r.id === "limit_runout", threshold: 100 }]),
  ) as AlertSettings;
  const resets = t0 + 3 * hour;
  const at = (m: number, pct: number) => ({
    ts: t0 + m * 60_000,
    used_pct: pct,
    resets_at: resets,
  });
  const samples = [at(0, 20), at(60, 50)];
  const five = officialFigure("five_hour", samples[1], samples, { tokens: 1, cost_usd: 0 }, t0);
  const snap = { ...emptySnapshot(t0), official: { five_hour: five, seven_day: null } };
  const [c, more] = evaluateRules(snap, settings, t0 + hour);
  assert.equal(more, undefined);
  assert.equal(c.rule, "limit_runout");
  assert.equal(
    c.message,
    "The 5-hour window is projected to run out about 12:40 UTC, before it resets at 13:00 UTC: " +
      "50% used as of 11:00 UTC (Claude's figure), 30.0%/h",
  );
  // Under the threshold, or from a window that has reset: nothing.
  const slow = officialFigure("five_hour", at(60, 50), [at(0, 45), at(60, 50)], {
    tokens: 1,
    cost_usd: 0,
  }, t0);
  const quiet = { ...snap, official: { five_hour: slow, seven_day: null } };
  assert.deepEqual(evaluateRules(quiet, settings, t0 + hour), []);
  const old = { ...snap, official: { five_hour: { ...five, stale: true }, seven_day: null } };
  assert.deepEqual(evaluateRules(old, settings, t0 + hour), []);
});

Deno.test("the statusline records a session's reported context window only when it is new, for the last sessions only", () => {
  const s0 = parseState(null, "d");
  assert.equal(
    statusInput({ context_window: { context_window_size: 1_000_000 } })?.contextWindow,
    1_000_000,
  );
  assert.equal(statusInput({ context_window: { context_window_size: "1M" } })?.contextWindow, null);
  const s1 = withWindow(s0, "a", 1_000_000);
  assert.deepEqual(s1?.windows, { a: 1_000_000 });
  assert.equal(withWindow(s1!, "a", 1_000_000), null, "the same size again: nothing to record");
  assert.equal(withWindow(s1!, "", 1_000_000), null, "no session: nothing to record");
  assert.equal(withWindow(s1!, "a", null), null);
  assert.deepEqual(withWindow(s1!, "a", 200_000)?.windows, { a: 200_000 }, "a changed size is");
  let s = s1!;
  for (let i = 0; i < statuslineWindowSessionsKept + 5; i++) s = withWindow(s, `s${i}`, 1)!;
  const ids = Object.keys(s.windows);
  assert.equal(ids.length, statuslineWindowSessionsKept);
  assert.equal(ids.at(-1), `s${statuslineWindowSessionsKept + 4}`, "the newest kept");
  assert.ok(!("a" in s.windows), "the oldest forgotten");
  assert.deepEqual(parseState(JSON.stringify(s), "d").windows, s.windows, "kept in the state file");
  const sample = {
    ts: t0,
    session_id: "a",
    five_hour: null,
    seven_day: null,
    context_window: 1_000_000,
  };
  assert.deepEqual(parseSample(sampleJson(sample)), sample, "a sample with only the window");
});

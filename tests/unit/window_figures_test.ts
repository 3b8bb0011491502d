// The active window's figures as every view shows them (core/window_figures.ts): each limit
// names its source, tokens and cost are each marked over, projected over or under, and the
// window_over_limit alert's message quotes exactly those figures. Pure: real windows built by
// blocks.ts from hand-made messages, time a parameter.

import assert from "node:assert/strict";
import {
  activeBlock,
  type UsageMessage,
  type Window,
  windowLimits,
  windowsOf,
} from "../../src/domain/usage/blocks.ts";
import { limitSourceText, windowFigures } from "../../src/core/window_figures.ts";
import { evaluateRules } from "../../src/domain/alerts/rules.ts";
import { type AlertSettings, emptySnapshot } from "../../src/core/alert_types.ts";
import { alertRules } from "../../src/core/alert_catalog.ts";

const h = 3_600_000;
const min = 60_000;
const t0 = Date.UTC(2025, 7, 1, 0, 0, 0);
const noSettings: { window_token_limit: number | null; window_cost_limit_usd: number | null } = {
  window_token_limit: null,
  window_cost_limit_usd: null,
};

function msg(ts: number, tokens: number, cost: number | null): UsageMessage {
  return {
    ts,
    model: "claude-sonnet-4-5",
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: tokens,
    cost_usd: cost,
  };
}

/** Ten completed windows of 1M tokens and $1 each, 6 h apart: p90 limits 1.0M and $1.00. */
function history(): Window[] {
  return windowsOf(Array.from({ length: 10 }, (_, i) => msg(t0 + i * 6 * h, 1_000_000, 1)));
}

/** The active window: two messages an hour apart from its start, each `tokens` and `cost`. */
function activeOf(tokens: number, cost: number, settings = noSettings) {
  const start = t0 + 100 * h;
  const [w] = windowsOf([msg(start, tokens, cost), msg(start + 60 * min, tokens, cost)]);
  return activeBlock(w, start + 70 * min, windowLimits(history(), settings))!;
}

function windowRuleOnly(threshold = 100): AlertSettings {
  const s = Object.fromEntries(
    alertRules.map((r) => [r.id, { enabled: false, threshold: r.defaultThreshold }]),
  ) as AlertSettings;
  s.window_over_limit = { enabled: true, threshold };
  return s;
}

Deno.test("a p90 limit names itself and the number of windows it is taken over; a setting says so", () => {
  assert.equal(limitSourceText("p90", 41), "your p90 of 41 windows");
  assert.equal(limitSourceText("p90", 1), "your p90 of 1 window");
  assert.equal(limitSourceText("setting", 41), "your setting");
  assert.equal(limitSourceText(null, 0), null);
  const limits = windowLimits(history(), noSettings);
  assert.equal(limits.tokens_source_text, "your p90 of 10 windows");
  assert.equal(limits.cost_source_text, "your p90 of 10 windows");
  const unpriced = windowsOf([
    ...history().map((w) => msg(w.firstTs, 5, 1)),
    msg(t0 + 99 * h, 5, null),
  ]);
  assert.equal(
    windowLimits(unpriced, noSettings).cost_source_text,
    "your p90 of 10 windows",
    "the cost p90 counts only the windows whose cost is known",
  );
  assert.equal(windowLimits(unpriced, noSettings).tokens_source_text, "your p90 of 11 windows");
  const a = activeOf(20_000, 0.15, { window_token_limit: 5_000_000, window_cost_limit_usd: null });
  const f = windowFigures(a);
  assert.equal(f.tokens.source, "your setting");
  assert.equal(f.cost.source, "your p90 of 10 windows");
});

Deno.test("a cost-only crossing marks the cost, not the tokens, and the alert quotes the panel's figures", () => {
  // 40k tokens and $0.30 over 60 min; 4 h from the last message to the end: 200k tokens
  // (20% of 1.0M) and $1.50 (150% of $1.00), the cost limit reached 140 min after the last message (05:00).
  const a = activeOf(20_000, 0.15);
  assert.equal(a.projected_tokens, 200_000);
  assert.equal(a.projected_cost_usd, 1.5);
  assert.deepEqual(
    a.limit_state,
    { tokens: "under", cost: "projected_over" },
    "the API says so too",
  );
  const f = windowFigures(a);
  assert.equal(f.tokens.state, "under");
  assert.equal(f.cost.state, "projected_over");
  assert.equal(f.lead, "cost");
  assert.deepEqual(
    [f.cost.used, f.cost.projected, f.cost.limit, f.cost.projectedPct, f.cost.eta],
    ["$0.30", "$1.50", "$1.00", 150, "07:20"],
  );
  assert.deepEqual(
    [f.tokens.used, f.tokens.projected, f.tokens.limit, f.tokens.projectedPct, f.tokens.eta],
    ["40k", "200k", "1.0M", 20, null],
  );
  const snap = { ...emptySnapshot(t0), activeBlock: a };
  const [c] = evaluateRules(snap, windowRuleOnly(), t0 + 100 * h + 70 * min);
  assert.equal(
    c.message,
    `The 5-hour window that started ${f.start} UTC is projected to cost ${f.cost.projected} by ` +
      `${f.end} UTC, ${f.cost.projectedPct}% of its cost limit of ${f.cost.limit} ` +
      `(${f.cost.source}); limit reached about ${f.cost.eta} UTC`,
  );
});

Deno.test("a token-only crossing marks the tokens, not the cost", () => {
  // 300k tokens and $0.02 over 60 min: 1.5M projected (150% of 1.0M), $0.10 (10% of $1.00).
  const a = activeOf(150_000, 0.01);
  assert.deepEqual(a.limit_state, { tokens: "projected_over", cost: "under" });
  const f = windowFigures(a);
  assert.equal(f.tokens.state, "projected_over");
  assert.equal(f.cost.state, "under");
  assert.equal(f.lead, "tokens");
  assert.equal(f.tokens.projected, "1.5M");
  assert.equal(f.tokens.source, "your p90 of 10 windows");
});

Deno.test("used over the limit is 'over'; a provisional rate marks nothing as projected over", () => {
  const over = windowFigures(activeOf(600_000, 0.01));
  assert.equal(over.tokens.state, "over");
  assert.equal(over.tokens.usedPct, 120);
  const start = t0 + 100 * h;
  const [w] = windowsOf([msg(start, 20_000, 0.15), msg(start + 2 * min, 20_000, 0.15)]);
  const quick = windowFigures(
    activeBlock(w, start + 3 * min, windowLimits(history(), noSettings))!,
  );
  assert.equal(quick.provisional, true);
  assert.equal(quick.cost.state, "under", "a two-minute rate projects wildly: it decides nothing");
});

Deno.test("without a limit a measure is marked as having none, and nothing leads", () => {
  const start = t0;
  const [w] = windowsOf([msg(start, 10, 0.1), msg(start + 60 * min, 10, null)]);
  const f = windowFigures(activeBlock(w, start + 61 * min, windowLimits([], noSettings))!);
  assert.equal(f.tokens.state, "no_limit");
  assert.equal(f.tokens.limit, null);
  assert.equal(f.cost.used, "unknown");
  assert.equal(f.lead, null);
});

// The 5-hour usage windows (ccusage's rule): where a window starts and ends, which message opens
// the next one, when a window is active, and the burn rate, projection and limits of the active
// window. Pure: time is always a parameter.

import assert from "node:assert/strict";
import {
  activeBlock,
  hourFloor,
  isActive,
  type MessageLookups,
  p90,
  sumTotals,
  toBlock,
  type UsageMessage,
  type UsageSums,
  type Window,
  windowLimits,
  windowMs,
  windowsOf,
  windowsOfHours,
} from "../../src/domain/usage/blocks.ts";

const h = 3_600_000;
const t0 = Date.UTC(2025, 7, 12, 9, 0, 0);

function msg(ts: number, over: Partial<UsageMessage> = {}): UsageMessage {
  return {
    ts,
    model: "claude-sonnet-4-5",
    input_tokens: 100,
    output_tokens: 10,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    cost_usd: 0.01,
    ...over,
  };
}

const noLimits = {
  tokens: null,
  tokens_source: null,
  tokens_source_text: null,
  cost_usd: null,
  cost_source: null,
  cost_source_text: null,
} as const;

Deno.test("a window starts at the UTC hour of its first message and lasts five hours", () => {
  const [w] = windowsOf([msg(t0 + 47 * 60_000)]);
  assert.equal(w.startMs, t0);
  assert.equal(w.endMs, t0 + 5 * h);
  assert.equal(w.firstTs, t0 + 47 * 60_000);
  assert.equal(hourFloor(t0 + h - 1), t0);
});

Deno.test("a message exactly at the window's end stays in it; one millisecond later opens the next", () => {
  const at = windowsOf([msg(t0), msg(t0 + windowMs)]);
  assert.equal(at.length, 1);
  assert.equal(at[0].messages, 2);
  const after = windowsOf([msg(t0), msg(t0 + windowMs + 1)]);
  assert.equal(after.length, 2);
  assert.equal(after[1].startMs, t0 + 5 * h, "the next window starts at that message's hour");
});

Deno.test("a window ends five hours after its start, not after its last message", () => {
  const ws = windowsOf([msg(t0 + 30 * 60_000), msg(t0 + 4 * h), msg(t0 + 5 * h + 10 * 60_000)]);
  assert.deepEqual(ws.map((w) => w.messages), [2, 1]);
});

Deno.test("a window is active while now is before its end and its last message is under 5 h old", () => {
  const [w] = windowsOf([msg(t0 + 10 * 60_000)]);
  assert.equal(isActive(w, t0 + 4 * h), true);
  assert.equal(isActive(w, w.endMs - 1), true);
  assert.equal(isActive(w, w.endMs), false, "at its end it is over");
});

Deno.test("a window's cost is unknown when one of its messages has no price; models are listed sorted", () => {
  const [w] = windowsOf([
    msg(t0, { model: "claude-sonnet-4-5" }),
    msg(t0 + 60_000, { model: "claude-haiku-4-5", cost_usd: null }),
  ]);
  const b = toBlock(w, t0 + 2 * 60_000);
  assert.equal(b.cost_usd, null);
  assert.deepEqual(b.models, ["claude-haiku-4-5", "claude-sonnet-4-5"]);
  assert.equal(b.start, new Date(t0).toISOString());
  assert.equal(b.active, true);
  assert.equal(b.input_tokens, 200);
});

Deno.test("windows from hourly sums equal windows from messages, including a message on the boundary", () => {
  const messages = [
    msg(t0 + 5 * 60_000),
    msg(t0 + 2 * h + 1),
    msg(t0 + 5 * h), // exactly at the first window's end: stays in it
    msg(t0 + 5 * h + 20 * 60_000), // same hour, later: opens the next window
    msg(t0 + 13 * h + 59 * 60_000),
  ];
  const sums = (list: UsageMessage[]): UsageSums => {
    const [w] = windowsOf(list);
    return w ?? {
      messages: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_tokens: 0,
      cache_read_tokens: 0,
      pricedCost: 0,
      unpriced: 0,
      models: [],
    };
  };
  const within = (from: number, to: number) => messages.filter((m) => m.ts >= from && m.ts < to);
  const look: MessageLookups = {
    sums: (from, to) => {
      const w = sums(within(from, to));
      return { ...w, messages: within(from, to).length };
    },
    first: (from, to) => Math.min(...within(from, to).map((m) => m.ts)),
    last: (from, to) => Math.max(...within(from, to).map((m) => m.ts)),
  };
  const hours = [...new Set(messages.map((m) => hourFloor(m.ts)))].map((hour) => ({
    hour,
    ...look.sums(hour, hour + h),
  }));
  const strip = (ws: Window[]) =>
    ws.map((w) => [w.startMs, w.firstTs, w.lastTs, w.messages, w.input_tokens]);
  assert.deepEqual(strip(windowsOfHours(hours, look)), strip(windowsOf(messages)));
  assert.equal(windowsOf(messages).length, 3);
});

Deno.test("the active window's burn rate runs from its first to its last message and projects to its end", () => {
  const [w] = windowsOf([msg(t0), msg(t0 + 60 * 60_000)]); // 220 tokens over 60 min
  const now = t0 + 60 * 60_000;
  const a = activeBlock(w, now, noLimits)!;
  assert.equal(a.tokens, 220);
  assert.equal(a.rate_span_min, 60);
  assert.equal(a.tokens_per_min, 3.7);
  assert.equal(a.minutes_left, 240);
  assert.equal(a.projected_tokens, Math.round(220 + (220 / 60) * 240));
  assert.equal(a.cost_per_hour, 0.02);
  assert.equal(a.projected_over_limit, false);
  assert.equal(a.limit_eta, null);
});

Deno.test("a single message gives no burn rate: the projection is what was used", () => {
  const [w] = windowsOf([msg(t0)]);
  const a = activeBlock(w, t0 + 60_000, noLimits)!;
  assert.equal(a.tokens_per_min, 0);
  assert.equal(a.projected_tokens, 110);
});

Deno.test("a projection over the token limit is flagged with the time the limit is reached", () => {
  const [w] = windowsOf([msg(t0), msg(t0 + 10 * 60_000)]); // 22 tokens a minute
  const now = t0 + 10 * 60_000;
  const a = activeBlock(w, now, {
    ...noLimits,
    tokens: 440,
    tokens_source: "setting",
    tokens_source_text: "your setting",
  })!;
  assert.equal(a.projected_over_limit, true);
  assert.equal(a.limit_source, "setting");
  assert.equal(a.limit_eta, new Date(now + 10 * 60_000).toISOString());
});

Deno.test("no active window: none at all, or the last one is over", () => {
  assert.equal(activeBlock(null, t0, noLimits), null);
  const [w] = windowsOf([msg(t0)]);
  assert.equal(activeBlock(w, t0 + windowMs, noLimits), null);
});

Deno.test("limits: the setting wins, else the p90 of completed windows, else none", () => {
  const completed = windowsOf([msg(t0), msg(t0 + 6 * h), msg(t0 + 12 * h, { cost_usd: null })]);
  assert.deepEqual(
    windowLimits([], { window_token_limit: null, window_cost_limit_usd: null }),
    noLimits,
  );
  const byP90 = windowLimits(completed, { window_token_limit: null, window_cost_limit_usd: null });
  assert.equal(byP90.tokens, 110);
  assert.equal(byP90.tokens_source, "p90");
  assert.equal(byP90.cost_usd, 0.01, "windows of unknown cost are left out of the cost p90");
  const set = windowLimits(completed, { window_token_limit: 5000, window_cost_limit_usd: 2 });
  assert.deepEqual([set.tokens, set.tokens_source, set.cost_usd, set.cost_source], [
    5000,
    "setting",
    2,
    "setting",
  ]);
});

Deno.test("p90 is the nearest-rank 90th percentile", () => {
  assert.equal(p90([]), null);
  assert.equal(p90([5]), 5);
  assert.equal(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 9);
  assert.equal(p90([10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]), 10);
});

Deno.test("summed totals have an unknown cost as soon as one row's cost is unknown", () => {
  const row = { input_tokens: 1, output_tokens: 2, cache_creation_tokens: 3, cache_read_tokens: 4 };
  assert.deepEqual(sumTotals([{ ...row, cost_usd: 0.1 }, { ...row, cost_usd: 0.2 }]), {
    input_tokens: 2,
    output_tokens: 4,
    cache_creation_tokens: 6,
    cache_read_tokens: 8,
    cost_usd: 0.3,
  });
  assert.equal(sumTotals([{ ...row, cost_usd: 0.1 }, { ...row, cost_usd: null }]).cost_usd, null);
});

// The price table: which price a model id gets (provider wrappers stripped, the user's
// overrides by longest prefix) and the cost of one message's usage. Unknown is null, never 0.

import assert from "node:assert/strict";
import {
  builtInPriceOf,
  builtInPrices,
  contextWindowOf,
  costOf,
  normalizeModel,
  overridePrice,
  pricer,
} from "../../src/core/pricing.ts";

const usage = (over: Partial<Record<string, number>> = {}) => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_creation_tokens: 0,
  cache_creation_1h_tokens: 0,
  cache_read_tokens: 0,
  ...over,
});

Deno.test("Bedrock and Vertex model ids price like the plain Anthropic id", () => {
  assert.equal(
    normalizeModel("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    "claude-sonnet-4-5-20250929",
  );
  assert.equal(normalizeModel("claude-opus-4-1@20250805"), "claude-opus-4-1");
  assert.equal(normalizeModel("Claude-Haiku-4-5"), "claude-haiku-4-5");
  assert.deepEqual(
    builtInPriceOf("anthropic.claude-sonnet-4-5-v1"),
    builtInPriceOf("claude-sonnet-4-5"),
  );
});

Deno.test("the more specific table row wins: Opus 4.5 is cheaper than Opus 4.1", () => {
  assert.equal(builtInPriceOf("claude-opus-4-5-20251101")?.input, 5);
  assert.equal(builtInPriceOf("claude-opus-4-1-20250805")?.input, 15);
  assert.equal(builtInPriceOf("claude-3-5-haiku-20241022")?.output, 4);
});

Deno.test("an unknown model or no model has no price", () => {
  assert.equal(builtInPriceOf("gpt-4o"), null);
  assert.equal(builtInPriceOf(null), null);
  assert.equal(builtInPriceOf("<synthetic>"), null);
});

Deno.test("cost adds input, output, 5-minute and 1-hour cache writes and cache reads", () => {
  // Sonnet 4.5: $3 in, $15 out, 5 m write 3.75, 1 h write 6, read 0.3 per million.
  const cost = costOf(
    "claude-sonnet-4-5",
    usage({
      input_tokens: 1_000_000,
      output_tokens: 1_000_000,
      cache_creation_tokens: 3_000_000,
      cache_creation_1h_tokens: 1_000_000,
      cache_read_tokens: 10_000_000,
    }),
  );
  assert.ok(Math.abs(cost! - (3 + 15 + 2 * 3.75 + 6 + 3)) < 1e-9, String(cost));
});

Deno.test("cost of an unknown model is null when tokens were used, 0 when none were", () => {
  assert.equal(costOf("mystery-model", usage({ input_tokens: 5 })), null);
  assert.equal(costOf("mystery-model", usage()), 0);
});

Deno.test("1-hour cache writes beyond the cache creation total are not double counted", () => {
  const a = costOf(
    "claude-haiku-4-5",
    usage({ cache_creation_tokens: 100, cache_creation_1h_tokens: 500 }),
  );
  const b = costOf(
    "claude-haiku-4-5",
    usage({ cache_creation_tokens: 100, cache_creation_1h_tokens: 100 }),
  );
  assert.equal(a, b);
});

Deno.test("an override applies by the longest matching prefix, case-insensitively, then the table", () => {
  const p = pricer({
    "claude-sonnet": { input: 1, output: 2 },
    "Claude-Sonnet-4-5": { input: 10, output: 20 },
    "my-proxy": { input: 0.5, output: 1, cache_read: 0.01 },
  });
  assert.equal(p("claude-sonnet-4-5-20250929")?.input, 10);
  assert.equal(p("claude-sonnet-4-20250514")?.input, 1);
  assert.equal(p("my-proxy-large")?.cacheRead, 0.01);
  assert.equal(p("claude-opus-4-1")?.input, 15, "no override: the table");
  assert.equal(p(null), null);
  assert.equal(pricer({}), builtInPriceOf, "no overrides: the table itself");
});

Deno.test("an override's cache prices default to the usual multiples of its input price", () => {
  assert.deepEqual(overridePrice({ input: 4, output: 8 }), {
    input: 4,
    output: 8,
    cacheWrite5m: 5,
    cacheWrite1h: 8,
    cacheRead: 0.4,
  });
  assert.equal(overridePrice({ input: 4, output: 8, cache_write_1h: 1 }).cacheWrite1h, 1);
});

Deno.test("the context window is 1M only when the id asks for it, and unknown for unknown models", () => {
  assert.equal(contextWindowOf("claude-sonnet-4-5-20250929"), 200_000);
  assert.equal(contextWindowOf("claude-sonnet-4-5[1m]"), 1_000_000);
  assert.equal(contextWindowOf("claude-sonnet-4-5-1m"), 1_000_000);
  assert.equal(contextWindowOf("gpt-4o"), null);
  assert.equal(contextWindowOf(null), null);
});

Deno.test("the built-in table is listed for the settings page with every price", () => {
  const rows = builtInPrices();
  assert.ok(rows.length >= 5);
  for (const r of rows) {
    assert.equal(typeof r.pattern, "string");
    assert.equal(r.cacheRead, r.input * 0.1);
  }
});

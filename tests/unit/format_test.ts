// Formatting shared by server-rendered pages and islands, and the text helpers behind one-line
// summaries: the same input always reads the same on the server and in the browser.

import assert from "node:assert/strict";
import {
  clock,
  compact,
  dateTime,
  duration,
  percent,
  shortId,
  shortModel,
  totalTokens,
  truncate,
  usd,
  withQuery,
} from "../../src/core/format.ts";
import { isObject, oneLine, projectOf, toolInputSummary } from "../../src/core/text.ts";

Deno.test("large counts are compacted with k, M and B", () => {
  assert.deepEqual(
    [999, 1000, 1500, 12_345, 1_250_000, 42_000_000, 3_200_000_000].map(compact),
    ["999", "1.0k", "1.5k", "12k", "1.3M", "42M", "3.2B"],
  );
});

Deno.test("money: unknown stays unknown, cents show two places and fractions four", () => {
  assert.equal(usd(null), "unknown");
  assert.equal(usd(0), "$0");
  assert.equal(usd(0.0042), "$0.0042");
  assert.equal(usd(12.345), "$12.35");
});

Deno.test("a duration is shown in the largest unit that keeps it short", () => {
  assert.equal(duration(850), "850 ms");
  assert.equal(duration(1234), "1.23 s");
  assert.equal(duration(12_345), "12.3 s");
  assert.equal(duration(245_000), "4 m 05 s");
  assert.equal(duration(2 * 3600_000 + 10 * 60_000), "2 h 10 m");
  assert.equal(duration(3 * 86_400_000 + 5 * 3600_000), "3 d 5 h");
  assert.equal(duration(null), "–");
  assert.equal(duration(NaN), "–");
});

Deno.test("a percentage below a tenth of a percent is not rounded to zero", () => {
  assert.equal(percent(0), "0%");
  assert.equal(percent(0.0004), "<0.1%");
  assert.equal(percent(0.054), "5.4%");
  assert.equal(percent(0.5), "50%");
  assert.equal(percent(null), "–");
});

Deno.test("times are cut from ISO text in UTC; a missing time is a dash", () => {
  assert.equal(clock("2025-08-12T14:30:22.123Z"), "14:30:22");
  assert.equal(dateTime("2025-08-12T14:30:22.123Z"), "2025-08-12 14:30");
  assert.equal(clock(null), "–");
  assert.equal(dateTime(null), "–");
});

Deno.test("ids, model names and long text are shortened for narrow columns", () => {
  assert.equal(shortId("0123456789abcdef"), "01234567");
  assert.equal(shortId("abc"), "abc");
  assert.equal(shortModel("claude-sonnet-4-20250514"), "sonnet-4");
  assert.equal(truncate("abcdef", 4), "abc…");
  assert.equal(truncate("abc", 4), "abc");
  assert.equal(
    totalTokens({
      input_tokens: 1,
      output_tokens: 2,
      cache_creation_tokens: 3,
      cache_read_tokens: 4,
    }),
    10,
  );
});

Deno.test("withQuery changes some parameters and removes those set to null or empty", () => {
  assert.equal(withQuery("?a=1&b=2", { b: 3, c: "x" }), "?a=1&b=3&c=x");
  assert.equal(withQuery("a=1&b=2", { a: null, b: "" }), "?");
});

Deno.test("a one-line summary collapses whitespace and ends with an ellipsis when cut", () => {
  assert.equal(oneLine("  a\n\tb   c "), "a b c");
  assert.equal(oneLine("abcdefghij", 5), "abcd…");
  assert.equal(oneLine("x".repeat(10_000), 10).length, 10);
});

Deno.test("a tool call's input summary names what it works on", () => {
  assert.equal(toolInputSummary("Bash", { command: "ls -la", description: "list" }), "ls -la");
  assert.equal(toolInputSummary("Grep", { pattern: "TODO", path: "src" }), "TODO in src");
  assert.equal(toolInputSummary("Read", { file_path: "/a/b.ts" }), "/a/b.ts");
  assert.equal(toolInputSummary("TodoWrite", { todos: [{}, {}, {}] }), "3 todos");
  assert.equal(toolInputSummary("Custom", { n: 1 }), '{"n":1}');
  assert.equal(toolInputSummary("Custom", undefined), "");
  assert.equal(toolInputSummary("Custom", "raw"), '"raw"');
});

Deno.test("a project is the last segment of its working directory", () => {
  assert.equal(projectOf("/work/demo-project/"), "demo-project");
  assert.equal(projectOf("C:\\code\\app"), "app");
  assert.equal(projectOf(null), null);
  assert.equal(isObject({}), true);
  assert.equal(isObject([]), false);
  assert.equal(isObject(null), false);
});

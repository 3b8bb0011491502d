// The /health summary of files left alone: counted by reason, a few examples each, with
// control characters escaped (a file name may hold any byte but "/") and secrets masked.

import assert from "node:assert/strict";
import { summarizeSkipped } from "../../src/ingest/sources.ts";
import { skippedExamplesShown } from "../../src/core/config.ts";

Deno.test("skipped files are counted by reason with at most a few escaped, masked examples each", () => {
  const links = Array.from({ length: skippedExamplesShown + 3 }, (_, i) => ({
    rel: `projects/-p/l${i}.jsonl`,
    reason: "symlink" as const,
  }));
  const summary = summarizeSkipped([
    ...links,
    { rel: "projects/-p/new\nline\u2028.jsonl", reason: "not_regular" },
    { rel: "projects/-p/DISCORD_TOKEN=abcdefgh12345678.jsonl", reason: "non_utf8_name" },
  ]);
  assert.deepEqual(summary.map((s) => [s.reason, s.count, s.examples.length]), [
    ["symlink", skippedExamplesShown + 3, skippedExamplesShown],
    ["not_regular", 1, 1],
    ["non_utf8_name", 1, 1],
  ]);
  assert.equal(summary[1].examples[0], "projects/-p/new\\u000aline\\u2028.jsonl");
  assert.doesNotMatch(summary[2].examples[0], /abcdefgh12345678/);
});

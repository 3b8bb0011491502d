// Acceptance of issue 7: the workload generator's output ingests with zero errors, and the
// totals it reports equal what the dashboard shows (the same check the benchmark runs at
// 100k/1M events, here at 20k so it runs with the test suite), on a server spawned under the
// start task's flags.

import assert from "node:assert/strict";
import { generate } from "../src/demo/workload.ts";
import { checkTotals } from "../bench/check_totals.ts";
import { serveReady } from "./support/served.ts";
import { makeHome } from "./support/home.ts";

Deno.test("generated ~/.claude (20k events) ingests with no error and the dashboard shows exactly the generator's totals", async () => {
  const home = await makeHome();
  try {
    const totals = await generate({ dir: home.claudeDir, events: 20_000, seed: 11 });
    const dashboard = await serveReady(home);
    try {
      const check = await checkTotals(dashboard.url, totals);
      assert.equal(check.ingestErrors, 0, "ingest errors");
      assert.deepEqual(check.mismatches, [], "per-session differences");
      assert.equal(check.sessionsShown, totals.sessions);
      assert.equal(check.shown.events, totals.hookFiles + totals.transcriptLines);

      // Usage by model, as stored (deduplicated by message id + request id).
      const rows = dashboard.db.prepare(`
        SELECT model, count(*) AS messages, sum(input_tokens) AS input_tokens,
          sum(output_tokens) AS output_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
          sum(cache_read_tokens) AS cache_read_tokens
        FROM messages GROUP BY model ORDER BY model`).all() as Array<Record<string, unknown>>;
      const stored = Object.fromEntries(rows.map(({ model, ...rest }) => [String(model), rest]));
      assert.deepEqual(stored, totals.byModel);
    } finally {
      await dashboard.stop();
    }
  } finally {
    await home.cleanup();
  }
});

Deno.test("a generated tree with streaming duplicates (early lines with partial output_tokens) is counted from each message's final snapshot", async () => {
  const home = await makeHome();
  try {
    const totals = await generate({
      dir: home.claudeDir,
      events: 6_000,
      seed: 16,
      hookShare: 0,
      streamingDuplicates: true,
    });
    const dashboard = await serveReady(home);
    try {
      const check = await checkTotals(dashboard.url, totals);
      assert.equal(check.ingestErrors, 0, "ingest errors");
      assert.deepEqual(check.mismatches, [], "per-session differences");
      const row = dashboard.db.prepare(
        "SELECT count(*) AS messages, sum(output_tokens) AS output_tokens FROM messages",
      ).get() as { messages: number; output_tokens: number };
      const models = Object.values(totals.byModel);
      assert.equal(row.messages, models.reduce((s, m) => s + m.messages, 0));
      assert.equal(row.output_tokens, models.reduce((s, m) => s + m.output_tokens, 0));
    } finally {
      await dashboard.stop();
    }
  } finally {
    await home.cleanup();
  }
});

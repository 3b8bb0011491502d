// Limits that say where they come from, on a real server spawned under the start flags
// (store, ingester, watcher, alert engine with its real 1 s tick): a p90 limit and a cost-only
// crossing. The API names each limit's source and marks the cost, not the tokens; the alert's
// message quotes the panel's own figures; and an open alert's count counts new messages, not
// evaluations.

import assert from "node:assert/strict";
import type { ActiveBlock, AlertRow } from "../src/core/types.ts";
import type { WindowLimits } from "../src/core/view_data.ts";
import { windowFigures } from "../src/core/window_figures.ts";
import { makeHome } from "./support/home.ts";
import { laterLine, writeCostOnlyCrossing } from "./support/limit_home.ts";
import { waitFor } from "./support/wait.ts";
import { serveReady } from "./support/served.ts";
import { alertStats } from "./support/served_extra.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return await res.json() as T;
}

Deno.test(
  "a p90 limit and a cost-only crossing: the source is named, both limits shown, the cost marked; the alert quotes the panel and counts only new messages",
  opts,
  async () => {
    const h = await makeHome();
    const path = await writeCostOnlyCrossing(h.claudeDir, Date.now());
    const d = await serveReady(h);
    try {
      const blocks = await json<{ active: ActiveBlock }>(`${d.url}/api/blocks`);
      const a = blocks.active;
      assert.ok(a, "an active window");
      // Both limits, each with its source in words.
      assert.ok(a.limit_tokens !== null && a.limit_cost_usd !== null, "both limits");
      assert.equal(a.limit_source, "p90");
      assert.equal(a.limit_source_text, "your p90 of 10 windows");
      assert.equal(a.limit_cost_source_text, "your p90 of 10 windows");
      // The cost is projected over its limit, the tokens are not (and neither is used over).
      assert.deepEqual(a.limit_state, { tokens: "under", cost: "projected_over" });
      assert.ok(a.projected_tokens < a.limit_tokens!);
      assert.ok(a.cost_usd! < a.limit_cost_usd! && a.projected_cost_usd! > a.limit_cost_usd!);
      const twin = await json<{ active: ActiveBlock; limits: WindowLimits }>(
        `${d.url}/api/usage/windows`,
      );
      assert.deepEqual(twin.active, { ...a, minutes_left: twin.active.minutes_left });
      assert.equal(twin.limits.tokens_source_text, "your p90 of 10 windows");
      assert.equal(twin.limits.cost_source_text, "your p90 of 10 windows");

      // The alert (the engine starts once the backfill is stored, and ticks every second).
      const open = async () =>
        (await json<{ alerts: AlertRow[] }>(`${d.url}/api/alerts?state=active`)).alerts
          .filter((r) => r.rule === "window_over_limit");
      const [alert] = await waitFor(
        async () => {
          const rows = await open();
          return rows.length > 0 && rows;
        },
        5000,
        "the alert",
      );
      assert.equal(alert.count, 1);
      // Its figures are the panel's: the same function renders both, from the same block.
      const f = windowFigures(a);
      assert.equal(
        alert.message,
        `The 5-hour window that started ${f.start} UTC is projected to cost ${f.cost.projected} ` +
          `by ${f.end} UTC, ${f.cost.projectedPct}% of its cost limit of ${f.cost.limit} ` +
          `(your p90 of 10 windows); limit reached about ${f.cost.eta} UTC`,
      );

      // Ten seconds of evaluations with nothing new: the count and the message stay.
      const evaluations = (await alertStats(d)).evaluations;
      await new Promise((r) => setTimeout(r, 10_000));
      assert.ok((await alertStats(d)).evaluations >= evaluations + 8, "the engine kept evaluating");
      const [still] = await open();
      assert.equal(still.id, alert.id);
      assert.equal(still.count, 1, "no new transcript line: nothing new to count");
      assert.equal(still.message, alert.message);
      const again = (await json<{ active: ActiveBlock }>(`${d.url}/api/blocks`)).active;
      assert.deepEqual({ ...again, minutes_left: 0 }, { ...a, minutes_left: 0 }, "figures as of");

      // A new assistant message in the window is new evidence: counted once, figures follow.
      await Deno.writeTextFile(path, laterLine(Date.now(), 1), { append: true });
      const [next] = await waitFor(
        async () => {
          const rows = await open();
          return rows[0]?.count === 2 && rows;
        },
        5000,
        "the alert counting the new message",
      );
      const now = (await json<{ active: ActiveBlock }>(`${d.url}/api/blocks`)).active;
      assert.ok(now.tokens > a.tokens);
      assert.ok(next.message.includes(windowFigures(now).cost.projected), next.message);
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal((await open())[0].count, 2, "and only once");
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

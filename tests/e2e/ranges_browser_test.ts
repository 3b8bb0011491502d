// Acceptance of issue 15's "ranges everywhere" in Chromium: on a home whose data is 30+ days
// old the overview opens on today, says when the last activity was, and one click on the range
// it offers shows non-zero figures; /usage does the same for an empty usage range.

import assert from "node:assert/strict";
import { serveReady } from "../support/served.ts";
import { generate } from "../../src/demo/workload.ts";
import { browserTest, closeBrowser, openPage, screenshot } from "../support/browser.ts";
import { makeHome } from "../support/home.ts";

const dayMs = 86_400_000;

Deno.test(
  "the overview of a home whose data is 30+ days old shows non-zero figures after one click on the offered range",
  browserTest,
  async () => {
    const home = await makeHome();
    await generate({
      dir: home.claudeDir,
      events: 800,
      seed: 15,
      baseTimeMs: Date.now() - 35 * dayMs,
      spanMs: 2 * dayMs,
    });
    const d = await serveReady(home);
    const w = await openPage();
    const { page } = w;
    const kpi = (k: string) => page.locator(`#kpis li[data-kpi=${k}] .kpi-value`).innerText();
    try {
      await page.goto(`${d.url}/`, { waitUntil: "load" });
      await page.waitForSelector("#range-hint", { timeout: 5000 });
      assert.equal(await kpi("events"), "0");
      const hint = await page.locator("#range-hint").innerText();
      assert.match(hint, /Last activity \d{4}-\d\d-\d\d \d\d:\d\d UTC — 3[5-7] days ago/);
      const offered = page.locator("#range-hint a");
      assert.equal(await offered.innerText(), "Show all");
      await screenshot(page, "ranges-overview-empty-today");

      await offered.click();
      await page.waitForURL(/[?&]range=all(&|$)/, { timeout: 5000 });
      await page.waitForSelector('#kpis[data-range="all"]');
      assert.equal(await page.locator("#range-hint").count(), 0);
      assert.ok(Number(await kpi("events")) > 0, `events: ${await kpi("events")}`);
      assert.ok(Number(await kpi("tool_calls")) > 0);
      assert.notEqual(await kpi("tokens"), "0");
      assert.notEqual(await kpi("cost"), "$0");
      assert.equal(
        await page.locator('#overview-range a[aria-current="true"]').innerText(),
        "All",
      );
      assert.ok(await page.locator("#activity svg[role=img] rect").count() > 0, "activity bars");
      assert.ok(await page.locator("#top-tools tbody tr").count() > 0, "top tools");
      // Two days of data in 35+ days of history: the bars fill a small part of the chart.
      const bars = await page.locator("#activity svg[role=img] rect").evaluateAll((rs) =>
        rs.map((r) => Number(r.getAttribute("x")))
      );
      assert.ok(Math.max(...bars) - Math.min(...bars) < 600 / 5, `bars at ${bars.join()}`);
      await screenshot(page, "ranges-overview-all");

      await page.goto(`${d.url}/usage`, { waitUntil: "load" });
      await page.waitForSelector("#usage-hint");
      await page.click("#usage-hint a");
      await page.waitForURL(/\/usage\?range=all/, { timeout: 5000 });
      assert.ok(await page.locator("#days-table tbody tr").count() > 0);
      assert.equal(await page.locator("#usage-hint").count(), 0);
      assert.ok(await page.locator('svg[aria-label^="USD: "] rect').count() > 0, "a cost chart");
      await screenshot(page, "ranges-usage-all");
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
      await closeBrowser();
      await d.stop();
      await home.cleanup();
    }
  },
);

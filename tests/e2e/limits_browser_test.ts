// The 5-hour window's limits as a person sees them, in headless Chromium: with a p90 limit and
// a cost-only crossing, the overview's panel names the source of both limits, shows tokens and
// cost, marks the cost (not the tokens), and the alert banner quotes the panel's figures.

import assert from "node:assert/strict";
import { serveReady } from "../support/served.ts";
import { browserTest, closeBrowser, openPage, screenshot } from "../support/browser.ts";
import { makeHome } from "../support/home.ts";
import { writeCostOnlyCrossing } from "../support/limit_home.ts";

const text = async (p: { textContent(s: string): Promise<string | null> }, sel: string) =>
  ((await p.textContent(sel)) ?? "").replace(/\s+/g, " ").trim();

Deno.test(
  "the overview's window panel names the limits' source, shows both limits, marks the cost, and the banner quotes it",
  browserTest,
  async () => {
    const h = await makeHome();
    await writeCostOnlyCrossing(h.claudeDir, Date.now());
    const d = await serveReady(h);
    const w = await openPage();
    try {
      await w.page.setViewportSize({ width: 1440, height: 900 });
      const res = await w.page.goto(d.url + "/", { waitUntil: "load" });
      assert.equal(res?.status(), 200);
      const tokens = '#usage-window tr[data-measure="tokens"]';
      const cost = '#usage-window tr[data-measure="cost"]';
      // Both limits, each with its source.
      for (const row of [tokens, cost]) {
        assert.match(await text(w.page, `${row} .usage-limit`), /your p90 of 10 windows/, row);
      }
      assert.match(await text(w.page, `${tokens} .usage-limit`), /^\d+(\.\d)?[kM] /);
      assert.match(await text(w.page, `${cost} .usage-limit`), /^\$\d+\.\d\d /);
      // The cost is marked projected over; the tokens are not marked.
      assert.equal(await w.page.getAttribute(cost, "data-state"), "projected_over");
      assert.equal(await w.page.getAttribute(tokens, "data-state"), "under");
      assert.match(await text(w.page, `${cost} .usage-warn`), /^projected over at \d\d:\d\d UTC$/);
      assert.equal(await w.page.locator(`${tokens} .usage-warn`).count(), 0);

      // The banner's alert says the same numbers the panel shows.
      const banner = "#alert-banner li[data-rule='window_over_limit'] .alert-msg";
      await w.page.waitForSelector(banner, { timeout: 5000 });
      const message = await text(w.page, banner);
      const projected = await text(w.page, `${cost} td:nth-child(3)`); // "$2.71 (226%)"
      const [, figure, pct] = /^(\$\S+) \((\d+)%\)$/.exec(projected) ?? [];
      assert.ok(figure && pct, projected);
      const limit = (await text(w.page, `${cost} .usage-limit`)).split(" ")[0];
      const eta = /at (\d\d:\d\d) UTC/.exec(await text(w.page, `${cost} .usage-warn`))![1];
      assert.ok(message.includes(`projected to cost ${figure} `), message);
      assert.ok(message.includes(`${pct}% of its cost limit of ${limit} `), message);
      assert.ok(message.includes("(your p90 of 10 windows)"), message);
      assert.ok(message.includes(`limit reached about ${eta} UTC`), message);
      assert.ok(!/×\d/.test(message), "seen once");
      await w.page.locator("#usage-window").scrollIntoViewIfNeeded();
      await screenshot(w.page, "usage-limits-cost-only");
      // The measures table fits its panel (no scrolling inside it), here and on /usage at 1280.
      const fits = () =>
        w.page.evaluate(() => {
          const t = document.querySelector("#usage-measures")!;
          return t.parentElement!.scrollWidth <= t.parentElement!.clientWidth;
        });
      assert.ok(await fits(), "fits at 1440 on the overview");
      await w.page.setViewportSize({ width: 1280, height: 900 });
      await w.page.goto(d.url + "/usage", { waitUntil: "load" });
      assert.ok(await fits(), "fits at 1280 on /usage");
      await screenshot(w.page, "usage-limits-1280");
      assert.deepEqual(w.errors, [], "no console errors");
    } finally {
      await w.close();
      await closeBrowser();
      await d.stop();
      await h.cleanup();
    }
  },
);

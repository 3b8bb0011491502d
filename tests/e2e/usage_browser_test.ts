// The 5-hour window in real headless Chromium: the overview's gauge follows a growing
// transcript without a reload, and /usage renders its windows, days and weeks without errors.

import assert from "node:assert/strict";
import { serveReady } from "../support/served.ts";
import { browserTest, closeBrowser, openPage, screenshot } from "../support/browser.ts";
import { makeHome } from "../support/home.ts";
import {
  assistantLine,
  transcriptPath,
  type UsageLine,
  writeTranscript,
} from "../support/usage_lines.ts";

const minuteMs = 60_000;
const dayMs = 86_400_000;

const line = (ts: number, n: number, input: number): UsageLine => ({
  sessionId: "sess-browser",
  ts,
  messageId: `msg_browser_${n}`,
  requestId: `req_browser_${n}`,
  model: "claude-sonnet-4-6",
  input,
  output: 100,
  cacheCreation: 2000,
  cacheRead: 30_000,
});

Deno.test(
  "the overview's 5-hour gauge updates live as a transcript grows, and /usage renders",
  browserTest,
  async () => {
    const h = await makeHome();
    const path = transcriptPath(h.claudeDir, "sess-browser");
    const now = Date.now();
    await writeTranscript(
      path,
      assistantLine(line(now - 2 * dayMs, 1, 9000)) +
        assistantLine(line(now - 30 * minuteMs, 2, 1000)) +
        assistantLine(line(now - 20 * minuteMs, 3, 1000)),
    );
    const d = await serveReady(h);
    const w = await openPage();
    try {
      const res = await w.page.goto(d.url + "/", { waitUntil: "load" });
      assert.equal(res?.status(), 200);
      await w.page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      const used = "#usage-window .usage-used";
      const before = Number(await w.page.getAttribute(used, "data-tokens"));
      assert.equal(before, 2 * (1000 + 100 + 2000 + 30_000));
      const projectedBefore = await w.page.textContent("#usage-window .usage-projected");
      assert.equal(await w.page.locator("#usage-window .spark-bar").count(), 1);
      // Issue 15: the source names how many windows the p90 is taken over.
      assert.match((await w.page.textContent("#usage-window")) ?? "", /your p90 of 1 window(?!s)/);
      assert.match(
        (await w.page.textContent("#usage-window .usage-early")) ?? "",
        /provisional: rate over 10 min/,
        "a burn rate measured over 10 minutes is marked provisional",
      );

      const t0 = performance.now();
      await Deno.writeTextFile(path, assistantLine(line(Date.now(), 4, 5000)), { append: true });
      const after = 2 * 33_100 + 5000 + 32_100;
      await w.page.waitForSelector(`${used}[data-tokens="${after}"]`, { timeout: 2000 });
      console.log(
        `transcript line → gauge updated in Chromium: ${(performance.now() - t0).toFixed(0)} ms`,
      );
      assert.notEqual(
        await w.page.textContent("#usage-window .usage-projected"),
        projectedBefore,
        "the projection moved",
      );
      assert.equal(
        await w.page.locator("#usage-window .usage-early").count(),
        0,
        "30 minutes of messages: the projection is no longer provisional",
      );
      await screenshot(w.page, "usage-overview");

      const page = await w.page.goto(d.url + "/usage", { waitUntil: "load" });
      assert.equal(page?.status(), 200);
      assert.equal(await w.page.locator("#windows-table tbody tr").count(), 2);
      assert.equal(await w.page.locator("#windows-table tr.is-active").count(), 1);
      assert.ok(await w.page.locator("#days-table tbody tr").count() >= 1);
      assert.ok(await w.page.locator("#weeks-table tbody tr").count() >= 1);
      assert.equal(
        Number(await w.page.getAttribute("#usage-week", "data-total")),
        9000 + 100 + 32_000 + after,
      );
      assert.equal(
        await w.page.getAttribute("#usage-window .usage-used", "data-tokens"),
        String(after),
      );
      assert.equal(
        await w.page.getAttribute('header nav a[href="/usage"]', "aria-current"),
        "page",
      );
      await screenshot(w.page, "usage-page");
      assert.deepEqual(w.errors, [], "no console errors");
    } finally {
      await w.close();
      await closeBrowser();
      await d.stop();
      await h.cleanup();
    }
  },
);

// The settings page in real headless Chromium against a real server: a threshold changed and
// saved on /settings is still there after the server restarts on the same database and the
// page is reloaded; a value the server refuses shows the server's reason and is not stored;
// the ingest buttons pause and resume live ingest.

import assert from "node:assert/strict";
import {
  browserTest,
  closeBrowser,
  openPage,
  screenshot,
  type WatchedPage,
} from "../support/browser.ts";
import { makeHome } from "../support/home.ts";
import { type Served, serveReady } from "../support/served.ts";
import { count } from "../support/wait.ts";

Deno.test(
  "a threshold saved on /settings survives a server restart and a reload",
  browserTest,
  async () => {
    const home = await makeHome();
    const serve = () => serveReady(home);
    let d: Served = await serve();
    let w: WatchedPage | null = null;
    try {
      w = await openPage();
      const page = w.page;
      const res = await page.goto(`${d.url}/settings`, { waitUntil: "load" });
      assert.equal(res?.status(), 200);
      await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      const threshold = "#rule-failure_streak-threshold";
      assert.equal(await page.inputValue(threshold), "3", "the default");

      // The panels of the page do not touch.
      const boxes = await page.$$eval(
        ".settings-page > *",
        (els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.top, r.bottom]),
      );
      assert.ok(boxes.length >= 3);
      for (let i = 1; i < boxes.length; i++) {
        assert.ok(boxes[i][0] - boxes[i - 1][1] >= 12, `gap above panel ${i}: ${boxes}`);
      }

      // A value below the rule's minimum: the server's reason, in words, next to the field,
      // which is marked and focused; nothing is stored.
      await page.fill(threshold, "0");
      await page.click("#settings-save");
      await page.waitForSelector('#settings-status[data-state="error"]', { timeout: 5000 });
      const reason = /^Tool failures in a row in one session: the threshold must be a number ≥ 1/;
      assert.match(await page.textContent("#settings-status") ?? "", reason);
      const message = 'tr[data-rule="failure_streak"] .field-error[role="alert"]';
      await page.waitForSelector(message, { timeout: 5000 });
      assert.match(await page.textContent(message) ?? "", reason);
      assert.equal(await page.getAttribute(threshold, "aria-invalid"), "true");
      assert.match(await page.getAttribute(threshold, "class") ?? "", /\binvalid\b/);
      assert.equal(
        await page.getAttribute(threshold, "aria-describedby"),
        await page.getAttribute(message, "id"),
      );
      assert.equal(
        await page.evaluate(() => document.activeElement?.id),
        "rule-failure_streak-threshold",
        "the refused field has the focus",
      );
      const [field, said] = await Promise.all([
        page.locator(threshold).boundingBox(),
        page.locator(message).boundingBox(),
      ]);
      assert.ok(field && said && said.y - (field.y + field.height) < 40, "the reason is by it");
      assert.equal(await page.locator('[aria-invalid="true"]').count(), 1, "only that field");
      assert.equal(count(d.db, "SELECT count(*) AS n FROM settings"), 0);
      await screenshot(page, "settings-field-error");
      // Editing the field clears the mark.
      await page.fill(threshold, "2");
      assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);

      await page.fill(threshold, "9");
      await page.uncheck("#rule-error_rate-enabled");
      await page.click("#settings-save");
      await page.waitForSelector('#settings-status[data-state="ok"]', { timeout: 5000 });
      assert.match(await page.textContent("#settings-status") ?? "", /^saved/);
      await screenshot(page, "settings-saved");

      // Leave the page first: its live stream would keep the server from shutting down.
      await page.goto("about:blank");
      await d.stop();
      d = await serve();
      await page.goto(`${d.url}/settings`, { waitUntil: "load" });
      await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      assert.equal(await page.inputValue(threshold), "9", "threshold after restart + reload");
      assert.equal(await page.isChecked("#rule-error_rate-enabled"), false);
      assert.equal(await page.isChecked("#rule-failure_streak-enabled"), true);

      // The ingest buttons.
      assert.equal(await page.getAttribute("#ingest-state", "data-state"), "live");
      await page.click("#action-pause");
      await page.waitForSelector('#ingest-state[data-state="paused"]', { timeout: 5000 });
      assert.equal((await d.ingest()).paused, true);
      await page.click("#action-pause");
      await page.waitForSelector('#ingest-state[data-state="live"]', { timeout: 5000 });
      assert.equal((await d.ingest()).paused, false);
      await page.click("#action-vacuum");
      await page.waitForSelector('#action-status[data-state="ok"]', { timeout: 10_000 });
      assert.match(await page.textContent("#action-status") ?? "", /vacuumed/);
      await screenshot(page, "settings-after-restart");
      assert.deepEqual(w.errors.filter((e) => !/400 \(Bad Request\)/.test(e)), []);
    } finally {
      await w?.close();
      await closeBrowser();
      await d.stop();
      await home.cleanup();
    }
  },
);

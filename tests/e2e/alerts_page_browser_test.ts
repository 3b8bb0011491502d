// The alert history page (/alerts) in real headless Chromium against a real server: an alert
// raised by a Notification hook is listed as active, Acknowledge on the page moves it under the
// acknowledged filter (a URL), and once the session moves on the condition ends and the alert
// is found under cleared — the table follows each change live.

import assert from "node:assert/strict";
import { listAlerts } from "../../src/store/read/alerts.ts";
import { makeHome, writeHook } from "../support/home.ts";
import { serveWithAlerts } from "../support/served_extra.ts";
import {
  browserTest,
  closeBrowser,
  openPage,
  screenshot,
  type WatchedPage,
} from "../support/browser.ts";

const sid = "history-wait-1";
const row = `#alerts-table tr[data-rule="waiting"]:has(a[href="/sessions/${sid}"])`;

Deno.test(
  "an acknowledged alert is found under the acknowledged filter on /alerts, then under cleared once its condition ends",
  browserTest,
  async () => {
    const h = await makeHome();
    // Backfilled, and the alert engine has run once.
    const d = await serveWithAlerts(h);
    let w: WatchedPage | null = null;
    try {
      w = await openPage();
      const page = w.page;
      const res = await page.goto(`${d.url}/alerts`, { waitUntil: "load" });
      assert.equal(res?.status(), 200);
      await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      assert.equal(
        await page.locator('nav[aria-label="main"] a[aria-current="page"]').innerText(),
        "Alerts",
      );
      assert.equal(await page.locator("#no-alerts").isVisible(), true);

      await writeHook(h.claudeDir, {
        hook_event_name: "Notification",
        session_id: sid,
        cwd: "/tmp/alerts-history",
        message: "Claude needs your permission to use Bash",
        notification_type: "permission_prompt",
      });
      // The history follows the live stream: the new alert appears without a reload.
      await page.waitForSelector(`${row}.state-active`, { timeout: 3000 });
      await page.locator(row).getByRole("button", { name: "Acknowledge" }).click();
      await page.waitForSelector(`${row}.state-acknowledged`, { timeout: 3000 });
      assert.equal(listAlerts(d.db, { limit: 5 })[0].state, "acknowledged");

      // The state filter is a menu that submits itself: the view becomes a URL.
      await page.locator('#alerts-filters select[name="state"]').selectOption("acknowledged");
      await page.waitForURL(/\/alerts\?(.*&)?state=acknowledged/, { timeout: 3000 });
      await page.waitForSelector(`${row}.state-acknowledged`, { timeout: 3000 });
      await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      await screenshot(page, "alerts-history-acknowledged");

      // The session moves on: the waiting condition ends, the alert clears and leaves this view.
      await new Promise((r) => setTimeout(r, 20));
      await writeHook(h.claudeDir, {
        hook_event_name: "UserPromptSubmit",
        session_id: sid,
        cwd: "/tmp/alerts-history",
        prompt: "yes, go on",
      });
      await page.waitForSelector(row, { state: "detached", timeout: 5000 });
      assert.equal(listAlerts(d.db, { limit: 5 })[0].state, "cleared");

      await page.locator('#alerts-filters select[name="state"]').selectOption("cleared");
      await page.waitForURL(/state=cleared/, { timeout: 3000 });
      await page.waitForSelector(`${row}.state-cleared`, { timeout: 3000 });
      assert.match(
        await page.locator(row).innerText(),
        /Claude needs your permission to use Bash/,
      );
      // At 1280 px the table fits its panel: the message wraps instead of scrolling.
      const wrap = page.locator("#alerts-table").locator("xpath=..");
      const [scroll, client] = await wrap.evaluate((el) => [el.scrollWidth, el.clientWidth]);
      assert.ok(scroll <= client, `the alerts table fits: ${scroll} ≤ ${client}`);
      // The twin answers the same query with the same rows.
      const twin = await (await fetch(`${d.url}/api/alerts?state=cleared`)).json();
      assert.deepEqual(twin.alerts.map((a: { session_id: string }) => a.session_id), [sid]);
      assert.equal(twin.total, 1);
      assert.deepEqual(w.errors, []);
    } finally {
      await w?.close();
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test("close the browser", browserTest, async () => {
  await closeBrowser();
});

// The alert banner in real headless Chromium against a real server: a Notification hook file
// makes the banner appear live with the count in the tab title; Acknowledge and Snooze remove
// an alert; desktop notifications are asked for only after a click, then shown per new alert.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { listAlerts } from "../../src/store/read/alerts.ts";
import { makeHome, type TestHome, writeHook } from "../support/home.ts";
import { type Served, serveReady } from "../support/served.ts";
import { serveWithAlerts } from "../support/served_extra.ts";
import {
  browserTest,
  closeBrowser,
  openPage,
  screenshot,
  type WatchedPage,
} from "../support/browser.ts";
import { waitFor } from "../support/wait.ts";

async function withHealthPage(
  fn: (o: { h: TestHome; d: Served; w: WatchedPage; page: Page }) => Promise<void>,
  before?: (w: WatchedPage, url: string) => Promise<void>,
): Promise<void> {
  const h = await makeHome();
  // Backfilled, and the alert engine has run once.
  const d = await serveWithAlerts(h);
  let w: WatchedPage | null = null;
  try {
    w = await openPage();
    await before?.(w, d.url);
    const res = await w.page.goto(`${d.url}/health`, { waitUntil: "load" });
    assert.equal(res?.status(), 200);
    await w.page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
    await fn({ h, d, w, page: w.page });
  } finally {
    await w?.close();
    await d.stop();
    await h.cleanup();
  }
}

function notification(claudeDir: string, sessionId: string, message: string) {
  return writeHook(claudeDir, {
    hook_event_name: "Notification",
    session_id: sessionId,
    cwd: "/tmp/alerts-browser",
    transcript_path: `${claudeDir}/projects/-tmp-alerts-browser/${sessionId}.jsonl`,
    message,
    notification_type: "permission_prompt",
  });
}

const item = (sid: string) =>
  `#alert-banner li[data-rule="waiting"]:has(a[href="/sessions/${sid}"])`;

Deno.test(
  "the alert banner appears live with the count in the tab title; Acknowledge and Snooze remove alerts",
  browserTest,
  async () => {
    await withHealthPage(async ({ h, d, w, page }) => {
      assert.equal(await page.title(), "Health · claude-dash");
      assert.equal(await page.locator("#alert-banner li").count(), 0);

      const t0 = performance.now();
      await notification(h.claudeDir, "browser-wait-1", "Claude needs your permission to use Bash");
      await page.waitForSelector(item("browser-wait-1"), { timeout: 2000 });
      console.log(
        `alert banner: Notification file written → banner in Chromium in ${
          (performance.now() - t0).toFixed(0)
        } ms`,
      );
      await page.waitForFunction(() => document.title === "(1) Health · claude-dash", null, {
        timeout: 1000,
      });
      assert.match(
        await page.locator(item("browser-wait-1")).innerText(),
        /Claude needs your permission to use Bash/,
      );
      assert.equal(await page.locator("#alert-count").innerText(), "1");

      await notification(h.claudeDir, "browser-wait-2", "Claude is waiting for your input");
      await page.waitForSelector(item("browser-wait-2"), { timeout: 2000 });
      await page.waitForFunction(() => document.title === "(2) Health · claude-dash", null, {
        timeout: 1000,
      });
      await screenshot(page, "alert-banner");
      await page.emulateMedia({ colorScheme: "dark" });
      await screenshot(page, "alert-banner-dark");
      await page.emulateMedia({ colorScheme: "light" });

      await page.locator(item("browser-wait-1")).getByRole("button", { name: "Acknowledge" })
        .click();
      await page.waitForSelector(item("browser-wait-1"), { state: "detached", timeout: 2000 });
      await page.waitForFunction(() => document.title === "(1) Health · claude-dash", null, {
        timeout: 1000,
      });
      const states = () =>
        Object.fromEntries(listAlerts(d.db, { limit: 10 }).map((a) => [a.session_id, a]));
      assert.equal(states()["browser-wait-1"].state, "acknowledged");

      await page.locator(item("browser-wait-2")).getByRole("button", { name: "Snooze 1h" }).click();
      await page.waitForSelector(item("browser-wait-2"), { state: "detached", timeout: 2000 });
      await page.waitForFunction(() => document.title === "Health · claude-dash", null, {
        timeout: 1000,
      });
      assert.equal(states()["browser-wait-2"].state, "active");
      assert.ok(states()["browser-wait-2"].snoozed_until !== null);
      assert.equal(await page.locator("#alert-banner").isVisible(), false);

      // A reload shows what the server says: nothing active and unsnoozed.
      await page.reload({ waitUntil: "load" });
      await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      await page.waitForTimeout(300);
      assert.equal(await page.locator("#alert-banner li").count(), 0);
      assert.equal(await page.title(), "Health · claude-dash");
      assert.deepEqual(w.errors, []);
    });
  },
);

Deno.test(
  "an alert raised before the page opened is shown on load",
  browserTest,
  async () => {
    const h = await makeHome();
    const d = await serveReady(h);
    let w: WatchedPage | null = null;
    try {
      await notification(h.claudeDir, "early-wait", "Claude needs your permission to use Edit");
      await waitFor(() => listAlerts(d.db, { limit: 5 }).length > 0, 3000, "the alert");
      w = await openPage();
      await w.page.goto(`${d.url}/health`, { waitUntil: "load" });
      await w.page.waitForSelector(item("early-wait"), { timeout: 3000 });
      await w.page.waitForFunction(() => document.title.startsWith("(1) "), null, {
        timeout: 1000,
      });
      assert.deepEqual(w.errors, []);
    } finally {
      await w?.close();
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "desktop notifications are asked for only after a click, then shown once per new alert; the choice persists",
  browserTest,
  async () => {
    await withHealthPage(
      async ({ h, w, page }) => {
        // Loading the page asked nothing: the permission is still undecided.
        assert.equal(await page.evaluate(() => Notification.permission), "default");
        assert.equal(await page.evaluate(() => (globalThis as { __asked?: number }).__asked), 0);

        await page.locator("#alert-prefs summary").click();
        await w.context.grantPermissions(["notifications"]);
        await page.locator("#alert-desktop").check();
        await waitFor(
          async () => await page.evaluate(() => localStorage.getItem("claude-dash.alerts.desktop")),
          2000,
          "the preference stored",
        );
        assert.equal(await page.locator("#alert-desktop").isChecked(), true);

        await notification(h.claudeDir, "notify-1", "Claude needs your permission to use Bash");
        await page.waitForSelector(item("notify-1"), { timeout: 2000 });
        const shown = () =>
          page.evaluate(() => (globalThis as { __shown?: string[] }).__shown ?? []);
        await waitFor(async () => (await shown()).length === 1, 1000, "a desktop notification");
        assert.match((await shown())[0], /Claude needs your permission to use Bash/);

        // A further Notification of the same session counts up; it is not a new alert.
        await notification(h.claudeDir, "notify-1", "still waiting");
        await page.waitForSelector(`${item("notify-1")} .alert-count`, { timeout: 2000 });
        assert.equal((await shown()).length, 1);

        await page.reload({ waitUntil: "load" });
        await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
        await page.locator("#alert-prefs summary").click();
        assert.equal(await page.locator("#alert-desktop").isChecked(), true, "kept after reload");
        assert.equal(await page.locator("#alert-sound").isChecked(), false);
        assert.deepEqual(w.errors, []);
      },
      async (w) => {
        // Records what the page asks of the Notification API, then lets the real one run.
        await w.page.addInitScript(() => {
          const g = globalThis as unknown as {
            __asked: number;
            __shown: string[];
            Notification: typeof Notification;
          };
          g.__asked = 0;
          g.__shown = [];
          const Real = g.Notification;
          const ask = Real.requestPermission.bind(Real);
          class Recorded extends Real {
            constructor(title: string, o?: NotificationOptions) {
              g.__shown.push(o?.body ?? title);
              super(title, o);
            }
            static override requestPermission() {
              g.__asked++;
              return ask();
            }
          }
          g.Notification = Recorded;
        });
      },
    );
  },
);

Deno.test(
  "a session page shows its own session's alert live and other sessions' alerts too",
  browserTest,
  async () => {
    const h = await makeHome();
    const d = await serveReady(h);
    let w: WatchedPage | null = null;
    try {
      await writeHook(h.claudeDir, {
        hook_event_name: "UserPromptSubmit",
        session_id: "page-session",
        cwd: "/tmp/alerts-browser",
        prompt: "hello",
      });
      await waitFor(
        async () => (await d.ingest()).eventsStored === 1,
        3000,
        "the session stored",
      );
      w = await openPage();
      await w.page.goto(`${d.url}/sessions/page-session`, { waitUntil: "load" });
      await w.page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      await notification(h.claudeDir, "page-session", "Claude is waiting for your input");
      await w.page.waitForSelector(item("page-session"), { timeout: 2000 });
      // The session page's stream is filtered to its session; other alerts come by polling.
      await notification(h.claudeDir, "other-session", "Claude needs your permission to use Bash");
      await w.page.waitForSelector(item("other-session"), { timeout: 8000 });
      await w.page.waitForFunction(() => document.title.startsWith("(2) "), null, {
        timeout: 1000,
      });
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

// End-to-end in real headless Chromium: a dashboard on the fixture home, the overview and
// health pages, live updates from new hook files without a reload, the waiting-first session
// board, and prompts that look like HTML rendered as text. One browser for the whole file,
// launched by the first test and closed by the last.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  browserTest,
  closeBrowser,
  type FixtureDashboard,
  openPage,
  screenshot,
  startFixtureDashboard,
  type WatchedPage,
} from "../support/browser.ts";
import { writeHook } from "../support/home.ts";

/** Live updates must show within this long of the hook file being written. */
const liveBudgetMs = 1000;

const docsShot = new URL("../../docs/overview.png", import.meta.url).pathname;

interface Overview {
  fx: FixtureDashboard;
  w: WatchedPage;
  page: Page;
  /** main-frame navigations since the overview first loaded */
  navigations(): number;
}

/** Fixture dashboard + the overview open in Chromium with the live badge at "live". */
async function withOverview(fn: (o: Overview) => Promise<void>): Promise<void> {
  const fx = await startFixtureDashboard();
  let w: WatchedPage | null = null;
  try {
    w = await openPage();
    const page = w.page;
    await page.goto(fx.dashboard.url + "/", { waitUntil: "load" });
    await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
    let navs = 0;
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) navs++;
    });
    await fn({ fx, w, page, navigations: () => navs });
  } finally {
    await w?.close();
    await fx.stop();
  }
}

function newSessionId(): string {
  return crypto.randomUUID();
}

function hookBase(claudeDir: string, sessionId: string) {
  return {
    session_id: sessionId,
    cwd: "/tmp/browser-test-project",
    transcript_path: `${claudeDir}/projects/-tmp-browser-test-project/${sessionId}.jsonl`,
  };
}

async function writePreToolUse(claudeDir: string, sessionId: string, command: string) {
  await writeHook(claudeDir, {
    ...hookBase(claudeDir, sessionId),
    hook_event_name: "PreToolUse",
    tool_name: "Bash",
    tool_input: { command },
    tool_use_id: `toolu_${crypto.randomUUID().replaceAll("-", "")}`,
  });
}

const feedRowWith = (text: string) =>
  `#live-feed li[data-event-id]:has-text(${JSON.stringify(text)})`;
const boardRow = (sessionId: string) => `#sessions tbody tr[data-session-id="${sessionId}"]`;

Deno.test(
  "overview loads without console or page errors, lists the fixture sessions and goes live",
  browserTest,
  async () => {
    await withOverview(async ({ w, page }) => {
      const rows = await page.locator("#sessions tbody tr[data-session-id][data-status]").count();
      assert.ok(rows >= 20, `expected at least 20 fixture sessions on the board, saw ${rows}`);
      assert.ok(
        await page.locator("#live-feed li[data-event-id]").count() > 0,
        "live feed is empty",
      );
      assert.equal(await page.locator(".conn").getAttribute("data-state"), "live");
      await page.waitForTimeout(200); // let late errors (hydration, stream) surface
      await screenshot(page, "overview");
      assert.deepEqual(w.errors, []);
    });
  },
);

Deno.test(
  "a new PreToolUse hook file for a new session shows in the live feed within 1 s without reload, and on the session board",
  browserTest,
  async () => {
    await withOverview(async ({ fx, w, page, navigations }) => {
      await page.evaluate(() => ((globalThis as { __marker?: number }).__marker = 1));
      const sessionId = newSessionId();
      const marker = `echo live-marker-${crypto.randomUUID()}`;

      const t0 = performance.now();
      await writePreToolUse(fx.home.claudeDir, sessionId, marker);
      await page.waitForSelector(feedRowWith(marker), { timeout: liveBudgetMs });
      const elapsed = performance.now() - t0;
      console.log(`hook file write → live feed row: ${elapsed.toFixed(0)} ms`);
      assert.ok(elapsed < liveBudgetMs, `live row took ${elapsed.toFixed(0)} ms`);

      await page.waitForSelector(boardRow(sessionId), { timeout: liveBudgetMs });
      assert.equal(
        await page.evaluate(() => (globalThis as { __marker?: number }).__marker),
        1,
        "the page reloaded: window.__marker is gone",
      );
      assert.equal(navigations(), 0, "the page navigated");
      assert.equal(await page.locator(boardRow(sessionId)).getAttribute("data-status"), "running");
      // The new event is the newest, so it is the feed's first row.
      assert.match(
        await page.locator("#live-feed li[data-event-id]").first().innerText(),
        new RegExp(marker),
      );
      await screenshot(page, "overview-live-row");
      assert.deepEqual(w.errors, []);
    });
  },
);

Deno.test(
  "a permission_prompt Notification moves its session to waiting and to the top of the board",
  browserTest,
  async () => {
    await withOverview(async ({ fx, w, page, navigations }) => {
      const sessionId = newSessionId();
      const marker = `npm test -- live-marker-${crypto.randomUUID()}`;
      await writePreToolUse(fx.home.claudeDir, sessionId, marker);
      await page.waitForSelector(feedRowWith(marker), { timeout: liveBudgetMs });
      await page.waitForSelector(`${boardRow(sessionId)}[data-status="running"]`, {
        timeout: liveBudgetMs,
      });

      const message = "Claude needs your permission to use Bash";
      await writeHook(fx.home.claudeDir, {
        ...hookBase(fx.home.claudeDir, sessionId),
        hook_event_name: "Notification",
        message,
        notification_type: "permission_prompt",
      });
      await page.waitForSelector(`${boardRow(sessionId)}[data-status="waiting"]`, {
        timeout: liveBudgetMs,
      });
      const first = page.locator("#sessions tbody tr[data-session-id]").first();
      assert.equal(await first.getAttribute("data-session-id"), sessionId);
      assert.equal(await first.getAttribute("data-status"), "waiting");
      assert.equal(
        await page.locator(`${boardRow(sessionId)}[data-status="waiting"]`).count(),
        1,
        "the session shows more than once on the board",
      );
      await page.waitForSelector(feedRowWith(message), { timeout: liveBudgetMs });
      assert.equal(navigations(), 0, "the page navigated");

      await screenshot(page, "overview-waiting");
      // The README's picture is refreshed on request only, so a test run leaves the checkout
      // unchanged: CLAUDE_DASH_UPDATE_DOCS=1 deno task test
      if (Deno.env.get("CLAUDE_DASH_UPDATE_DOCS") === "1") {
        await page.evaluate(() => scrollTo(0, 0));
        await page.screenshot({ path: docsShot, fullPage: false });
      }
      assert.deepEqual(w.errors, []);
    });
  },
);

Deno.test(
  "a prompt containing HTML renders as text in the live feed and after reload, never as markup",
  browserTest,
  async () => {
    await withOverview(async ({ fx, w, page }) => {
      const xss = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;
      const sessionId = newSessionId();
      await writeHook(fx.home.claudeDir, {
        ...hookBase(fx.home.claudeDir, sessionId),
        hook_event_name: "UserPromptSubmit",
        prompt: xss,
      });
      const row = `#live-feed li[data-event-id]:has(.session[title="${sessionId}"])`;

      const check = async (when: string) => {
        await page.waitForSelector(row, { timeout: liveBudgetMs });
        assert.ok(
          (await page.locator(row).innerText()).includes(xss),
          `${when}: the prompt is not shown as text`,
        );
        assert.ok(
          await page.locator("#live-feed li", { hasText: xss }).isVisible(),
          `${when}: the prompt text is not visible`,
        );
        await page.waitForTimeout(150); // give a broken image's onerror time to run
        assert.equal(
          await page.evaluate(() => typeof (globalThis as { __xss?: unknown }).__xss),
          "undefined",
          `${when}: injected script ran`,
        );
        assert.equal(await page.locator("#live-feed img").count(), 0, `${when}: img in feed`);
        assert.equal(
          await page.locator("#live-feed script").count(),
          0,
          `${when}: script in feed`,
        );
      };

      await check("live");
      await page.reload({ waitUntil: "load" });
      await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      await check("after reload");

      const html = await (await fetch(fx.dashboard.url + "/", {
        headers: { Accept: "text/html" },
      })).text();
      assert.ok(!html.includes("<script>window.__xss"), "server HTML contains the raw script");
      assert.ok(!html.includes("<img src=x"), "server HTML contains the raw img");
      await screenshot(page, "overview-xss");
      // Checked last so the markup checks above report first; an injected element that
      // tripped the CSP would show here as a console error.
      assert.deepEqual(w.errors, [], "console or page errors");
    });
  },
);

Deno.test(
  "the /health page loads without console or page errors",
  browserTest,
  async () => {
    try {
      const fx = await startFixtureDashboard();
      let w: WatchedPage | null = null;
      try {
        w = await openPage();
        const res = await w.page.goto(fx.dashboard.url + "/health", { waitUntil: "load" });
        assert.equal(res?.status(), 200);
        assert.match(res?.headers()["content-type"] ?? "", /text\/html/);
        assert.match(await w.page.locator("#health-status").innerText(), /^(ok|degraded)$/);
        await w.page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
        await w.page.waitForTimeout(200);
        await screenshot(w.page, "health");
        assert.deepEqual(w.errors, []);
      } finally {
        await w?.close();
        await fx.stop();
      }
    } finally {
      await closeBrowser();
    }
  },
);

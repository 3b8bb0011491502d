// The browser pages in real headless Chromium against a real server on the fixture home:
// every page loads without console errors; filters live in the URL and survive a reload; the
// session page and the events explorer update live without a reload; prompts that look like
// HTML stay text; tables scroll inside their panel on a narrow window. Screenshots of every
// page go to the folder the first test prints. One browser for the whole file.

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

/** The fixture session with inline sub-agent (sidechain) lines, tool calls and usage. */
const demoSession = "fe5e1c67-53e7-4862-81ae-d0e013e3270b";

const xss = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;

/** One fixture server for the tests that only read: spawning one costs a second or so. */
let shared: Promise<FixtureDashboard> | null = null;
let sharedFx: FixtureDashboard | null = null;
// A run filtered to some tests never reaches the last one, which stops the shared server.
globalThis.addEventListener("unload", () => {
  if (sharedFx === null) return;
  try {
    Deno.kill(sharedFx.dashboard.pid, "SIGTERM");
    Deno.removeSync(sharedFx.home.home, { recursive: true });
  } catch {
    // already gone
  }
});

async function stopShared(): Promise<void> {
  const fx = await shared?.catch(() => null);
  shared = null;
  sharedFx = null;
  await fx?.stop();
}

/** `path` in a fresh page; a test that `writes` to the home gets a server of its own. */
async function withPage(
  path: string,
  fn: (o: { fx: FixtureDashboard; w: WatchedPage; page: Page }) => Promise<void>,
  opts: { width?: number; live?: boolean; writes?: boolean } = {},
): Promise<void> {
  const own = opts.writes === true;
  const fx = own ? await startFixtureDashboard() : await (shared ??= startFixtureDashboard());
  if (!own) sharedFx = fx;
  let w: WatchedPage | null = null;
  try {
    w = await openPage();
    if (opts.width) await w.page.setViewportSize({ width: opts.width, height: 800 });
    const res = await w.page.goto(fx.dashboard.url + path, { waitUntil: "load" });
    assert.equal(res?.status(), 200, `${path} answered ${res?.status()}`);
    if (opts.live !== false) {
      await w.page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
    }
    await fn({ fx, w, page: w.page });
  } finally {
    await w?.close();
    if (own) await fx.stop();
  }
}

function hookBase(claudeDir: string, sessionId: string) {
  return {
    session_id: sessionId,
    cwd: "/tmp/pages-test-project",
    transcript_path: `${claudeDir}/projects/-tmp-pages-test-project/${sessionId}.jsonl`,
  };
}

function preToolUse(claudeDir: string, sessionId: string, command: string) {
  return writeHook(claudeDir, {
    ...hookBase(claudeDir, sessionId),
    hook_event_name: "PreToolUse",
    tool_name: "Bash",
    tool_input: { command },
    tool_use_id: `toolu_${crypto.randomUUID().replaceAll("-", "")}`,
  });
}

/** Marks the window so a reload (which drops the mark) is noticed. */
async function markWindow(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => ((globalThis as { __mark?: number }).__mark = 1));
  return async () => await page.evaluate(() => (globalThis as { __mark?: number }).__mark) === 1;
}

async function assertInert(page: Page, scope: string, what: string): Promise<void> {
  await page.waitForTimeout(150); // a broken image's onerror would have run by now
  assert.equal(
    await page.evaluate(() => typeof (globalThis as { __xss?: unknown }).__xss),
    "undefined",
    `${what}: injected script ran`,
  );
  assert.equal(await page.locator(`${scope} img`).count(), 0, `${what}: an <img> was created`);
  assert.equal(
    await page.locator(`${scope} script`).count(),
    0,
    `${what}: a <script> was created`,
  );
}

for (
  const [path, name, ready] of [
    ["/", "overview", "#sessions tbody tr[data-session-id]"],
    ["/sessions", "sessions", "#sessions-table tbody tr[data-session-id]"],
    [`/sessions/${demoSession}`, "session-detail", "#timeline li[data-event-id]"],
    ["/events", "events", "#events-table tbody tr[data-event-id]"],
    ["/tools", "tools", "main h1"],
    ["/health", "health", "#health-status"],
  ] as const
) {
  Deno.test(
    `the ${name} page (${path}) loads with its data, goes live and logs no console or page error`,
    browserTest,
    async () => {
      await withPage(path, async ({ w, page }) => {
        assert.ok(await page.locator(ready).count() > 0, `${path}: nothing matches ${ready}`);
        assert.equal(await page.locator("nav[aria-label=main] a[aria-current=page]").count(), 1);
        await page.waitForTimeout(200); // let late errors (hydration, stream) surface
        await screenshot(page, name);
        if (path === "/") {
          await page.emulateMedia({ colorScheme: "dark" });
          await screenshot(page, "overview-dark");
        }
        assert.deepEqual(w.errors, []);
      });
    },
  );
}

Deno.test(
  "a sessions filter changes the URL, reloading keeps it, and every row matches it",
  browserTest,
  async () => {
    await withPage("/sessions", async ({ w, page }) => {
      await page.selectOption("#sessions-filters select[name=project]", "Demo");
      await page.waitForURL(/[?&]project=Demo(&|$)/, { timeout: 5000 });
      assert.ok(!page.url().includes("status="), `empty filters leaked into ${page.url()}`);
      const check = async (when: string) => {
        assert.equal(
          await page.locator("#sessions-filters select[name=project]").inputValue(),
          "Demo",
          `${when}: the menu lost its value`,
        );
        const projects = await page.locator("#sessions-table tbody tr td:nth-child(2)")
          .allInnerTexts();
        assert.equal(projects.length, 3, `${when}: Demo has 3 fixture sessions`);
        assert.ok(projects.every((p) => p === "Demo"), `${when}: ${projects}`);
      };
      await check("after filtering");
      await page.click("#sessions-table th a.sort:has-text('Events')");
      await page.waitForURL(/sort=events/, { timeout: 5000 });
      assert.match(page.url(), /project=Demo/);
      const events = (await page.locator("#sessions-table tbody tr td:nth-child(7)")
        .allInnerTexts()).map(Number);
      assert.deepEqual(events, [...events].sort((a, b) => b - a), "not sorted by events");
      await page.reload({ waitUntil: "load" });
      await check("after reload");
      assert.match(page.url(), /project=Demo/);
      await screenshot(page, "sessions-filtered");
      assert.deepEqual(w.errors, []);
    });
  },
);

Deno.test(
  "on /sessions a Notification turns that row's status to waiting in place, and a new session is announced, not inserted",
  browserTest,
  async () => {
    const sessionId = crypto.randomUUID();
    await withPage("/sessions", async ({ fx, w, page }) => {
      await preToolUse(fx.home.claudeDir, sessionId, "echo on-the-table");
      await page.waitForSelector("#sessions-changed[data-new='1']", { timeout: liveBudgetMs });
      assert.equal(
        await page.locator(`#sessions-table tr[data-session-id="${sessionId}"]`).count(),
        0,
        "the new session was inserted under the reader",
      );
      await page.click("#sessions-changed");
      await page.waitForSelector(`#sessions-table tr[data-session-id="${sessionId}"]`);
      await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      const stillSame = await markWindow(page);
      await writeHook(fx.home.claudeDir, {
        ...hookBase(fx.home.claudeDir, sessionId),
        hook_event_name: "Notification",
        message: "Claude is waiting for your input",
        notification_type: "idle_prompt",
      });
      await page.waitForSelector(
        `#sessions-table tr[data-session-id="${sessionId}"] .pill[data-status="waiting"]`,
        { timeout: liveBudgetMs },
      );
      assert.ok(await stillSame(), "the page reloaded");
      assert.match(await page.locator("#sessions-changed").innerText(), /1 changed/);
      await screenshot(page, "sessions-live-waiting");
      assert.deepEqual(w.errors, []);
    }, { writes: true });
  },
);

Deno.test(
  "an events filter changes the URL, reloading keeps it, and every row matches it",
  browserTest,
  async () => {
    await withPage("/events", async ({ w, page }) => {
      await page.selectOption("#events-filters select[name=type]", "Notification");
      await page.waitForURL(/[?&]type=Notification(&|$)/, { timeout: 5000 });
      await page.reload({ waitUntil: "load" });
      assert.equal(
        await page.locator("#events-filters select[name=type]").inputValue(),
        "Notification",
      );
      const types = await page.locator("#events-table tbody tr td:nth-child(2)").allInnerTexts();
      assert.equal(types.length, 14, "the fixtures hold 14 Notification events");
      assert.ok(types.every((t) => t === "Notification"), types.join(","));
      await screenshot(page, "events-filtered");
      assert.deepEqual(w.errors, []);
    });
  },
);

Deno.test(
  "a session's page shows its timeline with nested sub-agent runs and tool durations, and opens a row's lines with their raw JSON",
  browserTest,
  async () => {
    await withPage(`/sessions/${demoSession}?before=9999999999999_0`, async ({ w, page }) => {
      assert.ok(
        await page.locator("#timeline li.tl-sub[data-sidechain] li[data-event-id]")
          .count() > 0,
        "no nested sub-agent rows",
      );
      assert.ok(await page.locator("#timeline .tl-tool svg.bar rect.bar-fill").count() > 0);
      // Expanding a row shows every line behind it, each with its raw JSON (issue 15).
      const first = page.locator("#timeline li.tl-row").first();
      await first.locator("details.tl-sources > summary").click();
      await page.waitForFunction(
        () => {
          const pres = document.querySelectorAll(
            "#timeline details.tl-sources[open] details.raw[open] pre.raw-json",
          );
          return pres.length > 0 &&
            [...pres].every((p) => p.textContent !== "" && p.textContent !== "loading…");
        },
        null,
        { timeout: 2000 },
      );
      const text = await first.locator("pre.raw-json").first().innerText();
      assert.match(text, /"sessionId": "fe5e1c67/);
      assert.deepEqual(w.errors, []);
    }, { live: false });
  },
);

Deno.test(
  "a new hook file for a running session appears on its page within 1 s without reload, and a Notification shows it waiting",
  browserTest,
  async () => {
    const sessionId = crypto.randomUUID();
    await withPage("/", async ({ fx, w, page }) => {
      await preToolUse(fx.home.claudeDir, sessionId, "echo first");
      await page.waitForSelector(`#sessions tr[data-session-id="${sessionId}"]`, {
        timeout: liveBudgetMs * 2,
      });
      await page.click(`#sessions tr[data-session-id="${sessionId}"] a`);
      await page.waitForURL(new RegExp(`/sessions/${sessionId}$`));
      await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      const stillSame = await markWindow(page);

      const marker = `echo live-${crypto.randomUUID()}`;
      const t0 = performance.now();
      await preToolUse(fx.home.claudeDir, sessionId, marker);
      const row = `.timeline li[data-event-id]:has-text(${JSON.stringify(marker)})`;
      await page.waitForSelector(row, { timeout: liveBudgetMs });
      const elapsed = performance.now() - t0;
      console.log(`hook file write → session timeline row: ${elapsed.toFixed(0)} ms`);
      assert.ok(elapsed < liveBudgetMs, `timeline row took ${elapsed.toFixed(0)} ms`);

      await writeHook(fx.home.claudeDir, {
        ...hookBase(fx.home.claudeDir, sessionId),
        hook_event_name: "Notification",
        message: "Claude needs your permission to use Bash",
        notification_type: "permission_prompt",
      });
      await page.waitForSelector('#session-head[data-status="waiting"] .waiting-banner', {
        timeout: liveBudgetMs,
      });
      assert.match(await page.locator(".waiting-banner").innerText(), /permission to use Bash/);
      assert.ok(await stillSame(), "the page reloaded");
      await screenshot(page, "session-live-waiting");
      assert.deepEqual(w.errors, []);
    }, { writes: true });
  },
);

Deno.test(
  "the events page counts new matching events in a pill without moving the list; the pill shows them",
  browserTest,
  async () => {
    await withPage("/events?tool=Bash", async ({ fx, w, page }) => {
      const topBefore = await page.locator("#events-table tbody tr").first().getAttribute(
        "data-event-id",
      );
      const stillSame = await markWindow(page);
      const sessionId = crypto.randomUUID();
      const marker = `echo pill-${crypto.randomUUID()}`;
      const t0 = performance.now();
      await preToolUse(fx.home.claudeDir, sessionId, marker);
      // A Notification does not match tool=Bash: the pill must not count it.
      await writeHook(fx.home.claudeDir, {
        ...hookBase(fx.home.claudeDir, sessionId),
        hook_event_name: "Notification",
        message: "not a Bash event",
      });
      await page.waitForSelector("#new-events", { timeout: liveBudgetMs });
      console.log(`hook file write → new-events pill: ${(performance.now() - t0).toFixed(0)} ms`);
      await page.waitForTimeout(300);
      assert.equal(await page.locator("#new-events").getAttribute("data-count"), "1");
      assert.equal(
        await page.locator("#events-table tbody tr").first().getAttribute("data-event-id"),
        topBefore,
        "the list moved",
      );
      assert.ok(await stillSame(), "the page reloaded");
      await screenshot(page, "events-new-pill");

      await page.click("#new-events");
      await page.waitForLoadState("load");
      assert.match(page.url(), /tool=Bash/);
      assert.match(
        await page.locator("#events-table tbody tr").first().innerText(),
        new RegExp(marker),
      );
      assert.deepEqual(w.errors, []);
    }, { writes: true });
  },
);

Deno.test(
  "the overview's KPI cards tick and its activity chart grows live; the chart's range is kept in the URL",
  browserTest,
  async () => {
    await withPage("/", async ({ fx, w, page }) => {
      const kpi = (k: string) => page.locator(`#kpis li[data-kpi=${k}] .kpi-value`).innerText();
      const eventsBefore = Number(await kpi("events"));
      const callsBefore = Number(await kpi("tool_calls"));
      const chartBefore = Number(
        /events: (\d+)/.exec(
          await page.locator("#activity svg[role=img]").getAttribute("aria-label") ?? "",
        )?.[1],
      );
      const stillSame = await markWindow(page);
      const sessionId = crypto.randomUUID();
      const t0 = performance.now();
      await preToolUse(fx.home.claudeDir, sessionId, "echo kpi-1");
      await preToolUse(fx.home.claudeDir, sessionId, "echo kpi-2");
      await page.waitForFunction(
        (n) =>
          Number(document.querySelector("#kpis li[data-kpi=events] .kpi-value")?.textContent) >= n,
        eventsBefore + 2,
        { timeout: liveBudgetMs * 2 },
      );
      console.log(`hook files → KPI cards: ${(performance.now() - t0).toFixed(0)} ms`);
      assert.equal(Number(await kpi("tool_calls")), callsBefore + 2);
      // The chart's total (its accessible label) takes in the two new events (it is redrawn
      // at most once a second, so it gets more time than the feed).
      await page.waitForFunction(
        (n) => {
          const label = document.querySelector("#activity svg[role=img]")?.getAttribute(
            "aria-label",
          );
          return Number(/events: (\d+)/.exec(label ?? "")?.[1]) >= n;
        },
        chartBefore + 2,
        { timeout: liveBudgetMs * 5 },
      );
      assert.ok(await stillSame(), "the page reloaded");

      await page.click("#activity .seg a:has-text('Day')");
      await page.waitForSelector('#activity[data-range="24h"]', { timeout: 2000 });
      assert.match(page.url(), /[?&]activity=24h/);
      assert.ok(await stillSame(), "switching the range reloaded the page");
      await page.reload({ waitUntil: "load" });
      assert.equal(await page.locator("#activity").getAttribute("data-range"), "24h");
      assert.equal(
        await page.locator('#activity .seg a[aria-current="true"]').innerText(),
        "Day",
      );
      await screenshot(page, "overview-live-kpis");
      assert.deepEqual(w.errors, []);
    }, { writes: true });
  },
);

Deno.test(
  "a full-text search keeps its query in the URL and marks the matches as <mark> elements",
  browserTest,
  async () => {
    await withPage("/events", async ({ w, page }) => {
      await page.fill("#events-filters input[name=q]", "todo app");
      await page.press("#events-filters input[name=q]", "Enter");
      await page.waitForURL(/[?&]q=todo\+app(&|$)/, { timeout: 5000 });
      assert.ok(!/[?&](type|tool|project|session)=/.test(page.url()), page.url());
      await page.reload({ waitUntil: "load" });
      assert.equal(await page.locator("#events-filters input[name=q]").inputValue(), "todo app");
      const marks = await page.locator("#events-table mark").allInnerTexts();
      assert.ok(marks.length > 0, "no highlighted match");
      assert.ok(
        marks.every((m) => /^(todo|app)$/i.test(m)),
        `marks other than the words: ${marks.slice(0, 5)}`,
      );
      await screenshot(page, "events-search");
      assert.deepEqual(w.errors, []);
    });
  },
);

Deno.test(
  "a prompt containing HTML is shown as text on the session page and in the events explorer",
  browserTest,
  async () => {
    await withPage("/events", async ({ fx, w, page }) => {
      const sessionId = crypto.randomUUID();
      await writeHook(fx.home.claudeDir, {
        ...hookBase(fx.home.claudeDir, sessionId),
        hook_event_name: "UserPromptSubmit",
        prompt: xss,
      });
      await page.waitForSelector("#new-events", { timeout: liveBudgetMs * 2 });

      await page.goto(`${fx.dashboard.url}/events?session=${sessionId}`, { waitUntil: "load" });
      const row = page.locator("#events-table tbody tr").first();
      assert.ok((await row.innerText()).includes(xss), "events: the prompt is not shown as text");
      await row.locator("details.raw summary").click();
      await page.waitForFunction(
        () => document.querySelector("details.raw[open] pre")?.textContent?.includes("onerror"),
        null,
        { timeout: 2000 },
      );
      await assertInert(page, "#events-table", "events page");
      await screenshot(page, "events-xss");

      // Found by full-text search: the snippet with its <mark>s is still text.
      await page.goto(`${fx.dashboard.url}/events?q=onerror`, { waitUntil: "load" });
      const hit = page.locator(`#events-table tbody tr:has(a[title="${sessionId}"])`);
      assert.equal(await hit.count(), 1, "the search did not find the prompt");
      assert.match(await hit.locator(".summary").innerText(), /onerror="window\.__xss=2">/);
      assert.equal(await hit.locator("mark").first().innerText(), "onerror");
      await assertInert(page, "#events-table", "search results");

      await page.goto(`${fx.dashboard.url}/sessions/${sessionId}`, { waitUntil: "load" });
      assert.equal(await page.locator("#first-prompt").innerText(), xss);
      assert.ok(
        (await page.locator("#timeline li[data-type=UserPromptSubmit]").innerText()).includes(xss),
        "session page: the prompt is not shown as text in the timeline",
      );
      await assertInert(page, "main", "session page");
      await page.goto(`${fx.dashboard.url}/sessions`, { waitUntil: "load" });
      assert.ok(
        (await page.locator(`#sessions-table tr[data-session-id="${sessionId}"]`).innerText())
          .includes(xss.slice(0, 40)),
        "sessions page: the first prompt is not shown as text",
      );
      await assertInert(page, "main", "sessions page");
      await screenshot(page, "sessions-xss");
      assert.deepEqual(w.errors, []);
    }, { writes: true });
  },
);

Deno.test(
  "the keyboard alone reaches the filters and the sort links, and Enter on a sort link sorts",
  browserTest,
  async () => {
    await withPage("/sessions", async ({ w, page }) => {
      const seen: string[] = [];
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press("Tab");
        const at = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el) return "";
          if (el.matches("th a.sort")) return `sort:${el.textContent?.trim()}`;
          if (el.matches("select")) return `select:${(el as HTMLSelectElement).name}`;
          return el.tagName.toLowerCase();
        });
        seen.push(at);
        if (at.startsWith("sort:")) break;
      }
      for (const name of ["project", "status", "model", "range"]) {
        assert.ok(seen.includes(`select:${name}`), `Tab never reached the ${name} menu: ${seen}`);
      }
      const sort = seen[seen.length - 1];
      assert.ok(sort.startsWith("sort:"), `Tab never reached a sort link: ${seen}`);
      const outline = await page.evaluate(() =>
        getComputedStyle(document.activeElement as Element).outlineStyle
      );
      assert.notEqual(outline, "none", "the focused link shows no focus ring");
      await page.keyboard.press("Enter");
      await page.waitForURL(/[?&]sort=/, { timeout: 5000 });
      assert.deepEqual(w.errors, []);
    }, { live: false });
  },
);

Deno.test(
  "on a narrow window the sessions and events tables scroll inside their panel, not the page",
  browserTest,
  async () => {
    try {
      await withPage("/sessions", async ({ w, page }) => {
        for (const path of ["/sessions", "/events", `/sessions/${demoSession}`, "/"]) {
          await page.goto(new URL(path, page.url()).href, { waitUntil: "load" });
          const overflow = await page.evaluate(() =>
            document.documentElement.scrollWidth - document.documentElement.clientWidth
          );
          assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px at 420px`);
        }
        await page.goto(new URL("/sessions", page.url()).href, { waitUntil: "load" });
        await screenshot(page, "sessions-narrow");
        assert.deepEqual(w.errors, []);
      }, { width: 420, live: false });
    } finally {
      await stopShared();
      await closeBrowser();
    }
  },
);

// Pages that fit (issue 15), in real Chromium on the fixture home and on a demo-generated home:
// at 1440 and 1280 px no table is wider than its panel and none hides a column; narrower, columns
// are hidden in each table's stated order, the table lists exactly the hidden ones and brings one
// back on request (still back after a reload); clipped text ends in an ellipsis with the full
// text on hover; at 420 px the header stays short. Screenshots go to the folder printed first.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { generate } from "../../src/demo/workload.ts";
import { browserTest, closeBrowser, openPage, screenshot } from "../support/browser.ts";
import { type Served, serveReady } from "../support/served.ts";
import { makeHome, type TestHome, writeFixtures, writeHook } from "../support/home.ts";

type HomeKind = "fixture" | "demo";

/** A session waiting for input with a long working directory: the widest status and path. */
async function addWaitingSession(claudeDir: string): Promise<void> {
  const base = {
    session_id: "layout-waiting-session",
    cwd: "/home/someone/projects/a-rather-long-project-name-that-will-not-fit/packages/web",
  };
  await writeHook(claudeDir, {
    ...base,
    hook_event_name: "PreToolUse",
    tool_name: "mcp__some-long-server-name__a_long_tool_name_for_clipping",
    tool_input: { command: "ls" },
    tool_use_id: "toolu_layout_1",
  });
  await writeHook(claudeDir, {
    ...base,
    hook_event_name: "Notification",
    message: "Claude needs your permission to use Bash",
    notification_type: "permission_prompt",
  });
}

async function withHome(
  kind: HomeKind,
  fn: (d: Served, page: Page) => Promise<void>,
): Promise<void> {
  const h: TestHome = await makeHome();
  try {
    if (kind === "fixture") await writeFixtures(h.claudeDir);
    else {
      // What `deno task demo` writes, ending a minute ago so every range shows it.
      await generate({
        dir: h.claudeDir,
        events: 2000,
        sessions: 30,
        seed: 15,
        baseTimeMs: Date.now() - 60_000,
        spanMs: 86_400_000,
      });
    }
    await addWaitingSession(h.claudeDir);
    const d = await serveReady(h);
    const w = await openPage();
    try {
      await fn(d, w.page);
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
      await d.stop();
    }
  } finally {
    await h.cleanup();
  }
}

async function visit(page: Page, url: string): Promise<void> {
  const res = await page.goto(url, { waitUntil: "load" });
  assert.equal(res?.status(), 200, `${url} answered ${res?.status()}`);
  await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
}

/** Every page of the dashboard, with a real session and a real tool (for its calls table). */
async function allPages(page: Page, base: string): Promise<string[]> {
  await visit(page, base + "/sessions");
  const sid = await page.locator("#sessions-table tbody tr[data-session-id]").first()
    .getAttribute("data-session-id");
  await visit(page, base + "/tools");
  const tool = await page.locator("#tools-table tbody tr[data-tool]").first()
    .getAttribute("data-tool");
  assert.ok(sid && tool, "the home has a session and a tool");
  const paths = [
    "/",
    "/sessions",
    `/sessions/${encodeURIComponent(sid)}`,
    "/events",
    "/tools",
    `/tools?tool=${encodeURIComponent(tool)}`,
    "/usage",
    "/health",
    "/settings",
  ];
  if (await page.locator('header.top nav a[href="/alerts"]').count()) paths.push("/alerts");
  return paths;
}

/** Tables (or their wrappers) wider than their box, hidden-column lines shown, page overflow. */
function fitReport(page: Page) {
  return page.evaluate(() => {
    const tooWide: string[] = [];
    const tables: string[] = [];
    for (const t of document.querySelectorAll<HTMLTableElement>("main table")) {
      if (!t.checkVisibility()) continue;
      tables.push(t.id || t.className);
      for (const el of [t, t.parentElement!]) {
        if (el.scrollWidth > el.clientWidth) {
          tooWide.push(
            `${t.id || t.className} (${el.tagName}) ${el.scrollWidth}>${el.clientWidth}`,
          );
        }
      }
    }
    const hiddenLines = [...document.querySelectorAll<HTMLElement>(".cols-hidden")]
      .filter((e) => e.checkVisibility())
      .map((e) => e.dataset.colsTable ?? "?");
    const root = document.documentElement;
    return { tables, tooWide, hiddenLines, pageOverflow: root.scrollWidth - root.clientWidth };
  });
}

/**
 * Text cut off by its box without an ellipsis, or without its full text on hover: a title of its
 * own or an ancestor's, or the one src/web/client/fit.ts gives clipped text when the pointer is over.
 */
function clippedWithoutHint(page: Page) {
  return page.evaluate(() => {
    const out: string[] = [];
    const candidates = document.querySelectorAll<HTMLElement>(
      "main td, main td *, #live-feed .summary, #latest-errors .err-where",
    );
    for (const el of candidates) {
      const cs = getComputedStyle(el);
      if (cs.overflowX !== "hidden" || el.scrollWidth <= el.clientWidth) continue;
      const what = `${el.tagName}.${el.className} "${el.textContent?.slice(0, 40)}"`;
      if (cs.textOverflow !== "ellipsis") out.push(`${what}: no ellipsis`);
      else {
        el.dispatchEvent(new PointerEvent("pointerover", { bubbles: true }));
        if (!el.closest("[title]")) out.push(`${what}: no full text on hover`);
      }
    }
    return out;
  });
}

/** The tables each page must show, so a page that lost its table does not pass by default. */
function expectedTables(path: string): string[] {
  if (path === "/") return ["sessions"];
  if (path === "/sessions") return ["sessions-table"];
  if (path === "/events") return ["events-table"];
  if (path.startsWith("/tools?")) return ["tools-table", "calls-table"];
  if (path === "/tools") return ["tools-table"];
  return [];
}

for (const kind of ["fixture", "demo"] as const) {
  Deno.test(
    `at 1440 and 1280 px no table on any page is wider than its panel, none hides a column, and clipped text shows an ellipsis and a title (${kind} home)`,
    browserTest,
    async () => {
      try {
        await withHome(kind, async (d, page) => {
          const paths = await allPages(page, d.url);
          for (const width of [1440, 1280]) {
            await page.setViewportSize({ width, height: 900 });
            for (const path of paths) {
              await visit(page, d.url + path);
              const r = await fitReport(page);
              const where = `${kind} ${path} at ${width} px`;
              for (const id of expectedTables(path)) {
                assert.ok(r.tables.includes(id), `${where}: no #${id} (saw ${r.tables})`);
              }
              assert.deepEqual(r.tooWide, [], `${where}: tables scroll inside their panel`);
              assert.deepEqual(r.hiddenLines, [], `${where}: columns hidden at desktop width`);
              assert.ok(r.pageOverflow <= 0, `${where}: the page scrolls sideways`);
              assert.deepEqual(
                await clippedWithoutHint(page),
                [],
                `${where}: clipped without an ellipsis or a title`,
              );
            }
            await visit(page, d.url + "/sessions");
            await screenshot(page, `layout-${kind}-sessions-${width}`);
            await visit(page, d.url + "/");
            await screenshot(page, `layout-${kind}-overview-${width}`);
          }
        });
      } finally {
        await closeBrowser();
      }
    },
  );
}

/** Per fitting table: its droppable keys in stated order, which are hidden, which are offered. */
function columnState(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".table-wrap.fit")].map((wrap) => {
      const keyOf = (el: Element) =>
        [...el.classList].find((c) => c.startsWith("c-"))?.slice(2) ?? "";
      const order = [...wrap.querySelectorAll<HTMLInputElement>(".cols-hidden input[data-col]")]
        .map((b) => b.dataset.col ?? "");
      const hidden = [...wrap.querySelectorAll("thead th")]
        .filter((th) => getComputedStyle(th).display === "none").map(keyOf);
      const offered = [...wrap.querySelectorAll<HTMLElement>(".col-toggle")]
        .filter((l) => l.checkVisibility())
        .map((l) => l.querySelector<HTMLInputElement>("input")?.dataset.col ?? "");
      return {
        table: wrap.querySelector("table")?.id ?? "",
        order,
        hidden,
        offered,
        fits: wrap.scrollWidth <= wrap.clientWidth,
      };
    })
  );
}

Deno.test(
  "below 1280 px the sessions table and the overview board hide columns in their stated order, list exactly those, and show one again on request, still after a reload",
  browserTest,
  async () => {
    try {
      await withHome("demo", async (d, page) => {
        await page.setViewportSize({ width: 1024, height: 900 });
        for (const [path, table] of [["/sessions", "sessions-table"], ["/", "sessions"]]) {
          await visit(page, d.url + path);
          const state = (await columnState(page)).find((s) => s.table === table);
          assert.ok(state, `${path}: no fitting #${table}`);
          assert.ok(state.hidden.length > 0, `${path}: nothing hidden at 1024 px`);
          assert.deepEqual(
            [...state.hidden].sort(),
            state.order.slice(0, state.hidden.length).sort(),
            `${path}: hidden ${state.hidden} is not the start of the stated order ${state.order}`,
          );
          assert.deepEqual(
            [...state.offered].sort(),
            [...state.hidden].sort(),
            `${path}: the line does not list exactly the hidden columns`,
          );
          assert.ok(state.fits, `${path}: the table still scrolls inside its panel`);
          const wrap = page.locator(`.table-wrap.fit:has(#${table})`);
          assert.match(await wrap.locator(".cols-hidden").innerText(), /hidden/i);

          // Bring back the column hidden last (the most important one hidden).
          const key = state.order[state.hidden.length - 1];
          const th = wrap.locator(`thead th.c-${key}`);
          assert.equal(await th.isVisible(), false);
          await wrap.locator(`input[data-col="${key}"]`).check();
          await th.waitFor({ state: "visible", timeout: 2000 });
          assert.ok(
            await wrap.locator(`tbody tr:first-child td.c-${key}`).isVisible(),
            `${path}: the ${key} header came back but its cells did not`,
          );
          await screenshot(page, `layout-1024-${table}-${key}-shown`);
          await page.reload({ waitUntil: "load" });
          await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
          await th.waitFor({ state: "visible", timeout: 2000 });
          assert.ok(await wrap.locator(`input[data-col="${key}"]`).isChecked());
          await wrap.locator(`input[data-col="${key}"]`).uncheck();
          await th.waitFor({ state: "hidden", timeout: 2000 });
        }
      });
    } finally {
      await closeBrowser();
    }
  },
);

Deno.test(
  "at 420 px the header takes under 120 px on every page, every hidden column is offered back, and clipped cells still end in an ellipsis with the full text on hover",
  browserTest,
  async () => {
    try {
      await withHome("fixture", async (d, page) => {
        const paths = await allPages(page, d.url);
        await page.setViewportSize({ width: 420, height: 900 });
        for (const path of paths) {
          await visit(page, d.url + path);
          const h = await page.locator("header.top").evaluate((e) =>
            e.getBoundingClientRect().height
          );
          assert.ok(h < 120, `${path} at 420 px: the header is ${h.toFixed(0)} px tall`);
          for (const t of await columnState(page)) {
            assert.deepEqual(
              [...t.offered].sort(),
              [...t.hidden].sort(),
              `${path} at 420 px: #${t.table} hides ${t.hidden} but offers ${t.offered}`,
            );
            assert.deepEqual([...t.hidden].sort(), t.order.slice(0, t.hidden.length).sort());
          }
          assert.deepEqual(
            await clippedWithoutHint(page),
            [],
            `${path} at 420 px: clipped without an ellipsis or a title`,
          );
        }
        // A real pointer over a clipped prompt shows the text the ellipsis hides.
        await visit(page, d.url + "/sessions");
        const clipped = await page.evaluate(() => {
          const cells = document.querySelectorAll<HTMLElement>("#sessions-table td.c-prompt");
          const cell = [...cells].find((c) => c.scrollWidth > c.clientWidth);
          cell?.setAttribute("data-clipped", "");
          return cell?.textContent?.trim() ?? null;
        });
        assert.ok(clipped, "no first prompt is clipped at 420 px");
        const cell = page.locator("#sessions-table td[data-clipped]");
        assert.equal(await cell.getAttribute("title"), null);
        await cell.hover();
        assert.equal(await cell.getAttribute("title"), clipped);
        await screenshot(page, "layout-sessions-420");
      });
    } finally {
      await closeBrowser();
    }
  },
);

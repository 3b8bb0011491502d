// The context bar in real headless Chromium: a session at 85 % of its window shows a warning bar
// on its page and on the overview board; when Claude Code compacts and the next turn is small,
// the page's head follows live (no reload): the warning goes, the compaction is counted.

import assert from "node:assert/strict";
import { join } from "node:path";
import { serveReady } from "../support/served.ts";
import { browserTest, closeBrowser, openPage, screenshot } from "../support/browser.ts";
import { makeHome } from "../support/home.ts";

const sid = "ctx-browser-1";
const model = "claude-sonnet-4-5-20250929";

function assistant(n: number, ts: Date, input: number, cacheRead: number): string {
  return JSON.stringify({
    type: "assistant",
    sessionId: sid,
    uuid: `a${n}`,
    timestamp: ts.toISOString(),
    cwd: "/tmp/ctx-browser",
    requestId: `req${n}`,
    message: {
      id: `msg${n}`,
      role: "assistant",
      model,
      content: [{ type: "text", text: `turn ${n}` }],
      usage: {
        input_tokens: input,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: cacheRead,
      },
    },
  }) + "\n";
}

Deno.test(
  "the session page's context bar warns above 80 % and follows a compaction live",
  browserTest,
  async () => {
    const h = await makeHome();
    const file = join(h.claudeDir, "projects/-tmp-ctx-browser", `${sid}.jsonl`);
    await Deno.mkdir(join(h.claudeDir, "projects/-tmp-ctx-browser"), { recursive: true });
    const t0 = new Date(Date.now() - 60_000);
    await Deno.writeTextFile(file, assistant(1, t0, 1_000, 169_000));
    const d = await serveReady(h);
    const w = await openPage();
    try {
      await w.page.goto(`${d.url}/`, { waitUntil: "load" });
      const board = w.page.locator(`tr[data-session-id="${sid}"] .ctx`);
      assert.equal(await board.getAttribute("class"), "ctx ctx-warn");

      await w.page.goto(`${d.url}/sessions/${sid}`, { waitUntil: "load" });
      await w.page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      const ctx = w.page.locator("#session-context");
      assert.equal(await ctx.getAttribute("class"), "ctx ctx-warn");
      assert.equal(
        await ctx.locator("meter").evaluate((m) => (m as HTMLMeterElement).value),
        170_000,
      );
      assert.match(await ctx.innerText(), /170k \/ 200k · 85%/);
      // The bar is drawn: wide enough to see, and in the warning colour (not the ok one).
      const box = await ctx.locator("meter").boundingBox();
      assert.ok(box && box.width > 40 && box.height >= 4, JSON.stringify(box));
      await screenshot(w.page, "context-warn");
      await w.page.evaluate(() => ((globalThis as { __mark?: number }).__mark = 1));

      // Compacted, then a small turn: the head follows without a reload.
      const t1 = new Date(t0.getTime() + 10_000);
      await Deno.writeTextFile(
        file,
        JSON.stringify({
          type: "system",
          subtype: "compact_boundary",
          content: "Conversation compacted",
          sessionId: sid,
          uuid: "b1",
          timestamp: t1.toISOString(),
          compactMetadata: { trigger: "auto", preTokens: 170_000 },
        }) + "\n" + assistant(2, new Date(t1.getTime() + 1000), 2_000, 18_000),
        { append: true },
      );
      await w.page.waitForFunction(
        () => document.querySelector("#session-compactions")?.textContent === "1",
        undefined,
        { timeout: 3000 },
      );
      assert.equal(await ctx.getAttribute("class"), "ctx");
      assert.match(await ctx.innerText(), /20k \/ 200k · 10%/);
      assert.equal(await w.page.evaluate(() => (globalThis as { __mark?: number }).__mark), 1);
      await screenshot(w.page, "context-after-compaction");
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
      await d.stop();
      await h.cleanup();
      await closeBrowser();
    }
  },
);

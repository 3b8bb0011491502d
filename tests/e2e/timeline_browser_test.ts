// The session timeline in real headless Chromium on a home with both hooks and transcripts: one
// rendered row per tool call (tool_use_id) and per prompt, on the page as served and after live
// updates — a hook line and then the transcript's lines for the same call or prompt update the
// row already shown instead of adding rows.

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { browserTest, closeBrowser, openPage, screenshot } from "../support/browser.ts";
import { makeHome, writeHook } from "../support/home.ts";
import { serveReady } from "../support/served.ts";
import { generate } from "../../src/demo/workload.ts";
import type { TimelinePage } from "../../src/core/view_data.ts";

const liveWaitMs = 3000;

/** What the rendered timeline shows: every row's tool_use_id, kind, text and line count. */
function renderedRows(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".timeline li.tl-row")].map((li) => ({
      toolUseId: li.dataset.toolUseId ?? null,
      prompt: li.classList.contains("kind-prompt"),
      text: li.querySelector(".tl-text")?.textContent ?? "",
      lines: (li.dataset.sources ?? "").split(" ").filter(Boolean).length,
    }))
  );
}

type Rendered = Awaited<ReturnType<typeof renderedRows>>;

function assertOneRowEach(rows: Rendered, where: string): void {
  const seen = new Set<string>();
  for (const r of rows) {
    if (!r.toolUseId) continue;
    assert.ok(!seen.has(r.toolUseId), `${where}: ${r.toolUseId} has more than one row`);
    seen.add(r.toolUseId);
  }
  for (let i = 1; i < rows.length; i++) {
    const twice = rows[i].prompt && rows[i - 1].prompt && rows[i].text === rows[i - 1].text;
    assert.ok(!twice, `${where}: the prompt "${rows[i].text}" shows twice in a row`);
  }
}

Deno.test(
  "a session page shows one row per tool call and prompt, and live hook and transcript lines update that row",
  browserTest,
  async () => {
    const home = await makeHome();
    await generate({ dir: home.claudeDir, events: 1500, seed: 21, baseTimeMs: Date.now() });
    const d = await serveReady(home);
    const w = await openPage();
    try {
      // The busiest generated session, as served: one row per call, every call on the page.
      const { sessions } = await (await fetch(`${d.url}/api/sessions?sort=tools&limit=1`)).json();
      const busy = sessions[0].session_id as string;
      await w.page.goto(`${d.url}/sessions/${busy}`, { waitUntil: "load" });
      const served = await renderedRows(w.page);
      assertOneRowEach(served, "served page");
      const api = await (await fetch(`${d.url}/api/sessions/${busy}/timeline`))
        .json() as TimelinePage;
      assert.equal(served.length, api.rows.length, "the page shows the twin's rows");
      const ids = api.rows.map((r) => r.tool_use_id).filter((x) => x !== null).sort();
      assert.deepEqual(served.map((r) => r.toolUseId).filter((x) => x !== null).sort(), ids);
      assert.ok(
        served.filter((r) => r.toolUseId && r.lines === 4).length > 5,
        "calls show their hook and transcript lines in one row",
      );
      // Expanding a row shows each of its lines with its raw JSON.
      const call = w.page.locator(`.timeline li.tl-row[data-tool-use-id="${ids[0]}"]`);
      await call.locator("details.tl-sources > summary").click();
      await w.page.waitForFunction(
        (id) => {
          const pres = document.querySelectorAll(
            `li[data-tool-use-id="${id}"] details.tl-sources[open] pre.raw-json`,
          );
          return pres.length > 1 &&
            [...pres].every((p) => (p.textContent ?? "").includes(`"${id}"`));
        },
        ids[0],
        { timeout: 2000 },
      );

      // A new session, fed live: the hook line first, then the transcript's.
      const sid = crypto.randomUUID();
      const cwd = "/tmp/timeline-live";
      const transcript = join(home.claudeDir, "projects/-tmp-timeline-live", `${sid}.jsonl`);
      await Deno.mkdir(join(transcript, ".."), { recursive: true });
      const hook = (p: Record<string, unknown> & { hook_event_name: string }) =>
        writeHook(home.claudeDir, { session_id: sid, cwd, transcript_path: transcript, ...p });
      const line = (o: Record<string, unknown>) =>
        Deno.writeTextFile(
          transcript,
          JSON.stringify({
            sessionId: sid,
            cwd,
            uuid: crypto.randomUUID(),
            timestamp: new Date().toISOString(),
            ...o,
          }) + "\n",
          { append: true },
        );
      const prompt = `list the files ${crypto.randomUUID().slice(0, 8)}`;
      await hook({ hook_event_name: "UserPromptSubmit", prompt });
      await waitFor(async () => (await fetch(`${d.url}/api/sessions/${sid}`)).status === 200);
      await w.page.goto(`${d.url}/sessions/${sid}`, { waitUntil: "load" });
      await w.page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });

      await line({ type: "user", message: { role: "user", content: prompt } });
      await waitForRows(w.page, (rows) => rows.some((r) => r.prompt && r.lines === 2));
      const toolId = `toolu_live_${crypto.randomUUID().slice(0, 8)}`;
      const input = { command: "ls" };
      await hook({
        hook_event_name: "PreToolUse",
        tool_name: "Bash",
        tool_input: input,
        tool_use_id: toolId,
      });
      await waitForRows(w.page, (rows) => rows.some((r) => r.toolUseId === toolId));
      await line({
        type: "assistant",
        requestId: "req_live_1",
        message: {
          id: "msg_live_1",
          role: "assistant",
          model: "claude-sonnet-4-5-20250929",
          content: [{ type: "tool_use", id: toolId, name: "Bash", input }],
          usage: { input_tokens: 10, output_tokens: 5 },
        },
      });
      await hook({
        hook_event_name: "PostToolUse",
        tool_name: "Bash",
        tool_input: input,
        tool_use_id: toolId,
        tool_response: { stdout: "a b c" },
      });
      await line({
        type: "user",
        message: {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: toolId, content: "a b c" }],
        },
      });
      await waitForRows(
        w.page,
        (rows) => rows.some((r) => r.toolUseId === toolId && r.lines === 4),
      );
      const live = await renderedRows(w.page);
      assertOneRowEach(live, "after live updates");
      assert.deepEqual(live.map((r) => [r.prompt, r.toolUseId, r.lines]), [
        [true, null, 2],
        [false, toolId, 4],
      ]);
      const row = w.page.locator(`.timeline li.tl-row[data-tool-use-id="${toolId}"]`);
      assert.match(await row.innerText(), /ok · /);
      assert.match(await row.locator(".tl-result").innerText(), /a b c/);
      await screenshot(w.page, "timeline-live-merged");
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
      await closeBrowser();
      await d.stop();
      await home.cleanup();
    }
  },
);

async function waitFor(ok: () => Promise<boolean>, ms = liveWaitMs): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForRows(page: Page, ok: (rows: Rendered) => boolean): Promise<void> {
  let last: Rendered = [];
  try {
    await waitFor(async () => ok(last = await renderedRows(page)));
  } catch {
    assert.fail(`the timeline did not get there: ${JSON.stringify(last)}`);
  }
}

// No page shows raw terminal escapes or slash-command markup: every page of the fixture home,
// plus an ANSI-laden hook payload and slash-command prompts written beside it, is read in real
// Chromium and its visible text must hold neither ESC nor "<command-"; slash commands show as
// a chip. One browser for the whole file.

import assert from "node:assert/strict";
import { join } from "node:path";
import { serveReady } from "../support/served.ts";
import { browserTest, closeBrowser, openPage } from "../support/browser.ts";
import { makeHome, writeFixtures, writeHook } from "../support/home.ts";

const sessionId = "c1ea7e57-0000-4000-8000-000000000015";
const cwd = "/tmp/clean-text";

/** A transcript of a slash command, its local output with escapes, and a hook with escapes. */
async function writeMarkup(claudeDir: string): Promise<void> {
  const base = {
    parentUuid: null,
    isSidechain: false,
    userType: "external",
    cwd,
    sessionId,
    version: "1.0.98",
  };
  const lines = [
    {
      ...base,
      type: "user",
      uuid: "c1-1",
      timestamp: "2025-09-03T00:50:00.000Z",
      message: {
        role: "user",
        content:
          "<command-message>init is analyzing your codebase…</command-message>\n<command-name>/init</command-name>\n<command-args>fast</command-args>",
      },
    },
    {
      ...base,
      type: "system",
      subtype: "local_command",
      uuid: "c1-2",
      timestamp: "2025-09-03T00:50:01.000Z",
      content:
        "<local-command-stdout>Set model to \u001b[1mDefault (Opus 4.1)\u001b[22m</local-command-stdout>",
    },
    {
      ...base,
      type: "system",
      uuid: "c1-3",
      timestamp: "2025-09-03T00:50:02.000Z",
      content: "Running \u001b[1mPostToolUse\u001b[22m hooks… \u001b[32mdone\u001b[39m",
    },
  ];
  const rel = join(claudeDir, "projects/-tmp-clean-text", `${sessionId}.jsonl`);
  await Deno.mkdir(join(claudeDir, "projects/-tmp-clean-text"), { recursive: true });
  await Deno.writeTextFile(rel, lines.map((l) => JSON.stringify(l) + "\n").join(""));
  const hook = { session_id: sessionId, cwd, transcript_path: rel };
  await writeHook(claudeDir, {
    ...hook,
    hook_event_name: "Notification",
    message: "Running \u001b[1mPostToolUse\u001b[22m hooks… \u001b]0;title\u0007",
  });
  await writeHook(claudeDir, {
    ...hook,
    hook_event_name: "PostToolUseFailure",
    tool_name: "Bash",
    tool_use_id: "toolu_clean_1",
    tool_input: { command: "npm test" },
    error: "\u001b[31mFAIL\u001b[39m src/app.test.ts",
  });
  await writeHook(claudeDir, {
    ...hook,
    hook_event_name: "UserPromptSubmit",
    prompt: "<command-name>/review</command-name><command-args>PR 12</command-args>",
  });
}

Deno.test(
  "no page shows an escape character or slash-command markup; slash commands show as chips",
  browserTest,
  async () => {
    const home = await makeHome();
    await writeFixtures(home.claudeDir);
    await writeMarkup(home.claudeDir);
    const d = await serveReady(home);
    try {
      const list = await (await fetch(`${d.url}/api/sessions?limit=200`)).json() as {
        sessions: Array<{ session_id: string }>;
      };
      assert.ok(list.sessions.some((s) => s.session_id === sessionId), "the markup session");
      const paths = [
        "/",
        "/sessions",
        "/sessions?limit=200",
        "/events",
        "/events?q=PostToolUse",
        "/events?q=Would",
        "/events?q=init",
        "/tools",
        "/usage",
        "/alerts",
        "/settings",
        "/health",
        ...list.sessions.map((s) => `/sessions/${encodeURIComponent(s.session_id)}`),
      ];
      const w = await openPage();
      try {
        for (const path of paths) {
          const res = await w.page.goto(d.url + path, { waitUntil: "load" });
          assert.equal(res?.status(), 200, `${path} answered ${res?.status()}`);
          await w.page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
          const text = await w.page.evaluate(() => document.title + "\n" + document.body.innerText);
          assert.ok(!text.includes("\u001b"), `${path} shows an escape character`);
          assert.ok(!text.includes("<command-"), `${path} shows slash-command markup`);
          assert.ok(!text.includes("<local-command-"), `${path} shows local-command markup`);
        }
        await w.page.goto(`${d.url}/sessions/${sessionId}`, { waitUntil: "load" });
        assert.equal(
          (await w.page.textContent("#first-prompt code.slash"))?.trim(),
          "/init",
          "the session header shows the command as a chip",
        );
        assert.match((await w.page.textContent("#first-prompt")) ?? "", /\/init\s+fast/);
        // The texts are shown, only clean: the checks above had something to look at.
        const shown = await w.page.evaluate(() => document.body.innerText);
        for (const want of ["Running PostToolUse hooks… done", "Set model to Default (Opus 4.1)"]) {
          assert.ok(shown.includes(want), `the session page shows "${want}"`);
        }
        await w.page.goto(`${d.url}/sessions?limit=200`, { waitUntil: "load" });
        const chips = await w.page.$$eval("code.slash", (els) => els.map((e) => e.textContent));
        assert.ok(chips.includes("/init"), `chips in the list: ${chips.join(", ")}`);
        assert.deepEqual(w.errors, []);
      } finally {
        await w.close();
      }
    } finally {
      await d.stop();
      await home.cleanup();
      await closeBrowser();
    }
  },
);

import assert from "node:assert/strict";
import { serveReady } from "../support/served.ts";
import { browserTest, closeBrowser, openPage, screenshot } from "../support/browser.ts";
import { makeHome, writeHook } from "../support/home.ts";
import { join } from "node:path";

Deno.test(
  "an overview opened on an empty ~/.claude explains what is read, then shows the board by itself once data arrives",
  browserTest,
  async () => {
    const home = await makeHome();
    const d = await serveReady(home);
    const w = await openPage();
    try {
      await w.page.goto(`${d.url}/`);
      await w.page.waitForSelector("#empty-state");
      await w.page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      await writeHook(home.claudeDir, {
        hook_event_name: "UserPromptSubmit",
        session_id: "first-session",
        cwd: "/work/first",
        prompt: "hello from the first session",
      });
      await w.page.waitForSelector('#sessions tr[data-session-id="first-session"]', {
        timeout: 5000,
      });
      assert.equal(await w.page.locator("#empty-state").count(), 0);
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
      await closeBrowser();
      await d.stop();
      await home.cleanup();
    }
  },
);

Deno.test(
  "a brand-new user is offered the demo, the doctor and this checkout's hook command, and /health waits instead of showing a green ok",
  browserTest,
  async () => {
    const home = await makeHome();
    // Claude Code has never run here: no projects/ folder yet.
    await Deno.remove(join(home.claudeDir, "projects"));
    const d = await serveReady(home);
    const checkout = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
    const w = await openPage();
    try {
      const page = w.page;
      await page.goto(`${d.url}/`);
      await page.waitForSelector("#empty-state #first-run");
      assert.equal(await page.innerText("#first-run-demo"), "deno task demo");
      assert.equal(await page.innerText("#first-run-doctor"), "deno task doctor");
      const hook = await page.innerText("#first-run-hook");
      assert.ok(hook.startsWith("deno run --no-config "), hook);
      assert.ok(hook.endsWith(` ${checkout}/main.ts hook`), hook);
      await page.click("#first-run .first-run-json summary");
      const block = JSON.parse(await page.innerText("#first-run-hook-json"));
      assert.equal(block.hooks.Stop[0].hooks[0].command, hook);
      await screenshot(page, "first-run-overview");

      await page.goto(`${d.url}/health`);
      await page.waitForSelector('#health-status[data-status="waiting"]');
      assert.equal(await page.innerText("#health-status"), "waiting for data");
      const green = await page.$eval("#health-status", (e) => e.classList.contains("ok"));
      assert.equal(green, false, "not green");
      assert.match(
        await page.innerText("#health-waiting-reason"),
        /projects does not exist yet.*no hook logs/s,
      );
      assert.match(await page.innerText("#health-roots"), /no projects\/ folder yet/);
      assert.doesNotMatch(await page.innerText("#health-roots"), /\b0 transcripts\b/);
      assert.equal(await page.locator("#first-run").count(), 1);
      await screenshot(page, "first-run-health");

      // The first hook payload arrives: the status turns ok by itself.
      await page.waitForSelector('.conn[data-state="live"]', { timeout: 5000 });
      await writeHook(home.claudeDir, {
        hook_event_name: "UserPromptSubmit",
        session_id: "first-session",
        cwd: "/work/first",
        prompt: "hello",
      });
      await page.waitForSelector('#health-status[data-status="ok"]', { timeout: 10_000 });
      assert.equal(await page.locator("#health-waiting-reason").count(), 0);
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
      await closeBrowser();
      await d.stop();
      await home.cleanup();
    }
  },
);

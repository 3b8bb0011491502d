import assert from "node:assert/strict";
import { startDashboard } from "../../src/commands/dashboard.ts";
import { closeBrowser, openPage } from "../support/browser.ts";
import { makeHome, writeHook } from "../support/home.ts";

Deno.test(
  "an overview opened on an empty ~/.claude explains what is read, then shows the board by itself once data arrives",
  { sanitizeResources: false, sanitizeOps: false },
  async () => {
    const home = await makeHome();
    const d = startDashboard({ claudeDir: home.claudeDir, dbPath: home.dbPath, port: 0 });
    await d.ingester.ready;
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

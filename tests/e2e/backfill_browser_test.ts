// The backfill progress bar as a person sees it: a real server (tests/support/served.ts) over a
// generated tree big enough to take a few seconds; /health and the overview show an accessible
// progress bar from their first paint, it moves over the live stream, and it goes away by
// itself once the backfill is done.

import assert from "node:assert/strict";
import { spawnServer } from "../support/served.ts";
import { browserTest, closeBrowser, openPage, screenshot } from "../support/browser.ts";
import { makeHome } from "../support/home.ts";
import { generate } from "../../src/demo/workload.ts";

/** Events of the generated tree (~120 MiB of realistic transcripts and hook files). */
const treeEvents = 80_000;

Deno.test(
  "while the first backfill runs /health and the overview show a progress bar that moves live and disappears when done",
  browserTest,
  async () => {
    const home = await makeHome();
    await generate({ dir: home.claudeDir, events: treeEvents, seed: 181, realistic: true });
    const server = await spawnServer(home.home, { args: ["--rate-limit", "0"] });
    const health = await openPage();
    const overview = await openPage();
    try {
      await health.page.goto(`${server.url}/health`);
      const bar = health.page.locator('#backfill-progress [role="progressbar"]');
      await bar.waitFor({ timeout: 10_000 });
      assert.equal(await bar.getAttribute("aria-valuemin"), "0");
      assert.equal(await bar.getAttribute("aria-valuemax"), "100");
      const first = await bar.getAttribute("aria-valuetext");
      assert.match(first ?? "", /files/);
      assert.match(await health.page.innerText("#backfill-progress"), /Indexing/);
      await screenshot(health.page, "backfill-progress-health");

      await overview.page.goto(`${server.url}/`);
      const ready = await overview.page.locator("#backfill-progress").count();
      const api = await (await fetch(`${server.url}/api/health`)).json();
      // The overview shows the bar unless the backfill ended between the two page loads.
      if (api.backfill?.phase !== "done") assert.equal(ready, 1, "the overview shows the bar");

      // It moves without a reload: the files done change over the live stream.
      await health.page.waitForFunction(
        (was) => {
          const el = document.querySelector('#backfill-progress [role="progressbar"]');
          return el === null || el.getAttribute("aria-valuetext") !== was;
        },
        first,
        { timeout: 60_000, polling: 100 },
      );

      // And goes away by itself once the backfill is done, on both pages.
      await health.page.locator("#backfill-progress").waitFor({
        state: "detached",
        timeout: 180_000,
      });
      // (A page busy drawing the backfilled events it is sent may take a while to get there.)
      await overview.page.locator("#backfill-progress").waitFor({
        state: "detached",
        timeout: 60_000,
      });
      const done = await (await fetch(`${server.url}/api/health`)).json();
      assert.equal(done.backfill.phase, "done");
      assert.equal(done.ingest.backfilled, true);
      assert.deepEqual(health.errors, []);
      assert.deepEqual(overview.errors, []);
    } finally {
      await health.close();
      await overview.close();
      await closeBrowser();
      await server.stop();
      await home.cleanup();
    }
  },
);

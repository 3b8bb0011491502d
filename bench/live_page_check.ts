// One figure on its own: write → row in Chromium at a given rate on the overview page, with
// everything else of the bench left out (for comparing two builds quickly).
//   deno run -A bench/live_page_check.ts [rate] [seconds] [path]

import { join } from "node:path";
import { generate } from "../src/demo/workload.ts";
import { startServer } from "./procs.ts";
import { liveRun } from "./live_bench.ts";
import { percentiles } from "./stats.ts";
import { closeBrowser, openPage } from "../tests/support/browser.ts";

const rate = Number(Deno.args[0] ?? 100);
const seconds = Number(Deno.args[1] ?? 20);
const path = Deno.args[2] ?? "/";
const base = await Deno.makeTempDir({ prefix: "claude-dash-livecheck-" });
const claudeDir = join(base, "live/.claude");
const dbPath = join(base, "db/live.db");
await generate({
  dir: claudeDir,
  events: 3000,
  seed: 4,
  baseTimeMs: Date.now() - 60_000,
  spanMs: 6 * 3_600_000,
});
const server = await startServer({ claudeDir, dbPath });
await server.backfillDone(60_000);
const watched = await openPage();
try {
  await watched.page.goto(server.url + path);
  await watched.page.waitForSelector('.conn[data-state="live"]', { timeout: 10_000 });
  const r = await liveRun({
    url: server.url,
    claudeDir,
    dbPath,
    rate,
    seconds,
    clients: 1,
    seed: 40 + rate,
    scratchDir: base,
    page: watched.page,
  });
  const frame = percentiles(r.frameMs);
  const dom = percentiles(r.domMs);
  console.log(
    `${path} at ${rate} events/s, ${r.frameMs.length} rows: write → frame p50 ${
      frame.p50.toFixed(1)
    } ms, p99 ${frame.p99.toFixed(1)} ms; DOM p50 ${dom.p50.toFixed(1)} ms`,
  );
  if (watched.errors.length) console.log("browser errors:", watched.errors.join(" | "));
} finally {
  await watched.close();
  await closeBrowser();
  await server.stop();
  await Deno.remove(base, { recursive: true }).catch(() => {});
}

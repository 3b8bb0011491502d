// Issue 18: while the usage-first pass runs, the dashboard's progress provider (what
// /api/health's `backfill` and the live progress bar read, src/commands/db_stack.ts) shows it
// (phase "usage"); once the pass and the backfill after it are done, it says "done". And a
// server under the start task's exact sandbox (tests/support/served.ts), which may not read
// its own checkout, still reads with two threads: the Worker starts from the embedded bundle.

import assert from "node:assert/strict";
import { generate } from "../src/demo/workload.ts";
import { buildStack } from "../src/commands/db_stack.ts";
import { LiveBus } from "../src/live/bus.ts";
import { openDb } from "../src/store/db.ts";
import { DbMonitor } from "../src/store/db_health.ts";
import type { BackfillProgress } from "../src/core/progress.ts";
import { makeHome, type TestHome } from "./support/home.ts";
import { spawnServer } from "./support/served.ts";

/** A cold tree above usageWorkerMinBytes (16 MiB), so the pass starts its Worker. */
function fill(h: TestHome, events: number) {
  return generate({
    dir: h.claudeDir,
    events,
    seed: 11,
    sessions: 30,
    hookShare: 0,
    spanMs: 5 * 86_400_000,
    streamingDuplicates: true,
    realistic: true,
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test('/api/health\'s backfill phase is "usage" during the usage-first pass, then "done"', async () => {
  const h = await makeHome();
  try {
    await fill(h, 2000);
    await Deno.mkdir(`${h.claudeDir}/claude-dash`, { recursive: true });
    const db = openDb(h.dbPath);
    const monitor = new DbMonitor(h.dbPath);
    monitor.opened();
    const bus = new LiveBus();
    // The app's /api/health reads StackParts.backfillProgress (src/http/routes/health.tsx).
    const stack = buildStack(
      {
        claudeDir: h.claudeDir,
        dbPath: h.dbPath,
        watch: false,
        bus,
        monitor,
        app: (p) => ({ fetch: () => Response.json({ backfill: p.backfillProgress() }) }),
      },
      db,
      false,
    );
    const phase = async (): Promise<BackfillProgress["phase"] | undefined> => {
      const res = await stack.fetch(new Request("http://127.0.0.1/api/health"), {
        remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
        completed: Promise.resolve(),
      });
      return (await res.json()).backfill?.phase;
    };
    try {
      stack.start();
      // run() has started (synchronously) and is listing the files: the bar shows the pass.
      assert.equal(await phase(), "usage");
      await stack.ingester.ready;
      await until("the phase done", async () => (await phase()) === "done");
    } finally {
      await stack.stop();
      db.close();
    }
  } finally {
    await h.cleanup();
  }
});

Deno.test("under the start task's sandbox the usage-first pass reads with its Worker (2 threads)", async () => {
  const h = await makeHome();
  try {
    await fill(h, 10_000); // ~20 MB
    const s = await spawnServer(h.home);
    try {
      await until("usage ready", () => /usage ready in/.test(s.output()));
      const line = /usage ready in .*/.exec(s.output())?.[0] ?? "";
      assert.match(line, /in 1 workers \(bundled\)/, s.output());
      await until("the backfill", async () => {
        const res = await fetch(`${s.url}/api/health`);
        const body = await res.json();
        return body?.backfill?.phase === "done";
      });
    } finally {
      await s.stop();
    }
  } finally {
    await h.cleanup();
  }
});

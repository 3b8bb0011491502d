// The test harness's server (tests/support/served.ts) is the one users run: the process really
// runs under the start task's flags (as the real launcher prints them, and as the kernel shows
// its command line), sees only the start task's environment, and settled() waits for files
// written after start. No test here starts a server in process any more, and none may again.

import assert from "node:assert/strict";
import { join } from "node:path";
import { launchArgs } from "../../scripts/launch.ts";
import { makeHome, writeHook } from "../support/home.ts";
import { serveReady, withServed } from "../support/served.ts";
import { denoDir, launchedArgs } from "../support/tasks.ts";
import { count } from "../support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test(
  "a served server runs under exactly the start task's flags plus the extra main.ts args, with only HOME visible",
  opts,
  async () => {
    const h = await makeHome();
    try {
      const s = await serveReady(h, { args: ["--rate-limit", "0"] });
      try {
        const extra = ["--port", "0", "--rate-limit", "0"];
        assert.deepEqual(s.argv, launchArgs("start", { HOME: h.home }, extra));
        // The real launcher, run the way `deno task start` runs it, prints the same command.
        assert.deepEqual(s.argv, [...await launchedArgs("start", h.home), ...extra]);
        assert.equal(s.argv.filter((a) => a === "-A" || a === "--allow-all").length, 0);
        // The running process itself, as the kernel knows it (not just what was asked for).
        const cmdline = (await Deno.readTextFile(`/proc/${s.pid}/cmdline`)).split("\0");
        assert.deepEqual(cmdline.slice(1, 1 + s.argv.length), s.argv);
        assert.deepEqual(Object.keys(s.env).sort(), ["DENO_DIR", "HOME", "NO_COLOR"]);
        assert.equal(s.env.DENO_DIR, await denoDir());
        assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(s.port, Number(new URL(s.url).port));
        assert.match(s.output(), /claude-dash serving http:\/\/127\.0\.0\.1:\d+\//);
        assert.equal((await s.ingest()).backfilled, true);
      } finally {
        assert.equal(await s.stop(), 0, "SIGTERM ends it with code 0");
      }
      assert.equal(
        await s.stop(),
        0,
        "a second stop() is harmless and reports the same code",
      );
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test(
  "settled() returns only once a hook file written after start is stored and served",
  opts,
  async () => {
    await withServed(async () => {}, async (s, h) => {
      for (const session of ["settle-1", "settle-2"]) {
        await writeHook(h.claudeDir, { hook_event_name: "Notification", session_id: session });
        await s.settled();
        assert.equal(
          count(s.db, `SELECT count(*) AS n FROM events WHERE session_id = '${session}'`),
          1,
        );
        const res = await fetch(`${s.url}/api/events?session=${session}&limit=5`);
        assert.match(await res.text(), new RegExp(session));
      }
      const ing = await s.ingest();
      assert.ok(ing.scansDone >= 2 && ing.scansDone <= ing.scans, JSON.stringify(ing));
    });
  },
);

Deno.test(
  "no end-to-end test or browser helper starts the dashboard in process (they use served servers)",
  async () => {
    const e2e = new URL(".", import.meta.url).pathname;
    const files = [...Deno.readDirSync(e2e)].filter((e) => e.name.endsWith(".ts"))
      .map((e) => join(e2e, e.name));
    files.push(new URL("../support/browser.ts", import.meta.url).pathname);
    const inProcess = /\b(startDashboard|startReady|withDashboard)\b|support\/dashboard\.ts/;
    const offenders = [];
    for (const file of files) {
      // (This file names them only inside the pattern above.)
      if (file === new URL(import.meta.url).pathname) continue;
      if (inProcess.test(await Deno.readTextFile(file))) offenders.push(file);
    }
    assert.deepEqual(offenders, []);
  },
);

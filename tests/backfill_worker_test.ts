// The first backfill in a Worker that exits (issue 18): it stores exactly what the in-process
// backfill stores, a stop in the middle loses and doubles nothing, files written while it runs
// are picked up once, its progress is reported, and under the server's own sandbox (the worker
// starts from the embedded bundle) bad files still show as errors on /api/health.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Ingester } from "../src/ingest/ingester.ts";
import { startBackfillWorker } from "../src/ingest/backfill_host.ts";
import type { StartBackfill } from "../src/ingest/backfill_messages.ts";
import { type Db, openDb } from "../src/store/db.ts";
import { generate } from "../src/demo/workload.ts";
import type { CommitResult } from "../src/store/write/writer.ts";
import { makeHome, type TestHome, writeFixtures, writeHook } from "./support/home.ts";
import { serveReady } from "./support/served.ts";
import { count, waitFor } from "./support/wait.ts";
import { assertSameContents } from "./support/contents.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** A home with the fixtures and a generated workload of hooks (both payload shapes) and
 * transcripts: a backfill of some thousand files. */
async function bigHome(events: number): Promise<TestHome & AsyncDisposable> {
  const home = await makeHome();
  await writeFixtures(home.claudeDir);
  await generate({ dir: home.claudeDir, events, seed: 7, hookShare: 0.6, idlessHooks: 0.5 });
  return { ...home, [Symbol.asyncDispose]: () => home.cleanup() };
}

function ingester(
  home: TestHome,
  db: Db,
  dbPath: string | null,
  onCommit?: (r: CommitResult) => void,
  start: StartBackfill = startBackfillWorker,
): Ingester {
  return new Ingester({
    claudeDir: home.claudeDir,
    db,
    watch: false,
    backfillWorker: dbPath ? { dbPath, start } : undefined,
    onCommit,
  });
}

/** startBackfillWorker, counting the workers started in `n.started`. */
function counted(n: { started: number }): StartBackfill {
  return (s, h) => {
    n.started++;
    return startBackfillWorker(s, h);
  };
}

Deno.test(
  "a backfill in the worker stores exactly what the in-process backfill stores",
  opts,
  async () => {
    await using home = await bigHome(3000);
    await Deno.writeTextFile(join(home.claudeDir, "hooks/logs/raw_json/bad.json"), "{ not json");
    const dbA = openDb(join(home.home, "a.db"));
    const dbBPath = join(home.home, "b.db");
    const dbB = openDb(dbBPath);
    try {
      const a = ingester(home, dbA, null);
      a.start();
      await a.ready;
      await a.stop();
      const delivered: CommitResult[] = [];
      const b = ingester(home, dbB, dbBPath, (r) => delivered.push(r));
      b.start();
      await b.ready;
      const progress = b.progress();
      await b.stop();
      const ca = assertSameContents(dbB, dbA);
      assert.ok(ca.events.length > 3000, `events: ${ca.events.length}`);
      assert.ok(ca.errors.some((e) => (e as { path: string }).path.endsWith("/bad.json")));
      // Live delivery saw every stored event once, through the main thread's onCommit.
      const ids = delivered.flatMap((r) => r.events.map((e) => e.id));
      assert.equal(new Set(ids).size, ids.length);
      assert.equal(ids.length, ca.events.length);
      assert.equal(b.stats.eventsStored, ca.events.length);
      // Progress: the worker's figures, then done.
      assert.ok(progress);
      assert.equal(progress.phase, "done");
      assert.ok(progress.filesTotal > 1000 && progress.filesDone === progress.filesTotal);
      assert.ok(progress.bytesDone > 0 && progress.bytesDone === progress.bytesTotal);
      assert.ok(progress.finishedAtMs !== null && progress.mbPerSec !== null);
    } finally {
      dbA.close();
      dbB.close();
    }
  },
);

Deno.test(
  "after the worker's pass the main thread knows every file it read: a new hook file is the only one read next",
  opts,
  async () => {
    await using home = await bigHome(3000);
    const dbPath = join(home.home, "w.db");
    const db = openDb(dbPath);
    try {
      const ing = ingester(home, db, dbPath);
      ing.start();
      await ing.ready;
      const hooks = count(db, "SELECT count(*) AS n FROM files WHERE kind = 'hook'");
      assert.ok(hooks > 1000, `${hooks} hook files`);
      // Each file read once: by the worker, none again by this thread after it.
      const before = ing.stats.filesRead;
      assert.equal(before, count(db, "SELECT count(*) AS n FROM files"));
      // The hook folder changes: listed again (once the last listing's reuse budget, 0.05 ms an
      // entry, has passed), and every name in it checked against what the worker handed over
      // (a set that lost them would read them all again).
      await new Promise((r) => setTimeout(r, 500));
      await writeHook(home.claudeDir, {
        hook_event_name: "Notification",
        session_id: "after-backfill",
        message: "one more",
      });
      await ing.rescan();
      await ing.stop();
      assert.equal(ing.stats.filesRead - before, 1);
      assert.equal(
        count(db, "SELECT count(*) AS n FROM events WHERE session_id = 'after-backfill'"),
        1,
      );
    } finally {
      db.close();
    }
  },
);

Deno.test(
  "a stop during the worker's backfill, then a restart, loses and doubles nothing",
  opts,
  async () => {
    // Large enough for several of the worker's batches (backfillBatchFiles files each).
    await using home = await bigHome(6000);
    const ref = openDb(join(home.home, "ref.db"));
    const dbPath = join(home.home, "w.db");
    try {
      const r = ingester(home, ref, null);
      r.start();
      await r.ready;
      await r.stop();
      const db = openDb(dbPath);
      let first: Ingester | null = null;
      const stopped = new Promise<void>((resolve) => {
        first = ingester(home, db, dbPath, () => {
          if (first && first.stats.commits >= 1) void first.stop().then(resolve);
        });
        first.start();
      });
      await stopped;
      const partial = count(db, "SELECT count(*) AS n FROM events");
      const total = count(ref, "SELECT count(*) AS n FROM events");
      assert.ok(partial > 0 && partial < total, `stored ${partial} of ${total} before the stop`);
      // The first backfill did not complete: the restart's goes on in a worker again.
      const workers = { started: 0 };
      const again = ingester(home, db, dbPath, undefined, counted(workers));
      again.start();
      await again.ready;
      await again.stop();
      assert.equal(workers.started, 1);
      assertSameContents(db, ref);
      db.close();
    } finally {
      ref.close();
    }
  },
);

Deno.test(
  "once a first backfill has completed, a restart checks what changed on this thread, with no worker",
  opts,
  async () => {
    await using home = await bigHome(500);
    const dbPath = join(home.home, "w.db");
    const db = openDb(dbPath);
    const workers = { started: 0 };
    const run = async () => {
      const ing = ingester(home, db, dbPath, undefined, counted(workers));
      ing.start();
      await ing.ready;
      await ing.stop();
      return ing;
    };
    try {
      await run();
      assert.equal(workers.started, 1);
      await writeHook(home.claudeDir, {
        hook_event_name: "Notification",
        session_id: "while-stopped",
        message: "written while the dashboard was not running",
      });
      const second = await run();
      assert.equal(workers.started, 1);
      assert.equal(second.stats.filesRead, 1);
      assert.equal(
        count(db, "SELECT count(*) AS n FROM events WHERE session_id = 'while-stopped'"),
        1,
      );
    } finally {
      db.close();
    }
  },
);

Deno.test("files written while the worker backfills are stored once", opts, async () => {
  await using home = await bigHome(3000);
  const dbPath = join(home.home, "w.db");
  const db = openDb(dbPath);
  try {
    let written: Promise<void> | null = null;
    const ing = ingester(home, db, dbPath, () => {
      written ??= (async () => {
        for (let i = 0; i < 40; i++) {
          await writeHook(home.claudeDir, {
            hook_event_name: "Notification",
            session_id: "during-backfill",
            message: `written during the backfill ${i}`,
          });
        }
      })();
    });
    ing.start();
    await waitFor(() => written !== null, 30_000, "a first commit");
    await written;
    await ing.ready;
    await ing.stop();
    const n = count(
      db,
      "SELECT count(*) AS n FROM events WHERE session_id = 'during-backfill'",
    );
    assert.equal(n, 40);
    const keys = count(db, "SELECT count(DISTINCT key) AS n FROM events");
    assert.equal(keys, count(db, "SELECT count(*) AS n FROM events"));
  } finally {
    db.close();
  }
});

Deno.test(
  "under the server's sandbox the worker backfills, and a bad file shows on /api/health",
  opts,
  async () => {
    const home = await makeHome();
    await writeFixtures(home.claudeDir);
    await Deno.writeTextFile(join(home.claudeDir, "hooks/logs/raw_json/bad.json"), "{ not json");
    const served = await serveReady(home);
    try {
      const health = await served.health();
      const recent = health.recent_errors;
      assert.ok(Array.isArray(recent));
      assert.ok(
        recent.some((e) =>
          typeof e === "object" && e !== null && "path" in e &&
          e.path === "hooks/logs/raw_json/bad.json"
        ),
        JSON.stringify(recent),
      );
      assert.ok(count(served.db, "SELECT count(*) AS n FROM events") > 100);
      assert.doesNotMatch(served.output(), /backfill worker (crashed|failed|stopped)/);
    } finally {
      await served.stop();
      await home.cleanup();
    }
  },
);

Deno.test(
  "while the worker backfills, the main connection leaves checkpoints to it, and gets them back after",
  opts,
  async () => {
    await using home = await bigHome(3000);
    const dbPath = join(home.home, "w.db");
    const db = openDb(dbPath);
    const autoCheckpoint = () =>
      (db.prepare("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number })
        .wal_autocheckpoint;
    try {
      const before = autoCheckpoint();
      const during: number[] = [];
      const r = ingester(home, db, dbPath, () => during.push(autoCheckpoint()));
      r.start();
      await r.ready;
      await r.stop();
      assert.ok(during.length > 0, "batches were delivered");
      assert.ok(during.every((n) => n === 0), `during: ${during.join(",")}`);
      assert.equal(autoCheckpoint(), before);
      // The worker left no WAL behind (it truncates it when done).
      assert.equal((await Deno.stat(`${dbPath}-wal`).catch(() => ({ size: 0 }))).size, 0);
    } finally {
      db.close();
    }
  },
);

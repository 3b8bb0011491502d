// The database-health state machine and the error classification, in process on real SQLite
// files: SQLite's own SQLITE_FULL (a max_page_count the file has reached), SQLITE_READONLY (a
// read-only connection), SQLITE_NOTADB / SQLITE_CORRUPT (garbage bytes), a file deleted under
// its connection; the ingester's back-off on a refused batch; the supervisor's repairs; and an
// export that must end broken, never as a clean short file.

import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Db, inTransaction, openDb } from "../src/store/db.ts";
import {
  classifyDbError,
  dbBackoffMs,
  dbRetryMaxMs,
  retriesInPlace,
} from "../src/core/db_health.ts";
import {
  asidePath,
  DbMonitor,
  openChecked,
  quickCheck,
  restoreTo,
} from "../src/store/db_health.ts";
import { DbSupervisor } from "../src/commands/db_supervisor.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { LiveBus } from "../src/live/bus.ts";
import { createApp } from "../src/http/app.ts";
import { exportEventsStream } from "../src/domain/export.ts";
import { writeSeed } from "./unit/support/seed.ts";
import { fixturesDir, makeHome, type TestHome, writeHook } from "./support/home.ts";
import { waitFor } from "./support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const secret = "db-health-test-secret-0123456789abcdefghij";

/** The error `fn` throws (it must throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

/** Counts the lines written to stderr (where log.error goes) while `fn` runs. */
async function stderrLines<T>(fn: () => T | Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    return { value: await fn(), lines };
  } finally {
    console.error = original;
  }
}

/** A database that cannot grow: SQLite answers the next new page with SQLITE_FULL. */
function capPages(db: Db): void {
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const pages = Number(Object.values(db.prepare("PRAGMA page_count").get()!)[0]);
  db.exec(`PRAGMA max_page_count = ${pages}`);
}

function uncapPages(db: Db): void {
  db.exec("PRAGMA max_page_count = 1073741823");
}

async function withHome(fn: (h: TestHome) => void | Promise<void>): Promise<void> {
  const h = await makeHome();
  try {
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

const eventCount = (db: Db) =>
  Number(Object.values(db.prepare("SELECT count(*) FROM events").get()!)[0]);

Deno.test("a full database (SQLITE_FULL) is disk_full, and its failed transaction throws that, not 'cannot rollback'", async () => {
  await withHome((h) => {
    const db = openDb(h.dbPath);
    db.exec("CREATE TABLE filler(x)");
    capPages(db);
    const e = thrown(() =>
      inTransaction(db, () => {
        for (let i = 0; i < 100; i++) {
          db.prepare("INSERT INTO filler VALUES (?)").run("x".repeat(4000));
        }
      })
    );
    assert.match(e instanceof Error ? e.message : "", /database or disk is full/);
    assert.equal(classifyDbError(e), "disk_full");
    assert.ok(retriesInPlace("disk_full"));
    db.close();
  });
});

Deno.test("a write on a read-only connection is read_only; garbage instead of a database is corrupt", async () => {
  await withHome(async (h) => {
    openDb(h.dbPath).close();
    const ro = new DatabaseSync(h.dbPath, { readOnly: true });
    assert.equal(classifyDbError(thrown(() => ro.exec("CREATE TABLE t(x)"))), "read_only");
    ro.close();
    const junk = join(h.home, "junk.db");
    await Deno.writeTextFile(junk, "not a database at all ".repeat(500));
    assert.equal(classifyDbError(thrown(() => openDb(junk))), "corrupt");
  });
});

Deno.test("file-system errors name their cause, and anything else is a plain error", () => {
  assert.equal(classifyDbError(new Error("Read-only file system (os error 30)")), "read_only");
  assert.equal(classifyDbError(new Error("No space left on device (os error 28)")), "disk_full");
  assert.equal(classifyDbError(new Error("database disk image is malformed")), "corrupt");
  assert.equal(classifyDbError(new TypeError("x is undefined")), "error");
});

Deno.test("the back-off doubles from 0.5 s up to a 30 s ceiling", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(dbBackoffMs), [
    500,
    1000,
    2000,
    4000,
    8000,
    16000,
    30000,
  ]);
  assert.equal(dbBackoffMs(100), dbRetryMaxMs);
});

Deno.test("the monitor logs one line per change of state, not per retry, and holds writes until the back-off passes", async () => {
  const m = new DbMonitor("/nowhere/claude-dash.db", 0);
  const full = Object.assign(new Error("database or disk is full"), { errcode: 13 });
  let now = 1000;
  const { lines } = await stderrLines(() => {
    for (let i = 0; i < 50; i++, now += 100) m.failed(full, now);
  });
  assert.equal(lines.length, 1, lines.join("\n"));
  const s = m.snapshot();
  assert.equal(s.state, "disk_full");
  // Over 5 s: tries at 0, 0.5, 1.5, 3.5 s count; failures before a try is due do not.
  assert.equal(s.retries, 4);
  assert.match(s.fix ?? "", /free space/);
  assert.equal(m.ready(now), false);
  assert.equal(m.ready(now + dbRetryMaxMs), true);
  m.succeeded(2000);
  assert.equal(m.snapshot().state, "ok");
  assert.equal(m.ready(2000), true);
  // A read-only database is not retried in place: only a new connection can fix it.
  m.failed(Object.assign(new Error("attempt to write a readonly database"), { errcode: 8 }), 3000);
  assert.equal(m.ready(3000 + dbRetryMaxMs), false);
});

Deno.test(
  "ingest refused by a full database waits its back-off (no busy loop) and stores every event once space returns",
  opts,
  async () => {
    await withHome(async (h) => {
      const db = openDb(h.dbPath);
      const monitor = new DbMonitor(h.dbPath);
      monitor.opened();
      const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false, gate: monitor });
      ingester.start();
      await ingester.ready;
      capPages(db);
      for (let i = 0; i < 30; i++) {
        await writeHook(h.claudeDir, {
          hook_event_name: "Notification",
          session_id: `full-${i % 3}`,
          message: "x".repeat(2000),
        });
      }
      const { lines } = await stderrLines(async () => {
        await waitFor(() => monitor.state === "disk_full", 5000, "disk_full");
        await new Promise((r) => setTimeout(r, 2500));
      });
      // 0.5 + 1 + 2 s of back-off fit at most four attempts in 2.5 s; a busy loop makes hundreds.
      assert.ok(monitor.snapshot().retries <= 5, `attempts: ${monitor.snapshot().retries}`);
      assert.ok(lines.length <= 2, lines.join("\n"));
      uncapPages(db);
      await waitFor(() => monitor.state === "ok" && eventCount(db) === 30, 20_000, "all 30 stored");
      await ingester.stop();
      db.close();
    });
  },
);

Deno.test("a database deleted under its connection is noticed and written back with everything in it", async () => {
  await withHome(async (h) => {
    const db = openDb(h.dbPath);
    db.exec("CREATE TABLE kept(x)");
    db.exec("INSERT INTO kept VALUES (1), (2), (3)");
    const m = new DbMonitor(h.dbPath);
    m.opened();
    assert.equal(m.fileGone(), false);
    for (const s of ["", "-wal", "-shm"]) await Deno.remove(h.dbPath + s).catch(() => {});
    assert.equal(m.fileGone(), true);
    await restoreTo(db, h.dbPath);
    db.close();
    const back = openDb(h.dbPath);
    assert.equal(Number(Object.values(back.prepare("SELECT count(*) FROM kept").get()!)[0]), 3);
    back.close();
  });
});

/** A database with enough pages that garbage in its middle lands on b-tree pages. */
function bigDb(path: string): void {
  const db = openDb(path);
  db.exec("CREATE TABLE big(id INTEGER PRIMARY KEY, t TEXT)");
  db.exec("CREATE INDEX big_t ON big(t)");
  inTransaction(db, () => {
    const ins = db.prepare("INSERT INTO big(t) VALUES (?)");
    for (let i = 0; i < 3000; i++) ins.run(`row ${i} `.repeat(20));
  });
  db.close();
}

async function garbageInMiddle(path: string): Promise<void> {
  const size = (await Deno.stat(path)).size;
  const at = Math.floor(size / 2 / 4096) * 4096;
  const f = await Deno.open(path, { write: true });
  await f.seek(at, Deno.SeekMode.Start);
  await f.write(new Uint8Array(4096 * 4).fill(0xa5));
  f.close();
}

Deno.test("garbage in the middle of a database fails the start-up check: the file is moved aside and a fresh one opened", async () => {
  await withHome(async (h) => {
    bigDb(h.dbPath);
    await garbageInMiddle(h.dbPath);
    const m = new DbMonitor(h.dbPath);
    const { value: r } = await stderrLines(() => openChecked(m, Date.UTC(2026, 11, 7, 0, 15)));
    assert.ok("db" in r);
    assert.equal(quickCheck(r.db), null, "the fresh database is sound");
    const [incident] = m.snapshot().incidents;
    assert.equal(incident.state, "corrupt");
    assert.equal(incident.moved_to, asidePath(h.dbPath, Date.UTC(2026, 11, 7, 0, 15)));
    assert.match(incident.moved_to!, /claude-dash\.db\.corrupt-20261207T001500Z$/);
    assert.ok((await Deno.stat(incident.moved_to!)).size > 100_000, "moved, never deleted");
    assert.match(incident.lost ?? "", /acknowledgements/);
    r.db.close();
  });
});

Deno.test(
  "the supervisor moves aside a database a query found corrupt and swaps in a fresh one",
  opts,
  async () => {
    await withHome(async (h) => {
      let db = openDb(h.dbPath);
      const m = new DbMonitor(h.dbPath);
      m.opened();
      const sup = new DbSupervisor({
        monitor: m,
        current: () => ({ db, placeholder: false }),
        replace: (open) => {
          db.close();
          db = open();
          return Promise.resolve();
        },
      });
      const corrupt = Object.assign(new Error("database disk image is malformed"), { errcode: 11 });
      m.queryFailed(new Error("no such column: x"));
      assert.equal(m.state, "ok", "an ordinary query error is not the database's state");
      await stderrLines(async () => {
        m.queryFailed(corrupt);
        assert.equal(m.state, "corrupt");
        await sup.check(Date.now() + 1000); // its first tick after the back-off
      });
      assert.equal(m.state, "ok");
      const [incident] = m.snapshot().incidents;
      assert.ok(incident.moved_to && (await Deno.stat(incident.moved_to)).isFile);
      assert.equal(quickCheck(db), null);
      db.close();
    });
  },
);

Deno.test(
  "a read-only connection is replaced by a writable one once a write goes through",
  opts,
  async () => {
    await withHome(async (h) => {
      openDb(h.dbPath).close();
      let db: Db = new DatabaseSync(h.dbPath, { readOnly: true });
      const m = new DbMonitor(h.dbPath);
      m.opened();
      let replaced = 0;
      const sup = new DbSupervisor({
        monitor: m,
        current: () => ({ db, placeholder: false }),
        replace: (open) => {
          db.close();
          db = open();
          replaced++;
          return Promise.resolve();
        },
      });
      await stderrLines(() => m.failed(thrown(() => db.exec("CREATE TABLE t(x)")), Date.now()));
      assert.equal(m.state, "read_only");
      await sup.check(Date.now() + dbRetryMaxMs);
      assert.equal(replaced, 1);
      assert.equal(m.state, "ok");
      db.exec("CREATE TABLE t(x)"); // writable now
      db.close();
    });
  },
);

/** A seeded, ingested database (the routes tests' seed). */
async function seeded(h: TestHome): Promise<Db> {
  await writeSeed(h.claudeDir);
  const db = openDb(h.dbPath);
  const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false });
  ingester.start();
  await ingester.ready;
  await ingester.stop();
  return db;
}

Deno.test(
  "an export whose read fails part-way ends as a broken stream, never a clean short file",
  opts,
  async () => {
    await withHome(async (h) => {
      const db = await seeded(h);
      const total = eventCount(db);
      assert.ok(total > 4);
      const told: unknown[] = [];
      const stream = exportEventsStream(db, {
        format: "jsonl",
        filters: {},
        pageRows: 2,
        onDbError: (e) => told.push(e),
      });
      const reader = stream.getReader();
      assert.ok((await reader.read()).value, "a first page");
      db.close(); // the database goes away mid-export
      await stderrLines(() => assert.rejects(reader.read()));
      assert.equal(told.length, 1);
    });
  },
);

Deno.test(
  "an export that reads fewer rows than it counted ends broken (rows a damaged index skipped)",
  opts,
  async () => {
    await withHome(async (h) => {
      const db = await seeded(h);
      const stream = exportEventsStream(db, { format: "csv", filters: {}, pageRows: 1000 });
      // Rows vanish between the count and the pages, as rows behind a damaged index do.
      db.exec("DELETE FROM events WHERE id IN (SELECT id FROM events LIMIT 2)");
      const { value: err } = await stderrLines(() =>
        new Response(stream).text().then(() => null, (e) => e)
      );
      assert.match(err instanceof Error ? err.message : String(err), /export incomplete/);
      db.close();
    });
  },
);

Deno.test(
  "while the database is a stand-in (unopenable file), /api/export and POST /hooks are 503s and /api/health says why",
  opts,
  async () => {
    await withHome(async (h) => {
      const db = openDb(":memory:");
      const monitor = new DbMonitor(h.dbPath);
      await stderrLines(() =>
        monitor.failed(new Error("Read-only file system (os error 30)"), Date.now())
      );
      monitor.standIn();
      const app = createApp({
        db,
        bus: new LiveBus(),
        ingester: null,
        claudeDir: h.claudeDir,
        dbPath: h.dbPath,
        startedAt: Date.now(),
        rateLimitPerMin: 0,
        dbHealth: monitor,
        ingestSecret: secret,
      });
      const get = (path: string, accept = "application/json") =>
        app.request(`http://127.0.0.1${path}`, { headers: { Host: "127.0.0.1", Accept: accept } });
      const exp = await get("/api/export?format=csv");
      assert.equal(exp.status, 503);
      await exp.body?.cancel();
      const health = await (await get("/api/health")).json();
      assert.equal(health.status, "degraded");
      assert.equal(health.db.state, "read_only");
      assert.equal(health.db.open, false);
      const hook = await app.request("http://127.0.0.1/hooks", {
        method: "POST",
        headers: { Host: "127.0.0.1", Authorization: `Bearer ${secret}` },
        body: JSON.stringify({ hook_event_name: "Stop", session_id: "s1" }),
      });
      assert.equal(hook.status, 503, "nothing is stored into the stand-in");
      await hook.body?.cancel();
      const page = await (await get("/health", "text/html")).text();
      assert.match(page, /id="db-health"/);
      assert.match(page, /id="db-banner"/);
      db.close();
    });
  },
);

Deno.test(
  "a transcript's unterminated last line read while the database refused the batch is read again once it accepts",
  opts,
  async () => {
    await withHome(async (h) => {
      const fixture = join(fixturesDir, "transcripts/claude-code-log/session_b.jsonl");
      const lines = (await Deno.readTextFile(fixture)).split("\n").filter(Boolean).slice(0, 3);
      // Big enough that storing it needs new pages, which the capped database refuses.
      lines[2] = JSON.stringify({ ...JSON.parse(lines[2]), padding: "p".repeat(64 * 1024) });
      // The reference: the same three lines, terminated, stored in a database of their own.
      const refHome = join(h.home, "ref");
      await Deno.mkdir(join(refHome, "projects/-p"), { recursive: true });
      await Deno.writeTextFile(join(refHome, "projects/-p/s.jsonl"), lines.join("\n") + "\n");
      const ref = openDb(join(h.home, "ref.db"));
      const refIngester = new Ingester({ claudeDir: refHome, db: ref, watch: false });
      refIngester.start();
      await refIngester.ready;
      await refIngester.stop();
      const expected = eventCount(ref);
      ref.close();

      // The last line has no newline: it is stored once the file has been quiet for 5 s.
      const path = join(h.claudeDir, "projects/-p/s.jsonl");
      await Deno.mkdir(join(h.claudeDir, "projects/-p"), { recursive: true });
      await Deno.writeTextFile(path, lines.join("\n"));
      const mtime = new Date(Date.now() - 3500);
      await Deno.utime(path, mtime, mtime);
      const db = openDb(h.dbPath);
      const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false });
      ingester.start();
      await ingester.ready;
      assert.ok(eventCount(db) < expected, "the tail waits for the file to go quiet");
      capPages(db); // the tail's read (once quiet) is refused
      await stderrLines(() => new Promise((r) => setTimeout(r, 3000)));
      uncapPages(db);
      await waitFor(() => eventCount(db) === expected, 5000, "the refused tail stored");
      await ingester.stop();
      db.close();
    });
  },
);

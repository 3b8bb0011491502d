// Issue 18's usage-first pass: the pass followed by the normal backfill ends with the same
// rows as the backfill alone (messages, rollup_usage, sessions and the usage API's answer),
// on the repository's fixtures (with the real Claude Code 2.1.332 transcript) and on a
// generated tree with streaming snapshots; the pass answers the daily totals before the
// backfill starts; and it does not run on a database that already holds transcripts or whose
// first backfill has completed.

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { Ingester } from "../src/ingest/ingester.ts";
import { UsageFirst } from "../src/ingest/usage_first.ts";
import { PriceTable } from "../src/core/pricing.ts";
import { type Db, openDb } from "../src/store/db.ts";
import { usageBy } from "../src/store/read/usage.ts";
import { MetricsCollector } from "../src/http/routes/metrics.ts";
import { LiveBus } from "../src/live/bus.ts";
import {
  provisionalEventId,
  type ProvisionalMessage,
  provisionalRowsPerSlice,
  repairPendingRollup,
  settleProvisional,
  storeProvisional,
} from "../src/store/write/usage_first.ts";
import { generate } from "../src/demo/workload.ts";
import { fixturesDir, makeHome, writeFixtures, writeHook } from "./support/home.ts";

type Row = Record<string, unknown>;

/** A Claude directory with every fixture transcript, the 2.1.332 one and a generated tree. */
async function buildTree(claudeDir: string): Promise<void> {
  await writeFixtures(claudeDir);
  const past = new Date(Date.now() - 3600_000);
  const rel = "projects/-tmp-claude-home-project/c2b0afd1-c003-470b-bcb7-bf9c21ce4c31.jsonl";
  await Deno.mkdir(dirname(join(claudeDir, rel)), { recursive: true });
  await Deno.copyFile(join(fixturesDir, "claude-code-2.1/transcript.jsonl"), join(claudeDir, rel));
  await Deno.utime(join(claudeDir, rel), past, past);
  await generate({
    dir: claudeDir,
    events: 3000,
    seed: 18,
    sessions: 30,
    hookShare: 0.2,
    spanMs: 5 * 86_400_000,
    streamingDuplicates: true,
    realistic: true,
  });
}

async function backfill(db: Db, claudeDir: string, prices: PriceTable): Promise<void> {
  const ingester = new Ingester({ claudeDir, db, prices, watch: false });
  ingester.start();
  await ingester.ready;
  await ingester.stop();
}

/**
 * What must be identical: every message with the line it came from, named by its session, type
 * and time (event ids, and which of two files holding the same message is read first, depend
 * on the backfill's parallel reads, with or without the pass).
 */
function snapshot(db: Db) {
  const messages = db.prepare(`
    SELECT m.*, e.session_id AS event_session, e.type AS event_type, e.ts AS event_ts
    FROM messages m LEFT JOIN events e ON e.id = m.event_id
    ORDER BY m.message_id, m.request_id`).all().map((r: Row) => {
    const { event_id: _, ...rest } = r;
    return rest;
  });
  const rollup = db.prepare("SELECT * FROM rollup_usage ORDER BY hour, session_id, model").all();
  const sessions = db.prepare("SELECT * FROM sessions ORDER BY session_id").all();
  return { messages, rollup, sessions, daily: usageBy(db, "day", {}) };
}

/** Equal rows; sums of costs may differ in the last bits (the order they were added in). */
function assertRowsEqual(name: string, a: Row[], b: Row[]): void {
  assert.equal(a.length, b.length, `${name}: row count`);
  a.forEach((x, i) => {
    const y = b[i];
    for (const k of Object.keys(x)) {
      const u = x[k];
      const v = y[k];
      if (typeof u === "number" && typeof v === "number" && !Number.isInteger(u + v)) {
        assert.ok(
          Math.abs(u - v) <= 1e-9 * Math.max(1, Math.abs(u)),
          `${name}[${i}].${k}: ${u} ≠ ${v}`,
        );
      } else assert.deepEqual(v, u, `${name}[${i}].${k}`);
    }
  });
}

for (const workers of [0, 2]) {
  Deno.test(`usage first (${workers} workers) then the backfill stores exactly what the backfill alone stores`, async () => {
    const home = await makeHome();
    try {
      await buildTree(home.claudeDir);
      const prices = new PriceTable();
      const alone = openDb(join(home.home, "alone.db"));
      await backfill(alone, home.claudeDir, prices);
      const want = snapshot(alone);
      alone.close();

      const db = openDb(join(home.home, "first.db"));
      const pass = new UsageFirst({
        db,
        prices,
        claudeDir: home.claudeDir,
        workers,
        minWorkerBytes: 0,
      });
      const r = await pass.run();
      assert.ok(r, "the pass ran on the empty database");
      assert.equal(r.workers, workers);
      assert.ok(r.messages > 100, `stored ${r.messages} messages`);
      // Before any event is stored, the daily answer is already the backfill's.
      const early = usageBy(db, "day", {});
      assert.deepEqual(
        early.map((
          d,
        ) => [
          d.key,
          d.input_tokens,
          d.output_tokens,
          d.cache_creation_tokens,
          d.cache_read_tokens,
          d.messages,
        ]),
        want.daily.map((
          d,
        ) => [
          d.key,
          d.input_tokens,
          d.output_tokens,
          d.cache_creation_tokens,
          d.cache_read_tokens,
          d.messages,
        ]),
      );
      const p = pass.progress();
      assert.equal(p.phase, "usage");
      assert.equal(p.filesDone, p.filesTotal);
      assert.equal(p.bytesDone, p.bytesTotal);
      assert.ok(p.finishedAtMs !== null);

      await backfill(db, home.claudeDir, prices);
      const left = db.prepare("SELECT count(*) AS n FROM messages WHERE event_id = ?").get(
        provisionalEventId,
      );
      assert.equal(left?.n, 0, "the backfill replaced every provisional row");
      assert.equal(settleProvisional(db, 8 << 20), 0);
      // rollup_usage still sums the messages (snapshots that moved a message to another hour).
      const off = db.prepare(`
        SELECT count(*) AS n FROM rollup_usage r FULL JOIN (
          SELECT ts / 3600000 * 3600000 AS hour, session_id, COALESCE(model, '') AS model,
            count(*) AS c, sum(input_tokens) AS i, sum(output_tokens) AS o,
            sum(cache_creation_tokens) AS cc, sum(cache_read_tokens) AS cr
          FROM messages GROUP BY 1, 2, 3) m USING (hour, session_id, model)
        WHERE r.messages IS NOT m.c OR r.input_tokens IS NOT m.i OR r.output_tokens IS NOT m.o
          OR r.cache_creation_tokens IS NOT m.cc OR r.cache_read_tokens IS NOT m.cr`).get();
      assert.equal(off?.n, 0, "rollup_usage rows that do not sum their messages");
      const got = snapshot(db);
      db.close();
      assertRowsEqual("messages", want.messages, got.messages);
      assertRowsEqual("rollup_usage", want.rollup, got.rollup);
      assertRowsEqual("sessions", want.sessions, got.sessions);
      assert.deepEqual(got.daily, want.daily);
    } finally {
      await home.cleanup();
    }
  });
}

Deno.test("metrics during a first backfill leave the pass's messages out, answer at once, and end with the sums of a fresh count", async () => {
  const home = await makeHome();
  try {
    await buildTree(home.claudeDir);
    const prices = new PriceTable();
    const db = openDb(join(home.home, "first.db"));
    const bus = new LiveBus();
    const deps = { db, bus, ingester: null, startedAt: 0 };
    const tokens = (c: MetricsCollector) =>
      c.collect().find((f) => f.name === "claude_dash_tokens_total")!.samples
        .reduce((n, x) => n + x.value, 0);
    try {
      const r = await new UsageFirst({ db, prices, claudeDir: home.claudeDir, workers: 0 }).run();
      assert.ok(r && r.messages > 100, "the pass stored its messages");
      // Only provisional messages (event id -1): a scrape then once recursed without end.
      const during = new MetricsCollector(deps);
      assert.equal(tokens(during), 0, "the pass's messages are not counted (they are replaced)");
      await backfill(db, home.claudeDir, prices);
      const fresh = tokens(new MetricsCollector(deps));
      const sum = db.prepare(`SELECT SUM(input_tokens + output_tokens + cache_creation_tokens
        + cache_read_tokens) AS n FROM messages`).get()?.n;
      assert.ok(fresh > 0);
      assert.equal(fresh, sum, "a fresh count is every stored message's tokens");
      assert.equal(tokens(during), fresh, "the running sums came to the same, counted once");
    } finally {
      db.close();
    }
  } finally {
    await home.cleanup();
  }
});

Deno.test("the usage-first pass does not run on a database that already holds transcripts", async () => {
  const home = await makeHome();
  try {
    await writeFixtures(home.claudeDir);
    const prices = new PriceTable();
    const db = openDb(join(home.home, "warm.db"));
    await backfill(db, home.claudeDir, prices);
    const before = snapshot(db);
    const pass = new UsageFirst({ db, prices, claudeDir: home.claudeDir });
    assert.equal(pass.running, false);
    assert.equal(await pass.run(), null);
    assert.equal(pass.running, false);
    assert.ok(pass.progress().finishedAtMs !== null);
    assertRowsEqual("messages", before.messages, snapshot(db).messages);
    db.close();
  } finally {
    await home.cleanup();
  }
});

Deno.test("once a first backfill has completed, the pass does not run, even with no transcript stored", async () => {
  const home = await makeHome();
  try {
    await writeHook(home.claudeDir, {
      hook_event_name: "Notification",
      session_id: "hooks-only",
      message: "no transcript yet",
    });
    const prices = new PriceTable();
    const db = openDb(join(home.home, "hooks.db"));
    await backfill(db, home.claudeDir, prices);
    assert.equal(
      db.prepare("SELECT count(*) AS n FROM files WHERE kind = 'transcript'").get()?.n,
      0,
    );
    // A transcript appears afterwards: the backfill's to read, not the pass's.
    await writeFixtures(home.claudeDir);
    const pass = new UsageFirst({ db, prices, claudeDir: home.claudeDir, workers: 0 });
    assert.equal(await pass.run(), null);
    assert.equal(db.prepare("SELECT count(*) AS n FROM messages").get()?.n, 0);
    db.close();
  } finally {
    await home.cleanup();
  }
});

Deno.test("provisional rows the backfill never reaches are dropped once it has caught up", async () => {
  const home = await makeHome();
  try {
    await writeFixtures(home.claudeDir);
    const prices = new PriceTable();
    const db = openDb(join(home.home, "left.db"));
    const pass = new UsageFirst({ db, prices, claudeDir: home.claudeDir, workers: 0 });
    const r = await pass.run();
    assert.ok(r && r.messages > 0);
    // Nothing has been read yet: a transcript is behind, so nothing is dropped.
    db.prepare(`INSERT INTO files(path, kind, size, mtime_ms, offset, head_hash, generation,
      skip_to_newline, last_ts, state, updated_ms, rereading)
      VALUES ('projects/x/y.jsonl', 'transcript', 100000000, 0, 0, NULL, 0, 0, NULL, 'ok', 0, 0)`)
      .run();
    assert.equal(settleProvisional(db, 8 << 20), null);
    db.prepare("UPDATE files SET offset = size").run();
    assert.equal(settleProvisional(db, 8 << 20), r.messages);
    assert.equal(db.prepare("SELECT count(*) AS n FROM messages").get()?.n, 0);
    assert.equal(db.prepare("SELECT count(*) AS n FROM rollup_usage").get()?.n, 0);
    db.close();
  } finally {
    await home.cleanup();
  }
});

Deno.test("a final snapshot read in a later batch moves its message to that snapshot's hour", async () => {
  const home = await makeHome();
  try {
    const path = join(home.claudeDir, "projects/-p/s9.jsonl");
    await Deno.mkdir(dirname(path), { recursive: true });
    const line = (out: number, ts: string) =>
      JSON.stringify({
        sessionId: "s9",
        type: "assistant",
        requestId: "req_1",
        timestamp: ts,
        message: {
          id: "msg_1",
          model: "claude-sonnet-4-5",
          role: "assistant",
          content: [{ type: "text", text: "x" }],
          usage: { input_tokens: 5, output_tokens: out, cache_read_input_tokens: 1000 },
        },
      }) + "\n";
    await Deno.writeTextFile(path, line(1, "2026-11-20T23:59:58.000Z"));
    const db = openDb(join(home.home, "move.db"));
    await backfill(db, home.claudeDir, new PriceTable());
    await Deno.writeTextFile(path, line(80, "2026-11-21T00:00:03.000Z"), { append: true });
    await backfill(db, home.claudeDir, new PriceTable());
    const m = db.prepare("SELECT ts, output_tokens FROM messages").all();
    assert.deepEqual(m.map((r) => [r.ts, r.output_tokens]), [[
      Date.UTC(2026, 10, 21, 0, 0, 3),
      80,
    ]]);
    const rows = db.prepare("SELECT hour, messages, output_tokens FROM rollup_usage").all();
    assert.deepEqual(rows.map((r) => [r.hour, r.messages, r.output_tokens]), [[
      Date.UTC(2026, 10, 21),
      1,
      80,
    ]]);
    assert.deepEqual(usageBy(db, "day", {}).map((d) => [d.key, d.output_tokens]), [[
      "2026-11-21",
      80,
    ]]);
    db.close();
  } finally {
    await home.cleanup();
  }
});

/** Every rollup_usage row, and the same sums made from the messages stored. */
function rollupAndItsMessages(db: Db): { rollup: Row[]; fromMessages: Row[] } {
  return {
    rollup: db.prepare(
      `SELECT hour, session_id, model, messages, input_tokens, output_tokens,
         cache_creation_tokens, cache_read_tokens, unpriced FROM rollup_usage
       WHERE messages <> 0 ORDER BY 1, 2, 3`,
    ).all(),
    fromMessages: db.prepare(
      `SELECT ts / 3600000 * 3600000 AS hour, session_id, COALESCE(model, '') AS model,
         count(*) AS messages, sum(input_tokens) AS input_tokens,
         sum(output_tokens) AS output_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
         sum(cache_read_tokens) AS cache_read_tokens, sum(cost_usd IS NULL) AS unpriced
       FROM messages GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    ).all(),
  };
}

Deno.test("the pass stores its hourly sums first, then its rows: a failure or a stop between the two never leaves sums without rows", async () => {
  const home = await makeHome();
  try {
    await writeFixtures(home.claudeDir);
    const prices = new PriceTable();
    const clean = openDb(join(home.home, "clean.db"));
    const cleanRun = await new UsageFirst({
      db: clean,
      prices,
      claudeDir: home.claudeDir,
      workers: 0,
    })
      .run();
    assert.ok(cleanRun && cleanRun.messages > 0);
    const want = snapshot(clean);
    const wanted = rollupAndItsMessages(clean);
    assertRowsEqual("a pass's sums are its rows'", wanted.fromMessages, wanted.rollup);
    clean.close();

    // The rows' step fails (a full disk, say): the sums committed before it are taken back.
    const db = openDb(join(home.home, "failing.db"));
    db.exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON messages
      BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const failed = await new UsageFirst({ db, prices, claudeDir: home.claudeDir, workers: 0 })
      .run();
    assert.equal(failed, null, "the pass leaves everything to the backfill");
    assert.equal(db.prepare("SELECT count(*) AS n FROM rollup_usage").get()?.n, 0);
    assert.equal(
      db.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'usage_first%'").get()?.n,
      0,
    );
    db.exec("DROP TRIGGER temp.refuse");

    // A process stopped between the steps (the sums and the pending mark committed, no rows):
    // the next pass repairs, then stores as a clean one does.
    db.exec(`INSERT INTO rollup_usage(hour, session_id, model, messages, input_tokens,
        output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, unpriced, reported,
        cost_reported_usd) VALUES (0, 'orphan', 'm', 3, 1, 2, 3, 4, 0.5, 0, 0, 0);
      INSERT INTO meta(key, value) VALUES ('usage_first_rows_pending', '1');`);
    const again = await new UsageFirst({ db, prices, claudeDir: home.claudeDir, workers: 0 }).run();
    assert.equal(again?.messages, cleanRun.messages);
    const got = snapshot(db);
    assertRowsEqual("messages", want.messages, got.messages);
    assertRowsEqual("rollup", want.rollup, got.rollup);

    // A warm database with the mark (both the step and its repair failed, then the backfill
    // ran): the next start makes the sums again from the rows.
    await backfill(db, home.claudeDir, prices);
    db.exec(`UPDATE rollup_usage SET input_tokens = input_tokens + 1000;
      INSERT INTO meta(key, value) VALUES ('usage_first_rows_pending', '1');`);
    assert.equal(
      await new UsageFirst({ db, prices, claudeDir: home.claudeDir, workers: 0 }).run(),
      null,
    );
    const warm = rollupAndItsMessages(db);
    assertRowsEqual("warm repaired", warm.fromMessages, warm.rollup);
    db.close();
  } finally {
    await home.cleanup();
  }
});

Deno.test("the rows follow the sums a slice at a time: the sums are in before any row, and a stop between slices is repaired", async () => {
  const db = openDb(":memory:");
  try {
    const t0 = Date.UTC(2026, 10, 1);
    const messages: ProvisionalMessage[] = [];
    for (let i = 0; i < provisionalRowsPerSlice * 2 + 10; i++) {
      messages.push({
        messageId: `msg_${i}`,
        requestId: `req_${i}`,
        sessionId: `s${i % 7}`,
        ts: t0 + i * 60_000,
        model: "claude-sonnet-4-5",
        usage: {
          input_tokens: 10,
          output_tokens: i,
          cache_creation_tokens: 0,
          cache_creation_1h_tokens: 0,
          cache_read_tokens: 5,
        },
      });
    }
    const count = (sql: string) => Number(db.prepare(sql).get()?.n);
    let atSums: number[] = [];
    let slices = 0;
    const stored = await storeProvisional(
      db,
      new PriceTable(),
      () => messages,
      () => {
        atSums = [
          count("SELECT sum(messages) AS n FROM rollup_usage"),
          count("SELECT count(*) AS n FROM messages"),
        ];
      },
      () => ++slices > 1, // the server stops after the first slice
    );
    assert.deepEqual(atSums, [messages.length, 0], "every message summed, no row yet");
    assert.equal(stored, provisionalRowsPerSlice);
    assert.equal(count("SELECT count(*) AS n FROM messages"), provisionalRowsPerSlice);
    // The next start repairs: the sums are those of the rows stored.
    assert.equal(repairPendingRollup(db), true);
    const r = rollupAndItsMessages(db);
    assertRowsEqual("after the stop", r.fromMessages, r.rollup);
    assert.equal(repairPendingRollup(db), false, "once");
  } finally {
    db.close();
  }
});

Deno.test("a message given twice to the pass is stored and summed once (the first copy, as INSERT OR IGNORE keeps)", async () => {
  const db = openDb(":memory:");
  try {
    const usage = (output: number) => ({
      input_tokens: 10,
      output_tokens: output,
      cache_creation_tokens: 0,
      cache_creation_1h_tokens: 0,
      cache_read_tokens: 0,
    });
    const ts = Date.UTC(2026, 10, 1, 9);
    const m = (id: string, output: number): ProvisionalMessage => ({
      messageId: id,
      requestId: "req",
      sessionId: "s",
      ts,
      model: "claude-sonnet-4-5",
      usage: usage(output),
    });
    const given = [m("a", 5), m("b", 7), m("a", 100)];
    assert.equal(await storeProvisional(db, new PriceTable(), () => given), 2);
    const r = rollupAndItsMessages(db);
    assertRowsEqual("sums of the rows kept", r.fromMessages, r.rollup);
    assert.equal(r.rollup[0]?.output_tokens, 12);
  } finally {
    db.close();
  }
});

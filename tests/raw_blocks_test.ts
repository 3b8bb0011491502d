// Raw payloads compressed in blocks (issue 18, store/raw_blocks.ts): a batch as large as a
// backfill's stores its payloads in zstd blocks instead of inline, and every reader (search,
// event detail, tool-call pairing, another connection) sees them exactly as written; a small
// batch keeps them inline; a failed batch leaves no block and no stale payload; retention
// deletes blocks with their last event; payloads stored inline are packed later, by the running
// server too (spawned under the start task's flags), and the file is rewritten compactly at the
// next start once what was packed in place is a large share of it. An unreadable block is counted
// on /health.

import assert from "node:assert/strict";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { openDb } from "../src/store/db.ts";
import { decodeBlock, encodeBlock, packedBlock, packPayloads } from "../src/store/raw_blocks.ts";
import { packAhead } from "../src/ingest/hook_reader.ts";
import { type FileUpdate, Writer } from "../src/store/write/writer.ts";
import { applyRetention } from "../src/store/write/retention.ts";
import { searchEvents } from "../src/store/read/search.ts";
import { eventDetail } from "../src/store/read/events.ts";
import { healthReport, storeCounts } from "../src/store/read/metrics.ts";
import type { NormalizedEvent } from "../src/core/types.ts";
import { hookUpdate, parsedHook } from "./support/hook_updates.ts";
import { rawBlockMinBatchChars, rawBlockTargetChars } from "../src/core/config.ts";
import { Repacker } from "../src/store/write/repack.ts";
import { compactIfRequested, compactionRequested, dbBytes } from "../src/store/compact.ts";
import { makeHome, writeHook } from "./support/home.ts";
import { type Served, serveReady } from "./support/served.ts";
import { count, waitFor } from "./support/wait.ts";

Deno.test("a block gives back every payload it was written with and rejects what is not one", () => {
  const raws = ['{"a":1}', "", "naïve ☃ 😀 \u0000 line\nbreak", "x".repeat(70_000), "{}"];
  const ids = [7, 8, 9, 12, 40];
  const b = decodeBlock(encodeBlock(ids, raws));
  ids.forEach((id, i) => {
    const [from, to] = b.at.get(id)!;
    assert.equal(b.text.slice(from, to), raws[i]);
  });
  assert.throws(() => decodeBlock(new TextEncoder().encode("not zstd")));
});

Deno.test("payloads compressed before their ids (the hook reader's) read back by id, a payload not stored by none", () => {
  const raws = ['{"a":1}', "naïve ☃ 😀 line\nbreak", "", "x".repeat(70_000), "{}"];
  const ids = [7, 0, 9, 12, 0];
  const b = decodeBlock(packedBlock(ids, packPayloads(raws)));
  assert.deepEqual([...b.at.keys()], [7, 9, 12]);
  for (const [i, id] of ids.entries()) {
    if (id === 0) continue;
    const [from, to] = b.at.get(id)!;
    assert.equal(b.text.slice(from, to), raws[i]);
  }
  const short = packPayloads(raws);
  short.lengths[0] += 1;
  assert.throws(() => decodeBlock(packedBlock(ids, short)), /shorter or longer/);
});

const t0 = Date.parse("2026-11-20T10:00:00Z");
const hook = parsedHook;

function updates(items: Array<{ rel: string; event: NormalizedEvent }>): FileUpdate[] {
  return items.map(({ rel, event }) => hookUpdate(rel, [event]));
}

/** 300 prompts (a unique word each, ~1 KB) and 20 id-less Bash calls: a backfill-sized batch. */
function bigBatch(session: string) {
  const items = [];
  for (let i = 0; i < 300; i++) {
    items.push(hook(session, "UserPromptSubmit", {
      prompt: `please look at zebra${i}q and ${"lorem ipsum dolor sit amet ".repeat(35)}`,
    }, t0 + i * 1000));
  }
  for (let i = 0; i < 20; i++) {
    const input = { command: `make target-${i}`, description: "build" };
    const ts = t0 + 400_000 + i * 1000;
    items.push(hook(session, "PreToolUse", { tool_name: "Bash", tool_input: input }, ts));
    items.push(hook(session, "PostToolUse", { tool_name: "Bash", tool_input: input }, ts + 500));
  }
  return items;
}

const n = (db: DatabaseSync, sql: string) => Number(db.prepare(sql).get()?.n ?? 0);

Deno.test("a backfill-sized batch stores its payloads in compressed blocks that every reader sees as written", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "dash.db");
  const db = openDb(path);
  try {
    const items = bigBatch("s-big");
    const chars = items.reduce((a, i) => a + i.event.raw.length, 0);
    assert.ok(chars >= rawBlockMinBatchChars * 4);
    new Writer(db).commit(updates(items));

    assert.equal(n(db, "SELECT count(*) AS n FROM events WHERE raw_block IS NULL"), 0);
    assert.equal(n(db, "SELECT sum(length(raw)) AS n FROM events"), 0);
    assert.ok(n(db, "SELECT count(*) AS n FROM raw_blocks") >= 3, "about 64 KB a block");
    const stored = n(db, "SELECT sum(length(data)) AS n FROM raw_blocks");
    assert.ok(stored < chars / 3, `${stored} bytes of blocks for ${chars} characters`);

    // Every payload back as written, on this connection and on a new one (read from the table).
    const other = openDb(path);
    try {
      for (const c of [db, other]) {
        const rows = c.prepare(
          "SELECT key, event_raw(raw, raw_block, id) AS raw FROM events ORDER BY id",
        ).all();
        assert.deepEqual(
          rows.map((r) => [r.key, r.raw]),
          items.map((i) => [i.event.key, i.event.raw]),
        );
      }
      const hit = searchEvents(other, "zebra123q", {}, 5).results;
      assert.equal(hit.length, 1);
      const detail = eventDetail(other, hit[0].id) as { raw: { prompt: string } };
      assert.match(detail.raw.prompt, /^please look at zebra123q /);
    } finally {
      other.close();
    }
    // Id-less calls were paired from their payloads (tool_input) inside the batch.
    const calls = db.prepare(
      "SELECT input_summary, status, end_ts IS NOT NULL AS ended FROM tool_calls ORDER BY start_ts",
    ).all();
    assert.equal(calls.length, 20);
    assert.ok(calls.every((c) => c.ended === 1 && c.status === "ok"), JSON.stringify(calls[0]));
    assert.match(String(calls[7].input_summary), /make target-7/);

    // A small batch (a live append) keeps its payload inline.
    const one = hook("s-big", "UserPromptSubmit", { prompt: "one more thing" }, t0 + 900_000);
    new Writer(db).commit(updates([one]));
    const last = db.prepare("SELECT raw, raw_block FROM events ORDER BY id DESC LIMIT 1").get();
    assert.deepEqual([last?.raw, last?.raw_block], [one.event.raw, null]);
    assert.equal(searchEvents(db, "zebra7q", {}, 5).results.length, 1);

    // Retention takes the blocks with their last events, and the index with them.
    const r = await applyRetention(db, 1, t0 + 5 * 86_400_000);
    assert.equal(r.events, items.length + 1);
    assert.equal(n(db, "SELECT count(*) AS n FROM raw_blocks"), 0);
    assert.equal(n(db, "SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH 'zebra5q'"), 0);
    db.exec("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')");
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("payloads compressed ahead go to their group's block when stored in order; the rest are stored as if not, all reading as written", () => {
  const db = openDb(":memory:");
  try {
    const items = bigBatch("s-packed");
    const all = updates(items);
    packAhead(all);
    const groups = new Set(all.map((u) => u.events[0].packed!.payloads));
    assert.ok(groups.size >= 3, `${groups.size} groups`);
    // One event stored before (not stored again: a 0 in its group's header), and the batch cut
    // in the middle of a group with an event in between that came uncompressed.
    new Writer(db).commit([all[5]]);
    const cut = 150;
    const plain = hook("s-packed", "Notification", { message: "in between" }, t0 + 800_000);
    new Writer(db).commit(all.slice(0, cut));
    new Writer(db).commit([...updates([plain]), ...all.slice(cut)]);
    const rows = db.prepare(
      "SELECT key, event_raw(raw, raw_block, id) AS raw FROM events WHERE key <> ? ORDER BY key",
    ).all(plain.event.key);
    assert.deepEqual(
      rows.map((r) => [r.key, r.raw]),
      items.map((i) => [i.event.key, i.event.raw]).sort((a, b) => a[0] < b[0] ? -1 : 1),
    );
    const kinds = db.prepare("SELECT hex(substr(data, 1, 4)) AS magic FROM raw_blocks").all()
      .map((r) => r.magic);
    const packed = kinds.filter((m) => m === "43444231").length;
    assert.ok(packed >= 2, `blocks: ${kinds.join(" ")}`);
    assert.ok(packed < kinds.length, "the rest of the cut group went to a block of the writer's");
  } finally {
    db.close();
  }
});

Deno.test("a batch that fails leaves no block and no payload behind for the ids it had taken", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "dash.db");
  const db = openDb(path);
  const other = openDb(path);
  try {
    const bad = updates(bigBatch("s-fail"));
    // The last file's cursor breaks a NOT NULL column after every event before it was stored.
    bad.push({ ...bad[0], cursor: { ...bad[0].cursor, path: null as unknown as string } });
    assert.throws(() => new Writer(db).commit(bad));
    assert.equal(n(db, "SELECT count(*) AS n FROM events"), 0);
    assert.equal(n(db, "SELECT count(*) AS n FROM raw_blocks"), 0);

    // Another connection (the backfill worker's, say) takes the same ids for other payloads:
    // the first connection reads those, not what its failed batch had held.
    const good = bigBatch("s-ok");
    new Writer(other).commit(updates(good));
    const rows = db.prepare("SELECT event_raw(raw, raw_block, id) AS raw FROM events ORDER BY id")
      .all();
    assert.deepEqual(rows.map((r) => r.raw), good.map((i) => i.event.raw));
    assert.equal(searchEvents(db, "zebra42q", {}, 5).results.length, 1);
  } finally {
    other.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("payloads stored inline (a live tail, an older database) are packed into blocks a block's worth at a time, reading the same", () => {
  const db = openDb(":memory:");
  try {
    const writer = new Writer(db);
    const items = bigBatch("s-live");
    for (const i of items) writer.commit(updates([i]));
    assert.equal(n(db, "SELECT count(*) AS n FROM events WHERE raw_block IS NOT NULL"), 0);
    const before = db.prepare("SELECT id, raw FROM events ORDER BY id").all();

    const repacker = new Repacker(db);
    let steps = 0;
    while (repacker.step() > 0) steps++;
    const inline = db.prepare(
      "SELECT count(*) AS n, coalesce(sum(length(raw)), 0) AS chars FROM events WHERE raw_block IS NULL",
    ).get()!;
    assert.ok(steps >= 3, `${steps} blocks`);
    assert.ok(Number(inline.chars) < rawBlockTargetChars, "less than a block's worth is left");
    assert.ok(Number(inline.n) < items.length / 4);
    const after = db.prepare(
      "SELECT id, event_raw(raw, raw_block, id) AS raw FROM events ORDER BY id",
    )
      .all();
    assert.deepEqual(after, before);
    assert.equal(searchEvents(db, "zebra3q", {}, 5).results.length, 1);
    db.exec("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')");

    // Nothing is packed twice; the rest goes once more has gathered.
    assert.equal(repacker.step(), 0);
    for (const i of bigBatch("s-live-2")) writer.commit(updates([i]));
    while (repacker.step() > 0) steps++;
    assert.ok(
      n(db, "SELECT count(*) AS n FROM events WHERE raw_block IS NULL") < items.length / 4,
    );
    const all = db.prepare("SELECT event_raw(raw, raw_block, id) AS raw FROM events").all();
    assert.equal(new Set(all.map((r) => r.raw)).size, items.length * 2);
  } finally {
    db.close();
  }
});

Deno.test(
  "the server packs the payloads its live tail stored inline into blocks once a block's worth has arrived",
  { sanitizeResources: false, sanitizeOps: false },
  async () => {
    const h = await makeHome();
    const d = await serveReady(h);
    try {
      // One hook at a time, each stored by its own small batch: inline.
      const prompts: string[] = [];
      for (let i = 0; i < 60; i++) {
        const prompt = `live prompt quokka${i}x ${"consectetur adipiscing elit ".repeat(50)}`;
        prompts.push(prompt);
        await writeHook(h.claudeDir, {
          hook_event_name: "UserPromptSubmit",
          session_id: "s-tail",
          prompt,
        });
        await waitFor(
          () => count(d.db, "SELECT count(*) AS n FROM events") === i + 1,
          5000,
          `hook ${i} stored`,
        );
      }
      await waitFor(
        () => count(d.db, "SELECT count(*) AS n FROM raw_blocks") > 0,
        15_000,
        "the repacker's first block",
      );
      const rows = d.db.prepare(
        "SELECT raw_block, event_raw(raw, raw_block, id) AS raw FROM events ORDER BY id",
      ).all();
      assert.deepEqual(rows.map((r) => JSON.parse(String(r.raw)).prompt), prompts);
      const packed = rows.filter((r) => r.raw_block !== null).length;
      assert.ok(packed >= 30, `${packed} of 60 packed`);
      assert.equal((await searchServed(d, "quokka7x")).length, 1);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

async function searchServed(d: Served, q: string): Promise<unknown[]> {
  const res = await fetch(`${d.url}/api/search?q=${encodeURIComponent(q)}`);
  assert.equal(res.status, 200);
  return (await res.json()).results;
}

Deno.test("once what was packed in place is a large share of the file, the next start rewrites it compactly with every row kept", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "dash.db");
  try {
    const db = openDb(path);
    const writer = new Writer(db);
    // A database from before blocks, in effect: every payload inline.
    for (let s = 0; s < 4; s++) {
      for (const i of bigBatch(`s-old-${s}`)) writer.commit(updates([i]));
    }
    const repacker = new Repacker(db, { minChars: 100_000, minShare: 0.25 });
    assert.ok(repacker.step() > 0);
    assert.equal(compactionRequested(db), null, "not asked before it has caught up");
    while (repacker.step() > 0) { /* packs */ }
    assert.equal(compactionRequested(db), "repacked");
    const rows = (c: DatabaseSync) =>
      c.prepare("SELECT id, key, event_raw(raw, raw_block, id) AS raw FROM events ORDER BY id")
        .all();
    const before = rows(db);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const bytesBefore = dbBytes(db);
    db.close();

    const r = compactIfRequested(path);
    assert.ok(r?.ok, JSON.stringify(r));
    const after = openDb(path);
    try {
      assert.ok(dbBytes(after) < bytesBefore * 0.6, `${dbBytes(after)} of ${bytesBefore} bytes`);
      assert.deepEqual(rows(after), before);
      assert.equal(compactionRequested(after), null);
      assert.equal(searchEvents(after, "zebra99q", {}, 10).results.length, 4);
      after.exec("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')");
      // Caught up and rewritten: not asked again.
      assert.equal(new Repacker(after, { minChars: 100_000, minShare: 0.25 }).step(), 0);
      assert.equal(compactionRequested(after), null);
    } finally {
      after.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unreadable block is counted on /health (degraded) and its events read as no payload, the rest as stored", () => {
  const db = openDb(":memory:");
  try {
    const items = bigBatch("s-damaged");
    new Writer(db).commit(updates(items));
    assert.equal(storeCounts(db).damagedBlocks, 0);
    const first = Number(db.prepare("SELECT min(id) AS b FROM raw_blocks").get()?.b);
    db.prepare("UPDATE raw_blocks SET data = ? WHERE id = ?").run(
      new TextEncoder().encode("not a block"),
      first,
    );
    const rows = db.prepare(
      "SELECT raw_block, event_raw(raw, raw_block, id) AS raw FROM events ORDER BY id",
    ).all();
    const lost = rows.filter((r) => r.raw_block === first);
    assert.ok(lost.length > 0 && lost.every((r) => r.raw === ""));
    const kept = rows.filter((r) => r.raw_block !== first);
    assert.ok(kept.length > 0 && kept.every((r) => JSON.parse(String(r.raw)).session_id));
    const counts = storeCounts(db);
    assert.equal(counts.damagedBlocks, 1);
    assert.equal(healthReport(counts, 1).status, "degraded");
  } finally {
    db.close();
  }
});

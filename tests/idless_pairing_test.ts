// Id-less hook tool calls (Claude Code 1.0.x) are paired by order within session + tool, and
// the repair is incremental (only the calls still open before a batch's earliest new event and
// the events after it are re-paired). Whatever the batch sizes and the order files arrive in,
// the stored calls must be exactly those of one batch holding every file.

import assert from "node:assert/strict";
import { join } from "node:path";
import { inTransaction, openDb } from "../src/store/db.ts";
import { ToolCallWrites } from "../src/store/write/tool_calls.ts";
import { type FileUpdate, Writer } from "../src/store/write/writer.ts";
import { readHook } from "../src/ingest/read_hook.ts";
import { FolderCheck } from "../src/ingest/sources.ts";
import { initialStats } from "../src/ingest/stats.ts";
import { generate, mulberry32 } from "../src/demo/workload.ts";
import { makeHome } from "./support/home.ts";

const hookDir = "hooks/logs/raw_json";

/** Every hook file of the tree read into one update each, in name order. */
async function readUpdates(claudeDir: string): Promise<FileUpdate[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(join(claudeDir, hookDir))) names.push(e.name);
  names.sort();
  const updates: FileUpdate[] = [];
  const sink = {
    stats: initialStats(),
    cursor: () => undefined,
    add: (u: FileUpdate) => updates.push(u),
  };
  const folders = new FolderCheck(claudeDir);
  for (const name of names) await readHook(sink, claudeDir, folders, `${hookDir}/${name}`);
  return updates;
}

/** The stored calls and per-session counts, in an order that does not depend on row ids. */
function storedCalls(dbPath: string): { calls: unknown[]; sessions: unknown[] } {
  const db = openDb(dbPath);
  try {
    const calls = db.prepare(
      `SELECT session_id, tool_use_id, tool_name, status, start_ts, end_ts, input_summary, error
       FROM tool_calls ORDER BY session_id, tool_name, start_ts, end_ts, status, input_summary, error`,
    ).all();
    const sessions = db.prepare(
      "SELECT session_id, tool_calls, errors FROM sessions ORDER BY session_id",
    ).all();
    return { calls, sessions };
  } finally {
    db.close();
  }
}

/** Commits `updates` into a fresh database at `dbPath` in batches of the sizes `sizes` gives. */
function store(dbPath: string, updates: FileUpdate[], sizes: () => number): void {
  const db = openDb(dbPath);
  try {
    const writer = new Writer(db);
    for (let i = 0; i < updates.length;) {
      const n = Math.max(1, sizes());
      writer.commit(updates.slice(i, i + n));
      i += n;
    }
  } finally {
    db.close();
  }
}

/** Writes one id-less hook payload of session `sid` at `ms` (name stamp and timestamp agree). */
async function legacyHook(claudeDir: string, sid: string, ms: number, p: Record<string, unknown>) {
  const ts = new Date(ms).toISOString();
  // Payloads of one millisecond differ in the name's microseconds, as the logging hook's do.
  const serial = String(p.n ?? 0).padStart(3, "0");
  const stamp = ts.replace(/[-:]/g, "").replace("T", "_").replace(/\.(\d{3})Z$/, `_$1${serial}`);
  await Deno.writeTextFile(
    join(claudeDir, hookDir, `${stamp}_${p.hook_event_name}_${sid}.json`),
    JSON.stringify({ session_id: sid, cwd: "/work/legacy", timestamp: ts, ...p }),
  );
}

/**
 * Hand-made edge cases beside the generated ones: Pres in the same millisecond, a Pre that never
 * ends (an interrupted tool), a Post with no Pre before it, and a failure.
 */
async function edgeCases(claudeDir: string): Promise<void> {
  const sid = "legacy-edges-0001";
  const t0 = Date.UTC(2026, 10, 18, 9, 0, 0);
  const pre = (n: number, cmd: string) => ({
    hook_event_name: "PreToolUse",
    tool_name: "Bash",
    tool_input: { command: cmd },
    n,
  });
  const post = (n: number, cmd: string) => ({
    hook_event_name: "PostToolUse",
    tool_name: "Bash",
    tool_input: { command: cmd },
    tool_response: { stdout: "ok" },
    n,
  });
  await legacyHook(claudeDir, sid, t0, post(1, "orphan post"));
  await legacyHook(claudeDir, sid, t0 + 1000, pre(2, "interrupted"));
  for (let i = 0; i < 6; i++) {
    // Three Pres in one millisecond, ended one by one, interleaved with the next round.
    const at = t0 + 2000 + i * 500;
    await legacyHook(claudeDir, sid, at, pre(10 + i * 3, `a${i}`));
    await legacyHook(claudeDir, sid, at, pre(11 + i * 3, `b${i}`));
    await legacyHook(claudeDir, sid, at, pre(12 + i * 3, `c${i}`));
    await legacyHook(claudeDir, sid, at + 700, post(40 + i, `a${i}`));
    await legacyHook(claudeDir, sid, at + 700, {
      hook_event_name: "PostToolUseFailure",
      tool_name: "Bash",
      tool_input: { command: `b${i}` },
      error: `exit ${i}`,
      n: 60 + i,
    });
    await legacyHook(claudeDir, sid, at + 900, post(80 + i, `c${i}`));
  }
}

/**
 * Payload values SQL renders its own way (a number, an object as the error, an input given as
 * text, a key twice): the repair must store what reading them back from SQL gives.
 */
async function oddPayloads(claudeDir: string): Promise<void> {
  const sid = "legacy-edges-0001";
  const t0 = Date.UTC(2026, 10, 18, 9, 0, 0);
  const odd = [
    { hook_event_name: "PreToolUse", tool_input: "ls -la", n: 100 },
    { hook_event_name: "PreToolUse", tool_input: 5, n: 102 },
    { hook_event_name: "PostToolUseFailure", tool_input: 5, error: 17, n: 103 },
    { hook_event_name: "PreToolUse", tool_input: '{"command":"as text"}', n: 104 },
    { hook_event_name: "PostToolUse", tool_input: '{"command":"as text"}', n: 105 },
  ];
  for (const [i, p] of odd.entries()) {
    await legacyHook(claudeDir, sid, t0 + 9000 + i * 100, { tool_name: "Odd", ...p });
  }
  // Written by hand: SQL gives an object as its own text ("2.50", "\\u0041"), the first of two
  // keys.
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const head = `{"session_id":"${sid}","hook_event_name":"PostToolUseFailure","tool_name":"Odd",` +
    `"cwd":"/work/legacy"`;
  const byHand = [
    `${head},"timestamp":"${at(9050)}","error":{"code":2.50,"m":"\\u0041"}}`,
    `${head},"timestamp":"${at(9900)}","error":"first","error":"second"}`,
  ];
  for (const [i, text] of byHand.entries()) {
    const name = `20261118_0900${i === 0 ? "09_050" : "09_900"}000_PostToolUseFailure_${sid}.json`;
    await Deno.writeTextFile(join(claudeDir, hookDir, name), text);
  }
}

Deno.test("id-less hook calls stored in many small batches, in any order, equal one batch of every file", async () => {
  const h = await makeHome();
  try {
    await generate({ dir: h.claudeDir, events: 4000, seed: 7, hookShare: 1, idlessHooks: 1 });
    await edgeCases(h.claudeDir);
    await oddPayloads(h.claudeDir);
    const updates = await readUpdates(h.claudeDir);
    assert.ok(updates.length > 1500, `only ${updates.length} hook files`);
    const idless = updates.flatMap((u) => u.events).filter((e) =>
      e.toolEffects.some((t) => t.toolUseId === null)
    );
    assert.ok(idless.length > 500, `only ${idless.length} id-less tool events`);

    const whole = join(h.home, "whole.db");
    store(whole, updates, () => updates.length);
    const expected = storedCalls(whole);
    assert.ok(expected.calls.length > 200);
    // A Post that ended no call is a call of its own, with its own input.
    const orphan = (expected.calls as Array<{ start_ts: number | null; input_summary: string }>)
      .filter((c) => c.start_ts === null && c.input_summary === "orphan post");
    assert.equal(orphan.length, 1, "the orphan Post's call, with its input");
    // The payloads only SQL renders so: as it reads them back.
    const errors = (expected.calls as Array<{ error: string | null }>).map((c) => c.error);
    assert.ok(errors.includes('{"code":2.50,"m":"\\u0041"}'), "an object error as its own text");
    assert.ok(errors.includes("first"), "the first of two error keys");

    const rnd = mulberry32(11);
    const small = join(h.home, "small.db");
    store(small, updates, () => 1 + Math.floor(rnd() * 7));
    assert.deepEqual(storedCalls(small), expected, "small batches in name order");

    // Files arriving out of order (a rescan, a late copy): shuffled, then in small batches.
    const shuffled = [...updates];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const mixed = join(h.home, "shuffled.db");
    store(mixed, shuffled, () => 1 + Math.floor(rnd() * 40));
    assert.deepEqual(storedCalls(mixed), expected, "shuffled files in batches of 1-40");

    // Newest first: every batch lands before everything stored so far.
    const reversed = join(h.home, "reversed.db");
    store(reversed, [...updates].reverse(), () => 25);
    assert.deepEqual(storedCalls(reversed), expected, "newest files first");

    // One batch of every file, newest first: each group's events are paired from memory (nothing
    // was stored before), so this is their order there, same-millisecond Pres included.
    const backwards = join(h.home, "backwards.db");
    store(backwards, [...updates].reverse(), () => updates.length);
    assert.deepEqual(storedCalls(backwards), expected, "one batch, newest first");
  } finally {
    await h.cleanup();
  }
});

Deno.test("the id-less repair reads through its own indexes, not every call of the tool", () => {
  const db = openDb(":memory:");
  try {
    const plan = (sql: string) =>
      db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((r) => String(r.detail)).join("; ");
    const events = plan(`
      SELECT ts FROM events INDEXED BY events_idless_calls
      WHERE session_id = 's' AND tool_name = 'Bash' AND tool_use_id IS NULL AND source = 'hook'
        AND type IN ('PreToolUse', 'PostToolUse', 'PostToolUseFailure') AND ts >= 0
      ORDER BY ts, key`);
    assert.match(events, /events_idless_calls \(session_id=\? AND tool_name=\? AND ts>\?\)/);
    assert.doesNotMatch(events, /TEMP B-TREE/);
    const ended = plan(`
      DELETE FROM tool_calls INDEXED BY tool_calls_idless_end
      WHERE session_id = 's' AND tool_name = 'Bash' AND tool_use_id IS NULL AND end_ts >= 0`);
    assert.match(ended, /tool_calls_idless_end \(session_id=\? AND tool_name=\? AND end_ts>\?\)/);
  } finally {
    db.close();
  }
});

Deno.test("when the Pre events of calls still open are gone (retention), the next batch pairs the group again from what is stored", async () => {
  const h = await makeHome();
  try {
    await edgeCases(h.claudeDir);
    const updates = await readUpdates(h.claudeDir);
    const late = updates.splice(updates.length - 4);
    const sid = "legacy-edges-0001";
    const dbs = ["incremental", "full"].map((name) => join(h.home, `${name}.db`));
    for (const path of dbs) {
      store(path, updates, () => updates.length);
      const db = openDb(path);
      try {
        // Retention-like: the oldest events go, the calls stored from them stay, among them
        // calls still open when the late files arrive (their Pre events are gone).
        const cutoff = Date.UTC(2026, 10, 18, 9, 0, 4, 600);
        assert.ok(db.prepare("DELETE FROM events WHERE ts < ?").run(cutoff).changes > 0);
        const writer = new Writer(db);
        writer.commit(late);
        if (path === dbs[1]) inTransaction(db, () => new ToolCallWrites(db).repair(sid, "Bash"));
      } finally {
        db.close();
      }
    }
    const [incremental, full] = dbs.map(storedCalls);
    assert.deepEqual(incremental.calls, full.calls);
  } finally {
    await h.cleanup();
  }
});

Deno.test("an id-less call's input and error are stored masked, as a call with an id's are", async () => {
  const home = await makeHome();
  try {
    const raw = join(home.claudeDir, hookDir);
    const hook = (name: string, body: Record<string, unknown>) =>
      Deno.writeTextFile(
        join(raw, name),
        JSON.stringify({ session_id: "s-mask", tool_name: "Bash", ...body }),
      );
    const command = "curl -H 'Authorization: Bearer abcdef123456' https://example.com";
    await hook("20260101_000000_000001_PreToolUse_s-mask.json", {
      hook_event_name: "PreToolUse",
      timestamp: "2026-01-01T00:00:00.001Z",
      tool_input: { command },
    });
    await hook("20260101_000000_000002_PostToolUseFailure_s-mask.json", {
      hook_event_name: "PostToolUseFailure",
      timestamp: "2026-01-01T00:00:00.002Z",
      tool_input: { command },
      error: "401 for PGPASSWORD=hunter2secret",
    });
    const dbPath = join(home.home, "mask.db");
    store(dbPath, await readUpdates(home.claudeDir), () => 10);
    const [call] = storedCalls(dbPath).calls as Array<{ input_summary: string; error: string }>;
    assert.equal(
      call.input_summary,
      "curl -H 'Authorization: Bearer [masked]' https://example.com",
    );
    assert.equal(call.error, "401 for PGPASSWORD=[masked]");
  } finally {
    await home.cleanup();
  }
});

// A message's usage is stored once, from its largest snapshot, however its lines fall into write
// batches: the writer holds a batch's new messages and writes each once at the batch's end
// (src/store/write/messages.ts), while lines that meet a row of an earlier batch go through
// SQL. Both must give the same rows, rollups and session totals, and a batch that fails must
// leave nothing held for the next one.

import assert from "node:assert/strict";
import type { DatabaseSync } from "node:sqlite";
import { openDb } from "../src/store/db.ts";
import { type FileUpdate, Writer } from "../src/store/write/writer.ts";
import { assistantLine, type UsageLine } from "./support/usage_lines.ts";
import { transcriptUpdate } from "./support/transcript_updates.ts";

const hour = 3_600_000;
const t0 = Date.UTC(2025, 5, 1, 10, 59);

function line(over: Partial<UsageLine> & { n: number }): string {
  return assistantLine({
    sessionId: "s-a",
    ts: t0 + over.n * 20_000,
    messageId: "m1",
    requestId: "r1",
    model: "claude-sonnet-4-5",
    input: 10,
    output: 1,
    cacheCreation: 100,
    cacheRead: 1000,
    ...over,
  });
}

/** Streaming snapshots (the last one in the next hour), a line without a request id, a fork's
 * copy in another session, a snapshot smaller than the one before, a second request id. */
const lines = [
  line({ n: 0, output: 1 }),
  line({ n: 1, output: 7 }),
  line({ n: 2, messageId: "m2", requestId: "r2", output: 3 }),
  line({ n: 3, sessionId: "s-b", output: 50 }),
  line({ n: 4, output: 30 }),
  line({ n: 5, messageId: "m2", requestId: "", output: 9 }),
  line({ n: 6, messageId: "m2", requestId: "r2", output: 5 }),
  line({ n: 7, messageId: "m3", requestId: "", output: 2 }),
  line({ n: 8, messageId: "m3", requestId: "r3", output: 4 }),
  line({ n: 9, messageId: "m1", requestId: "r9", output: 11 }),
  line({ n: 10, output: 20 }),
];

const update = (path: string, text: string, session: string) =>
  transcriptUpdate(path, session, text);

/** Stores `lines` in batches cut at `cuts` (line indexes), each line in its session's file. */
function storeIn(db: DatabaseSync, cuts: number[]): void {
  const writer = new Writer(db);
  const bounds = [0, ...cuts, lines.length];
  let offset = 0;
  for (let b = 0; b + 1 < bounds.length; b++) {
    const updates: FileUpdate[] = [];
    for (let i = bounds[b]; i < bounds[b + 1]; i++) {
      const session = JSON.parse(lines[i]).sessionId as string;
      const u = update(`projects/-p/${session}-${offset++}.jsonl`, lines[i], session);
      updates.push(u);
    }
    writer.commit(updates);
  }
}

function state(db: DatabaseSync) {
  const all = (sql: string) => db.prepare(sql).all().map((r) => ({ ...r }));
  return {
    messages: all(`SELECT message_id, request_id, session_id, ts, input_tokens, output_tokens,
      cache_creation_tokens, cache_read_tokens, round(cost_usd, 12) AS cost, round(cost_estimated_usd, 12) AS estimate,
      event_id > 0 AS stored FROM messages
      ORDER BY 1, 2`),
    rollup: all(`SELECT hour, session_id, model, messages, input_tokens, output_tokens,
      cache_creation_tokens, cache_read_tokens, round(cost_usd, 12) AS cost, unpriced
      FROM rollup_usage WHERE messages <> 0 ORDER BY hour, session_id, model`),
    sessions: all(`SELECT session_id, input_tokens, output_tokens, cache_creation_tokens,
      cache_read_tokens, round(cost_usd, 12) AS cost FROM sessions ORDER BY 1`),
  };
}

Deno.test("a message's lines give the same rows, rollups and session totals in one batch as one line per batch", () => {
  const oneByOne = openDb(":memory:");
  storeIn(oneByOne, lines.map((_, i) => i).slice(1));
  const expected = state(oneByOne);
  // The final snapshot of m1 in s-a: 30 output tokens, at its time (the next hour).
  const m1 = expected.messages.find((m) => m.message_id === "m1" && m.request_id === "r1");
  assert.equal(m1?.output_tokens, 30);
  assert.equal(m1?.session_id, "s-a");
  assert.equal(m1?.ts, t0 + 4 * 20_000);
  assert.ok(expected.rollup.some((r) => r.hour === Math.floor((t0 + hour) / hour) * hour));
  for (const cuts of [[], [3], [1, 5, 8], [2, 4, 6, 9]]) {
    const db = openDb(":memory:");
    storeIn(db, cuts);
    assert.deepEqual(state(db), expected, `cut at ${cuts.join(", ") || "nothing"}`);
    db.close();
  }
  oneByOne.close();
});

Deno.test("a batch that fails leaves none of its messages for the next batch to write", () => {
  const db = openDb(":memory:");
  const writer = new Writer(db);
  const good = update("projects/-p/s-a.jsonl", lines[0] + lines[1], "s-a");
  // A cursor the files table refuses (kind is NOT NULL): the batch rolls back after the good
  // file's lines were stored and their message held.
  const bad = update("projects/-p/s-c.jsonl", lines[2], "s-c");
  (bad.cursor as { kind: unknown }).kind = null;
  assert.throws(() => writer.commit([good, bad]));
  assert.equal(db.prepare("SELECT count(*) AS n FROM messages").get()?.n, 0);
  writer.commit([update("projects/-p/s-b.jsonl", lines[3], "s-b")]);
  assert.deepEqual(
    db.prepare("SELECT message_id, session_id, output_tokens FROM messages").all().map((r) => ({
      ...r,
    })),
    [{ message_id: "m1", session_id: "s-b", output_tokens: 50 }],
  );
  db.close();
});

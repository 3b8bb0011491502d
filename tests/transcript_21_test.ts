// Claude Code 2.1.x transcripts (issue 16, docs/FORMATS.md): its bookkeeping lines are stored but
// are neither timeline rows nor counted events; cost-state gives the session Claude Code's own
// cost ("reported by Claude Code"); streaming duplicates count from their final snapshot, on
// ingest and in migration 7 for a database stored with the old first-seen rule.
// The fixture tests/fixtures/claude-code-2.1/transcript.jsonl was recorded from the real CLI
// 2.1.332 against a fake Messages API (result.json is that run's --output-format json).
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openDb } from "../src/store/db.ts";
import { migrations } from "../src/store/migrations.ts";
import { Writer } from "../src/store/write/writer.ts";
import { sessionById } from "../src/store/read/sessions.ts";
import { sessionTimeline } from "../src/store/read/session_timeline.ts";
import { eventsPage } from "../src/store/read/events.ts";
import { kpis } from "../src/store/read/kpis.ts";
import { bookkeepingLineTypes, costSourceText } from "../src/core/types.ts";
import { assistantLine, writeTranscript } from "./support/usage_lines.ts";
import { withServed } from "./support/served.ts";
import type { SessionSummary } from "../src/core/types.ts";
import { parseWhole, transcriptUpdate } from "./support/transcript_updates.ts";

const fixture = new URL("./fixtures/claude-code-2.1/", import.meta.url).pathname;
const transcript = await Deno.readTextFile(join(fixture, "transcript.jsonl"));
const result = JSON.parse(await Deno.readTextFile(join(fixture, "result.json")));
const sid: string = result.session_id;

const parse = (text: string, relPath = `projects/-p/${sid}.jsonl`) =>
  parseWhole(relPath, sid, text);

function ingest(db: DatabaseSync, text: string, path = `projects/-p/${sid}.jsonl`) {
  new Writer(db).commit([transcriptUpdate(path, sid, text)]);
}

Deno.test("every 2.1.x line type of a real transcript parses; bookkeeping is marked with a short summary", () => {
  const { events, errors } = parse(transcript);
  assert.deepEqual(errors, []);
  const byType = new Map<string, typeof events>();
  for (const ev of events) byType.set(ev.type, [...(byType.get(ev.type) ?? []), ev]);
  for (
    const t of [
      "queue-operation",
      "attachment",
      "atis-latch",
      "api-request-shape",
      "api-request-blob",
      "api-request",
      "tools-used",
      "last-prompt",
      "cost-state",
    ]
  ) {
    assert.ok(byType.has(t), `fixture has ${t}`);
    assert.ok(byType.get(t)!.every((e) => e.bookkeeping === true), `${t} is bookkeeping`);
    assert.ok(bookkeepingLineTypes.has(t));
  }
  for (const t of ["user", "assistant", "system"]) {
    assert.ok(byType.get(t)!.every((e) => !e.bookkeeping), `${t} is an event`);
  }
  assert.match(byType.get("attachment")![0].summary, /^attachment: \w+/);
  assert.equal(byType.get("api-request")![0].summary, "api-request: claude-opus-5-5");
  assert.match(byType.get("tools-used")![0].summary, /^tools used: /);
  assert.match(byType.get("last-prompt")![0].summary, /^last prompt: /);
  const cost = byType.get("cost-state")![0];
  assert.equal(cost.costState?.totalCostUsd, result.total_cost_usd);
  assert.equal(cost.costState?.linesAdded, 4);
  assert.equal(cost.costState?.apiDurationMs, result.duration_api_ms);
  assert.deepEqual(cost.costState?.models.map((m) => [m.model, m.costUsd, m.output]), [
    ["claude-opus-5-5", result.modelUsage["claude-opus-5-5"].costUSD, result.usage.output_tokens],
  ]);
  // Assistant lines add requestedModel, effort and madeBy: kept whole in raw.
  const a = JSON.parse(byType.get("assistant")![0].raw);
  assert.equal(a.requestedModel, "claude-opus-5-5");
  assert.ok("effort" in a && "madeBy" in a);
});

Deno.test("a sub-agent file's cost-state does not stand for its session's totals", () => {
  const line = transcript.split("\n").find((l) => l.includes('"type":"cost-state"'))!;
  const [ev] = parse(line + "\n", `projects/-p/${sid}/subagents/agent-1.jsonl`).events;
  assert.equal(ev.bookkeeping, true);
  assert.equal(ev.costState, undefined);
});

Deno.test("the session of a real 2.1.x transcript costs what Claude Code reported, tokens as it counted them, no bookkeeping rows", () => {
  const db = openDb(":memory:");
  ingest(db, transcript);
  const s = sessionById(db, sid)!;
  assert.equal(s.cost_usd, result.total_cost_usd);
  assert.equal(s.cost_source, "reported");
  assert.equal(costSourceText[s.cost_source], "reported by Claude Code");
  assert.equal(s.lines_added, 4);
  assert.equal(s.api_ms, result.duration_api_ms);
  assert.equal(s.input_tokens, result.usage.input_tokens);
  assert.equal(s.output_tokens, result.usage.output_tokens);
  assert.equal(s.cache_creation_tokens, result.usage.cache_creation_input_tokens);
  assert.equal(s.cache_read_tokens, result.usage.cache_read_input_tokens);
  // Events: only user, assistant and system lines count.
  const counted = transcript.split("\n").filter((l) => /"type":"(user|assistant|system)"/.test(l));
  const shown = counted.filter((l) => {
    const o = JSON.parse(l);
    return ["user", "assistant", "system"].includes(o.type);
  });
  assert.equal(s.events, shown.length);
  const timeline = sessionTimeline(db, sid, 500);
  for (const row of timeline.rows) {
    for (const src of row.sources) {
      assert.ok(!bookkeepingLineTypes.has(src.type), `timeline shows ${src.type}`);
    }
  }
  const page = eventsPage(db, { session: sid }, 500);
  assert.equal(page.events.length, shown.length);
  assert.ok(page.events.every((e) => !bookkeepingLineTypes.has(e.type)));
  // Still stored and listed when asked for by type.
  assert.equal(eventsPage(db, { session: sid, type: "cost-state" }, 10).events.length, 1);
  const k = kpis(db, { since: 0, until: Date.now() + 86400_000 * 3650 });
  assert.equal(k.events, shown.length);
  db.close();
});

Deno.test("a session without cost-state shows a cost estimated from prices", () => {
  const db = openDb(":memory:");
  const text = assistantLine({
    sessionId: "est",
    ts: Date.UTC(2025, 5, 1),
    messageId: "m1",
    requestId: "r1",
    model: "claude-sonnet-4-5",
    input: 1000,
    output: 100,
    cacheCreation: 0,
    cacheRead: 0,
  });
  ingest(db, text, "projects/-p/est.jsonl");
  const s = sessionById(db, "est")!;
  assert.equal(s.cost_source, "estimated");
  assert.equal(costSourceText[s.cost_source], "estimated from prices");
  assert.ok(s.cost_usd !== null && s.cost_usd > 0);
  db.close();
});

const line = (output: number, requestId = "r1", text = "ok") =>
  assistantLine({
    sessionId: "stream",
    ts: Date.UTC(2025, 5, 1, 10),
    messageId: "msg_s",
    requestId,
    model: "claude-sonnet-4-5",
    input: 10,
    output,
    cacheCreation: 0,
    cacheRead: 0,
  }, text);

function usageOf(db: DatabaseSync) {
  return {
    session: db.prepare("SELECT output_tokens, cost_usd FROM sessions WHERE session_id = 'stream'")
      .get() as { output_tokens: number; cost_usd: number },
    rollup: db.prepare("SELECT sum(output_tokens) AS o, sum(messages) AS n FROM rollup_usage")
      .get() as { o: number; n: number },
    messages: db.prepare("SELECT count(*) AS n, sum(output_tokens) AS o FROM messages").get() as {
      n: number;
      o: number;
    },
  };
}

Deno.test("streaming duplicates count from their final snapshot: 1 then 273 output tokens is 273", () => {
  for (const split of [false, true]) {
    const db = openDb(":memory:");
    const a = line(1, "r1", "thinking…");
    const b = line(273, "r1", "done");
    if (split) {
      ingest(db, a, "projects/-p/stream.jsonl");
      ingest(db, a + b, "projects/-p/stream.jsonl"); // a later batch: the rollup moves too
    } else ingest(db, a + b, "projects/-p/stream.jsonl");
    const u = usageOf(db);
    assert.equal(u.messages.n, 1);
    assert.equal(u.messages.o, 273, `split=${split}`);
    assert.equal(u.session.output_tokens, 273, `split=${split}`);
    assert.equal(u.rollup.o, 273, `split=${split}`);
    assert.equal(u.rollup.n, 1);
    // 10 input + 273 output tokens of Sonnet 4.5 ($3 / $15 per million).
    assert.equal(Math.round(u.session.cost_usd * 1e6), 10 * 3 + 273 * 15);
    db.close();
  }
});

Deno.test("a line without a request id is the same message as its message id", () => {
  const db = openDb(":memory:");
  ingest(db, line(5, "r1") + line(40, ""), "projects/-p/stream.jsonl");
  assert.deepEqual({ ...usageOf(db).messages }, { n: 1, o: 40 });
  db.close();
});

Deno.test("migration 7 re-derives first-seen totals from each message's final snapshot", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "old.db");
    // A database at schema 6 that stored a streamed message with the first line's usage, and a
    // queue-operation line counted as an event.
    const old = new DatabaseSync(path);
    old.function("display_text", (t: unknown) => t as string);
    for (const m of migrations.slice(0, 6)) old.exec(m);
    old.exec("PRAGMA user_version = 6");
    const raw = (o: number) => line(o).trim().replaceAll("'", "''");
    const ts = Date.UTC(2025, 5, 1, 10);
    const hour = Math.floor(ts / 3600000) * 3600000;
    old.exec(`
      INSERT INTO files(id, path, kind) VALUES (1, 'projects/-p/stream.jsonl', 'transcript');
      INSERT INTO events(id, key, source, session_id, ts, type, summary, file_id, offset, raw) VALUES
        (1, 'k1', 'transcript', 'stream', ${ts}, 'assistant', 'a', 1, 0, '${raw(1)}'),
        (2, 'k2', 'transcript', 'stream', ${ts}, 'assistant', 'b', 1, 10, '${raw(273)}'),
        (3, 'k3', 'transcript', 'stream', ${ts}, 'queue-operation', 'q', 1, 20, '{"type":"queue-operation"}');
      INSERT INTO events_fts(rowid, text, kind) SELECT id, text, kind FROM events_search_text;
      INSERT INTO messages VALUES ('msg_s', 'r1', 'stream', ${ts}, 'claude-sonnet-4-5', 10, 1, 0, 0, 0,
        ${(10 * 3 + 1 * 15) / 1e6}, 1);
      INSERT INTO sessions(session_id, first_ts, last_ts, events, input_tokens, output_tokens, cost_usd)
        VALUES ('stream', ${ts}, ${ts}, 3, 10, 1, ${(10 * 3 + 1 * 15) / 1e6});
      INSERT INTO rollup_usage VALUES (${hour}, 'stream', 'claude-sonnet-4-5', 1, 10, 1, 0, 0,
        ${(10 * 3 + 1 * 15) / 1e6}, 0);
      INSERT INTO rollup_events VALUES (${Math.floor(ts / 60000) * 60000}, 'assistant', '', 2),
        (${Math.floor(ts / 60000) * 60000}, 'queue-operation', '', 1);
    `);
    old.close();
    const db = openDb(path);
    const u = usageOf(db);
    assert.equal(u.messages.o, 273);
    assert.equal(u.session.output_tokens, 273);
    assert.equal(u.rollup.o, 273);
    assert.equal(Math.round(u.session.cost_usd * 1e6), 10 * 3 + 273 * 15);
    const s = sessionById(db, "stream")!;
    assert.equal(s.events, 2, "the queue-operation line is no longer an event");
    assert.equal(s.cost_source, "estimated");
    const q = db.prepare("SELECT sum(n) AS n FROM rollup_events").get() as { n: number };
    assert.equal(q.n, 2);
    // Deleting a bookkeeping line (retention) leaves the event counts alone.
    db.exec("DELETE FROM events WHERE id = 3");
    assert.equal((db.prepare("SELECT sum(n) AS n FROM rollup_events").get() as { n: number }).n, 2);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("over HTTP, a 2.1.x session's cost is Claude Code's and its page says so", async () => {
  await withServed(async (h) => {
    await writeTranscript(
      join(h.claudeDir, "projects/-tmp-claude-home-project", `${sid}.jsonl`),
      transcript,
    );
  }, async (d) => {
    const s: SessionSummary = await (await fetch(`${d.url}/api/sessions/${sid}`)).json();
    assert.equal(s.cost_usd, result.total_cost_usd);
    assert.equal(s.cost_source, "reported");
    const list = await (await fetch(`${d.url}/sessions`)).text();
    assert.match(list, /title="reported by Claude Code"/);
    const page = await (await fetch(`${d.url}/sessions/${sid}`)).text();
    assert.match(page, /title="reported by Claude Code"/);
  });
});

// Display text: terminal escapes and slash-command markup never reach a summary (the raw
// payload keeps them), and a transcript line that names no session never makes a session.

import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { oneLine, slashCommandText, stripAnsi } from "../../src/core/text.ts";
import type { NormalizedEvent } from "../../src/core/types.ts";
import { parseHookFile } from "../../src/ingest/parse/hook.ts";
import { parseTranscriptChunk, type TranscriptContext } from "../../src/ingest/parse/transcript.ts";
import { openDb } from "../../src/store/db.ts";
import { migrations } from "../../src/store/migrations.ts";
import { type FileUpdate, Writer } from "../../src/store/write/writer.ts";
import { fixturesDir } from "../support/home.ts";
import { blankCursor } from "../../src/ingest/read_file.ts";

const enc = new TextEncoder();
const jsonl = (...lines: unknown[]) => lines.map((l) => JSON.stringify(l) + "\n").join("");

function ctx(relPath: string, over: Partial<TranscriptContext> = {}): TranscriptContext {
  const name = relPath.slice(relPath.lastIndexOf("/") + 1).replace(/\.jsonl$/, "");
  return {
    relPath,
    fileSessionId: name,
    baseOffset: 0,
    mtimeMs: Date.UTC(2030, 0, 1),
    lastTs: null,
    skipToNewline: false,
    takeUnterminated: true,
    maxLineBytes: 1 << 22,
    ...over,
  };
}

Deno.test("stripAnsi removes colours, cursor moves, titles and a cut-off escape, and nothing else", () => {
  assert.equal(
    stripAnsi("Running \u001b[1mPostToolUse\u001b[22m hooks…"),
    "Running PostToolUse hooks…",
  );
  assert.equal(
    stripAnsi(
      "\u001b[?25l\u001b[2K\u001b[1G\u001b[36m?\u001b[39m Would \u001b]0;title\u0007you\u001b(B",
    ),
    "? Would you",
  );
  assert.equal(stripAnsi("cut \u001b[3"), "cut ");
  assert.equal(stripAnsi("plain [1m text ✓"), "plain [1m text ✓");
  assert.equal(oneLine("a\u001b[31m b\u0008 c"), "a b c");
});

Deno.test("every slash-command variant in the real fixtures becomes '/name args' with no markup", () => {
  const seen = new Map<string, string>();
  for (const group of ["claude-code-log", "claude-code-viewer", "sniffly"]) {
    const dir = join(fixturesDir, "transcripts", group);
    for (const entry of Deno.readDirSync(dir)) {
      const rel = `projects/-fixtures-${group}/${entry.name}`;
      const bytes = Deno.readFileSync(join(dir, entry.name));
      for (const ev of parseTranscriptChunk(ctx(rel), bytes).events) {
        if (!/<(local-)?command-/.test(ev.raw)) continue;
        assert.doesNotMatch(ev.summary, /<\/?(local-)?command-/, ev.summary);
        assert.ok(!ev.summary.includes("\u001b"), ev.summary);
        assert.match(ev.raw, /<command-|<local-command-/, "the raw line keeps its markup");
        seen.set(ev.summary, rel);
      }
    }
  }
  for (
    const want of [
      "/init",
      "/orchestrator create TODO app by Next.js",
      "/orchestrator @CLAUDE.md を最新の状態にアップデートしてください",
      "/test-command --verbose --output /tmp/test.log",
      "Command output here: Line 1 of output Line 2 of output Some data: 12345 Status: SUCCESS Timestamp: 2025-06-14T11:02:20Z",
    ]
  ) assert.ok(seen.has(want), `${want} in ${[...seen.keys()].join(" | ")}`);
  // A summary cut before its name, and a name without its slash.
  assert.equal(
    slashCommandText("<command-message>init is analyzing…</command-message> <command-na"),
    "init is analyzing…",
  );
  assert.equal(slashCommandText("<command-name>model</command-name>"), "/model");
});

Deno.test("a hook prompt and a local command's output lose their escapes and markup", () => {
  const hook = parseHookFile(
    "hooks/logs/raw_json/20250801_000000_000000_UserPromptSubmit_s1.json",
    enc.encode(JSON.stringify({
      hook_event_name: "UserPromptSubmit",
      session_id: "s1",
      prompt: "<command-name>/review</command-name>\n<command-args>PR 12</command-args>",
    })),
    0,
  );
  assert.ok("event" in hook);
  assert.equal(hook.event.summary, "/review PR 12");
  const local = parseTranscriptChunk(
    ctx("projects/-x/s2.jsonl"),
    enc.encode(jsonl({
      type: "user",
      sessionId: "s2",
      uuid: "u1",
      timestamp: "2025-09-03T00:50:00Z",
      message: {
        role: "user",
        content:
          "<local-command-stdout>Set model to \u001b[1mDefault (Opus 4.1)\u001b[22m</local-command-stdout>",
      },
    })),
  );
  assert.equal(local.events[0].summary, "Set model to Default (Opus 4.1)");
  assert.ok(local.events[0].raw.includes("\\u001b[1m"), "raw JSON kept as written");
});

const summaryLine = (leafUuid: string) => ({ type: "summary", summary: "A title", leafUuid });
const userLine = (sessionId: string, uuid: string, ts: string) => ({
  type: "user",
  sessionId,
  uuid,
  cwd: "/work/app",
  timestamp: ts,
  message: { role: "user", content: "hello" },
});

function update(path: string, events: NormalizedEvent[], size = 1): FileUpdate {
  return {
    cursor: {
      ...blankCursor(path, "transcript"),
      size,
      mtimeMs: Date.UTC(2030, 0, 1),
      offset: size,
    },
    events,
    errors: [],
    clearErrors: false,
    rereading: false,
  };
}

const parse = (rel: string, ...lines: unknown[]) =>
  parseTranscriptChunk(ctx(rel), enc.encode(jsonl(...lines))).events;

type Row = Record<string, string | number | null>;

/** The rollups equal a recount from events (a moved line must move its counts). */
function assertRollupsExact(db: DatabaseSync): void {
  const q = (sql: string) => db.prepare(sql).all() as Row[];
  assert.deepEqual(
    q("SELECT hour, session_id, n FROM rollup_session_hours WHERE n <> 0 ORDER BY 1, 2"),
    q(`SELECT ts / 3600000 * 3600000 AS hour, session_id, count(*) AS n FROM events
       GROUP BY 1, 2 ORDER BY 1, 2`),
  );
  assert.deepEqual(
    q("SELECT minute, type, tool, n FROM rollup_events WHERE n <> 0 ORDER BY 1, 2, 3"),
    q(`SELECT ts / 60000 * 60000 AS minute, type, COALESCE(tool_name, '') AS tool, count(*) AS n
       FROM events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`),
  );
}

Deno.test("a summary-only transcript file makes no session; its line joins its leaf's session when that arrives", () => {
  const ghost = parse("projects/-work-app/ghost.jsonl", summaryLine("leaf-1"));
  assert.equal(ghost.length, 1);
  assert.deepEqual(ghost[0].orphan, { leafUuid: "leaf-1" });
  const db = openDb(":memory:");
  try {
    const writer = new Writer(db);
    writer.commit([update("projects/-work-app/ghost.jsonl", ghost)]);
    const sessions = () =>
      (db.prepare("SELECT session_id, events, last_ts FROM sessions").all() as Row[]).map((r) => ({
        ...r,
      }));
    assert.deepEqual(sessions(), [], "no session of its own");
    assert.equal(
      (db.prepare("SELECT session_id FROM events").get() as Row).session_id,
      "",
      "kept, with no session",
    );
    const real = parse(
      "projects/-work-app/real.jsonl",
      userLine("real", "leaf-1", "2025-06-08T10:00:00Z"),
    );
    writer.commit([update("projects/-work-app/real.jsonl", real)]);
    assert.deepEqual(sessions(), [{
      session_id: "real",
      events: 2,
      last_ts: Date.UTC(2025, 5, 8, 10),
    }]);
    const moved = db.prepare("SELECT session_id, ts FROM events WHERE type = 'summary'")
      .get() as Row;
    assert.deepEqual({ ...moved }, { session_id: "real", ts: Date.UTC(2025, 5, 8, 10) });
    assert.equal(
      (db.prepare("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH 'title'")
        .get() as Row).n,
      1,
      "still found by search",
    );
    assertRollupsExact(db);
  } finally {
    db.close();
  }
});

Deno.test("a summary line whose leaf is stored already, or whose file gains lines later, joins that session", () => {
  const db = openDb(":memory:");
  try {
    const writer = new Writer(db);
    writer.commit([update(
      "projects/-work-app/a.jsonl",
      parse("projects/-work-app/a.jsonl", userLine("a", "leaf-a", "2025-06-08T09:00:00Z")),
    )]);
    writer.commit([update(
      "projects/-work-app/b.jsonl",
      parse("projects/-work-app/b.jsonl", summaryLine("leaf-a")),
    )]);
    // Another project's message of the same uuid is not its leaf; nothing is: it has no session.
    writer.commit([update(
      "projects/-other/c.jsonl",
      parse("projects/-other/c.jsonl", summaryLine("leaf-zzz")),
    )]);
    // A file read while only its summary was written, then its conversation.
    writer.commit([update(
      "projects/-work-app/d.jsonl",
      parse("projects/-work-app/d.jsonl", summaryLine("unknown-leaf")),
    )]);
    writer.commit([update(
      "projects/-work-app/d.jsonl",
      parse("projects/-work-app/d.jsonl", userLine("d", "u-d", "2025-06-09T09:00:00Z")),
      2,
    )]);
    const rows = db.prepare(
      "SELECT e.session_id, f.path FROM events e JOIN files f ON f.id = e.file_id WHERE type = 'summary' ORDER BY f.path",
    ).all() as Row[];
    assert.deepEqual(rows.map((r) => [r.path, r.session_id]), [
      ["projects/-other/c.jsonl", ""],
      ["projects/-work-app/b.jsonl", "a"],
      ["projects/-work-app/d.jsonl", "d"],
    ]);
    assert.deepEqual(
      (db.prepare("SELECT session_id, events FROM sessions ORDER BY 1").all() as Row[]).map((r) => [
        r.session_id,
        r.events,
      ]),
      [["a", 2], ["d", 2]],
    );
    assertRollupsExact(db);
  } finally {
    db.close();
  }
});

Deno.test("upgrading a database removes ghost sessions, moves their lines and cleans stored summaries; raw payloads are untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-m6-" });
  const path = join(dir, "old.db");
  try {
    const old = new DatabaseSync(path);
    for (const m of migrations.slice(0, 5)) old.exec(m);
    old.exec("PRAGMA user_version = 5");
    const file = (id: number, p: string) =>
      old.prepare("INSERT INTO files(id, path, kind) VALUES (?, ?, 'transcript')").run(id, p);
    file(1, "projects/-p/real.jsonl");
    file(2, "projects/-p/ghost.jsonl");
    file(3, "projects/-p/mixed.jsonl");
    const ev = old.prepare(
      `INSERT INTO events(key, source, session_id, ts, type, summary, uuid, file_id, raw)
       VALUES (?, 'transcript', ?, ?, ?, ?, ?, ?, ?)`,
    );
    const prompt =
      "<command-message>init is analyzing</command-message> <command-name>/init</command-name>";
    ev.run(
      "k1",
      "real",
      1000,
      "user",
      prompt,
      "leaf-r",
      1,
      JSON.stringify({ message: { content: prompt } }),
    );
    ev.run(
      "k2",
      "real",
      2000,
      "system",
      "Running \u001b[1mPostToolUse\u001b[22m",
      "u2",
      1,
      '{"content":"Running \\u001b[1m"}',
    );
    ev.run(
      "k3",
      "ghost",
      9_000_000,
      "summary",
      "Title",
      null,
      2,
      '{"type":"summary","summary":"Title","leafUuid":"leaf-r"}',
    );
    ev.run(
      "k4",
      "mixed-stem",
      5000,
      "summary",
      "T2",
      null,
      3,
      '{"type":"summary","summary":"T2","leafUuid":"none"}',
    );
    ev.run("k5", "mixed", 5000, "user", "hi", "u5", 3, "{}");
    const ses = old.prepare(
      "INSERT INTO sessions(session_id, first_ts, last_ts, events, project) VALUES (?, ?, ?, ?, ?)",
    );
    ses.run("real", 1000, 2000, 2, "p");
    ses.run("ghost", 9_000_000, 9_000_000, 1, null);
    ses.run("mixed-stem", 5000, 5000, 1, null);
    ses.run("mixed", 5000, 5000, 1, "p");
    old.exec(`INSERT INTO session_files(session_id, file_id)
      SELECT session_id, file_id FROM events GROUP BY 1, 2`);
    for (
      const sql of [
        `INSERT INTO rollup_events(minute, type, tool, n)
       SELECT ts / 60000 * 60000, type, COALESCE(tool_name, ''), count(*) FROM events GROUP BY 1, 2, 3`,
        `INSERT INTO rollup_session_hours(hour, session_id, n)
       SELECT ts / 3600000 * 3600000, session_id, count(*) FROM events GROUP BY 1, 2`,
        `INSERT INTO rollup_event_hours(hour, type, tool, n)
       SELECT ts / 3600000 * 3600000, type, COALESCE(tool_name, ''), count(*) FROM events GROUP BY 1, 2, 3`,
      ]
    ) old.exec(sql);
    old.close();

    const db = openDb(path);
    try {
      const q = (sql: string) => db.prepare(sql).all() as Row[];
      assert.deepEqual(
        q("SELECT session_id, events, first_ts, last_ts FROM sessions ORDER BY 1").map((r) => ({
          ...r,
        })),
        [
          { session_id: "mixed", events: 2, first_ts: 5000, last_ts: 5000 },
          { session_id: "real", events: 3, first_ts: 1000, last_ts: 2000 },
        ],
      );
      assert.deepEqual(
        q("SELECT key, session_id, ts FROM events ORDER BY key").map((
          r,
        ) => [r.key, r.session_id, r.ts]),
        [
          ["k1", "real", 1000],
          ["k2", "real", 2000],
          ["k3", "real", 1000],
          ["k4", "mixed", 5000],
          ["k5", "mixed", 5000],
        ],
      );
      const summaries = q(
        "SELECT summary, event_raw(raw, raw_block, id) AS raw FROM events ORDER BY key",
      );
      assert.equal(summaries[0].summary, "/init");
      assert.equal(summaries[1].summary, "Running PostToolUse");
      assert.equal(summaries[0].raw, JSON.stringify({ message: { content: prompt } }));
      assert.equal(summaries[1].raw, '{"content":"Running \\u001b[1m"}');
      assertRollupsExact(db);
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

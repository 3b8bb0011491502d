// The search text is computed once, where a payload is parsed, and the index's view computes the
// same from the stored payload (core/search_text.ts): a backfill's index must then equal the
// view's text token for token (else a delete corrupts it), and a database indexed by the former
// SQL view is refilled when opened.

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { dirname, join } from "node:path";
import { searchTextOf, searchTextOfRaw } from "../src/core/search_text.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { openDb, pendingMigrations } from "../src/store/db.ts";
import { migrations } from "../src/store/migrations.ts";
import { migrationSearchText } from "../src/store/migration_search_text.ts";
import { registerSqlFunctions } from "../src/store/sql_functions.ts";
import { fixturesDir, makeHome, writeFixtures } from "./support/home.ts";
import { parsedHook } from "./support/hook_updates.ts";
import { assertIndexConsistent } from "./support/search_index.ts";
import { spawnServer } from "./support/served.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

function line(type: string, content: unknown): unknown {
  return { type, message: { role: type, content } };
}

Deno.test("search text: message text, tool inputs and the start of tool results; a hook's prompt or command; nothing else", () => {
  const blocks = [
    { type: "text", text: "alpha" },
    { type: "thinking", thinking: "not indexed" },
    { type: "tool_use", name: "Bash", input: { command: "ls -la", file_path: "/x.ts" } },
    { type: "tool_result", content: [{ type: "text", text: "bravo" }, { type: "image" }] },
  ];
  assert.equal(
    searchTextOf(line("assistant", blocks), "transcript", "assistant"),
    "alpha ls -la /x.ts bravo",
  );
  assert.equal(searchTextOf(line("user", "plain words"), "transcript", "user"), "plain words");
  const long = "r".repeat(3000);
  assert.equal(
    searchTextOf(line("user", [{ type: "tool_result", content: long }]), "transcript", "user"),
    "r".repeat(2000),
    "a tool result is cut to its first 2,000 characters",
  );
  // A cut never leaves half of a surrogate pair.
  const astral = "x".repeat(1999) + "😀" + "y";
  assert.equal(
    searchTextOf(line("user", [{ type: "tool_result", content: astral }]), "transcript", "user"),
    "x".repeat(1999),
  );
  assert.equal(searchTextOf(line("user", "w".repeat(9000)), "transcript", "user")?.length, 8000);
  assert.equal(
    searchTextOf(line("user", "hit\u0002me\u0003"), "transcript", "user"),
    "hit me ",
    "the snippet markers are never part of the text",
  );
  assert.equal(searchTextOf({ type: "summary", summary: "s" }, "transcript", "summary"), "s");
  assert.equal(searchTextOf({ type: "progress", data: "x" }, "transcript", "progress"), null);
  const hook = (type: string, p: Record<string, unknown>) =>
    searchTextOf({ hook_event_name: type, ...p }, "hook", type);
  assert.equal(hook("UserPromptSubmit", { prompt: "fix it" }), "fix it");
  assert.equal(
    hook("PreToolUse", { tool_input: { command: "make", prompt: "p".repeat(2500) } }),
    "make " + "p".repeat(2000),
  );
  assert.equal(
    hook("PostToolUseFailure", { error: "boom", tool_input: { pattern: "*.ts" } }),
    "boom *.ts",
  );
  assert.equal(hook("Stop", { last_assistant_message: "done" }), null);
  assert.equal(searchTextOfRaw("{not json", "hook", "UserPromptSubmit"), null);
  assert.equal(searchTextOfRaw("[1, 2]", "transcript", "user"), null);
});

Deno.test("a parsed hook carries the search text its stored payload gives", () => {
  const { event } = parsedHook("s", "PreToolUse", {
    tool_name: "Bash",
    tool_input: { command: "deno task test", description: "run the tests" },
  }, Date.UTC(2026, 0, 1));
  assert.equal(event.searchText, "deno task test run the tests");
  assert.equal(searchTextOfRaw(event.raw, event.source, event.type), event.searchText);
});

Deno.test(
  "a backfill of every fixture (Claude Code 1.0 and 2.1) indexes exactly the text its view gives, and deletes keep the index whole",
  opts,
  async () => {
    const h = await makeHome();
    try {
      await writeFixtures(h.claudeDir);
      const current = join(h.claudeDir, "projects/-fixtures-cli-2-1/transcript.jsonl");
      await Deno.mkdir(join(current, ".."), { recursive: true });
      await Deno.copyFile(join(fixturesDir, "claude-code-2.1/transcript.jsonl"), current);
      for (const e of Deno.readDirSync(join(fixturesDir, "claude-code-2.1/hooks"))) {
        const payload = await Deno.readTextFile(join(fixturesDir, "claude-code-2.1/hooks", e.name));
        const rel = `hooks/logs/raw_json/20260101_000000_${e.name}`;
        await Deno.writeTextFile(join(h.claudeDir, rel), payload);
      }
      const db = openDb(join(h.home, "index.db"));
      try {
        const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false });
        ingester.start();
        await ingester.ready;
        await ingester.stop();
        const texts = db.prepare(
          "SELECT count(*) AS n FROM events_search_text WHERE text <> ''",
        ).get();
        assert.ok(Number(texts?.n) > 500, `${texts?.n} events with search text`);
        assertIndexConsistent(db);
        db.exec("DELETE FROM events WHERE id % 3 = 0");
        assertIndexConsistent(db);
      } finally {
        db.close();
      }
    } finally {
      await h.cleanup();
    }
  },
);

/** A database as it was before the search text moved to the parsers, holding one event whose
 * old and new texts differ (SQL's ->> gives a JSON true as 1; search_text() writes the word). */
function oldDatabase(path: string): void {
  const before = migrations.indexOf(migrationSearchText);
  assert.ok(before > 0);
  Deno.mkdirSync(dirname(path), { recursive: true });
  const old = new DatabaseSync(path);
  registerSqlFunctions(old);
  old.function("display_text", (t) => t);
  old.function("message_cost", { varargs: true }, () => null);
  for (const m of migrations.slice(0, before)) old.exec(m);
  old.exec(`PRAGMA user_version = ${before}`);
  const { event: e } = parsedHook("old", "UserPromptSubmit", { prompt: true }, 1);
  old.prepare(
    `INSERT INTO events(key, source, session_id, ts, type, summary, file_id, raw)
     VALUES (?, 'hook', 'old', 1, ?, '', 1, ?)`,
  ).run(e.key, e.type, e.raw);
  old.exec(
    "INSERT INTO events_fts(rowid, text, kind) SELECT id, text, kind FROM events_search_text",
  );
  assert.equal(hits(old, "1"), 1, "the old view indexed the SQL value");
  old.close();
}

function hits(d: DatabaseSync, term: string): number {
  return Number(
    d.prepare("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH ?").get(term)?.n,
  );
}

Deno.test("a database indexed by the former SQL view is refilled from search_text() when opened", async () => {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-search-text-" });
  const path = join(dir, "old.db");
  try {
    assert.equal(pendingMigrations(path), 0, "no database yet: nothing to update");
    oldDatabase(path);
    assert.equal(pendingMigrations(path), 1);
    const db = openDb(path);
    try {
      assert.equal(hits(db, "true"), 1);
      assert.equal(hits(db, "1"), 0, "nothing of the old text is left in the index");
      assertIndexConsistent(db);
      db.exec("DELETE FROM events");
      assertIndexConsistent(db);
    } finally {
      db.close();
    }
    assert.equal(pendingMigrations(path), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "the server says it is updating an older database before it serves, then finds by the new text",
  opts,
  async () => {
    const h = await makeHome();
    try {
      oldDatabase(h.dbPath);
      const s = await spawnServer(h.home);
      try {
        assert.match(s.output(), /updating the database \(1 migration\)/);
        const res = await fetch(`${s.url}/api/search?q=true`);
        const body = await res.json() as { results: unknown[] };
        assert.equal(body.results.length, 1);
      } finally {
        await s.stop();
      }
    } finally {
      await h.cleanup();
    }
  },
);

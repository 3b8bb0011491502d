// Secrets are masked before anything is indexed or stored for display (issue 17): the search
// index holds masked text (so a snippet cut inside a key shows none of it), summaries and tool
// inputs are stored masked, a database from before is re-masked by its migration, and learning
// new .env.discord values re-indexes so retention's deletes keep the index consistent.

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openDb } from "../src/store/db.ts";
import { migrations } from "../src/store/migrations.ts";
import { migrationMask } from "../src/store/migration_mask.ts";
import { Writer } from "../src/store/write/writer.ts";
import { applyRetention } from "../src/store/write/retention.ts";
import { searchEvents } from "../src/store/read/search.ts";
import { rememberSecrets } from "../src/core/secrets.ts";
import type { NormalizedEvent } from "../src/core/types.ts";
import { hookUpdate, parsedHook } from "./support/hook_updates.ts";
import { assertIndexConsistent } from "./support/search_index.ts";

// Built from parts so no key-shaped literal sits in the source.
const anthropicKey = "sk-ant-" + "api03-" + "Wq7xV2bN5mK9pL3rT7yB1cF4hJ6dG0sA-Re2Tu8Yi";
const githubKey = "ghp_" + "Wq7xV2bN5mK9pL3rT7yB1cF4hJ6dG0sAQe2R";
const awsKey = "AKIA" + "W7Q2V8N5M3K9P4R6";
const keys = [anthropicKey, githubKey, awsKey];

function assertNoPiece(where: string, text: string, secrets: string[]): void {
  for (const s of secrets) {
    for (let i = 0; i + 12 <= s.length; i++) {
      const piece = s.slice(i, i + 12);
      assert.ok(!text.includes(piece), `${where}: "${piece}" of a secret in ${text}`);
    }
  }
}

const hook = parsedHook;
const update = hookUpdate;

function store(db: DatabaseSync, ...items: Array<{ rel: string; event: NormalizedEvent }>) {
  new Writer(db).commit(items.map((i) => update(i.rel, [i.event])));
}

function matches(db: DatabaseSync, term: string): number {
  const row = db.prepare("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH ?")
    .get(`"${term}"`);
  return Number(row?.n ?? 0);
}

/** Every displayed text column, as one string. */
function displayed(db: DatabaseSync): string {
  return JSON.stringify([
    db.prepare("SELECT summary FROM events").all(),
    db.prepare("SELECT input_summary, error FROM tool_calls").all(),
    db.prepare("SELECT waiting_reason FROM sessions").all(),
    db.prepare("SELECT message FROM alerts").all(),
  ]);
}

const t0 = Date.UTC(2026, 10, 1, 12);

function secretEvents(session: string) {
  return [
    hook(session, "UserPromptSubmit", {
      prompt: `alpha bravo charlie delta echo foxtrot ${anthropicKey} golf hotel`,
    }, t0),
    hook(session, "PreToolUse", {
      tool_name: "Bash",
      tool_use_id: `${session}-t1`,
      tool_input: { command: `curl --header x-api-key ${anthropicKey} -u ${awsKey} india` },
    }, t0 + 1000),
    hook(session, "PostToolUseFailure", {
      tool_name: "Bash",
      tool_use_id: `${session}-t1`,
      tool_input: { command: "gh auth" },
      error: `juliet rejected ${githubKey}`,
    }, t0 + 2000),
    hook(session, "Notification", { message: `kilo waiting, token ${githubKey}` }, t0 + 3000),
  ];
}

Deno.test("display text is stored masked and the index holds no key: a snippet cut inside a key shows none of it", () => {
  const db = openDb(":memory:");
  try {
    store(db, ...secretEvents("s1"));
    assertNoPiece("stored display text", displayed(db), keys);
    assert.match(displayed(db), /sk-a…\[masked\]/);
    // The key's long middle token is not in the index at all.
    assert.equal(matches(db, "Wq7xV2bN5mK9pL3rT7yB1cF4hJ6dG0sA"), 0);
    assert.equal(matches(db, "golf"), 1);
    for (const q of ["golf", "hotel", "foxtrot", "india", "juliet", "kilo", "curl"]) {
      const { results } = searchEvents(db, q, {}, 20);
      assert.ok(results.length > 0, q);
      assertNoPiece(`search ${q}`, JSON.stringify(results), keys);
    }
    // The raw payload is kept as read.
    const raw = db.prepare(
      "SELECT event_raw(raw, raw_block, id) AS raw FROM events WHERE type = 'UserPromptSubmit'",
    ).get();
    assert.ok(String(raw?.raw).includes(anthropicKey));
    assertIndexConsistent(db);
  } finally {
    db.close();
  }
});

Deno.test("a database indexed before masking is re-masked by its migration when opened", async () => {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-mask-migration-" });
  const path = join(dir, "old.db");
  try {
    // The schema as it was before the masking migration, filled the old way (unmasked).
    const before = migrations.indexOf(migrationMask);
    assert.ok(before > 0);
    const old = new DatabaseSync(path);
    old.function("display_text", (t) => t);
    old.function("message_cost", { varargs: true }, () => null);
    for (const m of migrations.slice(0, before)) old.exec(m);
    old.exec(`PRAGMA user_version = ${before}`);
    const events = secretEvents("old");
    const insert = old.prepare(
      `INSERT INTO events(key, source, session_id, ts, type, tool_name, tool_use_id, summary,
         file_id, raw) VALUES (?, 'hook', 'old', ?, ?, ?, ?, ?, 1, ?)`,
    );
    for (const { event: e } of events) {
      insert.run(e.key, e.ts, e.type, e.toolName, e.toolUseId, e.summary, e.raw);
    }
    old.exec(
      "INSERT INTO events_fts(rowid, text, kind) SELECT id, text, kind FROM events_search_text",
    );
    old.prepare(
      `INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, input_summary, error)
       VALUES ('old', 'old-t1', 'Bash', 'error', ?, ?)`,
    ).run(`curl ${anthropicKey}`, `rejected ${githubKey}`);
    old.prepare(
      `INSERT INTO sessions(session_id, first_ts, last_ts, waiting_reason) VALUES ('old', 1, 2, ?)`,
    ).run(`waiting, token ${githubKey}`);
    old.prepare(
      `INSERT INTO alerts(rule, key, first_ts, last_ts, message) VALUES ('r', 'k', 1, 2, ?)`,
    ).run(`failed: ${awsKey}`);
    assert.equal(
      matches(old, "Wq7xV2bN5mK9pL3rT7yB1cF4hJ6dG0sA"),
      2,
      "the old index holds the key",
    );
    assert.ok(displayed(old).includes(anthropicKey));
    old.close();

    const db = openDb(path);
    try {
      assertNoPiece("re-masked display text", displayed(db), keys);
      assert.equal(matches(db, "Wq7xV2bN5mK9pL3rT7yB1cF4hJ6dG0sA"), 0);
      assert.equal(matches(db, "golf"), 1, "the rebuilt index still finds the words around it");
      const { results } = searchEvents(db, "golf", {}, 5);
      assertNoPiece("snippet after migration", JSON.stringify(results), keys);
      assertIndexConsistent(db);
      const raws = db.prepare("SELECT event_raw(raw, raw_block, id) AS raw FROM events").all().map((
        r,
      ) => String(r.raw)).join();
      assert.ok(raws.includes(anthropicKey), "raw payloads are kept as read");
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("after new .env.discord values are learnt, retention's delete leaves a consistent index", async () => {
  const db = openDb(":memory:");
  try {
    const decoy = "Decoy-Retention-Value-55Q7Z";
    const old = Date.UTC(2020, 0, 1);
    store(
      db,
      hook("r1", "UserPromptSubmit", { prompt: `lima mike ${decoy} november` }, old),
      hook("r2", "UserPromptSubmit", { prompt: `oscar papa ${decoy} quebec` }, Date.now()),
    );
    assert.equal(matches(db, "Decoy"), 2, "not known yet: indexed as written");
    rememberSecrets([decoy]);
    // No batch in between: retention must bring the index in line before it deletes.
    const r = await applyRetention(db, 30, Date.now());
    assert.equal(r.events, 1);
    assertIndexConsistent(db);
    assert.equal(matches(db, "Decoy"), 0, "the index was rebuilt with the new value masked");
    assert.equal(matches(db, "quebec"), 1);
    assertNoPiece("display text", displayed(db), [decoy]);
    const { results } = searchEvents(db, "papa", {}, 5);
    assertNoPiece("snippet", JSON.stringify(results), [decoy]);
    // The next batch with an unchanged set rebuilds nothing and stays consistent.
    store(db, hook("r3", "UserPromptSubmit", { prompt: `romeo ${decoy}` }, Date.now()));
    assertIndexConsistent(db);
    assert.equal(matches(db, "romeo"), 1);
  } finally {
    db.close();
  }
});

// Vacuum under the sandbox users run: the server is a child process under exactly the `start`
// task's flags (tests/support/served.ts), where the runtime's node:sqlite allows no ATTACH, so
// VACUUM itself fails ("too many attached databases - max 0"). A new database gives its freed
// pages back at once; one made before that is rewritten compactly at the next start.

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { writeFixtures } from "../support/home.ts";
import { postJson } from "../support/post.ts";
import { serveReady, withServed } from "../support/served.ts";
import { makeHome } from "../support/home.ts";
import { count } from "../support/wait.ts";
import { type Db, openDb } from "../../src/store/db.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

const autoVacuum = (db: Db) => count(db, "SELECT auto_vacuum AS n FROM pragma_auto_vacuum()");

/** Rows of every table the rewrite copies, and what the full-text index finds. */
function contents(db: Db): Record<string, number> {
  const out: Record<string, number> = {};
  const tables = db.prepare(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
       AND name NOT LIKE 'events_fts%' ORDER BY name`,
  ).all();
  for (const t of tables) {
    const name = String(t.name);
    // The vacuum's own request (a settings row) is gone once done.
    const where = name === "settings" ? " WHERE key <> 'compact_on_start'" : "";
    out[name] = count(db, `SELECT count(*) AS n FROM "${name}"${where}`);
  }
  out["events: raw bytes"] = count(
    db,
    "SELECT sum(length(event_raw(raw, raw_block, id))) AS n FROM events",
  );
  out["events: id sum"] = count(db, "SELECT sum(id) AS n FROM events");
  out["fts: the"] = count(db, "SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH 'the'");
  return out;
}

Deno.test(
  "under the start task's flags, vacuum of a new database gives the pages freed by deleted events back at once",
  opts,
  async () => {
    await withServed(async (h) => {
      await writeFixtures(h.claudeDir);
    }, async (s) => {
      assert.equal(autoVacuum(s.db), 2, "a new database is made incremental");
      // The older half of the events, with the payload blocks they leave unused (as retention).
      s.db.exec(`
        DELETE FROM events WHERE id <= (SELECT max(id) / 2 FROM events);
        DELETE FROM raw_blocks
          WHERE id NOT IN (SELECT raw_block FROM events WHERE raw_block IS NOT NULL);`);
      const r = await postJson(s.url, "/api/actions/vacuum");
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const body = r.body as Record<string, unknown>;
      assert.equal(body.mode, "incremental");
      assert.ok(Number(body.bytes_after) < Number(body.bytes_before), JSON.stringify(body));
      assert.match(String(body.message), /^vacuumed: [\d.]+ MiB → [\d.]+ MiB in \d+ ms$/);
      assert.doesNotMatch(s.output(), /attached databases/);
    });
  },
);

Deno.test(
  "under the start task's flags, vacuum of a database made before incremental vacuum says it waits for the next start, which rewrites it smaller with every row kept",
  opts,
  async () => {
    const h = await makeHome();
    try {
      await writeFixtures(h.claudeDir);
      const first = await serveReady(h);
      await first.stop();
      // As an older claude-dash made it (VACUUM is allowed in this test process), then events
      // deleted as retention would.
      const legacy = new DatabaseSync(h.dbPath);
      legacy.exec("PRAGMA auto_vacuum = NONE");
      legacy.exec("VACUUM");
      legacy.close();
      const old = openDb(h.dbPath);
      old.exec("DELETE FROM events WHERE id % 2 = 0");
      old.close();

      const second = await serveReady(h);
      let before: Record<string, number>;
      let bytesBefore: number;
      try {
        assert.equal(autoVacuum(second.db), 0);
        const r = await postJson(second.url, "/api/actions/vacuum");
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const body = r.body as Record<string, unknown>;
        assert.equal(body.mode, "next_start");
        assert.match(String(body.message), /rewritten compactly when claude-dash next starts/);
        before = contents(second.db);
        bytesBefore = Number(body.bytes_before);
      } finally {
        await second.stop();
      }

      const third = await serveReady(h);
      try {
        assert.match(third.output(), /vacuum at start: rewritten as an incrementally vacuumed/);
        assert.equal(autoVacuum(third.db), 2, "the rewrite is incremental");
        assert.deepEqual(contents(third.db), before, "every row and the full-text index kept");
        assert.ok(before["fts: the"] > 0);
        const r = await postJson(third.url, "/api/actions/vacuum");
        const body = r.body as Record<string, unknown>;
        assert.equal(body.mode, "incremental");
        assert.ok(Number(body.bytes_before) < bytesBefore, `${body.bytes_before} < ${bytesBefore}`);
        assert.equal(
          count(third.db, "SELECT count(*) AS n FROM settings WHERE key = 'compact_on_start'"),
          0,
        );
        const dir = [...Deno.readDirSync(`${h.claudeDir}/claude-dash`)].map((e) => e.name);
        assert.ok(!dir.includes("claude-dash.db.compact-tmp"), dir.join(", "));
      } finally {
        await third.stop();
      }
    } finally {
      await h.cleanup();
    }
  },
);

// The one-time rewrite of a database made before incremental vacuum (src/store/compact.ts),
// in process: it never renames over a database another process holds open, and keeps the
// request for the next start then; done, it leaves no scratch file and asks nothing again.

import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { makeHome, writeFixtures } from "./support/home.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { openDb } from "../src/store/db.ts";
import { compactIfRequested, compactRequestKey, requestCompaction } from "../src/store/compact.ts";
import { count } from "./support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test(
  "a rewrite asked for while another process holds the database open is put off to the next start, then done",
  opts,
  async () => {
    const h = await makeHome();
    try {
      await writeFixtures(h.claudeDir);
      const db = openDb(h.dbPath);
      const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false });
      ingester.start();
      await ingester.ready;
      await ingester.stop();
      db.close();
      const legacy = new DatabaseSync(h.dbPath);
      legacy.exec("PRAGMA auto_vacuum = NONE");
      legacy.exec("VACUUM");
      legacy.close();
      const asked = openDb(h.dbPath);
      const events = count(asked, "SELECT count(*) AS n FROM events");
      requestCompaction(asked, 1);
      // `asked` stays open: another process, as far as the rewrite can tell.
      assert.equal(
        compactIfRequested(h.dbPath)?.note,
        "another process has the database open: not rewritten",
      );
      assert.equal(count(asked, "SELECT auto_vacuum AS n FROM pragma_auto_vacuum()"), 0);
      const key = `SELECT count(*) AS n FROM settings WHERE key = '${compactRequestKey}'`;
      assert.equal(count(asked, key), 1, "still asked for");
      asked.close();
      const done = compactIfRequested(h.dbPath);
      assert.equal(done?.ok, true, done?.note);
      assert.equal(compactIfRequested(h.dbPath), null, "asked once, done once");
      const after = openDb(h.dbPath);
      try {
        assert.equal(count(after, "SELECT auto_vacuum AS n FROM pragma_auto_vacuum()"), 2);
        assert.equal(count(after, "SELECT count(*) AS n FROM events"), events);
        assert.equal(count(after, key), 0);
        assert.deepEqual(
          allNames(join(h.claudeDir, "claude-dash")).filter((n) => n.includes("compact")),
          [],
        );
      } finally {
        after.close();
      }
    } finally {
      await h.cleanup();
    }
  },
);

function allNames(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name);
}

// The notifier's threads.db, read by a server spawned under the start task's flags (read-only
// access to ~/.claude): copied into claude-dash's own database, never changed.

import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { serveReady } from "./support/served.ts";
import { makeHome } from "./support/home.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function sha(path: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test(
  "the notifier's threads.db is read into claude-dash's own database and never changed",
  opts,
  async () => {
    const h = await makeHome();
    const path = join(h.claudeDir, "hooks/threads.db");
    const src = new DatabaseSync(path);
    src.exec(
      `CREATE TABLE thread_mappings (session_id TEXT PRIMARY KEY, channel_id TEXT, thread_id TEXT,
    created_at TEXT, is_archived INTEGER, last_used TEXT)`,
    );
    src.prepare("INSERT INTO thread_mappings VALUES (?,?,?,?,?,?)").run(
      "sess-1",
      "123",
      "456",
      "2025-01-01",
      0,
      "2025-01-02",
    );
    src.close();
    const before = await sha(path);
    const mtime = (await Deno.stat(path)).mtime?.getTime();
    const d = await serveReady(h);
    try {
      const rows = d.db.prepare("SELECT session_id, channel_id, thread_id FROM threads").all();
      assert.deepEqual(rows.map((r) => ({ ...r })), [{
        session_id: "sess-1",
        channel_id: "123",
        thread_id: "456",
      }]);
      assert.equal((await d.ingest()).threadsDb, "ok");
      assert.equal(await sha(path), before);
      assert.equal((await Deno.stat(path)).mtime?.getTime(), mtime);
      const names = [...Deno.readDirSync(join(h.claudeDir, "hooks"))].map((e) => e.name).sort();
      assert.deepEqual(names, ["logs", "threads.db"], "no -wal/-shm/journal files left beside it");
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a broken threads.db is counted as an error and ingest of everything else goes on",
  opts,
  async () => {
    const h = await makeHome();
    await Deno.writeTextFile(join(h.claudeDir, "hooks/threads.db"), "this is not a database");
    await Deno.writeTextFile(
      join(h.claudeDir, "hooks/logs/raw_json/1_Stop_s.json"),
      JSON.stringify({ session_id: "s", hook_event_name: "Stop" }),
    );
    const d = await serveReady(h);
    try {
      assert.equal((await d.ingest()).threadsDb, "error");
      const health = await (await fetch(`${d.url}/health`)).json();
      assert.equal(health.events, 1);
      assert.equal(health.errors, 1);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

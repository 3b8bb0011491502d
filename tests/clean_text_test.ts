// The fixture home (real transcripts, among them sniffly's file that is a single summary line)
// makes no ghost session: every session has a project, none is made only of summary or
// snapshot lines, and the lone summary joins the session that holds its leaf message.
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import { makeHome, writeFixtures } from "./support/home.ts";
import { serveReady } from "./support/served.ts";
import { count } from "./support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const summaryOnly = "ff71dbed-a4f2-4284-a4fc-fe2fb90de929";
const leafSession = "ba79134d-b6e9-4867-af0c-6941038c9e4b";

Deno.test(
  "the fixture home has no session without a project and none made only of summary or snapshot lines",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    const d = await serveReady(h);
    try {
      assert.equal(count(d.db, "SELECT count(*) AS n FROM sessions WHERE project IS NULL"), 0);
      assert.equal(
        count(
          d.db,
          `SELECT count(*) AS n FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM events e
             WHERE e.session_id = s.session_id AND e.type NOT IN ('summary', 'file-history-snapshot'))`,
        ),
        0,
      );
      const body = await (await fetch(`${d.url}/api/sessions?limit=200`)).json() as {
        sessions: Array<{ session_id: string; project: string | null }>;
      };
      const ids = body.sessions.map((s) => s.session_id);
      for (const ghost of [summaryOnly, "todowrite_examples", "representative_messages"]) {
        assert.ok(!ids.includes(ghost), `${ghost} is not a session`);
      }
      assert.equal((await fetch(`${d.url}/api/sessions/${summaryOnly}`)).status, 404);
      // The lone summary is kept, in the session of its leaf, within that session's time.
      const row = d.db.prepare(
        `SELECT e.session_id, e.ts BETWEEN s.first_ts AND s.last_ts AS inside FROM events e
         JOIN files f ON f.id = e.file_id JOIN sessions s ON s.session_id = e.session_id
         WHERE f.path LIKE ?`,
      ).get(`%${summaryOnly}.jsonl`) as { session_id: string; inside: number };
      assert.deepEqual({ ...row }, { session_id: leafSession, inside: 1 });
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

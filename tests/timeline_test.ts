// The session timeline's JSON twin on a generated home that has both hooks and transcripts (the
// recommended setup): one row per tool call and per prompt, whatever lines describe them, on
// every window of every session — and the session's tool-call count counts those rows.
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import type { SessionSummary, TimelineRow } from "../src/core/types.ts";
import type { TimelinePage } from "../src/core/view_data.ts";
import { type Served, withServed } from "./support/served.ts";
import { writeFixtures } from "./support/home.ts";
import { generate } from "../src/demo/workload.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function api<T>(d: Served, path: string): Promise<T> {
  const res = await fetch(d.url + path);
  assert.equal(res.status, 200, path);
  return await res.json() as T;
}

/** Every row of a session, walking back from the latest window by the `earlier` cursors. */
async function allRows(d: Served, sid: string, limit: number): Promise<TimelineRow[]> {
  const windows: TimelineRow[][] = [];
  let before = "";
  for (;;) {
    const page = await api<TimelinePage>(
      d,
      `/api/sessions/${encodeURIComponent(sid)}/timeline?limit=${limit}${before}`,
    );
    windows.unshift(page.rows);
    if (!page.earlier) return windows.flat();
    before = `&before=${page.earlier}`;
  }
}

/**
 * Prompt rows right after a prompt row with the same text. (The same text typed again in a later
 * turn, with the answer's rows between, is another prompt: the demo's users do that.)
 */
function repeatedPrompts(rows: TimelineRow[]): string[] {
  return rows.filter((r, i) =>
    i > 0 && r.kind === "prompt" && rows[i - 1].kind === "prompt" &&
    rows[i - 1].summary === r.summary
  ).map((r) => r.summary);
}

/** Every window of every session of the dashboard: one row per tool_use_id, every line once. */
async function checkEverySession(d: Served) {
  const { sessions } = await api<{ sessions: SessionSummary[] }>(d, "/api/sessions?limit=200");
  assert.ok(sessions.length > 3);
  for (const s of sessions) {
    const sid = s.session_id;
    const ids = d.db.prepare(
      `SELECT DISTINCT tool_use_id AS id FROM events WHERE session_id = ? AND tool_use_id IS NOT NULL
         AND type IN ('assistant', 'user', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure')`,
    ).all(sid).map((r) => String(r.id));
    const lines = Number(
      d.db.prepare("SELECT count(*) AS n FROM events WHERE session_id = ?").get(sid)?.n,
    );
    // Small windows too, so calls and prompts straddle window edges.
    for (const limit of [37, 200]) {
      const rows = await allRows(d, sid, limit);
      const perId = new Map<string, number>();
      for (const r of rows) {
        if (r.tool_use_id) perId.set(r.tool_use_id, (perId.get(r.tool_use_id) ?? 0) + 1);
      }
      for (const id of ids) {
        assert.equal(perId.get(id), 1, `${sid}: ${id} has ${perId.get(id) ?? 0} rows`);
      }
      assert.deepEqual(repeatedPrompts(rows), [], `${sid}: a prompt shows twice in a row`);
      assert.equal(rows.flatMap((r) => r.sources).length, lines, `${sid}: every line once`);
    }
  }
}

Deno.test(
  "with hooks and transcripts, every tool_use_id is one timeline row and no prompt shows twice in a row, in every window",
  opts,
  async () => {
    await withServed(async (h) => {
      await generate({ dir: h.claudeDir, events: 3000, seed: 15, hookShare: 0.4 });
    }, async (d) => {
      await checkEverySession(d);
      const { sessions } = await api<{ sessions: SessionSummary[] }>(d, "/api/sessions?limit=200");
      let merged = 0;
      let prompts = 0;
      for (const s of sessions) {
        const rows = await allRows(d, s.session_id, 200);
        // The session's tool-call count counts things: exactly its call rows.
        assert.equal(rows.filter((r) => r.kind === "tool").length, s.tool_calls, s.session_id);
        merged += rows.filter((r) =>
          r.kind === "tool" && new Set(r.sources.map((x) =>
              x.source
            )).size === 2
        ).length;
        prompts += rows.filter((r) =>
          r.kind === "prompt" &&
          r.sources.map((x) => x.type).sort().join() === "UserPromptSubmit,user"
        ).length;
      }
      assert.ok(merged > 50, `${merged} calls merged from hook and transcript lines`);
      assert.ok(prompts > 10, `${prompts} prompts merged from hook and transcript lines`);
    });
  },
);

Deno.test(
  "on the fixture home (real transcripts and id-less hook logs) every tool_use_id is one row and every line shows once",
  opts,
  async () => {
    await withServed((h) => writeFixtures(h.claudeDir).then(() => {}), checkEverySession);
  },
);

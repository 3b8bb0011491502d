// History outlives Claude Code's cleanup, over a real server on a temp HOME: a deleted transcript
// never deletes what was stored from it; after a restart on the same database /api/usage,
// /api/blocks, /api/sessions/:id and the session page answer exactly as before, with the session
// marked "archived" (live, as soon as the reconcile scan notices). A session keeps "live" while
// one of its files remains, and gets it back when its file reappears. A transcript truncated,
// rewritten or replaced (another first line) is re-read without duplicating events, usage
// messages or tool calls, even when the re-read takes several passes and a restart.
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import { join } from "node:path";
import { Ingester } from "../src/ingest/ingester.ts";
import { openDb } from "../src/store/db.ts";
import type { Db } from "../src/store/db.ts";
import { makeHome, writeFixtures } from "./support/home.ts";
import { type Served, serveReady } from "./support/served.ts";
import { SseClient } from "./support/sse.ts";
import { count, waitFor } from "./support/wait.ts";
import type { SessionSummary } from "../src/core/types.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

const viewerSession = "1af7fc5e-8455-4414-9ccd-011d40f70b2a";
const viewerRel = `projects/-fixtures-claude-code-viewer/${viewerSession}.jsonl`;
/** todowrite_session has lines in two files: todowrite_examples.jsonl and edge_cases.jsonl. */
const twoFileSession = "todowrite_session";
const snifflyRel = "projects/-fixtures-sniffly/d3ad4cdc-5657-435d-98fa-0035d53e383d.jsonl";

async function json(d: Served, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(d.url + path);
  assert.equal(res.status, 200, path);
  return await res.json();
}

async function summary(d: Served, id: string): Promise<SessionSummary> {
  return await json(d, `/api/sessions/${encodeURIComponent(id)}`) as unknown as SessionSummary;
}

/** What a person sees of one session: the API twin, its timeline, usage and the page's parts. */
async function sessionView(d: Served, id: string) {
  const enc = encodeURIComponent(id);
  const { source: _source, status: _status, ...detail } = await json(d, `/api/sessions/${enc}`);
  const html = await (await fetch(`${d.url}/sessions/${enc}`, {
    headers: { Accept: "text/html" },
  })).text();
  const stats = html.slice(html.indexOf('<dl class="stats">'), html.indexOf("</dl>"))
    .replace(/<span class="pill pill-archived"[^>]*>archived<\/span>/, "");
  return {
    detail,
    timeline: await json(d, `/api/sessions/${enc}/timeline?limit=200`),
    usage: await json(d, `/api/sessions/${enc}/usage`),
    // The stored lines behind the timeline's rows (a row holds every line of its thing).
    pageEvents: [...html.matchAll(/data-sources="([\d ]+)"/g)].flatMap((m) =>
      m[1].split(" ").map(Number)
    ),
    pageStats: stats,
    pageUsage: /data-island="UsageChart" data-props="([^"]*)"/.exec(html)?.[1],
  };
}

/** Everything the usage views answer, for every grouping. */
async function usageViews(d: Served) {
  const out: Record<string, unknown> = {};
  for (const group of ["day", "hour", "model", "project", "session"]) {
    out[group] = await json(d, `/api/usage?group=${group}`);
  }
  out.blocks = await json(d, "/api/blocks");
  return out;
}

Deno.test(
  "deleting a transcript keeps everything: after a restart /api/usage, /api/blocks, the session's API and page are unchanged and it is marked archived",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    try {
      let before, usageBefore, sessionsBefore: SessionSummary[];
      {
        const d = await serveReady(h);
        before = await sessionView(d, viewerSession);
        usageBefore = await usageViews(d);
        sessionsBefore = (await json(d, "/api/sessions?limit=200")).sessions as SessionSummary[];
        assert.equal((await summary(d, viewerSession)).source, "live");
        assert.ok(before.pageEvents.length > 20, "the page shows the timeline");
        assert.ok(before.pageUsage, "the page has its usage chart");
        await d.stop();
      }
      await Deno.remove(join(h.claudeDir, viewerRel));
      const d = await serveReady(h);
      try {
        const s = await summary(d, viewerSession);
        assert.equal(s.source, "archived");
        assert.deepEqual(await sessionView(d, viewerSession), before);
        assert.deepEqual(await usageViews(d), usageBefore);
        const page = await (await fetch(`${d.url}/sessions/${viewerSession}`, {
          headers: { Accept: "text/html" },
        })).text();
        assert.match(page, /class="pill pill-archived" data-source="archived"/);
        // Every other session is as it was, and still live.
        const after = (await json(d, "/api/sessions?limit=200")).sessions as SessionSummary[];
        assert.deepEqual(
          after.map(({ source, status: _, ...rest }) => ({
            ...rest,
            source: rest.session_id === viewerSession ? "live" : source,
          })),
          sessionsBefore.map(({ status: _, ...rest }) => rest),
        );
        const list = await (await fetch(`${d.url}/sessions?limit=200`, {
          headers: { Accept: "text/html" },
        })).text();
        assert.equal([...list.matchAll(/pill-archived/g)].length, 1, "one archived row");
        const health = await json(d, "/api/health");
        assert.equal((health.ingest as { missingTranscripts: number }).missingTranscripts, 1);
        assert.notEqual(
          count(d.db, "SELECT count(*) AS n FROM files WHERE missing_ms IS NOT NULL"),
          0,
        );
      } finally {
        await d.stop();
      }
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test(
  "while running: a session stays live until the last of its files is gone, is published as archived then, and is live again when its file comes back, with nothing stored twice",
  opts,
  async () => {
    const h = await makeHome();
    const layout = await writeFixtures(h.claudeDir);
    const d = await serveReady(h);
    const sse = new SseClient(`${d.url}/api/stream?session=${twoFileSession}`);
    try {
      await waitFor(() => sse.messages.some((m) => m.event === "hello"), 3000, "SSE hello");
      const rows = () => ({
        events: count(d.db, "SELECT count(*) AS n FROM events"),
        messages: count(d.db, "SELECT count(*) AS n FROM messages"),
        tools: count(d.db, "SELECT count(*) AS n FROM tool_calls"),
      });
      const stored = rows();
      const files = layout.transcripts.filter((t) => /todowrite_examples|edge_cases/.test(t.rel));
      assert.equal(files.length, 2);
      await Deno.remove(join(h.claudeDir, files[0].rel));
      await d.settled();
      assert.equal((await summary(d, twoFileSession)).source, "live", "one file left");
      await Deno.remove(join(h.claudeDir, files[1].rel));
      const published = await waitFor(
        () =>
          sse.messages.find((m) =>
            m.event === "session" && JSON.parse(m.data).source === "archived"
          ),
        3000,
        "the archived session published",
      );
      assert.equal(JSON.parse(published.data).session_id, twoFileSession);
      assert.equal((await summary(d, twoFileSession)).source, "archived");
      assert.deepEqual(rows(), stored, "nothing deleted");

      // The file comes back (restored from a backup): live again, nothing duplicated.
      const text = await Deno.readTextFile(files[1].source);
      await Deno.writeTextFile(join(h.claudeDir, files[1].rel), text);
      await waitFor(
        async () => (await summary(d, twoFileSession)).source === "live",
        3000,
        "live again",
      );
      await d.settled();
      assert.deepEqual(rows(), stored, "re-read without duplicates");
    } finally {
      await sse.close();
      await d.stop();
      await h.cleanup();
    }
  },
);

/** Rows stored, and how many of them repeat a line of the same file (uuid or whole text). */
function snapshot(db: Db) {
  const all = (sql: string) => db.prepare(sql).all();
  return {
    events: count(db, "SELECT count(*) AS n FROM events"),
    uuids: count(
      db,
      "SELECT count(*) - count(DISTINCT file_id || ' ' || uuid) AS n FROM events WHERE uuid IS NOT NULL",
    ),
    texts: count(
      db,
      "SELECT count(*) - count(DISTINCT file_id || ' ' || event_raw(raw, raw_block, id)) AS n FROM events WHERE source = 'transcript'",
    ),
    messages: count(db, "SELECT count(*) AS n FROM messages"),
    toolCalls: all(
      "SELECT session_id, tool_use_id, tool_name, status, start_ts, end_ts FROM tool_calls ORDER BY session_id, tool_use_id, start_ts",
    ),
    sessions: all(
      "SELECT session_id, events, tool_calls, errors, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, context_tokens, compactions, round(cost_usd, 9) AS c FROM sessions ORDER BY session_id",
    ),
  };
}

Deno.test(
  "a transcript truncated, rewritten, cut in half or replaced by one with another first line is re-read with no duplicate events, messages or tool calls",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    const d = await serveReady(h);
    try {
      const before = snapshot(d.db);
      const abs = join(h.claudeDir, snifflyRel);
      const text = await Deno.readTextFile(abs);
      const past = new Date(Date.now() - 3600_000);
      const write = async (content: string) => {
        await Deno.writeTextFile(abs, content);
        await Deno.utime(abs, past, new Date(Date.now() - 3600_000 + Math.random() * 1000));
        await d.settled();
      };
      // Emptied, then the same lines written again.
      await write("");
      await write(text);
      assert.deepEqual(snapshot(d.db), before, "emptied and rewritten");
      // Cut in half (at a line end), then whole again.
      const lines = text.split("\n");
      await write(lines.slice(0, Math.floor(lines.length / 2)).join("\n") + "\n");
      await write(text);
      assert.deepEqual(snapshot(d.db), before, "cut and rewritten");
      // Replaced by a file with another first line: every line moves to another offset,
      // including the summary line, which has no uuid.
      const extra = JSON.stringify({
        type: "user",
        uuid: "brand-new-line",
        sessionId: "d3ad4cdc-5657-435d-98fa-0035d53e383d",
        timestamp: "2025-06-30T00:00:00Z",
        message: { role: "user", content: "a new first line" },
      });
      await write(extra + "\n" + text);
      const after = snapshot(d.db);
      assert.equal(after.events, before.events + 1, "only the new line is added");
      assert.equal(after.uuids, before.uuids, "no line of the file stored twice (by uuid)");
      assert.equal(after.texts, before.texts, "nor by text (the summary line has no uuid)");
      assert.equal(after.messages, before.messages);
      assert.deepEqual(after.toolCalls, before.toolCalls);
      // Then the original back (shorter, another first line again): nothing new.
      await write(text);
      assert.equal(snapshot(d.db).events, before.events + 1);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a replaced transcript too big for one pass is re-read over several passes and a restart without duplicates",
  opts,
  async () => {
    const h = await makeHome();
    try {
      // About 20 MB: three 8 MB chunks, one chunk per pass below.
      const sid = "big-reread";
      const pad = "x".repeat(1000);
      const lines: string[] = [];
      for (let i = 0; i < 20_000; i++) {
        const ts = new Date(Date.UTC(2025, 8, 1) + i * 1000).toISOString();
        lines.push(JSON.stringify(
          i % 2 === 0
            ? {
              type: "user",
              uuid: `u${i}`,
              sessionId: sid,
              timestamp: ts,
              message: { role: "user", content: `line ${i} ${pad}` },
            }
            : {
              type: "assistant",
              uuid: `u${i}`,
              sessionId: sid,
              timestamp: ts,
              requestId: `req${i}`,
              message: {
                id: `msg${i}`,
                role: "assistant",
                model: "claude-sonnet-4-5-20250929",
                content: [{
                  type: "tool_use",
                  id: `tool${i}`,
                  name: "Bash",
                  input: { command: pad },
                }],
                usage: { input_tokens: 1, output_tokens: 1 },
              },
            },
        ));
      }
      const text = lines.join("\n") + "\n";
      const abs = join(h.claudeDir, `projects/-big/${sid}.jsonl`);
      await Deno.mkdir(join(h.claudeDir, "projects/-big"), { recursive: true });
      const past = new Date(Date.now() - 3600_000);
      await Deno.writeTextFile(abs, text);
      await Deno.utime(abs, past, past);
      const run = async (stopAfterFirstCommit: boolean) => {
        const db = openDb(h.dbPath);
        let ingester: Ingester | null = null;
        ingester = new Ingester({
          claudeDir: h.claudeDir,
          db,
          watch: false,
          transcriptBytesPerPass: 1,
          onCommit: stopAfterFirstCommit ? () => void ingester?.stop() : undefined,
        });
        ingester.start();
        await ingester.ready;
        if (!stopAfterFirstCommit) {
          // Until every pass has reached the end.
          await waitFor(
            async () => {
              await ingester!.rescan();
              return ingester!.stats.cappedReads > 0 && (db.prepare(
                "SELECT offset = size AS done FROM files WHERE path LIKE '%big-reread%'",
              ).get() as { done: number }).done;
            },
            20_000,
            "read to the end",
          );
        }
        await ingester.stop();
        const s = snapshot(db);
        db.close();
        return s;
      };
      const first = await run(false);
      assert.equal(first.events, 20_000);
      assert.equal(first.messages, 10_000);
      assert.equal(first.toolCalls.length, 10_000);
      // Replaced by a file with another first line, then read one 8 MB pass and stopped.
      const extra = JSON.stringify({
        type: "user",
        uuid: "new-first",
        sessionId: sid,
        timestamp: "2025-08-31T00:00:00Z",
        message: { role: "user", content: "new first line" },
      });
      await Deno.writeTextFile(abs, extra + "\n" + text);
      await Deno.utime(abs, past, new Date(past.getTime() + 1000));
      const partial = await run(true);
      assert.ok(partial.events > 20_000 && partial.uuids === 0, "mid-way through the re-read");
      // Restarted: the re-read goes on from the stored cursor, still skipping what is stored.
      const done = await run(false);
      assert.equal(done.events, 20_001);
      assert.equal(done.uuids, 0);
      assert.equal(done.messages, 10_000);
      assert.deepEqual(done.toolCalls, first.toolCalls);
    } finally {
      await h.cleanup();
    }
  },
);

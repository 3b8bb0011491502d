// The pages and their JSON twins over real HTTP on a real server: page weight at the largest
// page size, twins answering the same rows as their pages, bad parameters answered with 400,
// raw JSON of one event, timeline paging, the empty state and /health content negotiation.
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFixtures } from "./support/home.ts";
import { type Served, withServed } from "./support/served.ts";
import { generate } from "../src/demo/workload.ts";
import { sessionTimeline } from "../src/store/read/session_timeline.ts";
import { maxPageRows } from "../src/core/config.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** The budget for one page of HTML or JSON. */
const pageBudgetBytes = 300 * 1024;

async function get(d: Served, path: string, html = true) {
  const res = await fetch(d.url + path, {
    headers: { Accept: html ? "text/html" : "application/json" },
  });
  const body = await res.text();
  return { status: res.status, type: res.headers.get("content-type") ?? "", body };
}

/** 200 characters that each grow when escaped for HTML text, attributes and JSON. */
const heavy = (i: number) => `<b>"${i}"&'</b>`.repeat(20).slice(0, 200);

async function writeHeavyHooks(claudeDir: string, sessions: number, perSession: number) {
  const dir = join(claudeDir, "hooks/logs/raw_json");
  const now = Date.now();
  let n = 0;
  for (let s = 0; s < sessions; s++) {
    const sid = `heavy-${String(s).padStart(4, "0")}-${"x".repeat(26)}`;
    for (let e = 0; e < perSession; e++) {
      n++;
      const t = new Date(now - 3600_000 + n * 10);
      const stamp = t.toISOString().replace(/[-:]/g, "").replace("T", "_").replace(
        /\.(\d{3})Z$/,
        `_$1${String(n % 1000).padStart(3, "0")}`,
      );
      const first = e === 0;
      const payload = {
        session_id: sid,
        cwd: `/home/someone/projects/${"deep/".repeat(8)}project-${s % 7}`,
        hook_event_name: first ? "UserPromptSubmit" : "PreToolUse",
        timestamp: t.toISOString(),
        ...(first ? { prompt: heavy(n) } : {
          tool_name: "Bash",
          tool_input: { command: heavy(n) },
          tool_use_id: `toolu_${s}_${e}`,
        }),
      };
      await Deno.writeTextFile(
        join(dir, `${stamp}_${payload.hook_event_name}_${sid}.json`),
        JSON.stringify(payload),
      );
    }
  }
}

Deno.test(
  "the sessions, events and session pages at 200 rows of HTML-heavy text ship at most 300 KB, and so do their JSON twins",
  opts,
  async () => {
    await withServed(async (h) => {
      await generate({ dir: h.claudeDir, events: 6000, sessions: 60, seed: 7 });
      await writeHeavyHooks(h.claudeDir, 210, 1);
      const sid = "heavy-one";
      const dir = join(h.claudeDir, "hooks/logs/raw_json");
      for (let i = 0; i < 260; i++) {
        const t = new Date(Date.now() - 60_000 + i * 10);
        const stamp = t.toISOString().replace(/[-:]/g, "").replace("T", "_").replace(
          /\.(\d{3})Z$/,
          `_$1${String(i).padStart(3, "0")}`,
        );
        await Deno.writeTextFile(
          join(dir, `${stamp}_PreToolUse_${sid}.json`),
          JSON.stringify({
            session_id: sid,
            cwd: "/tmp/heavy",
            hook_event_name: "PreToolUse",
            timestamp: t.toISOString(),
            tool_name: "Bash",
            tool_input: { command: heavy(i) },
            tool_use_id: `toolu_heavy_${i}`,
          }),
        );
      }
    }, async (d) => {
      const pages: Array<[string, RegExp, boolean]> = [
        [`/sessions?limit=${maxPageRows}`, /<tr [^>]*data-session-id=/g, true],
        [`/events?limit=${maxPageRows}`, /<tr [^>]*data-event-id=/g, true],
        [`/sessions/${"heavy-one"}`, /<li [^>]*data-event-id=/g, true],
        [`/api/sessions?limit=${maxPageRows}`, /"session_id":/g, false],
        [`/api/events?limit=${maxPageRows}`, /"id":/g, false],
        [`/api/sessions/heavy-one/timeline`, /"summary":/g, false],
      ];
      for (const [path, row, html] of pages) {
        const r = await get(d, path, html);
        assert.equal(r.status, 200, `${path}: ${r.body.slice(0, 200)}`);
        const rows = r.body.match(row)?.length ?? 0;
        const kb = new TextEncoder().encode(r.body).length / 1024;
        console.log(`${path}: ${rows} rows, ${kb.toFixed(1)} KB`);
        assert.ok(rows >= 200 && rows <= 201, `${path}: ${rows} rows`);
        assert.ok(kb * 1024 <= pageBudgetBytes, `${path}: ${kb.toFixed(1)} KB`);
      }
    });
  },
);

function ids(html: string, attr: string): string[] {
  return [...html.matchAll(new RegExp(`<tr [^>]*${attr}="([^"]+)"`, "g"))].map((m) => m[1]);
}

Deno.test(
  "each list page and its JSON twin answer the same rows for the same filters, sort and range",
  opts,
  async () => {
    await withServed((h) => writeFixtures(h.claudeDir).then(() => {}), async (d) => {
      const cases = [
        "?project=Demo&sort=events",
        "?project=attio-mcp-server&sort=duration&dir=asc",
        "?status=ended&limit=5&offset=5",
        "?model=claude-sonnet-4-20250514&sort=cost",
        "?since=2025-08-01T00:00:00Z&until=2025-08-02T00:00:00Z",
      ];
      for (const q of cases) {
        const page = await get(d, "/sessions" + q);
        const api = JSON.parse((await get(d, "/api/sessions" + q, false)).body);
        assert.deepEqual(
          ids(page.body, "data-session-id"),
          api.sessions.map((s: { session_id: string }) => s.session_id),
          q,
        );
        assert.ok(api.sessions.length > 0, `${q} matched nothing`);
      }
      const demo = JSON.parse((await get(d, "/api/sessions?project=Demo&sort=events", false)).body);
      assert.equal(demo.total, 3);
      const counts = demo.sessions.map((s: { events: number }) => s.events);
      assert.deepEqual(counts, [...counts].sort((a: number, b: number) => b - a));
      assert.ok(
        demo.sessions.every((s: { first_prompt: string | null }) => s.first_prompt),
        "every Demo session has a first prompt",
      );

      for (const q of ["?type=Notification", "?tool=Bash&limit=20", "?project=Demo&limit=30"]) {
        const page = await get(d, "/events" + q);
        const api = JSON.parse((await get(d, "/api/events" + q, false)).body);
        assert.deepEqual(
          ids(page.body, "data-event-id"),
          api.events.map((e: { id: number }) => String(e.id)),
          q,
        );
      }
      const notes = JSON.parse((await get(d, "/api/events?type=Notification", false)).body);
      assert.equal(notes.events.length, 14);
      const demoEvents = JSON.parse(
        (await get(d, "/api/events?project=Demo&limit=200", false)).body,
      );
      const demoIds = new Set(demo.sessions.map((s: { session_id: string }) => s.session_id));
      assert.ok(
        demoEvents.events.every((e: { session_id: string }) => demoIds.has(e.session_id)),
        "project filter let in another project's event",
      );
    });
  },
);

Deno.test(
  "bad page parameters are answered with 400 and a message, never a 500",
  opts,
  async () => {
    await withServed((h) => writeFixtures(h.claudeDir).then(() => {}), async (d) => {
      for (
        const path of [
          "/sessions?sort=nope",
          "/sessions?dir=sideways",
          "/api/sessions?range=1y",
          "/api/sessions?limit=201",
          "/events?cursor=bad",
          "/api/events?since=yesterday",
          "/api/sessions/fe5e1c67-53e7-4862-81ae-d0e013e3270b/timeline?before=zz",
          "/api/events/newer?after_id=-1",
        ]
      ) {
        const r = await get(d, path, false);
        assert.equal(r.status, 400, `${path}: ${r.status} ${r.body}`);
        assert.ok(JSON.parse(r.body).error.length > 10, `${path}: ${r.body}`);
      }
      assert.equal((await get(d, "/sessions/no-such-session")).status, 404);
      assert.equal((await get(d, "/api/events/999999999", false)).status, 404);
    });
  },
);

Deno.test(
  "/api/events/:id returns the stored event with its original JSON",
  opts,
  async () => {
    await withServed((h) => writeFixtures(h.claudeDir).then(() => {}), async (d) => {
      const list = JSON.parse(
        (await get(d, "/api/events?type=UserPromptSubmit&limit=1", false)).body,
      );
      const id = list.events[0].id;
      const ev = JSON.parse((await get(d, `/api/events/${id}`, false)).body);
      assert.equal(ev.id, id);
      assert.equal(ev.type, "UserPromptSubmit");
      assert.equal(ev.raw.hook_event_name, "UserPromptSubmit");
      assert.equal(ev.raw.session_id, ev.session_id);
      assert.equal(typeof ev.raw.prompt, "string");
    });
  },
);

Deno.test(
  "walking a session's timeline back by its 'earlier' cursors shows every stored line once, each in one row, rows in time order",
  opts,
  async () => {
    await withServed((h) => writeFixtures(h.claudeDir).then(() => {}), (d) => {
      const sid = "fe5e1c67-53e7-4862-81ae-d0e013e3270b";
      let page = sessionTimeline(d.db, sid, 50);
      const windows = [page];
      while (page.earlier) {
        const [ts, id] = page.earlier.split("_").map(Number);
        page = sessionTimeline(d.db, sid, 50, { before: { ts, id } });
        windows.unshift(page);
      }
      const rows = windows.flatMap((w) => w.rows);
      const seen = rows.flatMap((r) => r.sources.map((s) => s.id));
      const all = d.db.prepare("SELECT id FROM events WHERE session_id = ? ORDER BY ts, id").all(
        sid,
      ).map((r) => (r as { id: number }).id);
      assert.equal(all.length, 438);
      // A tool call's use and result are one row: fewer rows than lines, every line once.
      assert.ok(rows.length < all.length, `${rows.length} rows for ${all.length} lines`);
      assert.deepEqual([...seen].sort((a, b) => a - b), [...all].sort((a, b) => a - b));
      const keys = rows.map((r) => r.key);
      assert.equal(new Set(keys).size, keys.length, "a thing shows in two rows");
      const times = rows.map((r) => Date.parse(r.ts));
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
      // Forward from the first window's last line reaches the same rows as the next window.
      assert.ok(windows[0].later, "an earlier window links forward");
      const [ts, id] = windows[0].later.split("_").map(Number);
      const fwd = sessionTimeline(d.db, sid, 50, { after: { ts, id } });
      assert.deepEqual(fwd.rows.map((r) => r.key), windows[1].rows.map((r) => r.key));
      const sidechain = rows.filter((r) => r.is_sidechain).flatMap((r) => r.sources);
      assert.ok(sidechain.length > 300, "the inline sub-agent lines are marked as sidechain");
      return Promise.resolve();
    });
  },
);

Deno.test(
  "with nothing read yet, every list page explains what claude-dash reads instead of an empty table",
  opts,
  async () => {
    await withServed(() => Promise.resolve(), async (d) => {
      for (const path of ["/", "/sessions", "/events", "/tools"]) {
        const r = await get(d, path);
        assert.equal(r.status, 200, path);
        assert.match(r.body, /id="empty-state"/, path);
        assert.match(r.body, /projects\/\*\/\*\.jsonl/, path);
        assert.match(r.body, /hooks\/logs\/raw_json/, path);
      }
    });
  },
);

Deno.test(
  "/health answers HTML to a browser and JSON to everything else; /api/health adds rates and clients",
  opts,
  async () => {
    await withServed((h) => writeFixtures(h.claudeDir).then(() => {}), async (d) => {
      const html = await get(d, "/health");
      assert.match(html.type, /text\/html/);
      assert.match(html.body, /id="health-status"/);
      const json = await get(d, "/health", false);
      assert.match(json.type, /application\/json/);
      assert.equal(JSON.parse(json.body).status, "degraded"); // the fixtures hold broken lines
      const forced = await get(d, "/health?format=json");
      assert.match(forced.type, /application\/json/);
      const api = JSON.parse((await get(d, "/api/health", false)).body);
      assert.equal(typeof api.live_clients, "number");
      assert.equal(typeof api.rates.events_per_s, "number");
      assert.ok(api.ingest.hookFiles > 0 && api.ingest.transcripts > 0);
      assert.ok(api.recent_errors.length > 0);
    });
  },
);

// Resume beyond the replay window (issue 17, point 8): a client whose Last-Event-ID is more
// than maxReplayEvents behind, or unknown to the database, gets an explicit `reset` right
// after `hello` and no partial replay; a resume within the window still replays exactly the
// missed events. Both over SSE (Last-Event-ID) and WebSocket (?last_event_id=), against a
// server spawned under the start task's flags.

import assert from "node:assert/strict";
import { join } from "node:path";
import { maxReplayEvents } from "../src/core/config.ts";
import { maxEventId } from "../src/store/read/events.ts";
import type { Db } from "../src/store/db.ts";
import { makeHome } from "./support/home.ts";
import { SseClient } from "./support/sse.ts";
import { waitFor } from "./support/wait.ts";
import { type Served, serveReady } from "./support/served.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const sid = "reset-0000-4000-8000-000000000001";

/** One transcript with more user lines than the replay window, each stored as one event. */
function writeLongTranscript(claudeDir: string, lines: number): void {
  const dir = join(claudeDir, "projects/-work-reset");
  Deno.mkdirSync(dir, { recursive: true });
  const t0 = Date.now() - 3600_000;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(JSON.stringify({
      type: "user",
      uuid: `u-${i}`,
      parentUuid: i === 0 ? null : `u-${i - 1}`,
      sessionId: sid,
      timestamp: new Date(t0 + i).toISOString(),
      cwd: "/work/reset",
      isSidechain: false,
      userType: "external",
      message: { role: "user", content: `prompt ${i}` },
    }));
  }
  const path = join(dir, `${sid}.jsonl`);
  Deno.writeTextFileSync(path, out.join("\n") + "\n");
  const past = new Date(t0);
  Deno.utimeSync(path, past, past);
}

/** The id with exactly `n` stored events after it. */
function idWithEventsAfter(db: Db, n: number): number {
  const row = db.prepare("SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?").get(n);
  return Number(row?.id);
}

async function withDashboard(
  fn: (d: Served, claudeDir: string) => Promise<void>,
): Promise<void> {
  const h = await makeHome();
  writeLongTranscript(h.claudeDir, maxReplayEvents + 200);
  const d = await serveReady(h).catch(async (e) => {
    await h.cleanup();
    throw e;
  });
  try {
    assert.ok(maxEventId(d.db) > maxReplayEvents + 100, "more events stored than the window");
    await fn(d, h.claudeDir);
  } finally {
    await d.stop();
    await h.cleanup();
  }
}

Deno.test(
  "SSE resume older than the replay window gets an explicit reset, never a partial replay",
  opts,
  () =>
    withDashboard(async (d, claudeDir) => {
      const newest = maxEventId(d.db);
      const tooOld = idWithEventsAfter(d.db, maxReplayEvents + 1);
      const client = new SseClient(`${d.url}/api/stream`, { "Last-Event-ID": String(tooOld) });
      try {
        await waitFor(() => client.messages.length >= 2, 3000, "hello and reset");
        assert.equal(client.messages[0].event, "hello");
        const reset = client.messages[1];
        assert.equal(reset.event, "reset");
        assert.equal(reset.id, String(newest), "the SSE id moves Last-Event-ID past the gap");
        assert.deepEqual(JSON.parse(reset.data), {
          type: "reset",
          reason: "too_old",
          from_id: tooOld,
          last_id: newest,
          replay_limit: maxReplayEvents,
        });
        // Nothing of the missed range follows; the stream goes on live after last_id.
        Deno.writeTextFileSync(
          join(claudeDir, "hooks/logs/raw_json/1_PreToolUse_after-reset.json"),
          JSON.stringify({
            session_id: "after-reset",
            hook_event_name: "PreToolUse",
            cwd: "/work/reset",
            tool_name: "Bash",
            tool_input: { command: "echo after-reset" },
            tool_use_id: "toolu_after_reset",
            timestamp: new Date().toISOString(),
          }),
        );
        await waitFor(() => client.events().length === 1, 2000, "live event after reset");
        const [ev] = client.events();
        assert.ok(ev.id > newest);
        assert.equal(ev.session_id, "after-reset");
      } finally {
        await client.close();
      }
    }),
);

Deno.test(
  "SSE resume exactly at the replay window replays every missed event, with no reset",
  opts,
  () =>
    withDashboard(async (d) => {
      const from = idWithEventsAfter(d.db, maxReplayEvents);
      const client = new SseClient(`${d.url}/api/stream`, { "Last-Event-ID": String(from) });
      try {
        await waitFor(() => client.events().length === maxReplayEvents, 5000, "full replay");
        await new Promise((r) => setTimeout(r, 150));
        assert.ok(!client.messages.some((m) => m.event === "reset"));
        const ids = client.events().map((e) => Number(e.id));
        const stored = d.db.prepare("SELECT id FROM events WHERE id > ? ORDER BY id").all(from)
          .map((r) => Number(r.id));
        assert.deepEqual(ids, stored, "exactly the missed events, in order");
      } finally {
        await client.close();
      }
    }),
);

Deno.test(
  "SSE resume from an id this database never gave (rebuilt) gets a reset, not silence",
  opts,
  () =>
    withDashboard(async (d) => {
      const newest = maxEventId(d.db);
      const client = new SseClient(`${d.url}/api/stream`, {
        "Last-Event-ID": String(newest + 1000),
      });
      try {
        await waitFor(() => client.messages.length >= 2, 3000, "hello and reset");
        const reset = JSON.parse(client.messages[1].data);
        assert.equal(client.messages[1].event, "reset");
        assert.equal(reset.reason, "unknown_id");
        assert.equal(reset.last_id, newest);
      } finally {
        await client.close();
      }
    }),
);

Deno.test(
  "WebSocket last_event_id older than the replay window gets a reset; within it, the full replay",
  opts,
  () =>
    withDashboard(async (d) => {
      const newest = maxEventId(d.db);
      const open = (lastId: number) => {
        const got: Array<Record<string, unknown>> = [];
        const ws = new WebSocket(`${d.url.replace("http", "ws")}/api/ws?last_event_id=${lastId}`);
        ws.onmessage = (m) => got.push(JSON.parse(m.data));
        return { ws, got };
      };
      const tooOld = idWithEventsAfter(d.db, maxReplayEvents + 1);
      const old = open(tooOld);
      const within = open(idWithEventsAfter(d.db, maxReplayEvents));
      try {
        await waitFor(() => old.got.length >= 2, 3000, "ws hello and reset");
        assert.equal(old.got[0].type, "hello");
        assert.deepEqual(old.got[1], {
          type: "reset",
          reason: "too_old",
          from_id: tooOld,
          last_id: newest,
          replay_limit: maxReplayEvents,
        });
        const events = () => within.got.filter((m) => m.type === "event");
        await waitFor(() => events().length === maxReplayEvents, 5000, "ws full replay");
        await new Promise((r) => setTimeout(r, 150));
        assert.ok(!within.got.some((m) => m.type === "reset"));
        assert.ok(!old.got.some((m) => m.type === "event"), "no partial replay after reset");
      } finally {
        old.ws.close();
        within.ws.close();
      }
    }),
);

// The backfill progress bar: its fill, the `backfill` block of /api/health, the bar on /health
// and the overview while a backfill runs (and not once it is done), and the live `progress`
// message on the SSE stream.

import assert from "node:assert/strict";
import { join } from "node:path";
import { createApp } from "../../src/http/app.ts";
import { openDb } from "../../src/store/db.ts";
import { LiveBus } from "../../src/live/bus.ts";
import { startProgressPublisher } from "../../src/live/progress.ts";
import type { BackfillProgress } from "../../src/core/progress.ts";
import type { LiveMessage } from "../../src/core/types.ts";
import { backfillRatio, backfillText } from "../../src/web/islands/BackfillBar.tsx";
import { openTestApp } from "./support/app.ts";

const running: BackfillProgress = {
  phase: "events",
  filesDone: 120,
  filesTotal: 480,
  bytesDone: 50e6,
  bytesTotal: 200e6,
  mbPerSec: 25,
  etaSeconds: 6,
  startedAtMs: 1_000,
  finishedAtMs: null,
};

async function appWith(progress: () => BackfillProgress | null) {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-progress-" });
  const dbPath = join(dir, "claude-dash.db");
  const db = openDb(dbPath);
  const bus = new LiveBus();
  const app = createApp({
    db,
    bus,
    ingester: null,
    claudeDir: join(dir, ".claude"),
    dbPath,
    startedAt: Date.now(),
    rateLimitPerMin: 0,
    backfillProgress: progress,
  });
  const get = (path: string, accept = "application/json") =>
    app.request(`http://127.0.0.1${path}`, { headers: { Host: "127.0.0.1", Accept: accept } });
  return {
    app,
    bus,
    get,
    async [Symbol.asyncDispose]() {
      db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("the bar's fill: bytes when their total is known, else files; none before a total is known", () => {
  assert.equal(backfillRatio(running), 0.25);
  assert.equal(backfillRatio({ ...running, bytesTotal: 0, filesDone: 100, filesTotal: 400 }), 0.25);
  const unknown = { ...running, filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  assert.equal(backfillRatio(unknown), null);
  assert.equal(backfillRatio({ ...running, phase: "done" }), 1);
});

Deno.test("the bar's text names files, MB, speed and time left", () => {
  assert.equal(
    backfillText(running),
    "120 of 480 files · 50.0 of 200 MB · 25.0 MB/s · about 6 s left",
  );
});

Deno.test("the publisher sends a progress message only when it moved, and once more at done, then stops", async () => {
  const bus = new LiveBus();
  const got: LiveMessage[] = [];
  bus.subscribe((m) => got.push(...m));
  let p: BackfillProgress = { ...running };
  const stop = startProgressPublisher(bus, () => p, 10);
  try {
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(got.length, 1, "unchanged progress is sent once");
    p = { ...p, filesDone: 200 };
    await new Promise((r) => setTimeout(r, 40));
    p = { ...p, phase: "done", finishedAtMs: 2_000 };
    await new Promise((r) => setTimeout(r, 40));
    p = { ...p, phase: "events" };
    await new Promise((r) => setTimeout(r, 40));
    const phases = got.map((m) => m.type === "progress" ? m.progress.phase : m.type);
    assert.deepEqual(phases, ["events", "events", "done"]);
    assert.equal(bus.latestProgress?.type, "progress");
  } finally {
    stop();
  }
});

Deno.test("/api/health and /health carry the backfill block", async () => {
  await using t = await appWith(() => running);
  const api = await (await t.get("/api/health")).json();
  assert.deepEqual(api.backfill, running);
  assert.equal(typeof api.memory.rss_mib, "number");
  const health = await (await t.get("/health")).json();
  assert.equal(health.backfill.phase, "events");
});

Deno.test("/health and the overview show an accessible progress bar while the backfill runs", async () => {
  await using t = await appWith(() => running);
  for (const path of ["/health", "/"]) {
    const html = await (await t.get(path, "text/html")).text();
    assert.match(html, /id="backfill-progress"/, `${path} shows the bar`);
    assert.match(html, /role="progressbar"/);
    assert.match(html, /aria-valuenow="25"/);
    assert.match(html, /aria-valuemax="100"/);
    assert.match(html, /aria-valuetext="25%: 120 of 480 files/);
    assert.match(html, /Indexing events and search index/);
  }
});

Deno.test("an overview with sessions shows the bar above its figures while the backfill runs", async () => {
  await using t = await openTestApp();
  const app = createApp({
    db: t.db,
    bus: t.bus,
    ingester: null,
    claudeDir: t.claudeDir,
    dbPath: t.dbPath,
    startedAt: Date.now(),
    rateLimitPerMin: 0,
    backfillProgress: () => ({ ...running, phase: "usage" }),
  });
  const res = await app.request("http://127.0.0.1/", {
    headers: { Host: "127.0.0.1", Accept: "text/html" },
  });
  const html = await res.text();
  assert.match(html, /id="sessions"/, "the board is there (not the empty state)");
  assert.match(html, /Indexing usage totals/);
  assert.ok(html.indexOf('id="backfill-progress"') < html.indexOf('id="sessions"'));
});

Deno.test("no bar once the backfill is done, nor when nothing ingests", async () => {
  for (const p of [{ ...running, phase: "done" as const }, null]) {
    await using t = await appWith(() => p);
    for (const path of ["/health", "/"]) {
      const html = await (await t.get(path, "text/html")).text();
      assert.doesNotMatch(html, /id="backfill-progress"/, `${path} has no bar`);
    }
  }
});

Deno.test("the live stream carries progress messages, and a client connecting later gets the newest first", async () => {
  await using t = await appWith(() => running);
  t.bus.publish([{ type: "progress", progress: { ...running, filesDone: 130 } }]);
  const res = await t.get("/api/stream", "text/event-stream");
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const until = async (re: RegExp) => {
    while (!re.test(buf)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${re}`);
      buf += value;
    }
  };
  try {
    await until(/event: progress\ndata: .*"filesDone":130/);
    t.bus.publish([{ type: "progress", progress: { ...running, phase: "done", filesDone: 480 } }]);
    await until(/event: progress\ndata: .*"phase":"done"/);
  } finally {
    await reader.cancel();
  }
});

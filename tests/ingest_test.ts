// Ingest end to end on a server spawned under the start task's exact flags over a temp HOME
// (tests/support/served.ts): fixtures, live appends, restarts, truncation and bad input.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Ingester } from "../src/ingest/ingester.ts";
import { openDb } from "../src/store/db.ts";
import { makeHome, writeFixtures } from "./support/home.ts";
import { type Served, serveReady } from "./support/served.ts";
import { count, waitFor } from "./support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

type Totals = {
  events: number;
  messages: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
};

/** The documented rules, computed straight from the fixture files without the production parser. */
async function independentTotals(layout: Awaited<ReturnType<typeof writeFixtures>>) {
  const per = new Map<string, Totals>();
  let lineless = 0;
  const get = (sid: string) => {
    let t = per.get(sid);
    if (!t) {
      per.set(
        sid,
        t = { events: 0, messages: 0, input: 0, output: 0, cacheCreation: 0, cacheRead: 0 },
      );
    }
    return t;
  };
  const seenMessages = new Map<
    string,
    { sid: string; u: { input: number; output: number; cacheCreation: number; cacheRead: number } }
  >();
  // Summary and snapshot lines name no session: they belong to the session the file's other
  // lines name, else to the one holding the message their leafUuid names, else to none.
  const records = new Map<string, Array<Record<string, unknown>>>();
  const leafSession = new Map<string, string>();
  for (const { rel, source } of layout.transcripts) {
    const list: Array<Record<string, unknown>> = [];
    for (const text of (await Deno.readTextFile(source)).split("\n")) {
      if (text.trim() === "") continue;
      let o: unknown;
      try {
        o = JSON.parse(text);
      } catch {
        continue;
      }
      if (typeof o !== "object" || o === null || Array.isArray(o)) continue;
      const rec = o as Record<string, unknown>;
      list.push({ ...rec, __text: text });
      if (typeof rec.uuid === "string" && typeof rec.sessionId === "string" && rec.sessionId) {
        leafSession.set(rec.uuid, rec.sessionId);
      }
    }
    records.set(rel, list);
  }
  for (const { rel } of layout.transcripts) {
    const stem = rel.slice(rel.lastIndexOf("/") + 1).replace(/\.jsonl$/, "");
    const list = records.get(rel) ?? [];
    const unnamed = (r: Record<string, unknown>) =>
      !(typeof r.sessionId === "string" && r.sessionId !== "") &&
      (r.type === "summary" || r.type === "file-history-snapshot");
    const named = list.find((r) => typeof r.sessionId === "string" && r.sessionId !== "");
    for (const rec of list) {
      const text = rec.__text as string;
      let sid = typeof rec.sessionId === "string" && rec.sessionId !== "" ? rec.sessionId : stem;
      if (unnamed(rec)) {
        const byLeaf = typeof rec.leafUuid === "string" ? leafSession.get(rec.leafUuid) : undefined;
        const to = named?.sessionId as string | undefined ?? byLeaf;
        if (to === undefined) {
          lineless++;
          continue;
        }
        sid = to;
      }
      const t = get(sid);
      t.events++;
      const m = rec.message as Record<string, unknown> | undefined;
      const usage = m?.usage as Record<string, number> | undefined;
      if (rec.type === "assistant" && usage) {
        // One message per message id + request id, counted from its largest (final) snapshot
        // in the session that first stored it (issue 16; was: first line seen wins).
        const key = `${m?.id ?? `${rel}:${text.length}`}|${rec.requestId ?? ""}`;
        const u = {
          input: usage.input_tokens ?? 0,
          output: usage.output_tokens ?? 0,
          cacheCreation: usage.cache_creation_input_tokens ?? 0,
          cacheRead: usage.cache_read_input_tokens ?? 0,
        };
        const sum = (x: typeof u) => x.input + x.output + x.cacheCreation + x.cacheRead;
        const was = seenMessages.get(key);
        if (!was) seenMessages.set(key, { sid, u });
        else if (was.sid === sid && sum(u) > sum(was.u)) was.u = u;
      }
    }
  }
  for (const { sid, u } of seenMessages.values()) {
    const t = get(sid);
    t.messages++;
    t.input += u.input;
    t.output += u.output;
    t.cacheCreation += u.cacheCreation;
    t.cacheRead += u.cacheRead;
  }
  for (const { text } of layout.hookFiles) get(JSON.parse(text).session_id).events++;
  return { per, lineless };
}

Deno.test(
  "every fixture transcript line and hook file becomes exactly one event; per-session counts and tokens match an independent computation",
  opts,
  async () => {
    const h = await makeHome();
    const layout = await writeFixtures(h.claudeDir);
    const { per: expected, lineless } = await independentTotals(layout);
    const d = await serveReady(h);
    try {
      const expectedEvents = [...expected.values()].reduce((a, t) => a + t.events, lineless);
      assert.equal(count(d.db, "SELECT count(*) AS n FROM events"), expectedEvents);
      assert.equal(
        count(d.db, "SELECT count(*) AS n FROM events WHERE source = 'hook'"),
        layout.hookFiles.length,
      );
      const res = await fetch(`${d.url}/api/sessions?limit=200`);
      const body = await res.json() as {
        total: number;
        sessions: Array<Record<string, number | string>>;
      };
      assert.equal(body.total, expected.size);
      for (const s of body.sessions) {
        const want = expected.get(s.session_id as string);
        assert.ok(want, `unexpected session ${s.session_id}`);
        assert.equal(s.events, want.events, `events of ${s.session_id}`);
        assert.equal(s.input_tokens, want.input, `input tokens of ${s.session_id}`);
        assert.equal(s.output_tokens, want.output, `output tokens of ${s.session_id}`);
        assert.equal(
          s.cache_creation_tokens,
          want.cacheCreation,
          `cache creation of ${s.session_id}`,
        );
        assert.equal(s.cache_read_tokens, want.cacheRead, `cache read of ${s.session_id}`);
        const messages = count(
          d.db,
          `SELECT count(*) AS n FROM messages WHERE session_id = '${s.session_id}'`,
        );
        assert.equal(messages, want.messages, `deduplicated messages of ${s.session_id}`);
      }
      // fe5e1c67 repeats assistant lines: 262 lines, 170 distinct messages (FORMATS.md).
      assert.equal(
        count(d.db, "SELECT count(*) AS n FROM messages WHERE session_id LIKE 'fe5e1c67%'"),
        170,
      );
      // The three non-object lines of edge_cases.jsonl are the only errors.
      const health = await (await fetch(`${d.url}/health`)).json();
      assert.equal(health.errors, 3);
      assert.equal(health.status, "degraded");
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

function snapshot(d: Served) {
  const q = (sql: string) => d.db.prepare(sql).all();
  return {
    events: count(d.db, "SELECT count(*) AS n FROM events"),
    keys: count(d.db, "SELECT count(DISTINCT key) AS n FROM events"),
    messages: count(d.db, "SELECT count(*) AS n FROM messages"),
    toolCalls: q(
      "SELECT session_id, tool_use_id, tool_name, status, start_ts, end_ts FROM tool_calls ORDER BY session_id, tool_use_id, start_ts, end_ts",
    ),
    sessions: q(
      "SELECT session_id, events, tool_calls, errors, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, round(cost_usd, 9) AS c FROM sessions ORDER BY session_id",
    ),
    errors: count(d.db, "SELECT count(*) AS n FROM ingest_errors"),
  };
}

Deno.test("ingesting twice, or restarting mid-way, gives identical rows", opts, async () => {
  const h = await makeHome();
  await writeFixtures(h.claudeDir);
  let once;
  {
    const d = await serveReady(h);
    once = snapshot(d);
    await d.stop();
  }
  {
    const d = await serveReady(h);
    await d.settled();
    assert.deepEqual(snapshot(d), once, "a second run over the same files adds nothing");
    await d.stop();
  }
  await Deno.remove(h.dbPath);
  await Deno.remove(h.dbPath + "-wal").catch(() => {});
  await Deno.remove(h.dbPath + "-shm").catch(() => {});
  {
    // Stop right after the first committed batch, then resume from the stored cursors.
    const db = openDb(h.dbPath);
    let ingester: Ingester | null = null;
    ingester = new Ingester({
      claudeDir: h.claudeDir,
      db,
      watch: false,
      onCommit: () => void ingester?.stop(),
    });
    ingester.start();
    await ingester.ready;
    await ingester.stop();
    const partial = count(db, "SELECT count(*) AS n FROM events");
    db.close();
    assert.ok(
      partial > 0 && partial < once.events,
      `stopped mid-way (${partial} of ${once.events})`,
    );
    const d = await serveReady(h);
    assert.deepEqual(snapshot(d), once, "resuming after a stop mid-way gives the same rows");
    await d.stop();
  }
  await h.cleanup();
});

Deno.test(
  "a transcript truncated and rewritten with the same lines adds no duplicates; a replaced file's new lines are added",
  opts,
  async () => {
    const h = await makeHome();
    const layout = await writeFixtures(h.claudeDir);
    const d = await serveReady(h);
    try {
      const before = snapshot(d);
      const target = layout.transcripts.find((t) => t.rel.includes("1af7fc5e"))!;
      const abs = join(h.claudeDir, target.rel);
      const text = await Deno.readTextFile(abs);
      await Deno.writeTextFile(abs, "");
      await d.settled();
      await Deno.writeTextFile(abs, text);
      await d.settled();
      assert.deepEqual(snapshot(d), before);
      // Same name, different first line: re-read from the start, the new line is stored once.
      const extra = JSON.stringify({
        type: "user",
        uuid: "brand-new",
        sessionId: "1af7fc5e-8455-4414-9ccd-011d40f70b2a",
        timestamp: "2025-09-09T00:00:00Z",
        message: { role: "user", content: "again" },
      });
      await Deno.writeTextFile(abs, extra + "\n" + text);
      await d.settled();
      assert.equal(snapshot(d).events, before.events + 1);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

const hookPayload = (sid: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    session_id: sid,
    hook_event_name: "PreToolUse",
    cwd: "/tmp/p",
    transcript_path: "/x",
    tool_name: "Bash",
    tool_input: { command: "echo hi" },
    ...extra,
  });

Deno.test("a transcript line appended while running is stored within 1 s", opts, async () => {
  const h = await makeHome();
  const rel = "projects/-tmp-p/live-session.jsonl";
  const abs = join(h.claudeDir, rel);
  await Deno.mkdir(join(h.claudeDir, "projects/-tmp-p"), { recursive: true });
  await Deno.writeTextFile(
    abs,
    JSON.stringify({
      type: "user",
      uuid: "1",
      sessionId: "live-session",
      timestamp: new Date().toISOString(),
      message: { content: "first" },
    }) + "\n",
  );
  const d = await serveReady(h);
  try {
    assert.equal(count(d.db, "SELECT count(*) AS n FROM events"), 1);
    const t0 = performance.now();
    await Deno.writeTextFile(
      abs,
      JSON.stringify({
        type: "user",
        uuid: "2",
        sessionId: "live-session",
        timestamp: new Date().toISOString(),
        message: { content: "second" },
      }) + "\n",
      { append: true },
    );
    await waitFor(
      () => count(d.db, "SELECT count(*) AS n FROM events") === 2,
      1000,
      "appended line",
    );
    console.log(`appended line stored after ${(performance.now() - t0).toFixed(0)} ms`);
  } finally {
    await d.stop();
    await h.cleanup();
  }
});

Deno.test(
  "without file-system events the reconcile scan alone still picks up a new file within ~1 s",
  opts,
  async () => {
    // In process: a spawned server always watches, and this is the path without a watcher.
    const h = await makeHome();
    const db = openDb(h.dbPath);
    const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false });
    ingester.start();
    try {
      await ingester.ready;
      await Deno.writeTextFile(
        join(h.claudeDir, "hooks/logs/raw_json/1_PreToolUse_s.json"),
        hookPayload("s"),
      );
      await waitFor(
        () => count(db, "SELECT count(*) AS n FROM events") === 1,
        2500,
        "reconciled hook file",
      );
    } finally {
      await ingester.stop();
      db.close();
      await h.cleanup();
    }
  },
);

Deno.test("10,000 hook files written in a burst are all stored", opts, async () => {
  const h = await makeHome();
  const d = await serveReady(h);
  try {
    const dir = join(h.claudeDir, "hooks/logs/raw_json");
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const name = `${String(i).padStart(6, "0")}_PreToolUse_burst-${i % 20}.json`;
      await Deno.writeTextFile(
        join(dir, name),
        hookPayload(`burst-${i % 20}`, {
          tool_use_id: `toolu_${i}`,
          tool_input: { command: `echo ${i}` },
        }),
      );
    }
    const written = performance.now();
    await waitFor(
      () => count(d.db, "SELECT count(*) AS n FROM events") === 10_000,
      20_000,
      "10,000 events",
    );
    console.log(
      `burst: written in ${(written - t0).toFixed(0)} ms, all stored ${
        (performance.now() - written).toFixed(0)
      } ms later`,
    );
    assert.equal(count(d.db, "SELECT count(*) AS n FROM tool_calls"), 10_000);
    assert.equal(count(d.db, "SELECT sum(events) AS n FROM sessions"), 10_000);
  } finally {
    await d.stop();
    await h.cleanup();
  }
});

Deno.test(
  "malformed, binary, empty and 50 MB files are counted on /health and do not stop anything else",
  opts,
  async () => {
    const h = await makeHome();
    const raw = join(h.claudeDir, "hooks/logs/raw_json");
    await Deno.writeTextFile(
      join(raw, "1_PreToolUse_a.json"),
      '{"session_id": "a", "hook_event_name": "PreTo',
    );
    await Deno.writeFile(
      join(raw, "2_PreToolUse_a.json"),
      new Uint8Array([0x7b, 0, 1, 2, 0xff, 0x7d]),
    );
    await Deno.writeTextFile(join(raw, "3_PreToolUse_a.json"), "");
    const big = new Uint8Array(50 * 1024 * 1024).fill(0x20);
    await Deno.writeFile(join(raw, "4_PreToolUse_a.json"), big);
    await Deno.writeTextFile(join(raw, "5_PreToolUse_a.json"), hookPayload("a"));
    const proj = join(h.claudeDir, "projects/-p");
    await Deno.mkdir(proj, { recursive: true });
    // A 50 MB transcript whose single line has no end, then a binary one, then a good one.
    big.fill(0x61);
    await Deno.writeFile(join(proj, "huge.jsonl"), big);
    await Deno.writeFile(
      join(proj, "binary.jsonl"),
      new Uint8Array([0xff, 0xfe, 0, 0, 0x0a, 0x01, 0x0a]),
    );
    await Deno.writeTextFile(
      join(proj, "good.jsonl"),
      JSON.stringify({
        type: "user",
        uuid: "g",
        timestamp: "2025-01-01T00:00:00Z",
        message: { content: "ok" },
      }) + "\n",
    );
    const d = await serveReady(h);
    try {
      const health = await (await fetch(`${d.url}/health`)).json();
      assert.equal(
        count(d.db, "SELECT count(*) AS n FROM events"),
        2,
        "the two valid events are stored",
      );
      const reasons = (await (await fetch(`${d.url}/api/health`)).json()).recent_errors as Array<
        { path: string; reason: string }
      >;
      const by = (name: string) =>
        reasons.filter((r) => r.path.endsWith(name)).map((r) => r.reason).join("; ");
      assert.match(by("1_PreToolUse_a.json"), /invalid JSON/);
      assert.match(by("2_PreToolUse_a.json"), /NUL|UTF-8/);
      assert.match(by("3_PreToolUse_a.json"), /empty/);
      assert.match(by("4_PreToolUse_a.json"), /too large/);
      assert.match(by("huge.jsonl"), /longer than/);
      assert.match(by("binary.jsonl"), /UTF-8|JSON/);
      assert.equal(health.errors, reasons.length);
      assert.ok(health.errors >= 6);
      assert.equal(health.status, "degraded");
      const html = await (await fetch(`${d.url}/health`, { headers: { Accept: "text/html" } }))
        .text();
      assert.match(html, /1_PreToolUse_a\.json/);
      // The half-written file is finished: it is retried, stored, and its error cleared.
      await Deno.writeTextFile(
        join(raw, "1_PreToolUse_a.json"),
        hookPayload("a", { tool_use_id: "t1" }),
      );
      await d.settled();
      assert.equal(count(d.db, "SELECT count(*) AS n FROM events"), 3);
      const after = await (await fetch(`${d.url}/health`)).json();
      assert.equal(after.errors, health.errors - 1);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

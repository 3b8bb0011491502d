// Tests for the workload generator bench/gen.ts: determinism, totals versus what is on disk,
// transcript and hook file shape, and live mode pacing.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DEFAULT_BASE_TIME_MS,
  DEFAULT_SPAN_MS,
  generate,
  type GenTotals,
  HOOK_DIR,
  live,
  type ModelTotals,
  type SessionTotals,
} from "../src/demo/workload.ts";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function obj(v: unknown, what: string): Obj {
  assert.ok(isObj(v), `${what} is not an object`);
  return v;
}

function num(v: unknown, what: string): number {
  assert.equal(typeof v, "number", `${what} is not a number`);
  return v as number;
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "claude_dash_gen_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every regular file under `root`, as paths relative to it, sorted. */
async function listFiles(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(rel === "" ? root : `${root}/${rel}`)) {
    const p = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory) out.push(...await listFiles(root, p));
    else if (e.isFile) out.push(p);
  }
  return out.sort();
}

async function hashTree(root: string): Promise<string> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const rel of await listFiles(root)) {
    const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(`${root}/${rel}`));
    parts.push(enc.encode(rel + "\0"), new Uint8Array(digest));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

function emptySession(): SessionTotals {
  return {
    events: 0,
    messages: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    toolCalls: 0,
    toolFailures: 0,
  };
}

interface Recount {
  totals: GenTotals;
  toolUses: Map<string, string>;
  toolResults: Map<string, boolean>;
  preHooks: Set<string>;
  postHooks: Set<string>;
  failureHooks: Set<string>;
  assistantLines: number;
}

const TRANSCRIPT = /^projects\/([^/]+)\/([0-9a-f-]{36})\.jsonl$/;
const SUBAGENT = /^projects\/([^/]+)\/([0-9a-f-]{36})\/subagents\/agent-[0-9a-f]+\.jsonl$/;
const HOOK_FILE = /^(\d{8}_\d{6}_\d{6})_([A-Za-z]+)_([0-9a-f-]{36})\.json$/;

/** Recomputes every total independently, from the files alone. */
async function recount(root: string): Promise<Recount> {
  const totals: GenTotals = {
    hookFiles: 0,
    transcriptLines: 0,
    transcriptBytes: 0,
    sessions: 0,
    projects: 0,
    perSession: {},
    byModel: {},
  };
  const r: Recount = {
    totals,
    toolUses: new Map(),
    toolResults: new Map(),
    preHooks: new Set(),
    postHooks: new Set(),
    failureHooks: new Set(),
    assistantLines: 0,
  };
  const session = (id: string) => (totals.perSession[id] ??= emptySession());
  const projects = new Set<string>();
  const seenMessages = new Set<string>();
  for (const rel of await listFiles(root)) {
    if (rel.startsWith(HOOK_DIR + "/")) {
      const name = rel.slice(HOOK_DIR.length + 1);
      const m = HOOK_FILE.exec(name);
      assert.ok(m, `bad hook file name ${name}`);
      const p = obj(JSON.parse(await Deno.readTextFile(`${root}/${rel}`)), name);
      assert.equal(p.hook_event_name, m[2]);
      assert.equal(p.session_id, m[3]);
      totals.hookFiles++;
      const s = session(m[3]);
      s.events++;
      const id = typeof p.tool_use_id === "string" ? p.tool_use_id : null;
      if (p.hook_event_name === "PreToolUse" && id) r.preHooks.add(id);
      if (p.hook_event_name === "PostToolUse" && id) r.postHooks.add(id);
      if (p.hook_event_name === "PostToolUseFailure" && id) r.failureHooks.add(id);
      continue;
    }
    const main = TRANSCRIPT.exec(rel);
    const sub = SUBAGENT.exec(rel);
    const m = main ?? sub;
    assert.ok(m, `unexpected file ${rel}`);
    projects.add(m[1]);
    const fileSession = m[2];
    const bytes = await Deno.readFile(`${root}/${rel}`);
    totals.transcriptBytes += bytes.length;
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    for (const line of text.split("\n").slice(0, -1)) {
      const o = obj(JSON.parse(line), `line of ${rel}`);
      totals.transcriptLines++;
      const sid = typeof o.sessionId === "string" ? o.sessionId : fileSession;
      assert.equal(sid, fileSession, `sessionId of a line in ${rel}`);
      const s = session(sid);
      s.events++;
      const msg = isObj(o.message) ? o.message : null;
      if (o.type === "assistant" && msg) {
        r.assistantLines++;
        const content = msg.content as Obj[];
        for (const b of content) {
          if (b.type === "tool_use") {
            r.toolUses.set(String(b.id), String(b.name));
            s.toolCalls++;
          }
        }
        const key = `${msg.id}\u0000${o.requestId}`;
        if (seenMessages.has(key)) continue;
        seenMessages.add(key);
        const u = obj(msg.usage, "usage");
        const model = String(msg.model);
        const bm: ModelTotals = totals.byModel[model] ??= {
          messages: 0,
          input_tokens: 0,
          output_tokens: 0,
          cache_creation_tokens: 0,
          cache_read_tokens: 0,
        };
        for (const t of [s, bm]) {
          t.messages++;
          t.input_tokens += num(u.input_tokens, "input_tokens");
          t.output_tokens += num(u.output_tokens, "output_tokens");
          t.cache_creation_tokens += num(u.cache_creation_input_tokens, "cache_creation");
          t.cache_read_tokens += num(u.cache_read_input_tokens, "cache_read");
        }
      } else if (o.type === "user" && msg && Array.isArray(msg.content)) {
        for (const b of msg.content as Obj[]) {
          if (b.type !== "tool_result") continue;
          r.toolResults.set(String(b.tool_use_id), b.is_error === true);
          if (b.is_error === true) s.toolFailures++;
        }
      }
    }
  }
  totals.sessions = Object.keys(totals.perSession).length;
  totals.projects = projects.size;
  return r;
}

Deno.test("generate: the same seed gives byte-identical files, another seed does not", async () => {
  await withTempDir(async (tmp) => {
    const dir = `${tmp}/claude`;
    const opts = { dir, events: 4000, seed: 42 };
    const first = await generate(opts);
    const h1 = await hashTree(dir);
    await Deno.remove(dir, { recursive: true });
    const second = await generate(opts);
    const h2 = await hashTree(dir);
    assert.equal(h2, h1);
    assert.deepEqual(second, first);
    // Regenerating over an existing tree rewrites it to the same bytes (no appending twice).
    await generate(opts);
    assert.equal(await hashTree(dir), h1);
    await Deno.remove(dir, { recursive: true });
    await generate({ ...opts, seed: 43 });
    assert.notEqual(await hashTree(dir), h1);
  });
});

Deno.test("generate: totals match a recount of the files on disk (tokens deduplicated by message.id+requestId)", async () => {
  await withTempDir(async (dir) => {
    const events = 12_000;
    const totals = await generate({ dir, events, seed: 7 });
    const r = await recount(dir);
    assert.equal(totals.hookFiles, r.totals.hookFiles);
    assert.equal(totals.transcriptLines, r.totals.transcriptLines);
    assert.equal(totals.transcriptBytes, r.totals.transcriptBytes);
    assert.equal(totals.sessions, r.totals.sessions);
    assert.equal(totals.projects, r.totals.projects);
    assert.equal(totals.sessions, Math.ceil(events / 250));
    assert.equal(totals.projects, Math.ceil(totals.sessions / 5));
    assert.deepEqual(totals.perSession, r.totals.perSession);
    assert.deepEqual(totals.byModel, r.totals.byModel);

    // Assistant messages are repeated over several lines, so deduplication matters.
    const messages = Object.values(totals.perSession).reduce((n, s) => n + s.messages, 0);
    assert.ok(messages > 0 && messages * 1.3 < r.assistantLines, `${messages} ${r.assistantLines}`);
    assert.deepEqual(Object.keys(totals.byModel).sort(), [
      "claude-haiku-4-5-20251001",
      "claude-opus-4-6",
      "claude-sonnet-4-5-20250929",
      "claude-sonnet-4-6",
    ]);

    // Each tool call's id links its tool_use block, tool_result and Pre/Post hook files.
    const ids = [...r.toolUses.keys()].sort();
    assert.ok(ids.length > 100);
    assert.deepEqual([...r.toolResults.keys()].sort(), ids);
    assert.deepEqual([...r.preHooks].sort(), ids);
    assert.deepEqual([...r.postHooks, ...r.failureHooks].sort(), ids);
    const failed = [...r.toolResults].filter(([, e]) => e).map(([id]) => id).sort();
    assert.ok(failed.length > 0);
    assert.deepEqual([...r.failureHooks].sort(), failed);
    for (const id of ids) assert.match(id, /^toolu_01[0-9A-Za-z]{22}$/);

    // `events` is approximate; the hook share is near the 0.4 default.
    const written = totals.hookFiles + totals.transcriptLines;
    assert.ok(Math.abs(written - events) <= events * 0.05, `wrote ${written} of ${events}`);
    const share = totals.hookFiles / written;
    assert.ok(share > 0.3 && share < 0.5, `hook share ${share}`);
  });
});

Deno.test("generate: every transcript line ends with a newline and parses; assistant messages span 1-4 lines with identical usage", async () => {
  await withTempDir(async (dir) => {
    const baseTimeMs = Date.UTC(2025, 0, 10, 0, 0, 0);
    const spanMs = 86_400_000;
    await generate({ dir, events: 6000, seed: 3, baseTimeMs, spanMs });
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    let sidechainFiles = 0;
    let longLines = 0;
    let summaries = 0;
    let systemLines = 0;
    for (const rel of await listFiles(dir)) {
      if (rel.startsWith(HOOK_DIR + "/")) {
        const p = obj(JSON.parse(await Deno.readTextFile(`${dir}/${rel}`)), rel);
        const ts = String(p.timestamp);
        assert.match(ts, iso);
        const stamp = rel.slice(HOOK_DIR.length + 1, HOOK_DIR.length + 23);
        const fromName = Date.UTC(
          +stamp.slice(0, 4),
          +stamp.slice(4, 6) - 1,
          +stamp.slice(6, 8),
          +stamp.slice(9, 11),
          +stamp.slice(11, 13),
          +stamp.slice(13, 15),
        ) + Number(stamp.slice(16, 22)) / 1000;
        assert.equal(Date.parse(ts), fromName, `${rel} timestamp field vs name`);
        for (const k of ["session_id", "transcript_path", "cwd", "permission_mode"]) {
          assert.equal(typeof p[k], "string", `${rel}: ${k}`);
        }
        continue;
      }
      const text = await Deno.readTextFile(`${dir}/${rel}`);
      assert.ok(text.endsWith("\n"), `${rel} does not end with a newline`);
      const sub = rel.includes("/subagents/");
      if (sub) sidechainFiles++;
      // The current run of lines that share one message.id + requestId.
      const st: { run: { key: string; usage: string; stops: unknown[] } | null } = { run: null };
      const closeRun = () => {
        const run = st.run;
        if (run === null) return;
        const n = run.stops.length;
        assert.ok(n >= 1 && n <= 4, `${rel}: message repeated on ${n} lines`);
        assert.ok(run.stops.slice(0, -1).every((s) => s === null), `${rel}: early stop_reason`);
        assert.notEqual(run.stops[n - 1], null, `${rel}: no stop_reason on the last line`);
        st.run = null;
      };
      const lines = text.split("\n");
      assert.equal(lines.pop(), "");
      for (const line of lines) {
        assert.notEqual(line, "", `${rel}: empty line`);
        if (line.length > 20_000) longLines++;
        const o = obj(JSON.parse(line), rel);
        if (o.type === "summary") {
          summaries++;
          assert.equal(o.sessionId, undefined);
          assert.equal(o.timestamp, undefined);
          assert.equal(typeof o.leafUuid, "string");
          closeRun();
          continue;
        }
        assert.match(String(o.timestamp), iso);
        const t = Date.parse(String(o.timestamp));
        assert.ok(
          t >= baseTimeMs - spanMs && t <= baseTimeMs,
          `${rel}: ${o.timestamp} out of span`,
        );
        assert.equal(o.isSidechain, sub);
        assert.equal(o.userType, "external");
        assert.equal(o.version, "2.1.62");
        for (const k of ["uuid", "cwd", "sessionId", "gitBranch"]) {
          assert.equal(typeof o[k], "string");
        }
        if (o.type === "system") systemLines++;
        if (o.type !== "assistant") {
          closeRun();
          continue;
        }
        const msg = obj(o.message, "message");
        assert.equal(msg.type, "message");
        assert.equal(msg.role, "assistant");
        assert.ok(Array.isArray(msg.content) && msg.content.length === 1, "one block per line");
        assert.match(String(msg.id), /^msg_01[0-9A-Za-z]{22}$/);
        assert.match(String(o.requestId), /^req_011C[0-9A-Za-z]{18}$/);
        const key = `${msg.id}|${o.requestId}`;
        const usage = JSON.stringify(msg.usage);
        if (st.run !== null && st.run.key === key) {
          assert.equal(usage, st.run.usage, "usage repeated identically");
          st.run.stops.push(msg.stop_reason);
        } else {
          closeRun();
          st.run = { key, usage, stops: [msg.stop_reason] };
        }
      }
      closeRun();
    }
    assert.ok(sidechainFiles > 0, "no sub-agent transcripts");
    assert.ok(systemLines > 0, "no system lines");
    assert.ok(summaries > 0, "no summary lines");
    assert.ok(longLines > 0, "no long (20 KB+) lines");
  });
});

Deno.test("generate: 0 events writes an empty tree; hookShare 0 writes no hook files", async () => {
  await withTempDir(async (dir) => {
    const none = await generate({ dir: `${dir}/a`, events: 0 });
    assert.equal(none.hookFiles + none.transcriptLines + none.sessions, 0);
    const t = await generate({ dir: `${dir}/b`, events: 2000, hookShare: 0, seed: 5 });
    assert.equal(t.hookFiles, 0);
    assert.ok(t.transcriptLines > 1500);
    assert.deepEqual(await listFiles(`${dir}/b/${HOOK_DIR}`), []);
  });
});

Deno.test("generate: default timestamps lie in the 3 days before the base time", async () => {
  await withTempDir(async (dir) => {
    await generate({ dir, events: 3000, seed: 11 });
    for (const rel of await listFiles(`${dir}/${HOOK_DIR}`)) {
      const p = obj(JSON.parse(await Deno.readTextFile(`${dir}/${HOOK_DIR}/${rel}`)), rel);
      const t = Date.parse(String(p.timestamp));
      assert.ok(t >= DEFAULT_BASE_TIME_MS - DEFAULT_SPAN_MS && t <= DEFAULT_BASE_TIME_MS);
    }
  });
});

Deno.test("live: writes about rate x seconds events, appending whole lines only", async () => {
  await withTempDir(async (dir) => {
    const rate = 100;
    const seconds = 1.5;
    let writes = 0;
    let partial = 0;
    const started = Date.now();
    const totals = await live({
      dir,
      ratePerSec: rate,
      seconds,
      seed: 9,
      onWrite: (kind, path, at) => {
        writes++;
        assert.ok(at >= started);
        if (kind === "transcript" && !Deno.readTextFileSync(path).endsWith("\n")) partial++;
      },
    });
    const elapsed = Date.now() - started;
    const written = totals.hookFiles + totals.transcriptLines;
    assert.ok(written >= rate * seconds * 0.9 && written <= rate * seconds * 1.1, `${written}`);
    assert.ok(elapsed >= seconds * 1000 - 50 && elapsed < seconds * 1000 + 2000, `${elapsed} ms`);
    assert.equal(writes, written);
    assert.equal(partial, 0);
    const r = await recount(dir);
    assert.equal(r.totals.hookFiles, totals.hookFiles);
    assert.equal(r.totals.transcriptLines, totals.transcriptLines);
    assert.equal(r.totals.transcriptBytes, totals.transcriptBytes);
    assert.deepEqual(totals.perSession, r.totals.perSession);
    // Wall-clock timestamps.
    for (const rel of await listFiles(`${dir}/${HOOK_DIR}`)) {
      const p = obj(JSON.parse(await Deno.readTextFile(`${dir}/${HOOK_DIR}/${rel}`)), rel);
      const t = Date.parse(String(p.timestamp));
      assert.ok(t >= started - 5 && t <= Date.now() + 1000, `${p.timestamp}`);
    }
  });
});

Deno.test("live: stops early when the signal aborts", async () => {
  await withTempDir(async (dir) => {
    const ctl = new AbortController();
    const started = Date.now();
    setTimeout(() => ctl.abort(), 300);
    const totals = await live({ dir, ratePerSec: 50, seconds: 30, seed: 1, signal: ctl.signal });
    assert.ok(Date.now() - started < 2000);
    const written = totals.hookFiles + totals.transcriptLines;
    assert.ok(written > 0 && written < 100, `${written}`);
  });
});

Deno.test(
  "generate: streamingDuplicates gives early lines of a message partial output_tokens and the last its final usage, nothing else changes",
  async () => {
    await withTempDir(async (dir) => {
      const plain = await generate({ dir: `${dir}/plain`, events: 3000, seed: 21, hookShare: 0 });
      const streamed = await generate({
        dir: `${dir}/streamed`,
        events: 3000,
        seed: 21,
        hookShare: 0,
        streamingDuplicates: true,
      });
      // The totals count the final usage, which both trees carry.
      assert.deepEqual(streamed.perSession, plain.perSession);
      assert.deepEqual(streamed.byModel, plain.byModel);
      const files = await listFiles(`${dir}/plain`);
      assert.deepEqual(await listFiles(`${dir}/streamed`), files);
      let groups = 0;
      let partialLines = 0;
      for (const rel of files) {
        const a = (await Deno.readTextFile(`${dir}/plain/${rel}`)).split("\n");
        const b = (await Deno.readTextFile(`${dir}/streamed/${rel}`)).split("\n");
        assert.equal(b.length, a.length, rel);
        for (let i = 0; i < a.length; i++) {
          if (a[i] === "") continue;
          const pa = obj(JSON.parse(a[i]), rel);
          const pb = obj(JSON.parse(b[i]), rel);
          // Compact JSON, as Claude Code writes it (ccusage 20 skips lines with ": ").
          assert.equal(JSON.stringify(pb), b[i], `${rel}:${i} is not compact JSON`);
          if (a[i] === b[i]) continue;
          const ma = obj(pa.message, rel);
          const mb = obj(pb.message, rel);
          const ua = obj(ma.usage, rel);
          const ub = obj(mb.usage, rel);
          // Only output_tokens of a line that is not the message's last differs.
          assert.equal(mb.stop_reason, null, `${rel}:${i} changed on the final line`);
          assert.ok(num(ub.output_tokens, "output") < num(ua.output_tokens, "output"));
          assert.deepEqual({ ...ub, output_tokens: 0 }, { ...ua, output_tokens: 0 });
          assert.deepEqual({ ...pb, message: null }, { ...pa, message: null });
          partialLines++;
          const next = obj(JSON.parse(b[i + 1]), rel);
          if (obj(next.message, rel).stop_reason !== null) groups++;
        }
      }
      assert.ok(groups > 50, `only ${groups} messages streamed over several lines`);
      assert.ok(partialLines >= groups);
    });
  },
);

Deno.test("generate: idlessHooks writes 1.0.x hook payloads (no tool_use_id) for that share of sessions, and 0 changes nothing", async () => {
  await withTempDir(async (dir) => {
    // Absolute paths are part of the content: both runs write into the same folder.
    const same = join(dir, "same");
    await generate({ dir: same, events: 3000, seed: 5 });
    const plain = await hashTree(same);
    await Deno.remove(same, { recursive: true });
    await generate({ dir: same, events: 3000, seed: 5, idlessHooks: 0 });
    assert.equal(await hashTree(same), plain);

    const half = join(dir, "half");
    await generate({ dir: half, events: 6000, seed: 5, idlessHooks: 0.5 });
    const withId = new Set<string>();
    const without = new Set<string>();
    for (const rel of await listFiles(half)) {
      if (!rel.startsWith(HOOK_DIR + "/")) continue;
      const p = obj(JSON.parse(await Deno.readTextFile(join(half, rel))), rel);
      if (p.hook_event_name !== "PreToolUse" && p.hook_event_name !== "PostToolUse") continue;
      (typeof p.tool_use_id === "string" ? withId : without).add(String(p.session_id));
    }
    assert.ok(without.size > 0 && withId.size > 0, `${without.size} id-less, ${withId.size} not`);
    for (const s of without) assert.ok(!withId.has(s), `session ${s} mixes both shapes`);
  });
});

Deno.test("generate: realistic writes compact hook JSON, 2.1.x bookkeeping lines (counted apart) and tool results of real size", async () => {
  await withTempDir(async (dir) => {
    const base = join(dir, "base");
    const real = join(dir, "real");
    const b = await generate({ dir: base, events: 6000, seed: 9 });
    const r = await generate({ dir: real, events: 6000, seed: 9, realistic: true });
    assert.equal(b.bookkeepingLines, undefined);
    assert.ok((r.bookkeepingLines ?? 0) > 100, `${r.bookkeepingLines} bookkeeping lines`);
    const types = new Set<string>();
    const results: number[] = [];
    for (const rel of await listFiles(real)) {
      const text = await Deno.readTextFile(join(real, rel));
      if (rel.startsWith(HOOK_DIR + "/")) {
        assert.ok(!text.includes("\n"), `${rel} is pretty-printed`);
        continue;
      }
      for (const line of text.split("\n").slice(0, -1)) {
        assert.ok(!line.includes('": '), "compact JSON as Claude Code writes it");
        const o = obj(JSON.parse(line), rel);
        types.add(String(o.type));
        const m = isObj(o.message) ? o.message : null;
        if (o.type === "user" && m && Array.isArray(m.content)) results.push(line.length);
      }
    }
    for (const t of ["queue-operation", "attachment", "last-prompt"]) assert.ok(types.has(t), t);
    results.sort((x, y) => x - y);
    const mean = results.reduce((s, x) => s + x, 0) / results.length;
    // Measured in tests/fixtures: tool result lines average ~4.1 KB with a long tail.
    assert.ok(mean > 3000 && mean < 6500, `mean tool result line ${mean}`);
    assert.ok(results[Math.floor(results.length * 0.9)] > 2 * results[results.length >> 1]);
  });
});

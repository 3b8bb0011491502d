// Insights over real ingested data on a real server: usage and cost against an independent
// reading of the fixture files, and every rollup-backed answer (usage, KPIs, tool stats, time
// series, errors) against a plain computation over the detail tables in the test. Also: the
// rollups and the search index stay exact through later ingest, deletes and re-pairing, an
// existing version-2 database upgrades to the same answers, and payloads SQLite's JSON parser
// rejects never stop ingest.
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Db, openDb } from "../src/store/db.ts";
import { migrations } from "../src/store/migrations.ts";
import { Writer } from "../src/store/write/writer.ts";
import type { NormalizedEvent } from "../src/core/types.ts";
import { costOf } from "../src/core/pricing.ts";
import { kpis } from "../src/store/read/kpis.ts";
import { type Bucket, type Metric, type SeriesBy, timeseries } from "../src/store/read/series.ts";
import { searchEvents } from "../src/store/read/search.ts";
import { errorsPage } from "../src/store/read/errors.ts";
import { toolStats } from "../src/store/read/tool_stats.ts";
import { usageBy, type UsageGroup, type UsageRow } from "../src/store/read/usage.ts";
import { noneKey, otherKey } from "../src/store/read/time_range.ts";
import { maxSeriesKeys } from "../src/core/config.ts";
import { generate } from "../src/demo/workload.ts";
import { type FixtureLayout, makeHome, type TestHome, writeFixtures } from "./support/home.ts";
import { type Served, serveReady } from "./support/served.ts";
import { blankCursor } from "../src/ingest/read_file.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const hourMs = 3_600_000;
const dayMs = 86_400_000;

async function getJson<T>(d: Served, path: string): Promise<T> {
  const res = await fetch(d.url + path);
  const body = await res.json();
  assert.equal(res.status, 200, `${path}: ${JSON.stringify(body)}`);
  return body as T;
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

// ---- an independent reading of the transcript files ----

interface Msg {
  session: string;
  model: string | null;
  ts: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

/**
 * Assistant messages with usage, read straight from the files and deduplicated by message id +
 * request id, the largest usage of the session that first stored it wins (issue 16: a streamed
 * message's final snapshot; was first seen wins); a line without a message id stands alone.
 */
async function messagesFromFiles(files: Array<{ rel: string; source: string }>): Promise<Msg[]> {
  const seen = new Map<string, Msg>();
  const out: Msg[] = [];
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  for (const { rel, source } of files) {
    const stem = rel.slice(rel.lastIndexOf("/") + 1).replace(/\.jsonl$/, "");
    const lines = (await Deno.readTextFile(source)).split("\n");
    lines.forEach((text, i) => {
      let o: unknown;
      try {
        o = JSON.parse(text);
      } catch {
        return;
      }
      if (typeof o !== "object" || o === null || Array.isArray(o)) return;
      const rec = o as Record<string, unknown>;
      const m = rec.message as Record<string, unknown> | undefined;
      const usage = m?.usage;
      if (rec.type !== "assistant" || typeof usage !== "object" || usage === null) return;
      const u = usage as Record<string, unknown>;
      const key = typeof m?.id === "string"
        ? `${m.id}|${typeof rec.requestId === "string" ? rec.requestId : ""}`
        : `${rel}#${i}`;
      const msg: Msg = {
        session: typeof rec.sessionId === "string" && rec.sessionId !== "" ? rec.sessionId : stem,
        model: typeof m?.model === "string" ? m.model : null,
        ts: Date.parse(String(rec.timestamp)),
        input: n(u.input_tokens),
        output: n(u.output_tokens),
        cacheCreation: n(u.cache_creation_input_tokens),
        cacheRead: n(u.cache_read_input_tokens),
      };
      const was = seen.get(key);
      if (!was) {
        seen.set(key, msg);
        out.push(msg);
        return;
      }
      // Kept at the first line's time and model; tokens of the largest snapshot.
      const sum = (x: Msg) => x.input + x.output + x.cacheCreation + x.cacheRead;
      if (was.session === msg.session && sum(msg) > sum(was)) {
        Object.assign(was, {
          input: msg.input,
          output: msg.output,
          cacheCreation: msg.cacheCreation,
          cacheRead: msg.cacheRead,
        });
      }
    });
  }
  return out;
}

/** Expected usage rows: sums per key; cost null when any message of the key has no price. */
function expectedUsage(msgs: Msg[], keyOf: (m: Msg) => string): Map<string, UsageRow> {
  const out = new Map<string, UsageRow>();
  for (const m of msgs) {
    const k = keyOf(m);
    let r = out.get(k);
    if (!r) {
      out.set(
        k,
        r = {
          key: k,
          input_tokens: 0,
          output_tokens: 0,
          cache_creation_tokens: 0,
          cache_read_tokens: 0,
          messages: 0,
          cost_usd: 0,
          priced_cost_usd: 0,
          unpriced_messages: 0,
        },
      );
    }
    r.input_tokens += m.input;
    r.output_tokens += m.output;
    r.cache_creation_tokens += m.cacheCreation;
    r.cache_read_tokens += m.cacheRead;
    r.messages++;
    const cost = costOf(m.model, {
      input_tokens: m.input,
      output_tokens: m.output,
      cache_creation_tokens: m.cacheCreation,
      cache_creation_1h_tokens: 0,
      cache_read_tokens: m.cacheRead,
    });
    if (cost === null) r.unpriced_messages++;
    else r.priced_cost_usd += cost;
  }
  for (const r of out.values()) {
    r.priced_cost_usd = round6(r.priced_cost_usd);
    r.cost_usd = r.unpriced_messages > 0 ? null : r.priced_cost_usd;
  }
  return out;
}

function assertUsageEqual(got: UsageRow[], want: Map<string, UsageRow>, what: string) {
  assert.deepEqual(got.map((r) => r.key).sort(), [...want.keys()].sort(), `${what}: keys`);
  for (const r of got) {
    const w = want.get(r.key)!;
    for (
      const f of [
        "input_tokens",
        "output_tokens",
        "cache_creation_tokens",
        "cache_read_tokens",
        "messages",
        "unpriced_messages",
      ] as const
    ) {
      assert.equal(r[f], w[f], `${what} ${r.key}: ${f}`);
    }
    if (w.cost_usd === null) assert.equal(r.cost_usd, null, `${what} ${r.key}: cost unknown`);
    else {
      assert.ok(r.cost_usd !== null, `${what} ${r.key}: cost known`);
      assert.ok(Math.abs(r.cost_usd - w.cost_usd) < 2e-6, `${what} ${r.key}: cost`);
    }
    assert.ok(Math.abs(r.priced_cost_usd - w.priced_cost_usd) < 2e-6, `${what} ${r.key}: priced`);
  }
}

/** A transcript of a model with no known price, with a repeated assistant line. */
function mysteryTranscript(): string {
  const line = (id: string, req: string, model: string, input: number, uuid: string) =>
    JSON.stringify({
      type: "assistant",
      uuid,
      sessionId: "mystery-session",
      timestamp: "2025-10-02T10:00:00.000Z",
      cwd: "/tmp/mystery",
      requestId: req,
      message: {
        id,
        model,
        role: "assistant",
        content: [{ type: "text", text: "hello from a model nobody prices" }],
        usage: { input_tokens: input, output_tokens: 7, cache_read_input_tokens: 100 },
      },
    });
  return [
    line("msg_m1", "req_1", "mystery-model-9", 11, "u1"),
    line("msg_m1", "req_1", "mystery-model-9", 11, "u2"), // repeated: counted once
    line("msg_m2", "req_2", "mystery-model-9", 13, "u3"),
    line("msg_m3", "req_3", "claude-sonnet-4-6", 17, "u4"),
  ].join("\n") + "\n";
}

async function fixturesWithMystery(h: TestHome): Promise<FixtureLayout> {
  const layout = await writeFixtures(h.claudeDir);
  const rel = "projects/-tmp-mystery/mystery-session.jsonl";
  const abs = join(h.claudeDir, rel);
  await Deno.mkdir(join(h.claudeDir, "projects/-tmp-mystery"), { recursive: true });
  await Deno.writeTextFile(abs, mysteryTranscript());
  const past = new Date(Date.now() - 3600_000);
  await Deno.utime(abs, past, past);
  layout.transcripts.push({ rel, source: abs });
  return layout;
}

Deno.test(
  "/api/usage by session and by model equals an independent reading of the fixture files: tokens, deduplicated messages, cost (unknown model → null, never 0)",
  opts,
  async () => {
    const h = await makeHome();
    const layout = await fixturesWithMystery(h);
    const msgs = await messagesFromFiles(layout.transcripts);
    const d = await serveReady(h);
    try {
      const bySession = await getJson<{ group: string; rows: UsageRow[] }>(
        d,
        "/api/usage?group=session",
      );
      assert.equal(bySession.group, "session");
      assertUsageEqual(bySession.rows, expectedUsage(msgs, (m) => m.session), "session");
      const byModel = await getJson<{ rows: UsageRow[] }>(d, "/api/usage?group=model");
      assertUsageEqual(byModel.rows, expectedUsage(msgs, (m) => m.model ?? noneKey), "model");
      // fe5e1c67 repeats assistant lines: 262 lines, 170 distinct messages (FORMATS.md).
      const fe = bySession.rows.find((r) => r.key.startsWith("fe5e1c67"))!;
      assert.equal(fe.messages, 170);
      const mystery = byModel.rows.find((r) => r.key === "mystery-model-9")!;
      assert.equal(mystery.messages, 2, "the repeated line is one message");
      assert.equal(mystery.input_tokens, 24);
      assert.equal(mystery.cost_usd, null, "no price: cost unknown");
      assert.equal(mystery.unpriced_messages, 2);
      const session = bySession.rows.find((r) => r.key === "mystery-session")!;
      assert.equal(session.cost_usd, null, "a session with an unpriced message has no total");
      assert.ok(session.priced_cost_usd > 0, "… but its priced part is given");
      // Every grouping adds up to the same totals.
      const total = (rows: UsageRow[]) =>
        rows.reduce((a, r) => a + r.input_tokens + r.output_tokens + r.messages, 0);
      for (const g of ["day", "hour", "project"]) {
        const rows = (await getJson<{ rows: UsageRow[] }>(d, `/api/usage?group=${g}`)).rows;
        assert.equal(total(rows), total(bySession.rows), `group=${g} adds up`);
      }
      const days = (await getJson<{ rows: UsageRow[] }>(d, "/api/usage?group=day")).rows;
      assert.deepEqual(days.map((r) => r.key), [...days.map((r) => r.key)].sort());
      assert.match(days[0].key, /^\d{4}-\d{2}-\d{2}$/);
      const bad = await fetch(`${d.url}/api/usage?group=week`);
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).error, /group must be one of/);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

// ---- plain computations over the detail tables ----

type R = Record<string, unknown>;

function detail(db: Db) {
  const all = (sql: string) => db.prepare(sql).all() as R[];
  return {
    events: all("SELECT id, ts, type, tool_name, session_id, error_kind FROM events"),
    messages: all(
      "SELECT ts, session_id, model, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd FROM messages",
    ),
    calls: all("SELECT id, tool_name, status, start_ts, end_ts, session_id FROM tool_calls"),
    projects: new Map(
      all("SELECT session_id, project FROM sessions").map((
        r,
      ) => [r.session_id as string, (r.project as string | null) ?? noneKey]),
    ),
    sessions: all("SELECT session_id, first_ts, last_ts FROM sessions"),
  };
}
type Detail = ReturnType<typeof detail>;

const inRange = (t: number, r: { since?: number; until?: number }) =>
  (r.since === undefined || t >= r.since) && (r.until === undefined || t < r.until);
const callTime = (c: R) => (c.start_ts ?? c.end_ts) as number;

function usageRowsFromDetail(x: Detail, group: UsageGroup, r: { since?: number; until?: number }) {
  const out = new Map<string, UsageRow>();
  for (const m of x.messages) {
    const ts = m.ts as number;
    if (!inRange(ts, r)) continue;
    const key = group === "day"
      ? new Date(Math.floor(ts / dayMs) * dayMs).toISOString().slice(0, 10)
      : group === "hour"
      ? new Date(Math.floor(ts / hourMs) * hourMs).toISOString()
      : group === "model"
      ? (m.model as string | null) || noneKey
      : group === "project"
      ? x.projects.get(m.session_id as string) ?? noneKey
      : m.session_id as string;
    let u = out.get(key);
    if (!u) {
      out.set(
        key,
        u = {
          key,
          input_tokens: 0,
          output_tokens: 0,
          cache_creation_tokens: 0,
          cache_read_tokens: 0,
          messages: 0,
          cost_usd: 0,
          priced_cost_usd: 0,
          unpriced_messages: 0,
        },
      );
    }
    u.input_tokens += m.input_tokens as number;
    u.output_tokens += m.output_tokens as number;
    u.cache_creation_tokens += m.cache_creation_tokens as number;
    u.cache_read_tokens += m.cache_read_tokens as number;
    u.messages++;
    if (m.cost_usd === null) u.unpriced_messages++;
    else u.priced_cost_usd += m.cost_usd as number;
  }
  for (const u of out.values()) {
    u.priced_cost_usd = round6(u.priced_cost_usd);
    u.cost_usd = u.unpriced_messages > 0 ? null : u.priced_cost_usd;
  }
  return out;
}

function nearestRank(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil((p * sorted.length) / 100)) - 1];
}

function toolStatsFromDetail(x: Detail, r: { since?: number; until?: number }) {
  const by = new Map<
    string,
    { calls: number; failures: number; running: number; last: number; d: number[] }
  >();
  for (const c of x.calls) {
    const t = callTime(c);
    if (!inRange(t, r)) continue;
    const name = c.tool_name as string;
    let s = by.get(name);
    if (!s) by.set(name, s = { calls: 0, failures: 0, running: 0, last: -Infinity, d: [] });
    s.calls++;
    if (c.status === "error") s.failures++;
    if (c.status === "running") s.running++;
    s.last = Math.max(s.last, t);
    if (
      c.start_ts !== null && c.end_ts !== null && (c.end_ts as number) >= (c.start_ts as number)
    ) {
      s.d.push((c.end_ts as number) - (c.start_ts as number));
    }
  }
  return by;
}

/** Expected series per the documented rule: zero-filled, top keys, the rest as "(other)". */
function expectedSeries(
  items: Array<{ t: number; key: string; v: number }>,
  bucket: number,
  since: number,
  until: number,
): Map<string, number[]> {
  const from = Math.floor(since / bucket) * bucket;
  const to = Math.ceil(until / bucket) * bucket;
  const n = (to - from) / bucket;
  const by = new Map<string, number[]>();
  for (const it of items) {
    if (it.t < from || it.t >= to) continue;
    let a = by.get(it.key);
    if (!a) by.set(it.key, a = new Array(n).fill(0));
    a[Math.floor((it.t - from) / bucket)] += it.v;
  }
  let entries = [...by].map(([key, v]) => ({ key, v, total: v.reduce((a, b) => a + b, 0) }));
  entries.sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1));
  if (entries.length > maxSeriesKeys) {
    const other = new Array(n).fill(0);
    for (const e of entries.slice(maxSeriesKeys - 1)) e.v.forEach((v, i) => (other[i] += v));
    entries = [...entries.slice(0, maxSeriesKeys - 1), { key: otherKey, v: other, total: 0 }];
  }
  return new Map(entries.map((e) => [e.key, e.v]));
}

function seriesItems(x: Detail, metric: Metric, by: SeriesBy | null) {
  const key = (k: string | null) => (by === null ? "total" : k || noneKey);
  const project = (sid: unknown) => x.projects.get(sid as string) ?? noneKey;
  const items: Array<{ t: number; key: string; v: number }> = [];
  if (metric === "events") {
    for (const e of x.events) {
      const k = by === "type"
        ? e.type as string
        : by === "tool"
        ? e.tool_name as string | null
        : by === "project"
        ? project(e.session_id)
        : null;
      items.push({ t: e.ts as number, key: key(k), v: 1 });
    }
  } else if (metric === "tool_calls") {
    for (const c of x.calls) {
      const k = by === "tool"
        ? c.tool_name as string
        : by === "project"
        ? project(c.session_id)
        : null;
      items.push({ t: callTime(c), key: key(k), v: 1 });
    }
  } else if (metric === "errors") {
    for (const c of x.calls) {
      if (c.status !== "error") continue;
      const k = by === "type"
        ? "tool_failure"
        : by === "tool"
        ? c.tool_name as string
        : by === "project"
        ? project(c.session_id)
        : null;
      items.push({ t: c.end_ts as number, key: key(k), v: 1 });
    }
    for (const e of x.events) {
      if (e.error_kind !== 1) continue;
      const k = by === "type" ? "api_error" : by === "project" ? project(e.session_id) : null;
      items.push({ t: e.ts as number, key: key(k), v: 1 });
    }
  } else {
    for (const m of x.messages) {
      const t = m.ts as number;
      const k = by === "model"
        ? m.model as string | null
        : by === "project"
        ? project(m.session_id)
        : null;
      if (metric === "cost") {
        items.push({ t, key: key(k), v: (m.cost_usd as number | null) ?? 0 });
      } else if (by === "type") {
        for (const tt of ["input", "output", "cache_creation", "cache_read"]) {
          items.push({ t, key: tt, v: m[`${tt}_tokens`] as number });
        }
      } else {
        const v = (m.input_tokens as number) + (m.output_tokens as number) +
          (m.cache_creation_tokens as number) + (m.cache_read_tokens as number);
        items.push({ t, key: key(k), v });
      }
    }
  }
  return items;
}

Deno.test(
  "usage, KPIs, tool stats (nearest-rank p50/p95) and time series from the rollups equal a plain computation over the detail rows, for ranges with partial hours at both ends",
  opts,
  async () => {
    const h = await makeHome();
    await generate({ dir: h.claudeDir, events: 6000, seed: 21 });
    const d = await serveReady(h);
    try {
      const x = detail(d.db);
      const ts = x.events.map((e) => e.ts as number);
      const min = Math.min(...ts);
      const max = Math.max(...ts) + 1;
      const mid = Math.floor((min + max) / 2);
      const ranges: Array<{ since?: number; until?: number }> = [
        {},
        { since: min + 37 * 60_000 + 123, until: max - 2 * hourMs - 17 },
        { since: mid - 30 * 60_000 + 7, until: mid + 20 * 60_000 }, // no whole hour inside
        { since: mid + 1 },
        { until: mid - 1 },
      ];
      for (const r of ranges) {
        const what = JSON.stringify(r);
        for (const g of ["day", "hour", "model", "project", "session"] as UsageGroup[]) {
          assertUsageEqual(usageBy(d.db, g, r), usageRowsFromDetail(x, g, r), `${g} ${what}`);
        }
        const want = toolStatsFromDetail(x, r);
        const got = toolStats(d.db, r);
        assert.deepEqual(got.map((s) => s.tool_name).sort(), [...want.keys()].sort(), what);
        for (const s of got) {
          const w = want.get(s.tool_name)!;
          const sorted = [...w.d].sort((a, b) => a - b);
          assert.equal(s.calls, w.calls, `${s.tool_name} calls ${what}`);
          assert.equal(s.failures, w.failures, `${s.tool_name} failures ${what}`);
          assert.equal(s.running, w.running, `${s.tool_name} running ${what}`);
          assert.equal(s.failure_rate, Math.round((w.failures / w.calls) * 1e4) / 1e4);
          assert.equal(s.timed, sorted.length, `${s.tool_name} timed ${what}`);
          assert.equal(s.p50_ms, nearestRank(sorted, 50), `${s.tool_name} p50 ${what}`);
          assert.equal(s.p95_ms, nearestRank(sorted, 95), `${s.tool_name} p95 ${what}`);
          assert.equal(s.last_ts, new Date(w.last).toISOString(), `${s.tool_name} last ${what}`);
        }
        const since = r.since ?? min;
        const until = r.until ?? max;
        const k = kpis(d.db, { since, until });
        const rr = { since, until };
        assert.equal(k.events, x.events.filter((e) => inRange(e.ts as number, rr)).length);
        assert.equal(k.tool_calls, x.calls.filter((c) => inRange(callTime(c), rr)).length);
        assert.equal(
          k.errors,
          x.calls.filter((c) => c.status === "error" && inRange(c.end_ts as number, rr)).length +
            x.events.filter((e) => e.error_kind === 1 && inRange(e.ts as number, rr)).length,
        );
        const u = [...usageRowsFromDetail(x, "model", rr).values()];
        assert.equal(
          k.tokens,
          u.reduce(
            (a, m) =>
              a + m.input_tokens + m.output_tokens + m.cache_creation_tokens + m.cache_read_tokens,
            0,
          ),
        );
        assert.equal(k.messages, u.reduce((a, m) => a + m.messages, 0));
        assert.equal(
          k.sessions,
          x.sessions.filter((s) => (s.last_ts as number) >= since && (s.first_ts as number) < until)
            .length,
        );
      }
      const cases: Array<[Metric, SeriesBy | null, Bucket, number, number]> = [
        ["events", null, "hour", min, max],
        ["events", "type", "hour", min + 1234, max - 999],
        ["events", "tool", "minute", mid - 6 * hourMs, mid],
        ["events", "project", "day", min, max],
        ["events", "project", "minute", mid - 3 * hourMs, mid],
        ["tool_calls", "tool", "hour", min, max],
        ["tool_calls", "tool", "minute", mid - 2 * hourMs, mid],
        ["tool_calls", "project", "hour", min, max],
        ["errors", "type", "hour", min, max],
        ["errors", "tool", "day", min, max],
        ["errors", "project", "minute", mid - 5 * hourMs, mid],
        ["tokens", "model", "hour", min, max],
        ["tokens", "type", "minute", mid - 4 * hourMs, mid],
        ["tokens", null, "day", min, max],
        ["cost", "project", "hour", min, max],
        ["cost", "model", "minute", mid - 4 * hourMs, mid],
      ];
      const bucketMs = { minute: 60_000, hour: hourMs, day: dayMs };
      for (const [metric, by, bucket, since, until] of cases) {
        const what = `${metric} by ${by} per ${bucket}`;
        const got = timeseries(d.db, { metric, by, bucket, since, until });
        const want = expectedSeries(seriesItems(x, metric, by), bucketMs[bucket], since, until);
        assert.deepEqual(got.series.map((s) => s.key), [...want.keys()], `${what}: keys in order`);
        for (const s of got.series) {
          const w = want.get(s.key)!;
          assert.equal(s.points.length, w.length, `${what}: zero-filled`);
          s.points.forEach(([t, v], i) => {
            assert.equal(Date.parse(t) % bucketMs[bucket], 0);
            if (metric === "cost") assert.ok(Math.abs(v - w[i]) < 1e-5, `${what} ${s.key} @${t}`);
            else assert.equal(v, w[i], `${what} ${s.key} @${t}`);
          });
        }
      }
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "/api/timeseries and /api/tools validate their parameters: 400 with a reason, never 500",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    const d = await serveReady(h);
    try {
      for (
        const [path, reason] of [
          ["/api/timeseries?bucket=minute&since=2025-01-01&until=2025-03-01", /at most 2000/],
          ["/api/timeseries?metric=bogus", /metric must be one of/],
          ["/api/timeseries?bucket=week", /bucket must be one of/],
          ["/api/timeseries?metric=cost&by=tool", /does not apply to cost/],
          ["/api/timeseries?since=2025-02-01&until=2025-01-01", /until must be after since/],
          ["/api/timeseries?since=yesterday", /since must be an ISO-8601/],
          ["/api/tools?until=nope", /until must be/],
          ["/api/errors?cursor=zzz", /cursor/],
          ["/api/errors?limit=0", /limit must be between/],
        ] as const
      ) {
        const res = await fetch(d.url + path);
        const body = await res.json();
        assert.equal(res.status, 400, path);
        assert.match(body.error, reason, path);
      }
      const series = await getJson<{ series: unknown[]; bucket: string; since: string }>(
        d,
        "/api/timeseries",
      );
      assert.equal(series.bucket, "hour", "default: the last 24 h in hours");
      const kp = await getJson<Record<string, unknown>>(d, "/api/kpis?since=2020-01-01");
      assert.equal(kp.events, 1638);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "/api/errors lists every failed tool call once, API errors and ingest errors, newest first; cursor pages cover them exactly once",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    await generate({ dir: h.claudeDir, events: 3000, seed: 5 });
    // An API error line in a transcript.
    const rel = "projects/-tmp-api/api-err.jsonl";
    await Deno.mkdir(join(h.claudeDir, "projects/-tmp-api"), { recursive: true });
    await Deno.writeTextFile(
      join(h.claudeDir, rel),
      JSON.stringify({
        type: "assistant",
        uuid: "e1",
        sessionId: "api-err",
        timestamp: "2025-10-01T00:00:00.000Z",
        isApiErrorMessage: true,
        message: {
          id: "m",
          model: "<synthetic>",
          content: [{ type: "text", text: "API Error: 529 overloaded" }],
        },
      }) + "\n",
    );
    const d = await serveReady(h);
    try {
      const failed = d.db.prepare(
        "SELECT id, error FROM tool_calls WHERE status = 'error'",
      ).all() as R[];
      const apiErrors = (d.db.prepare("SELECT count(*) AS n FROM events WHERE error_kind = 1")
        .get() as { n: number }).n;
      const ingestErrors = (d.db.prepare("SELECT count(*) AS n FROM ingest_errors").get() as {
        n: number;
      }).n;
      assert.ok(failed.length > 20 && apiErrors >= 1 && ingestErrors >= 3);
      const seen: Array<{ kind: string; ts: string; event_id: number | null; message: string }> =
        [];
      let cursor: string | null = null;
      do {
        const page: { errors: typeof seen; next_cursor: string | null } = await getJson(
          d,
          `/api/errors?limit=7${cursor ? `&cursor=${cursor}` : ""}`,
        );
        seen.push(...page.errors);
        cursor = page.next_cursor;
      } while (cursor);
      assert.equal(seen.length, failed.length + apiErrors + ingestErrors);
      assert.equal(seen.filter((e) => e.kind === "tool_failure").length, failed.length);
      assert.equal(seen.filter((e) => e.kind === "api_error").length, apiErrors);
      assert.equal(seen.filter((e) => e.kind === "ingest").length, ingestErrors);
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i - 1].ts >= seen[i].ts, "newest first");
      }
      assert.ok(seen.some((e) => e.kind === "api_error" && /529 overloaded/.test(e.message)));
      // Each tool failure links to the event that reported it.
      const failures = seen.filter((e) => e.kind === "tool_failure");
      assert.ok(failures.every((e) => e.event_id !== null), "every failure has its event");
      const kinds = d.db.prepare("SELECT error_kind FROM events WHERE id = ?");
      for (const e of failures.slice(0, 20)) {
        assert.equal((kinds.get(e.event_id!) as { error_kind: number }).error_kind, 2);
      }
      // A range keeps only what happened in it.
      const mid = seen[Math.floor(seen.length / 2)].ts;
      const older = errorsPage(d.db, { until: Date.parse(mid), limit: 200 }).errors;
      assert.ok(older.length > 0 && older.every((e) => e.ts < mid));
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

// ---- the derived tables stay exact ----

function assertDerivedExact(db: Db, when: string) {
  const rows = (sql: string) =>
    (db.prepare(sql).all() as R[]).map((r) => JSON.stringify(Object.values(r))).sort();
  const pairs: Array<[string, string]> = [
    [
      "SELECT minute, type, tool, n FROM rollup_events WHERE n <> 0",
      "SELECT ts / 60000 * 60000, type, COALESCE(tool_name, ''), count(*) FROM events GROUP BY 1, 2, 3",
    ],
    [
      "SELECT hour, type, tool, n FROM rollup_event_hours WHERE n <> 0",
      "SELECT ts / 3600000 * 3600000, type, COALESCE(tool_name, ''), count(*) FROM events GROUP BY 1, 2, 3",
    ],
    [
      "SELECT hour, session_id, n FROM rollup_session_hours WHERE n <> 0",
      "SELECT ts / 3600000 * 3600000, session_id, count(*) FROM events GROUP BY 1, 2",
    ],
    [
      "SELECT hour, session_id, model, messages, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, unpriced FROM rollup_usage WHERE messages <> 0",
      "SELECT ts / 3600000 * 3600000, session_id, COALESCE(model, ''), count(*), sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens), sum(cache_read_tokens), sum(cost_usd IS NULL) FROM messages GROUP BY 1, 2, 3",
    ],
    [
      "SELECT hour, tool, calls, failures, running FROM rollup_tools WHERE calls <> 0",
      "SELECT COALESCE(start_ts, end_ts, 0) / 3600000 * 3600000, tool_name, count(*), sum(status = 'error'), sum(status = 'running') FROM tool_calls GROUP BY 1, 2",
    ],
    [
      "SELECT tool, bucket, n FROM tool_durations WHERE n <> 0",
      "SELECT tool_name, CASE WHEN end_ts - start_ts < 10 THEN end_ts - start_ts ELSE length(end_ts - start_ts) * 100 + CAST(substr(end_ts - start_ts, 1, 2) AS INTEGER) END, count(*) FROM tool_calls WHERE end_ts >= start_ts GROUP BY 1, 2",
    ],
  ];
  for (const [table, recomputed] of pairs) {
    assert.deepEqual(rows(table), rows(recomputed), `${when}: ${table.split(" FROM ")[1]}`);
  }
  // Costs are sums of floats: the rollup adds them commit by commit, the recomputation in one
  // pass, so they agree to float precision (rounding both to 6 places can still split a tie).
  const costDrift = (db.prepare(
    `SELECT COALESCE(max(abs(r.cost_usd - m.cost)), 0) AS d FROM rollup_usage r
     JOIN (SELECT ts / 3600000 * 3600000 AS hour, session_id, COALESCE(model, '') AS model,
       COALESCE(sum(cost_usd), 0) AS cost FROM messages GROUP BY 1, 2, 3) m
     USING (hour, session_id, model)`,
  ).get() as R).d;
  assert.ok(Number(costDrift) < 1e-9, `${when}: rollup_usage cost drifts by ${costDrift}`);
  // The search index holds exactly the terms of its content (the view over events): compared
  // term by term, column by column, with an index built afresh from the view.
  db.exec("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')");
  db.exec(`DROP TABLE IF EXISTS temp.check_fts;
    CREATE VIRTUAL TABLE temp.check_fts USING fts5(text, kind, tokenize = 'unicode61 remove_diacritics 2');
    INSERT INTO temp.check_fts(rowid, text, kind) SELECT id, text, kind FROM events_search_text;
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_live USING fts5vocab(main, events_fts, 'col');
    DROP TABLE IF EXISTS temp.vocab_check;
    CREATE VIRTUAL TABLE temp.vocab_check USING fts5vocab(temp, check_fts, 'col');`);
  assert.deepEqual(
    rows("SELECT term, col, doc, cnt FROM temp.vocab_live"),
    rows("SELECT term, col, doc, cnt FROM temp.vocab_check"),
    `${when}: search index terms`,
  );
  const docs = (db.prepare("SELECT count(*) AS n FROM events_fts_docsize").get() as R).n;
  const events = (db.prepare("SELECT count(*) AS n FROM events").get() as R).n;
  assert.equal(docs, events, `${when}: one index entry per event`);
  db.exec("DROP TABLE temp.vocab_check; DROP TABLE temp.check_fts");
}

Deno.test(
  "the search index and rollups stay exact through live ingest, deletes (retention) and re-paired tool calls",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    await generate({ dir: h.claudeDir, events: 2500, seed: 9 });
    const d = await serveReady(h);
    try {
      assertDerivedExact(d.db, "after backfill");
      // Live: a new transcript and hook files arrive.
      const dir = join(h.claudeDir, "projects/-tmp-live");
      await Deno.mkdir(dir, { recursive: true });
      const lines = [];
      for (let i = 0; i < 30; i++) {
        lines.push(JSON.stringify({
          type: i % 2 ? "assistant" : "user",
          uuid: `live-${i}`,
          sessionId: "live-s",
          timestamp: new Date(Date.UTC(2025, 9, 3, 10, i)).toISOString(),
          requestId: `r${i}`,
          message: i % 2
            ? {
              id: `lm${i}`,
              model: "claude-haiku-4-5-20251001",
              content: [{
                type: "tool_use",
                id: `lt${i}`,
                name: "Bash",
                input: { command: `make live${i}` },
              }],
              usage: { input_tokens: i, output_tokens: 2 },
            }
            : {
              content: [{
                type: "tool_result",
                tool_use_id: `lt${i - 1}`,
                content: "ok",
                is_error: i % 4 === 0,
              }],
            },
        }));
      }
      await Deno.writeTextFile(join(dir, "live-s.jsonl"), lines.join("\n") + "\n");
      for (let i = 0; i < 10; i++) {
        await Deno.writeTextFile(
          join(
            h.claudeDir,
            `hooks/logs/raw_json/2025100${i % 9}_120000_000000_PreToolUse_live-h.json`,
          ),
          JSON.stringify({
            session_id: "live-h",
            hook_event_name: "PreToolUse",
            cwd: "/tmp/live",
            tool_name: "Grep",
            tool_input: { pattern: `needle${i}` },
          }),
        );
      }
      await d.settled();
      assertDerivedExact(d.db, "after live ingest");
      assert.equal(searchEvents(d.db, "live7", {}, 10).results.length, 1);
      // Re-paired and updated calls (the writer upserts start and end separately).
      d.db.exec(
        "UPDATE tool_calls SET end_ts = end_ts + 5000, status = 'error' WHERE id % 7 = 0 AND end_ts IS NOT NULL",
      );
      d.db.exec("UPDATE tool_calls SET tool_name = 'Renamed' WHERE id % 11 = 0");
      assertDerivedExact(d.db, "after updates");
      // Retention: a session's rows go.
      const sid = (d.db.prepare(
        "SELECT session_id FROM sessions ORDER BY events DESC LIMIT 1",
      ).get() as { session_id: string }).session_id;
      for (const t of ["events", "messages", "tool_calls"]) {
        d.db.prepare(`DELETE FROM ${t} WHERE session_id = ?`).run(sid);
      }
      assertDerivedExact(d.db, "after deleting a session");
      assert.equal(searchEvents(d.db, "the", { session: sid }, 10).results.length, 0);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a version-2 database upgrades in place: existing events become searchable and every insight answers as on a fresh database",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    await generate({ dir: h.claudeDir, events: 2000, seed: 4 });
    const d = await serveReady(h);
    const answers = (db: Db) => ({
      usage: usageBy(db, "session", {}),
      tools: toolStats(db, {}),
      kpis: kpis(db, { since: 0, until: Date.UTC(2030, 0, 1) }),
      series: timeseries(db, {
        metric: "events",
        by: "type",
        bucket: "day",
        since: Date.UTC(2025, 0, 1),
        until: Date.UTC(2027, 0, 1),
      }),
      errors: errorsPage(db, { limit: 200 }).errors,
      search: ["todo", '"npm run"', "deploy", "session*"].map((q) =>
        searchEvents(db, q, {}, 50).results.map((r) => [r.id, r.snippet])
      ),
    });
    const fresh = answers(d.db);
    // Payloads were inline in schema 2 (store/raw_blocks.ts).
    d.db.exec(`UPDATE events SET raw = event_raw(raw, raw_block, id), raw_block = NULL
      WHERE raw_block IS NOT NULL`);
    await d.stop();
    // The same rows in a database that has only migrations 1 and 2.
    const oldPath = join(h.home, "old.db");
    const old = new DatabaseSync(oldPath);
    old.exec(migrations[0]);
    old.exec(migrations[1]);
    old.exec("PRAGMA user_version = 2");
    old.exec(`ATTACH DATABASE '${h.dbPath}' AS src`);
    for (
      const t of [
        "files",
        "events",
        "messages",
        "tool_calls",
        "sessions",
        "ingest_errors",
        "threads",
        "meta",
      ]
    ) {
      // The columns schema 2 has (later migrations add some to files and sessions).
      const cols =
        (old.prepare(`SELECT name FROM pragma_table_info('${t}', 'main')`).all() as Array<
          { name: string }
        >).map((c) => c.name).join(", ");
      old.exec(`INSERT INTO main.${t} (${cols}) SELECT ${cols} FROM src.${t}`);
    }
    old.exec("DETACH DATABASE src");
    old.close();
    const upgraded = openDb(oldPath);
    try {
      assert.equal(
        (upgraded.prepare("PRAGMA user_version").get() as R).user_version,
        migrations.length,
      );
      assertDerivedExact(upgraded, "after upgrade");
      assert.deepEqual(answers(upgraded), fresh);
      assert.ok(fresh.search.every((hits) => hits.length > 0), "the searches find something");
    } finally {
      upgraded.close();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a batch holding a payload SQLite's JSON functions reject (nested 1,500 deep) commits: the event is stored without searchable text, the others are found",
  opts,
  async () => {
    // The parser refuses such nesting itself; this proves the store never depends on that.
    const h = await makeHome();
    const db = openDb(h.dbPath);
    try {
      const ev = (n: number, raw: string): NormalizedEvent => ({
        key: `k${n}`,
        source: "transcript",
        sessionId: "deep",
        ts: Date.UTC(2025, 9, 1, 0, 0, n),
        type: "user",
        toolName: null,
        toolUseId: null,
        summary: "user",
        cwd: null,
        uuid: `u${n}`,
        isSidechain: false,
        errorKind: 0,
        model: null,
        usage: null,
        toolEffects: [],
        offset: n,
        raw,
      });
      const deep = "[".repeat(1500) + "]".repeat(1500);
      new Writer(db).commit([{
        cursor: { ...blankCursor("projects/-tmp/deep.jsonl", "transcript"), size: 1, offset: 1 },
        events: [
          ev(1, `{"type":"user","message":{"content":${deep}}}`),
          ev(2, '{"type":"user","message":{"content":"findable platypus words"}}'),
        ],
        errors: [],
        clearErrors: false,
        rereading: false,
      }]);
      assert.equal((db.prepare("SELECT count(*) AS n FROM events").get() as R).n, 2);
      assert.equal(searchEvents(db, "platypus", {}, 10).results.length, 1);
      assertDerivedExact(db, "with a deep payload");
    } finally {
      db.close();
      await h.cleanup();
    }
  },
);

// 5-hour usage windows: a seeded history written as real transcript files (bursts, gaps longer
// and shorter than 5 h, windows across midnight, several models, an unpriced model, assistant
// lines repeated per content block) and ingested by a real server; GET /api/blocks must equal
// an independent computation written here. Also: the window rule's edge cases, a range that
// starts or ends inside a window, the limits (p90 of completed windows, the setting), the
// active window's burn rate and projection, and the rolling 7-day totals.
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import { writeSettings } from "../src/store/settings.ts";
import { costOf } from "../src/core/pricing.ts";
import {
  activeBlock,
  p90,
  toBlock,
  type UsageMessage,
  type Window,
  windowLimits,
  windowsOf,
  windowsOfHours,
} from "../src/domain/usage/blocks.ts";
import type { ActiveBlock, TokenTotals, UsageBlock } from "../src/core/types.ts";
import { makeHome, type TestHome } from "./support/home.ts";
import { type Served, serveReady } from "./support/served.ts";
import {
  assistantLine,
  transcriptPath,
  type UsageLine,
  userLine,
  writeTranscript,
} from "./support/usage_lines.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 86_400_000;
const fiveH = 5 * hourMs;

interface BlocksAnswer {
  blocks: UsageBlock[];
  active: ActiveBlock | null;
  week: TokenTotals;
}

// ---------------------------------------------------------------------------------------------
// The seeded history

function rngOf(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const models = [
  "claude-opus-4-6",
  "claude-sonnet-4-6",
  "claude-haiku-4-5-20251001",
  "claude-mystery-9", // no known price: the windows holding it have an unknown cost
];
const sessions = ["sess-a", "sess-b", "sess-c", "sess-d"];

interface History {
  /** Lines of each session's transcript, in file order. */
  files: Map<string, Array<{ line: UsageLine } | { user: number }>>;
  /** Times planted on purpose, to check they were generated as meant. */
  planted: { atEnd: number; justAfterEnd: number; exactGapFrom: number; midnight: number };
}

function generateHistory(seed: number): History {
  const r = rngOf(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const files = new Map<string, Array<{ line: UsageLine } | { user: number }>>(
    sessions.map((s) => [s, []]),
  );
  let n = 0;
  const emit = (sessionId: string, ts: number, model: string) => {
    n++;
    const line: UsageLine = {
      sessionId,
      ts,
      messageId: `msg_${seed}_${n}`,
      requestId: `req_${seed}_${n}`,
      model,
      input: int(1, 5000),
      output: int(1, 3000),
      cacheCreation: r() < 0.3 ? 0 : int(0, 20_000),
      cacheRead: r() < 0.2 ? 0 : int(0, 200_000),
    };
    const f = files.get(sessionId)!;
    if (r() < 0.3) f.push({ user: ts - int(1000, 20_000) });
    f.push({ line });
    // Claude Code writes one line per content block, each with the same id and usage.
    const repeats = r() < 0.35 ? int(1, 2) : 0;
    for (let i = 1; i <= repeats; i++) f.push({ line: { ...line, ts: ts + i * int(1, 200) } });
  };
  const burst = (start: number, count: number, sessionPick: () => string) => {
    let t = start;
    const model = models[int(0, models.length - 1)];
    for (let i = 0; i < count; i++) {
      t += int(5, 240) * 1000;
      // Mostly the burst's model, sometimes another one (sub-agents, /model switches).
      emit(sessionPick(), t, r() < 0.8 ? model : models[int(0, models.length - 1)]);
    }
    return t;
  };

  let t = Date.UTC(2025, 2, 1, 6, 17, 0);
  for (let b = 0; b < 70; b++) {
    const main = sessions[int(0, sessions.length - 1)];
    const other = sessions[int(0, sessions.length - 1)];
    // Some bursts interleave two sessions (two terminals at once).
    t = burst(t, int(1, 45), () => (r() < 0.25 ? other : main));
    const kind = r();
    if (kind < 0.4) t += int(10, 270) * minuteMs; // shorter than 5 h
    else if (kind < 0.75) t += fiveH + int(1, 25 * 60) * minuteMs; // longer than 5 h
    else if (kind < 0.9) t += fiveH - int(1, 20) * minuteMs; // just under 5 h
    else t += int(1, 4) * dayMs + int(0, 600) * minuteMs; // days off
  }

  // Planted edge cases, each after a gap of more than 5 h so they start their own chain.
  t = Math.ceil((t + dayMs) / dayMs) * dayMs;
  // A window opened at 10:20 holds a message exactly at its end (15:00:00.000); one
  // millisecond later opens the next window at 15:00.
  const openedAt = t + 10 * hourMs + 20 * minuteMs;
  emit("sess-a", openedAt, models[0]);
  emit("sess-a", openedAt + 2 * hourMs, models[1]);
  const atEnd = t + 15 * hourMs;
  emit("sess-b", atEnd, models[0]);
  const justAfterEnd = atEnd + 1;
  emit("sess-b", justAfterEnd, models[2]);
  // A window opened exactly on the hour, and a message exactly 5 h later: it stays.
  const exactGapFrom = t + dayMs + 3 * hourMs;
  emit("sess-c", exactGapFrom, models[1]);
  emit("sess-c", exactGapFrom + fiveH, models[1]);
  // A burst from 22:40 past midnight.
  const midnight = t + 3 * dayMs;
  burst(midnight - 80 * minuteMs, 60, () => "sess-d");
  return { files, planted: { atEnd, justAfterEnd, exactGapFrom, midnight } };
}

async function writeHistory(h: TestHome, hist: History): Promise<void> {
  for (const [sessionId, lines] of hist.files) {
    const text = lines.map((l) =>
      "line" in l ? assistantLine(l.line) : userLine(sessionId, l.user, "go on")
    ).join("");
    await writeTranscript(transcriptPath(h.claudeDir, sessionId), text);
  }
}

// ---------------------------------------------------------------------------------------------
// The independent computation

interface Expected {
  start: number;
  last: number;
  messages: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  cost: number;
  unknownCost: boolean;
  models: Set<string>;
}

/**
 * Straight from the rule: keep the first line of each message id + request id, sort by time,
 * and open a window (at the start of the message's UTC hour) whenever a message is more than
 * 5 h after the current window's start or after the previous message.
 */
function expectedWindows(hist: History): Expected[] {
  const first = new Map<string, UsageLine>();
  for (const lines of hist.files.values()) {
    for (const l of lines) {
      if (!("line" in l)) continue;
      const key = `${l.line.messageId}|${l.line.requestId}`;
      if (!first.has(key)) first.set(key, l.line);
    }
  }
  const list = [...first.values()].sort((a, b) => a.ts - b.ts);
  const out: Expected[] = [];
  let cur: Expected | null = null;
  for (const m of list) {
    if (cur === null || m.ts - cur.start > fiveH || m.ts - cur.last > fiveH) {
      cur = {
        start: m.ts - (m.ts % hourMs),
        last: m.ts,
        messages: 0,
        input: 0,
        output: 0,
        cacheCreation: 0,
        cacheRead: 0,
        cost: 0,
        unknownCost: false,
        models: new Set(),
      };
      out.push(cur);
    }
    cur.last = m.ts;
    cur.messages++;
    cur.input += m.input;
    cur.output += m.output;
    cur.cacheCreation += m.cacheCreation;
    cur.cacheRead += m.cacheRead;
    cur.models.add(m.model);
    const c = costOf(m.model, {
      input_tokens: m.input,
      output_tokens: m.output,
      cache_creation_tokens: m.cacheCreation,
      cache_creation_1h_tokens: 0,
      cache_read_tokens: m.cacheRead,
    });
    if (c === null) cur.unknownCost = true;
    else cur.cost += c;
  }
  return out;
}

function assertSame(got: UsageBlock, want: Expected, what: string): void {
  const iso = (ms: number) => new Date(ms).toISOString();
  assert.equal(got.start, iso(want.start), `${what}: start`);
  assert.equal(got.end, iso(want.start + fiveH), `${what}: end`);
  assert.equal(got.last_ts, iso(want.last), `${what}: last_ts`);
  assert.equal(got.messages, want.messages, `${what}: messages`);
  assert.equal(got.input_tokens, want.input, `${what}: input_tokens`);
  assert.equal(got.output_tokens, want.output, `${what}: output_tokens`);
  assert.equal(got.cache_creation_tokens, want.cacheCreation, `${what}: cache_creation_tokens`);
  assert.equal(got.cache_read_tokens, want.cacheRead, `${what}: cache_read_tokens`);
  assert.deepEqual(new Set(got.models), want.models, `${what}: models`);
  if (want.unknownCost) assert.equal(got.cost_usd, null, `${what}: cost unknown`);
  else {
    assert.ok(got.cost_usd !== null, `${what}: cost known`);
    assert.ok(Math.abs(got.cost_usd - want.cost) < 1e-5, `${what}: cost ${got.cost_usd}`);
  }
  assert.equal(got.active, false, `${what}: history long past is not active`);
}

async function blocks(d: Served, query = ""): Promise<BlocksAnswer> {
  const res = await fetch(`${d.url}/api/blocks${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json();
}

Deno.test(
  "GET /api/blocks equals an independent computation of the windows of a seeded history (bursts, gaps, midnight, models, repeated lines)",
  opts,
  async () => {
    const h = await makeHome();
    const hist = generateHistory(7);
    await writeHistory(h, hist);
    const want = expectedWindows(hist);
    const d = await serveReady(h);
    try {
      // The history has what it is meant to have.
      const gaps = want.slice(1).map((w, i) => w.start - want[i].last);
      assert.ok(want.length >= 40, `${want.length} windows`);
      assert.ok(gaps.some((g) => g > fiveH), "gaps longer than 5 h");
      const chained = want.slice(1).filter((w, i) => w.start === want[i].start + fiveH);
      assert.ok(chained.length >= 5, "windows that follow on within a chain (gaps under 5 h)");
      const acrossMidnight = want.filter((w) =>
        new Date(w.start).getUTCDate() !== new Date(w.last).getUTCDate()
      );
      assert.ok(acrossMidnight.length >= 2, "windows holding messages from both sides of midnight");
      assert.ok(want.some((w) => w.unknownCost) && want.some((w) => !w.unknownCost));
      assert.ok(want.some((w) => w.models.size >= 3), "a window with several models");

      const got = await blocks(d);
      assert.equal(got.blocks.length, want.length, "number of windows");
      got.blocks.forEach((b, i) => assertSame(b, want[i], `window ${i} (${b.start})`));
      assert.equal(got.active, null, "no window is active in a history long past");
      console.log(
        `${want.length} windows, ${want.reduce((s, w) => s + w.messages, 0)} messages: equal`,
      );

      // The planted edge cases.
      const p = hist.planted;
      const byStart = (ms: number) =>
        got.blocks.find((b) => b.start === new Date(ms).toISOString());
      const opened = byStart(p.atEnd - fiveH)!;
      assert.equal(opened.last_ts, new Date(p.atEnd).toISOString(), "a message at the end stays");
      assert.equal(byStart(p.atEnd)?.messages, 1, "one ms later opens the next window");
      const exact = byStart(p.exactGapFrom)!;
      assert.equal(exact.messages, 2, "a message exactly 5 h after the previous one stays");
      const night = byStart(p.midnight - 2 * hourMs)!;
      assert.ok(night.last_ts > new Date(p.midnight).toISOString(), "the window spans midnight");
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a range starting or ending inside a window returns that window whole, never split",
  opts,
  async () => {
    const h = await makeHome();
    const hist = generateHistory(11);
    await writeHistory(h, hist);
    const want = expectedWindows(hist);
    const d = await serveReady(h);
    try {
      // Windows that follow on from the previous one (no gap of 5 h before them): their start
      // depends on history before the range.
      const chained = want.map((w, i) => ({ w, i })).filter(({ w, i }) =>
        i > 0 && i < want.length - 4 && w.start - want[i - 1].last <= fiveH
      );
      assert.ok(chained.length >= 3);
      for (const { w, i } of chained.slice(0, 6)) {
        const since = w.start + 2 * hourMs + 17_000;
        const until = want[i + 3].start + 90 * minuteMs;
        const got = await blocks(d, `?since=${since}&until=${new Date(until).toISOString()}`);
        const expected = want.filter((x) => x.start + fiveH > since && x.start < until);
        assert.equal(
          got.blocks.length,
          expected.length,
          `windows overlapping [${since}, ${until})`,
        );
        got.blocks.forEach((b, k) => assertSame(b, expected[k], `range window ${k}`));
      }
      // until before every message; since after every one.
      assert.equal((await blocks(d, `?until=${want[0].start}`)).blocks.length, 0);
      const after = want[want.length - 1].last + fiveH;
      assert.equal((await blocks(d, `?since=${after}`)).blocks.length, 0);
      const bad = await fetch(`${d.url}/api/blocks?since=10&until=5`);
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

// ---------------------------------------------------------------------------------------------
// The rule and the active window, as pure functions

const at = (iso: string) => Date.parse(iso);

function msg(iso: string, tokens = 100, cost: number | null = 0.01, model = "m1"): UsageMessage {
  return {
    ts: at(iso),
    model,
    input_tokens: tokens,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    cost_usd: cost,
  };
}

const starts = (ws: Window[]) => ws.map((w) => new Date(w.startMs).toISOString());

Deno.test("a message exactly at the window's end stays in it; one ms later opens the next", () => {
  const ws = windowsOf([
    msg("2025-05-01T10:20:00.000Z"),
    msg("2025-05-01T15:00:00.000Z"),
    msg("2025-05-01T15:00:00.001Z"),
  ]);
  assert.deepEqual(starts(ws), ["2025-05-01T10:00:00.000Z", "2025-05-01T15:00:00.000Z"]);
  assert.deepEqual(ws.map((w) => w.messages), [2, 1]);
});

Deno.test("a gap of exactly 5 h keeps the window when the message is not past its end", () => {
  const same = windowsOf([msg("2025-05-01T03:00:00.000Z"), msg("2025-05-01T08:00:00.000Z")]);
  assert.deepEqual(starts(same), ["2025-05-01T03:00:00.000Z"]);
  // The same 5 h gap from 03:30 lands past the end (08:00): a new window at 08:00.
  const split = windowsOf([msg("2025-05-01T03:30:00.000Z"), msg("2025-05-01T08:30:00.000Z")]);
  assert.deepEqual(starts(split), ["2025-05-01T03:00:00.000Z", "2025-05-01T08:00:00.000Z"]);
  // More than 5 h after the previous message.
  const gap = windowsOf([msg("2025-05-01T03:00:00.000Z"), msg("2025-05-01T08:00:00.001Z")]);
  assert.equal(gap.length, 2);
});

Deno.test("windows chain on at their ends; a window spans midnight; unknown cost is null", () => {
  const ws = windowsOf([
    msg("2025-05-01T20:10:00.000Z", 10, 0.5),
    msg("2025-05-01T23:59:00.000Z", 20, null, "mystery"),
    msg("2025-05-02T00:59:59.999Z", 30, 0.25),
    msg("2025-05-02T01:00:00.001Z", 40, 0.125),
    msg("2025-05-02T05:30:00.000Z", 50, 0.125),
  ]);
  assert.deepEqual(starts(ws), ["2025-05-01T20:00:00.000Z", "2025-05-02T01:00:00.000Z"]);
  const b = ws.map((w) => toBlock(w, at("2025-06-01T00:00:00Z")));
  assert.equal(b[0].end, "2025-05-02T01:00:00.000Z");
  assert.equal(b[0].input_tokens, 60);
  assert.equal(b[0].cost_usd, null);
  assert.deepEqual(b[0].models, ["m1", "mystery"]);
  assert.equal(b[1].input_tokens, 90);
  assert.equal(b[1].cost_usd, 0.25);
  assert.equal(b[1].active, false);
});

Deno.test("active window: burn rate from first to last message, projection from the last message to the end, ETA", () => {
  const ws = windowsOf([
    msg("2025-05-01T10:15:00Z", 1000, 1),
    msg("2025-05-01T10:45:00Z", 2000, 2),
  ]);
  const now = at("2025-05-01T11:00:00Z");
  assert.equal(toBlock(ws[0], now).active, true);
  const none = { window_token_limit: null, window_cost_limit_usd: null };
  const a = activeBlock(ws[0], now, windowLimits([], none))!;
  assert.equal(a.start, "2025-05-01T10:00:00.000Z");
  assert.equal(a.end, "2025-05-01T15:00:00.000Z");
  assert.equal(a.minutes_left, 240);
  assert.equal(a.tokens, 3000);
  assert.equal(a.tokens_per_min, 100); // 3000 tokens over 30 minutes
  assert.equal(a.cost_per_hour, 6);
  // From the last message (10:45), 255 minutes to the end: the figures are as of it.
  assert.equal(a.as_of, "2025-05-01T10:45:00.000Z");
  assert.equal(a.projected_tokens, 3000 + 100 * 255);
  assert.equal(a.projected_cost_usd, 3 + 0.1 * 255);
  assert.equal(a.limit_tokens, null);
  assert.equal(a.limit_source, null);
  assert.equal(a.limit_source_text, null);
  assert.equal(a.projected_over_limit, false);
  assert.equal(a.limit_eta, null);

  const limited = activeBlock(
    ws[0],
    now,
    windowLimits([], { ...none, window_token_limit: 13000 }),
  )!;
  assert.equal(limited.limit_source, "setting");
  assert.equal(limited.projected_over_limit, true);
  assert.equal(limited.limit_source_text, "your setting");
  assert.equal(limited.limit_eta, "2025-05-01T12:25:00.000Z"); // 10,000 more at 100/min
  assert.equal(limited.limit_eta_tokens, limited.limit_eta);
  assert.equal(limited.limit_eta_cost, null);
  const costCap = activeBlock(ws[0], now, windowLimits([], { ...none, window_cost_limit_usd: 2 }))!;
  assert.equal(costCap.limit_cost_source, "setting");
  assert.equal(costCap.projected_over_limit, true);
  assert.equal(
    costCap.limit_eta,
    "2025-05-01T10:45:00.000Z",
    "already over: as of the last message",
  );
  // Time passing without a message moves nothing but the minutes left.
  const later = activeBlock(
    ws[0],
    at("2025-05-01T12:00:00Z"),
    windowLimits([], { ...none, window_token_limit: 13000 }),
  )!;
  assert.deepEqual({ ...later, minutes_left: 0 }, { ...limited, minutes_left: 0 });
  assert.equal(later.minutes_left, 180);

  // One message: no rate yet (ccusage shows none), the projection is the usage so far.
  const one = windowsOf([msg("2025-05-01T10:15:00Z", 1000)]);
  const a1 = activeBlock(one[0], now, windowLimits([], none))!;
  assert.equal(a1.tokens_per_min, 0);
  assert.equal(a1.projected_tokens, 1000);

  // Not active: past the end, or in the future of nothing.
  assert.equal(activeBlock(ws[0], at("2025-05-01T15:00:00Z"), windowLimits([], none)), null);
  assert.equal(toBlock(ws[0], at("2025-05-01T15:00:00Z")).active, false);
});

Deno.test("limits: p90 of the completed windows (nearest rank), the setting wins, null with none", () => {
  assert.equal(p90([]), null);
  assert.equal(p90([5]), 5);
  assert.equal(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 9);
  assert.equal(p90([10, 1, 9, 2, 8, 3, 7, 4, 6, 5, 11]), 10);
  const completed = windowsOf([
    msg("2025-05-01T01:00:00Z", 100, 1),
    msg("2025-05-01T07:00:00Z", 300, null, "mystery"),
    msg("2025-05-01T13:00:00Z", 200, 2),
    msg("2025-05-01T19:00:00Z", 400, 4),
  ]);
  assert.equal(completed.length, 4);
  const none = { window_token_limit: null, window_cost_limit_usd: null };
  // Each limit names its source, with the number of windows a p90 is taken over.
  assert.deepEqual(windowLimits(completed, none), {
    tokens: 400,
    tokens_source: "p90",
    tokens_source_text: "your p90 of 4 windows",
    cost_usd: 4, // of the three windows whose cost is known
    cost_source: "p90",
    cost_source_text: "your p90 of 3 windows",
  });
  assert.deepEqual(
    windowLimits(completed, { window_token_limit: 5000, window_cost_limit_usd: 12.5 }),
    {
      tokens: 5000,
      tokens_source: "setting",
      tokens_source_text: "your setting",
      cost_usd: 12.5,
      cost_source: "setting",
      cost_source_text: "your setting",
    },
  );
  assert.deepEqual(windowLimits([], none), {
    tokens: null,
    tokens_source: null,
    tokens_source_text: null,
    cost_usd: null,
    cost_source: null,
    cost_source_text: null,
  });
});

Deno.test("windows from hourly sums equal windows from the messages (seeded, many on the hour)", () => {
  const r = rngOf(99);
  for (let run = 0; run < 200; run++) {
    const list: UsageMessage[] = [];
    let t = Date.UTC(2025, 4, 1) + Math.floor(r() * 10) * hourMs;
    const n = 1 + Math.floor(r() * 60);
    for (let i = 0; i < n; i++) {
      const step = r();
      // Whole hours often, so messages land exactly on window ends.
      t = step < 0.3
        ? Math.ceil((t + 1) / hourMs) * hourMs + Math.floor(r() * 3) * hourMs
        : step < 0.5
        ? t
        : t + Math.floor(r() * 7 * hourMs);
      const price = r() < 0.1 ? null : Math.round(r() * 1000) / 1000;
      list.push({
        ...msg(new Date(t).toISOString(), 1 + Math.floor(r() * 99), price),
        model: `m${i % 3}`,
      });
    }
    const inRange = (from: number, to: number) => list.filter((m) => m.ts >= from && m.ts < to);
    const sums = (ms: UsageMessage[]) => ({
      messages: ms.length,
      input_tokens: ms.reduce((a, m) => a + m.input_tokens, 0),
      output_tokens: 0,
      cache_creation_tokens: 0,
      cache_read_tokens: 0,
      pricedCost: ms.reduce((a, m) => a + (m.cost_usd ?? 0), 0),
      unpriced: ms.filter((m) => m.cost_usd === null).length,
      models: [...new Set(ms.map((m) => m.model!))],
    });
    const hours = [...new Set(list.map((m) => m.ts - (m.ts % hourMs)))].map((hour) => ({
      hour,
      ...sums(inRange(hour, hour + hourMs)),
    }));
    const fromHours = windowsOfHours(hours, {
      sums: (from, to) => sums(inRange(from, to)),
      first: (from, to) => inRange(from, to)[0].ts,
      last: (from, to) => inRange(from, to).at(-1)!.ts,
    });
    const now = Date.UTC(2030, 0, 1);
    const norm = (ws: Window[]) =>
      ws.map((w) => ({
        ...toBlock(w, now),
        first: w.firstTs,
        cost_usd: null,
        c: w.pricedCost.toFixed(6),
      }));
    assert.deepEqual(norm(fromHours), norm(windowsOf(list)), `run ${run}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Against the clock: the active window, its limits and the rolling week on a real server

Deno.test(
  "a recent history: active window with p90 limit, then the setting's limit; week = the last 7 days",
  opts,
  async () => {
    const h = await makeHome();
    const now = Date.now();
    const line = (ts: number, tokens: number, n: number): UsageLine => ({
      sessionId: "sess-now",
      ts,
      messageId: `m${n}`,
      requestId: `r${n}`,
      model: "claude-sonnet-4-6",
      input: tokens,
      output: 0,
      cacheCreation: 0,
      cacheRead: 0,
    });
    // Four completed windows (each alone: gaps of more than 5 h) and an active one.
    const old = [
      line(now - 20 * dayMs, 9000, 1),
      line(now - 7 * dayMs - hourMs, 7000, 2),
      line(now - 6 * dayMs, 3000, 3),
      line(now - 2 * dayMs, 1000, 4),
    ];
    const first = now - 40 * minuteMs;
    const recent = [line(first, 500, 5), line(first + 20 * minuteMs, 700, 6)];
    const text = [...old, ...recent].map((l) => assistantLine(l)).join("") +
      assistantLine(recent[1]); // a repeated line: counted once
    await writeTranscript(transcriptPath(h.claudeDir, "sess-now"), text);
    const d = await serveReady(h);
    try {
      const got = await blocks(d);
      assert.equal(got.blocks.length, 5);
      assert.deepEqual(got.blocks.map((b) => b.active), [false, false, false, false, true]);
      const a = got.active!;
      assert.ok(a, "an active window");
      assert.equal(a.start, new Date(first - (first % hourMs)).toISOString());
      assert.equal(a.tokens, 1200);
      assert.equal(a.tokens_per_min, 60); // 1200 tokens from the first to the last message (20 min)
      // Projected from the last message (20 min ago) to the window's end.
      assert.equal(a.as_of, new Date(first + 20 * minuteMs).toISOString());
      assert.ok(
        Math.abs(a.projected_tokens - (1200 + 60 * (a.minutes_left + 20))) <= 60 * 0.1,
        `projection ${a.projected_tokens} with ${a.minutes_left} minutes left`,
      );
      assert.equal(a.limit_source, "p90");
      assert.equal(a.limit_source_text, "your p90 of 4 windows");
      assert.equal(a.limit_tokens, 9000, "p90 (nearest rank) of 9000, 7000, 3000, 1000");
      assert.equal(a.projected_over_limit, a.projected_tokens > 9000);
      // Rolling 7 days: the windows of 6 and 2 days ago and the active one, not 7 d 1 h ago.
      assert.equal(got.week.input_tokens, 3000 + 1000 + 1200);
      assert.ok(got.week.cost_usd !== null && got.week.cost_usd > 0);

      writeSettings(d.db, { window_token_limit: 2000 });
      const set = (await blocks(d)).active!;
      assert.equal(set.limit_source, "setting");
      assert.equal(set.limit_tokens, 2000);
      assert.equal(set.projected_over_limit, true);
      // 800 more tokens at 60 per minute: 13 min 20 s after the last message.
      const eta = Date.parse(set.limit_eta!);
      assert.equal(eta, first + 20 * minuteMs + Math.round(800 / 60 * minuteMs), set.limit_eta!);

      const page = await fetch(`${d.url}/usage`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.ok(html.includes('id="windows-table"') && html.includes("your setting"));
      const twin = await (await fetch(`${d.url}/api/usage/windows?range=all`)).json();
      assert.equal(twin.blocks.length, 5);
      assert.equal(twin.limits.tokens, 2000);
      assert.equal(twin.days.reduce((s: number, r: TokenTotals) => s + r.input_tokens, 0), 21200);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

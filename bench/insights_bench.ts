// In-process timings of the insight queries behind the dashboard's pages, on an existing
// database (bench/run.ts calls benchInsights on its 1,000,000-event database), plus the search
// check of the insights issue at that size: a command planted once is found first and an exact
// phrase outranks the same words scattered (planted in a transaction that is rolled back, so
// the database is left as it was).
//
//   deno run -A bench/insights_bench.ts --db /path/to/claude-dash.db [--iterations 50]
//
// "24 h" ranges end at the newest stored event, so a generated history has data in them.

import { DatabaseSync } from "node:sqlite";
import type { Db } from "../src/store/db.ts";
import { eventsPage } from "../src/store/read/events.ts";
import { sessionsPage } from "../src/store/read/sessions.ts";
import { kpis } from "../src/store/read/kpis.ts";
import { timeseries } from "../src/store/read/series.ts";
import { searchEvents } from "../src/store/read/search.ts";
import { toolStats } from "../src/store/read/tool_stats.ts";
import { usageBy } from "../src/store/read/usage.ts";
import { DerivedTables } from "../src/store/write/derived.ts";
import { registerSqlFunctions } from "../src/store/sql_functions.ts";
import { percentiles } from "./stats.ts";

export interface InsightTiming {
  name: string;
  p50_ms: number;
  p95_ms: number;
  /** What was checked or measured beside the time, when anything. */
  note?: string;
}

const dayMs = 86_400_000;

/** Searches typed into the search box, used in turn. */
export const benchSearches = [
  "deploy",
  "git push",
  '"cache handler"',
  "timeout*",
  "database schema migrate",
  "zzqxjvnothere",
];

function time(iterations: number, fn: (i: number) => unknown): { p50: number; p95: number } {
  for (let i = 0; i < 3; i++) fn(i);
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn(i);
    ms.push(performance.now() - t0);
  }
  const p = percentiles(ms);
  return { p50: round1(p.p50), p95: round1(p.p95) };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** p50/p95 of each page's queries over `iterations` runs (after 3 warm-ups). */
export function benchInsights(db: Db, opts: { iterations: number }): Promise<InsightTiming[]> {
  // A bare connection (not openDb): snippets read the search view, which calls mask_text.
  registerSqlFunctions(db);
  const n = Math.max(1, opts.iterations);
  const last = (db.prepare("SELECT max(ts) AS m FROM events").get() as { m: number | null }).m ??
    Date.now();
  const day = { since: last - dayMs, until: last + 1 };
  const out: InsightTiming[] = [];
  const add = (name: string, fn: (i: number) => unknown, note?: string) => {
    const t = time(n, fn);
    out.push({ name, p50_ms: t.p50, p95_ms: t.p95, ...(note ? { note } : {}) });
  };
  add("overview (sessions, feed, KPIs 24 h, activity 24 h)", () => {
    sessionsPage(db, { limit: 100, offset: 0 });
    eventsPage(db, {}, 50);
    kpis(db, day);
    timeseries(db, { metric: "events", bucket: "hour", by: "type", ...day });
  });
  add("sessions page", () => sessionsPage(db, { limit: 50, offset: 0 }));
  add("tool stats (all time)", () => toolStats(db, {}));
  add("tool stats (24 h)", () => toolStats(db, day));
  add("usage by day (all time)", () => usageBy(db, "day", {}));
  add("usage by model (all time)", () => usageBy(db, "model", {}));
  add(
    "timeseries events by type (24 h, hourly)",
    () => timeseries(db, { metric: "events", bucket: "hour", by: "type", ...day }),
  );
  add("timeseries tokens by model (7 days, hourly)", () =>
    timeseries(db, {
      metric: "tokens",
      bucket: "hour",
      by: "model",
      since: last - 7 * dayMs,
      until: last + 1,
    }));
  add(
    "search",
    (i) => searchEvents(db, benchSearches[i % benchSearches.length], {}, 50),
    benchSearches.join(" | "),
  );
  add(
    "search filtered (type, 24 h)",
    (i) =>
      searchEvents(
        db,
        benchSearches[i % benchSearches.length],
        i % 2 ? { type: "PreToolUse" } : { since: day.since },
        50,
      ),
  );
  const check = checkSearchAtScale(db);
  out.push({
    name: `search: once-only command and exact phrase at ${check.events} events`,
    p50_ms: check.p50_ms,
    p95_ms: check.p95_ms,
    note: check.ok ? "found first; phrase first (checked)" : `CHECK FAILED: ${check.problem}`,
  });
  return Promise.resolve(out);
}

export interface SearchCheck {
  ok: boolean;
  problem: string | null;
  events: number;
  p50_ms: number;
  p95_ms: number;
}

/**
 * Plants one event whose command occurs nowhere else, one old event with the exact phrase
 * "deploy cache handler" and 50 newer ones with those words scattered, then checks that the
 * command's search finds exactly it and that the phrase event ranks first for the plain words.
 * Everything planted is rolled back.
 */
export function checkSearchAtScale(db: Db): SearchCheck {
  const events = (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("BEGIN IMMEDIATE");
  try {
    const derived = new DerivedTables(db);
    const before = derived.mark();
    const first = (db.prepare("SELECT min(ts) AS m FROM events").get() as { m: number | null })
      .m ?? Date.now();
    const ins = db.prepare(
      `INSERT INTO events(key, source, session_id, ts, type, tool_name, summary, file_id, raw)
       VALUES (?, 'hook', 'bench-planted', ?, ?, ?, ?, 0, ?)`,
    );
    const command = "kubectl rollout restart deployment/zq-frobnicator-7";
    ins.run(
      "bench:planted:cmd",
      first + dayMs,
      "PreToolUse",
      "Bash",
      `Bash: ${command}`,
      JSON.stringify({ hook_event_name: "PreToolUse", tool_input: { command } }),
    );
    const phraseText = "please deploy cache handler before lunch";
    ins.run(
      "bench:planted:phrase",
      first,
      "UserPromptSubmit",
      null,
      phraseText,
      JSON.stringify({ hook_event_name: "UserPromptSubmit", prompt: phraseText }),
    );
    for (let i = 0; i < 50; i++) {
      const text = `handler notes ${i}: the cache may deploy later`;
      ins.run(
        `bench:planted:scattered:${i}`,
        first + 2 * dayMs + i,
        "UserPromptSubmit",
        null,
        text,
        JSON.stringify({ hook_event_name: "UserPromptSubmit", prompt: text }),
      );
    }
    derived.update(before);
    let problem: string | null = null;
    const t = time(
      20,
      (i) =>
        i % 2
          ? searchEvents(db, "zq-frobnicator-7", {}, 50)
          : searchEvents(db, "deploy cache handler", {}, 50),
    );
    const cmd = searchEvents(db, "zq-frobnicator-7", {}, 50).results;
    if (cmd.length !== 1 || !cmd[0].summary.includes("zq-frobnicator-7")) {
      problem = `the planted command gave ${cmd.length} results`;
    }
    const top = searchEvents(db, "deploy cache handler", {}, 50).results[0];
    if (
      !problem &&
      !/deploy cache handler/i.test(
        (top?.snippet ?? "").replaceAll("\u0002", "").replaceAll("\u0003", ""),
      )
    ) {
      problem = `first result for the phrase words was "${top?.summary}"`;
    }
    return { ok: problem === null, problem, events, p50_ms: t.p50, p95_ms: t.p95 };
  } finally {
    db.exec("ROLLBACK");
  }
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  const path = arg("db");
  if (!path) {
    console.error("usage: deno run -A bench/insights_bench.ts --db FILE [--iterations N]");
    Deno.exit(2);
  }
  const db = new DatabaseSync(path);
  db.exec("PRAGMA cache_size = -32000");
  try {
    const rows = await benchInsights(db, { iterations: Number(arg("iterations") ?? 50) });
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(58)} p50 ${r.p50_ms.toFixed(1).padStart(7)} ms  p95 ${
          r.p95_ms.toFixed(1).padStart(7)
        } ms${r.note ? `  (${r.note})` : ""}`,
      );
    }
  } finally {
    db.close();
  }
}

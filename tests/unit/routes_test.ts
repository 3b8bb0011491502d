// Every HTTP route, in process through app.request() over a real SQLite database filled by the
// real ingester from a small seeded home. The last test proves that every route the app
// registers was requested here, so a new route without a test fails this file.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  json,
  openTestApp,
  origin,
  requestedRoutes,
  routeKeys,
  type TestApp,
  testIngestSecret,
  text,
} from "./support/app.ts";
import { seedIds } from "./support/seed.ts";
import { AlertEngine } from "../../src/domain/alerts/engine.ts";
import { ackAlert, reconcile } from "../../src/store/write/alerts.ts";
import { listAlerts } from "../../src/store/read/alerts.ts";
import type { AlertCondition } from "../../src/core/alert_types.ts";
import type { AlertRuleId } from "../../src/core/alert_catalog.ts";
import { hitEnd, hitStart } from "../../src/store/read/search_query.ts";

type Json = Record<string, unknown>;
type Rows = Array<Record<string, unknown>>;

const { hookSession, transcriptSession, marker } = seedIds;

/** The seeded app the read-only tests share (the tests that change data open their own). */
const t: TestApp = await openTestApp();
Deno.test.afterAll(async () => await t[Symbol.asyncDispose]());

const html = (path: string) => t.get(path, "text/html");

function assertPage(body: string, ...facts: string[]): void {
  assert.match(body, /^<!DOCTYPE html>/i);
  assert.match(body, /<meta name="csrf-token" content="[^"]{40,}"/);
  for (const f of facts) assert.ok(body.includes(f), `the page shows ${f}`);
}

// ---- guards ----

Deno.test("a request addressed to a non-loopback Host is refused with 421", async () => {
  const res = await t.request("/api/sessions", { headers: { Host: "evil.example" } });
  assert.equal(res.status, 421);
  assert.match((await res.json()).error, /only answers requests addressed to 127\.0\.0\.1/);
});

Deno.test("a state change without the page's CSRF token, or from a foreign Origin, is refused with 403", async () => {
  const noToken = await t.request("/api/actions/pause", {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/json" },
    body: "{}",
  });
  assert.equal(noToken.status, 403);
  assert.match((await noToken.json()).error, /X-CSRF-Token/);
  const foreign = await t.request("/api/actions/pause", {
    method: "POST",
    headers: { Origin: "http://evil.example", "Content-Type": "application/json" },
    body: "{}",
  });
  assert.equal(foreign.status, 403);
  await foreign.body?.cancel();
  assert.equal(t.ingester.stats.paused, false, "nothing was paused");
});

Deno.test("every answer carries the security headers", async () => {
  const res = await t.get("/api/kpis");
  await res.body?.cancel();
  assert.match(res.headers.get("Content-Security-Policy") ?? "", /script-src 'self'/);
  assert.equal(res.headers.get("X-Frame-Options"), "DENY");
  assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");
});

Deno.test("an unknown URL is a JSON 404 naming the method and path", async () => {
  assert.deepEqual(await json(await t.get("/api/nothing-here"), 404), {
    error: "no route for GET /api/nothing-here",
  });
});

// ---- overview ----

Deno.test("GET / renders the overview with the seeded sessions and the live feed", async () => {
  assertPage(await text(await html("/")), "demo-project", marker);
});

Deno.test("GET /api/overview is the overview's JSON twin: sessions, events, KPIs, activity", async () => {
  // 24h, not the default "today": the seed's last hour may straddle midnight.
  const o = await json(await t.get("/api/overview?range=24h"));
  const sessions = o.sessions as Rows;
  assert.deepEqual(sessions.map((s) => s.session_id).sort(), [hookSession, transcriptSession]);
  assert.equal(o.total_sessions, 2);
  assert.equal((o.events as Rows).length, 11);
  assert.equal((o.kpis as Json).events, 11);
  for (const k of ["today_since", "activity", "top_tools", "errors", "usage"]) assert.ok(k in o, k);
});

Deno.test("GET /api/overview/kpis counts today's events, tool calls, errors and tokens", async () => {
  const k = await json(await t.get("/api/overview/kpis?since=0"));
  assert.equal(k.events, 11);
  assert.equal(k.tool_calls, 3);
  assert.equal(k.errors, 1);
  assert.equal(k.tokens, 2000 + 420 + 2000 + 12000);
  assert.equal(k.sessions, 2);
  assert.equal((await t.get("/api/overview/kpis?since=-5")).status, 400);
});

Deno.test("GET /api/overview/activity is the events of the last hour by type, per minute", async () => {
  const a = await json(await t.get("/api/overview/activity?activity=1h"));
  assert.equal(a.range, "1h");
  const result = a.result as {
    bucket: string;
    series: Array<{ key: string; points: [string, number][] }>;
  };
  assert.equal(result.bucket, "minute");
  const total = result.series.flatMap((s) => s.points).reduce((n, [, v]) => n + v, 0);
  assert.equal(total, 11);
  assert.equal((await t.get("/api/overview/activity?activity=2h")).status, 400);
});

Deno.test("GET /api/overview/tools and /api/overview/errors list the top tools and the latest errors", async () => {
  const tools = await json<Rows>(await t.get("/api/overview/tools?range=24h"));
  assert.deepEqual(tools.map((r) => r.tool_name), ["Bash", "Grep", "Read"]);
  const errors = await json<Rows>(await t.get("/api/overview/errors?range=24h"));
  assert.deepEqual(errors.map((e) => e.kind).sort(), ["ingest", "tool_failure"]);
});

Deno.test("GET /api/kpis covers a range; until before since is a 400", async () => {
  const k = await json(await t.get(`/api/kpis?since=0&until=${Date.now() + 1000}`));
  assert.equal(k.messages, 2);
  assert.equal(k.cost_usd, k.priced_cost_usd);
  const bad = await json(await t.get("/api/kpis?since=2000&until=1000"), 400);
  assert.equal(bad.error, "until must be after since");
});

Deno.test("GET /api/timeseries gives one series per key; an unknown metric is a 400", async () => {
  const s = await json(await t.get("/api/timeseries?metric=tool_calls&bucket=hour&by=tool"));
  const series = s.series as Array<{ key: string }>;
  assert.deepEqual(series.map((x) => x.key).sort(), ["Bash", "Grep", "Read"]);
  const bad = await json(await t.get("/api/timeseries?metric=vibes"), 400);
  assert.match(String(bad.error), /^metric must be one of/);
});

// ---- sessions ----

Deno.test("GET /sessions lists the sessions as a page", async () => {
  assertPage(await text(await html("/sessions")), "demo-project");
});

Deno.test("GET /api/sessions pages and sorts; a bad sort is a 400", async () => {
  const page = await json(await t.get("/api/sessions?sort=events&dir=desc"));
  assert.equal(page.total, 2);
  assert.deepEqual((page.sessions as Rows).map((s) => s.session_id), [
    hookSession,
    transcriptSession,
  ]);
  assert.equal((await t.get("/api/sessions?sort=mood")).status, 400);
});

Deno.test("GET /api/sessions/:id is the summary with events and paired tool calls; unknown is 404", async () => {
  const s = await json(await t.get(`/api/sessions/${hookSession}`));
  assert.equal(s.status, "waiting", "its newest event is a Notification");
  assert.equal((s.events as Rows).length, 7);
  const calls = s.tool_calls as Rows;
  assert.deepEqual(calls.map((c) => [c.tool_name, c.status]), [["Bash", "ok"], ["Read", "error"]]);
  assert.equal((await t.get("/api/sessions/no-such-session")).status, 404);
});

Deno.test("GET /sessions/:id renders the session's timeline; an unknown session is a 404 page", async () => {
  assertPage(await text(await html(`/sessions/${transcriptSession}`)), marker, "42 tests");
  const missing = await html("/sessions/no-such-session");
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /No session no-such-session is stored/);
});

Deno.test("GET /api/sessions/:id/timeline gives one row per thing and, with after_id, the rows of the lines stored later", async () => {
  const page = await json(await t.get(`/api/sessions/${hookSession}/timeline`));
  const rows = page.rows as Rows;
  // Seven hook lines, five things: each call's Pre and Post are one row.
  assert.deepEqual(rows.map((r) => r.kind), ["session", "prompt", "tool", "tool", "notify"]);
  const lineIds = (r: Record<string, unknown>) => (r.sources as Rows).map((s) => Number(s.id));
  const ids = rows.flatMap(lineIds).sort((a, b) => a - b);
  assert.equal(ids.length, 7);
  const after = await json(
    await t.get(`/api/sessions/${hookSession}/timeline?after_id=${ids[4]}`),
  );
  // A row comes back whole (every line of its thing), so the page can merge it where it shows.
  assert.deepEqual(after.rows, rows.filter((r) => lineIds(r).some((id) => id > ids[4])));
  assert.equal((await t.get("/api/sessions/none/timeline")).status, 404);
  assert.equal((await t.get(`/api/sessions/${hookSession}/timeline?before=zz`)).status, 400);
});

Deno.test("GET /api/sessions/:id/usage is the session's cumulative tokens and cost", async () => {
  const u = await json(await t.get(`/api/sessions/${transcriptSession}/usage`));
  assert.equal(u.messages, 2);
  assert.equal(u.cost_known, true);
  const points = u.points as Array<[string, number, number]>;
  assert.equal(points.at(-1)![1], 16420);
  assert.equal((await t.get("/api/sessions/none/usage")).status, 404);
});

// ---- events and search ----

Deno.test("GET /events renders the explorer; with q it shows the search's hits", async () => {
  assertPage(await text(await html("/events")), "git status");
  const hits = await text(await html(`/events?q=${marker}`));
  assertPage(hits, "feed the");
  assert.ok(!hits.includes("git status"), "only the matching events");
});

Deno.test("GET /api/events filters by session and tool and pages by cursor", async () => {
  const first = await json(await t.get(`/api/events?session=${hookSession}&limit=4`));
  const events = first.events as Rows;
  assert.equal(events.length, 4);
  assert.ok(events.every((e) => e.session_id === hookSession));
  const rest = await json(
    await t.get(`/api/events?session=${hookSession}&limit=4&cursor=${first.next_cursor}`),
  );
  assert.equal((rest.events as Rows).length, 3);
  assert.equal(rest.next_cursor, null);
  const bash = await json(await t.get("/api/events?tool=Bash"));
  assert.equal((bash.events as Rows).length, 2);
  assert.equal((await t.get("/api/events?cursor=garbage")).status, 400);
});

Deno.test("GET /api/events/newer counts events stored after the page's newest one", async () => {
  assert.deepEqual(await json(await t.get("/api/events/newer?after_id=5")), {
    count: 6,
    capped_at: 1000,
  });
  const all = await json(await t.get(`/api/events/newer?after_id=0&q=${marker}`));
  assert.equal(all.count, 2, "with q: only the matching events");
  const none = await json(await t.get(`/api/events/newer?after_id=11&q=${marker}`));
  assert.equal(none.count, 0);
  assert.equal((await t.get("/api/events/newer?after_id=-1")).status, 400);
});

Deno.test("GET /api/events/:id gives one event with its raw payload; an unknown id is 404", async () => {
  const all = await json(await t.get(`/api/events?session=${hookSession}&type=PostToolUseFailure`));
  const id = (all.events as Rows)[0].id;
  const ev = await json(await t.get(`/api/events/${id}`));
  assert.equal(ev.type, "PostToolUseFailure");
  assert.equal((ev.raw as Json).error, "File does not exist.");
  assert.equal((await t.get("/api/events/999999")).status, 404);
});

Deno.test("GET /api/search ranks matches and marks the hits in a plain-text snippet", async () => {
  const r = await json(await t.get(`/api/search?q=${marker}`));
  const results = r.results as Rows;
  assert.equal(results.length, 2);
  for (const hit of results) {
    assert.ok(String(hit.snippet).includes(`${hitStart}${marker}${hitEnd}`), String(hit.snippet));
  }
  const scoped = await json(await t.get(`/api/search?q=${marker}&session=${hookSession}`));
  assert.equal((scoped.results as Rows).length, 1);
  assert.equal((await t.get('/api/search?q="unbalanced')).status, 400);
});

Deno.test("GET /api/errors lists tool failures and ingest errors, newest first", async () => {
  const r = await json(await t.get("/api/errors"));
  const errors = r.errors as Rows;
  const failure = errors.find((e) => e.kind === "tool_failure")!;
  assert.equal(failure.message, "File does not exist.");
  assert.equal(failure.tool_name, "Read");
  const ingest = errors.find((e) => e.kind === "ingest")!;
  assert.match(String(ingest.message), /^invalid JSON \(half-written\?/);
  assert.equal((await t.get("/api/errors?limit=0")).status, 400);
});

Deno.test("GET /api/export streams the filtered events as CSV or JSON Lines", async () => {
  const csv = await t.get(`/api/export?session=${hookSession}`);
  assert.match(csv.headers.get("Content-Disposition") ?? "", /attachment; filename=".+\.csv"/);
  const lines = (await text(csv)).trim().split(/\r?\n/);
  assert.equal(lines.length, 1 + 7, "a header and the session's 7 events");
  const jsonl = await text(await t.get(`/api/export?format=jsonl&q=${marker}`));
  const rows = jsonl.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(rows.length, 2);
  assert.equal((await t.get("/api/export?format=xlsx")).status, 400);
});

// ---- tools ----

Deno.test("GET /tools renders the tool table; ?tool= lists that tool's calls", async () => {
  assertPage(await text(await html("/tools")), "Bash", "Grep", "Read");
  assertPage(await text(await html("/tools?tool=Read")), "missing.ts");
});

Deno.test("GET /api/tools gives calls, failures and durations per tool", async () => {
  const r = await json(await t.get("/api/tools"));
  const read = (r.tools as Rows).find((x) => x.tool_name === "Read")!;
  assert.deepEqual([read.calls, read.failures, read.failure_rate], [1, 1, 1]);
  const bash = (r.tools as Rows).find((x) => x.tool_name === "Bash")!;
  assert.equal(bash.p50_ms, 60_000, "PreToolUse to PostToolUse one minute apart");
});

Deno.test("GET /api/tool-stats is the tools page's twin, with trends and one tool's calls", async () => {
  const r = await json(await t.get("/api/tool-stats?tool=Bash"));
  assert.equal(r.tool, "Bash");
  assert.equal((r.calls as Rows).length, 1);
  assert.ok((r.tools as Rows).every((x) => Array.isArray(x.trend)));
});

// ---- usage ----

Deno.test("GET /usage renders the 5-hour windows page", async () => {
  assertPage(await text(await html("/usage")), "Usage");
});

Deno.test("GET /api/usage groups tokens and cost by model; an unknown group is a 400", async () => {
  const r = await json(await t.get("/api/usage?group=model"));
  const rows = r.rows as Rows;
  assert.deepEqual(rows.map((x) => x.key), ["claude-sonnet-4-5-20250929"]);
  assert.equal(rows[0].messages, 2);
  assert.equal((await t.get("/api/usage?group=planet")).status, 400);
});

Deno.test("GET /api/usage/windows and /api/blocks show the active window of the seeded messages", async () => {
  const w = await json(await t.get("/api/usage/windows?range=24h"));
  assert.equal(w.range, "24h");
  const blocks = w.blocks as Rows;
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0].messages, 2);
  const b = await json(await t.get("/api/blocks"));
  assert.deepEqual(b.blocks, blocks);
  assert.equal((b.active as Json).tokens, 16420);
  assert.equal((await t.get("/api/blocks?since=10&until=5")).status, 400);
  assert.equal((await t.get("/api/usage/windows?range=1y")).status, 400);
});

// ---- alerts ----

Deno.test("GET /api/alerts lists the alerts the rules raise over the seeded data", async () => {
  new AlertEngine({ db: t.db, publish: (m) => t.bus.publish(m) }).evaluate();
  const r = await json(await t.get("/api/alerts?state=active"));
  const rules = (r.alerts as Rows).map((a) => a.rule).sort();
  // The hooks went quiet 24 min ago while the transcript moved 5 min ago: hooks_silent holds too.
  assert.deepEqual(rules, ["hooks_silent", "ingest_errors", "waiting"]);
  assert.equal((await t.get("/api/alerts?state=sleepy")).status, 400);
});

Deno.test("POST /api/alerts/:id/ack acknowledges an alert and publishes it live", async () => {
  new AlertEngine({ db: t.db, publish: (m) => t.bus.publish(m) }).evaluate();
  const [alert] = (await json(await t.get("/api/alerts?state=active"))).alerts as Rows;
  const published: string[] = [];
  const off = t.bus.subscribe((m) => published.push(...m.map((x) => x.type)));
  const r = await json(await t.post(`/api/alerts/${alert.id}/ack`));
  off();
  assert.equal((r.alert as Json).state, "acknowledged");
  assert.deepEqual(published, ["alert"]);
  assert.equal((await t.post("/api/alerts/999999/ack")).status, 404);
  assert.equal((await t.post("/api/alerts/abc/ack")).status, 400);
});

Deno.test("POST /api/alerts/:id/snooze hides an alert for a number of minutes; bad minutes are a 400", async () => {
  new AlertEngine({ db: t.db, publish: () => {} }).evaluate();
  const alerts = (await json(await t.get("/api/alerts"))).alerts as Rows;
  const id = alerts[0].id;
  const before = Date.now();
  const r = await json(await t.post(`/api/alerts/${id}/snooze`, { minutes: 30 }));
  const until = Date.parse(String((r.alert as Json).snoozed_until));
  assert.ok(until >= before + 30 * 60_000 && until <= Date.now() + 30 * 60_000, String(until));
  const bad = await json(await t.post(`/api/alerts/${id}/snooze`, { minutes: 0 }), 400);
  assert.match(String(bad.error), /minutes must be a number from 1 to 10080/);
  assert.equal((await t.post(`/api/alerts/${id}/snooze`, "not json")).status, 400);
});

/** Three alerts at known times: waiting (acknowledged, still open), failure_streak (cleared 2 h
 * ago) and error_rate (active), written the way the engine writes them. */
function seedAlertHistory(db: TestApp["db"], now: number) {
  const cond = (rule: AlertRuleId, key: string, message: string): AlertCondition => ({
    rule,
    key,
    session_id: key === "global" ? null : key,
    project: "demo-project",
    message,
    evidence: message,
  });
  const waiting = cond("waiting", "s-wait", "Claude needs your permission to use Bash");
  const streak = cond("failure_streak", "s-fail", "3 tool failures in a row");
  reconcile(db, [waiting, streak], now - 3 * 3600_000);
  reconcile(db, [waiting], now - 2 * 3600_000);
  const [wait] = listAlerts(db, { rule: "waiting", limit: 1 });
  ackAlert(db, wait.id, now - 2 * 3600_000);
  reconcile(
    db,
    [waiting, cond("error_rate", "global", "12 errors in the last minute")],
    now - 600_000,
  );
}

Deno.test("GET /alerts renders the alert history with its filters and a link to its twin", async () => {
  await using app = await openTestApp({ seed: false });
  seedAlertHistory(app.db, Date.now());
  const page = await text(await app.get("/alerts?state=cleared", "text/html"));
  assertPage(
    page,
    'id="alerts-table"',
    "3 tool failures in a row",
    'href="/api/alerts?state=cleared"',
  );
  assert.ok(!page.includes("12 errors in the last minute"), "an active alert is not under cleared");
  assert.match(page, /<a href="\/alerts" aria-current="page">Alerts<\/a>/);
  assert.equal((await app.get("/alerts?rule=planet", "text/html")).status, 400);
});

Deno.test("GET /api/alerts filters by state, rule and range, and pages with a total", async () => {
  await using app = await openTestApp({ seed: false });
  const now = Date.now();
  seedAlertHistory(app.db, now);
  const rules = async (query: string) =>
    ((await json(await app.get(`/api/alerts${query}`))).alerts as Rows).map((a) => a.rule);
  assert.deepEqual(await rules(""), ["error_rate", "waiting", "failure_streak"]);
  assert.deepEqual(await rules("?state=acknowledged"), ["waiting"]);
  assert.deepEqual(await rules("?state=cleared"), ["failure_streak"]);
  assert.deepEqual(await rules("?rule=error_rate"), ["error_rate"]);
  // A range keeps the alerts it overlaps: seen in the last hour, or first seen before `until`.
  assert.deepEqual(await rules("?range=1h"), ["error_rate", "waiting"]);
  const until = new Date(now - 2.5 * 3600_000).toISOString();
  assert.deepEqual(await rules(`?until=${until}`), ["waiting", "failure_streak"]);
  const page2 = await json(await app.get("/api/alerts?limit=1&offset=1"));
  assert.deepEqual((page2.alerts as Rows).map((a) => a.rule), ["waiting"]);
  assert.deepEqual([page2.total, page2.offset, page2.limit], [3, 1, 1]);
  assert.equal((await json(await app.get("/api/alerts?state=cleared"))).total, 1);
  assert.equal((await app.get("/api/alerts?rule=planet")).status, 400);
  assert.equal((await app.get("/api/alerts?offset=-1")).status, 400);
  assert.equal((await app.get("/api/alerts?range=1y")).status, 400);
});

// ---- settings and actions ----

Deno.test("GET /settings renders the settings form with the data sources", async () => {
  assertPage(await text(await html("/settings")), "Settings", "raw_json");
});

Deno.test("GET /api/settings gives the settings, the rules, the built-in prices and the sources", async () => {
  const s = await json(await t.get("/api/settings"));
  assert.equal((s.settings as Json).retention_days, null);
  assert.ok((s.rules as Rows).some((r) => r.id === "waiting"));
  assert.ok((s.prices_built_in as Rows).length > 0);
  const sources = s.sources as { hook_logs: Json; notifier: Json };
  assert.equal(sources.hook_logs.found, true);
  assert.equal(sources.hook_logs.path, join(t.claudeDir, "hooks/logs/raw_json"));
  assert.equal(sources.notifier.configured, false);
  assert.deepEqual(s.ingest, { paused: false, available: true });
});

Deno.test("POST /api/settings stores a valid patch, re-prices stored usage, and refuses an invalid one", async () => {
  await using app = await openTestApp();
  const saved = await json(
    await app.post("/api/settings", {
      window_token_limit: 100_000,
      prices: { "claude-sonnet-4-5": { input: 30, output: 150 } },
    }),
  );
  assert.equal((saved.settings as Json).window_token_limit, 100_000);
  assert.deepEqual(saved.notes, ["re-priced 2 stored messages of 1 model(s)"]);
  const w = await json(await app.get("/api/usage/windows"));
  assert.deepEqual([(w.limits as Json).tokens, (w.limits as Json).tokens_source], [
    100_000,
    "setting",
  ]);
  const k = await json(await app.get("/api/kpis?since=0"));
  assert.equal(k.cost_usd, 0.234, "ten times the built-in price");
  const bad = await json(await app.post("/api/settings", { retention_days: 0 }), 400);
  assert.deepEqual(bad, {
    error:
      "Retention: the days to keep must be a whole number from 1 to 36500 (or keep everything)",
    field: "retention_days",
  });
  assert.equal((await app.post("/api/settings", "{")).status, 400);
});

Deno.test("POST /api/actions/rescan reads what changed since the last scan", async () => {
  await using app = await openTestApp({ live: true });
  await Deno.writeTextFile(
    join(app.claudeDir, "hooks/logs/raw_json/20250101_120000_000000_Stop_unit-new-0001.json"),
    JSON.stringify({ session_id: "unit-new-0001", hook_event_name: "Stop" }),
  );
  const r = await json(await app.post("/api/actions/rescan"));
  assert.equal(r.ok, true);
  assert.match(String(r.message), /^rescanned in \d+ ms$/);
  const s = await json(await app.get("/api/sessions/unit-new-0001"));
  assert.equal((s.events as Rows).length, 1);
});

Deno.test("POST /api/actions/pause and /resume switch live ingest; a paused ingest refuses to rescan", async () => {
  await using app = await openTestApp({ live: true, seed: false });
  const paused = await json(await app.post("/api/actions/pause"));
  assert.deepEqual(paused, { ok: true, paused: true, message: "live ingest paused" });
  assert.equal(app.ingester.stats.paused, true);
  const refused = await json(await app.post("/api/actions/rescan"), 409);
  assert.equal(refused.error, "live ingest is paused: resume it to rescan");
  const resumed = await json(await app.post("/api/actions/resume"));
  assert.deepEqual(resumed, { ok: true, paused: false, message: "live ingest resumed" });
  assert.equal(app.ingester.stats.paused, false);
});

Deno.test("POST /api/actions/vacuum compacts the database and says by how much", async () => {
  await using app = await openTestApp({ seed: false });
  const r = await json(await app.post("/api/actions/vacuum"));
  assert.equal(r.ok, true);
  assert.equal(typeof r.bytes_before, "number");
  assert.match(String(r.message), /^vacuumed: [\d.]+ MiB → [\d.]+ MiB in \d+ ms$/);
});

Deno.test("an empty home shows the empty state naming the folder read", async () => {
  await using app = await openTestApp({ seed: false });
  for (const path of ["/sessions", "/events", "/tools"]) {
    assertPage(await text(await app.get(path, "text/html")), "No Claude Code activity found yet");
  }
  const body = await text(await app.get("/events", "text/html"));
  assert.ok(body.includes(app.claudeDir));
});

// ---- health and metrics ----

Deno.test("GET /health is JSON for machines and the health page for browsers", async () => {
  const h = await json(await t.get("/health"));
  assert.deepEqual([h.events, h.sessions, h.errors, h.status], [11, 2, 1, "degraded"]);
  assertPage(await text(await html("/health")), "invalid JSON");
  assert.equal((await json(await t.get("/health?format=json"))).events, 11);
});

Deno.test("GET /api/health adds the ingest counters, rates and recent errors", async () => {
  const h = await json(await t.get("/api/health"));
  const ingest = h.ingest as Json;
  assert.equal(ingest.backfilled, true);
  assert.equal(ingest.hookFiles, 8);
  assert.equal(ingest.transcripts, 1);
  assert.equal((h.recent_errors as Rows).length, 1);
  assert.equal(h.otlp, null);
  assert.equal(h.live_clients, 0);
});

Deno.test("GET /metrics is Prometheus text with the stored counts", async () => {
  const res = await t.get("/metrics", "text/plain");
  assert.match(res.headers.get("Content-Type") ?? "", /^text\/plain; version=0\.0\.4/);
  const body = await text(res);
  assert.match(body, /^claude_dash_events_total\{type="PreToolUse"\} 2$/m);
  assert.match(body, /^claude_dash_tool_failures_total\{tool="Read"\} 1$/m);
});

// ---- live streams and static assets ----

Deno.test("GET /api/stream says hello, replays events after last_event_id, and frees its slot when closed", async () => {
  const res = await t.get("/api/stream?last_event_id=9", "text/event-stream");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Content-Type") ?? "", /^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let got = "";
  while ((got.match(/^event: event$/gm) ?? []).length < 2) {
    const { value, done } = await reader.read();
    if (done) break;
    got += value;
  }
  await reader.cancel();
  assert.match(got, /^event: hello$/m);
  assert.deepEqual([...got.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]), ["9", "10", "11"]);
  for (let i = 0; i < 100 && t.bus.clients > 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(t.bus.clients, 0);
});

Deno.test("GET /api/stream past the live connection cap is a 503 with Retry-After", async () => {
  let taken = 0;
  while (t.bus.acquire()) taken++;
  try {
    const res = await t.get("/api/stream");
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("Retry-After"), "5");
    assert.equal((await res.json()).limit, t.bus.maxClients);
  } finally {
    for (let i = 0; i < taken; i++) t.bus.release();
  }
});

Deno.test("GET /api/ws without a WebSocket upgrade is not served; a foreign Origin's upgrade is refused", async () => {
  assert.equal((await t.get("/api/ws")).status, 404);
  const foreign = await t.request("/api/ws", {
    headers: { Upgrade: "websocket", Connection: "Upgrade", Origin: "http://evil.example" },
  });
  assert.equal(foreign.status, 403);
  await foreign.body?.cancel();
});

Deno.test("GET /static/:name serves the page's embedded assets, immutable; any other name is 404", async () => {
  const page = await text(await html("/"));
  const names = [...page.matchAll(/(?:src|href)="\/static\/([^"]+)"/g)].map((m) => m[1]);
  assert.ok(names.some((n) => n.endsWith(".js")), names.join());
  for (const name of names) {
    const res = await t.get(`/static/${name}`, "*/*");
    assert.equal(res.status, 200, name);
    assert.match(res.headers.get("Cache-Control") ?? "", /immutable/);
    await res.body?.cancel();
  }
  assert.equal((await t.get("/static/..%2fdeno.json")).status, 404);
  assert.equal((await t.get("/static/constructor")).status, 404);
});

// ---- machine endpoints (HTTP hooks, OTLP in; more in ingest_endpoints_test.ts) ----

Deno.test("the machine endpoints take a hook payload and OTLP batches with the ingest secret", async () => {
  const headers = {
    Authorization: `Bearer ${testIngestSecret}`,
    "Content-Type": "application/json",
  };
  const hook = await t.request("/hooks", {
    method: "POST",
    headers,
    body: JSON.stringify({
      session_id: hookSession,
      hook_event_name: "Notification",
      message: "hi",
    }),
  });
  assert.deepEqual(await json(hook), {});
  for (const [path, body] of [["/v1/logs", { resourceLogs: [] }], ["/v1/metrics", {}]] as const) {
    const res = await t.request(path, { method: "POST", headers, body: JSON.stringify(body) });
    assert.deepEqual(await json(res), {}, path);
    const refused = await t.request(path, { method: "POST", body: JSON.stringify(body) });
    assert.equal(refused.status, 401, path);
    await refused.body?.cancel();
  }
});

// ---- coverage: keep last ----

Deno.test("every route the app registers was requested by a test in this file", () => {
  const missing = routeKeys(t.app).filter((k) => !requestedRoutes.has(k));
  assert.deepEqual(missing, [], `routes without a test: ${missing.join(", ")}`);
});

// Alerts: the pure rules over hand-made snapshots, reconcile() over a real SQLite database, and
// the whole path on a real server — a hook file or transcript line is written, the engine
// raises (once) or clears an alert, SSE delivers it, and the POST routes change it only with
// the dashboard's Origin and CSRF token.

import assert from "node:assert/strict";
import { join } from "node:path";
import { AlertEngine } from "../src/domain/alerts/engine.ts";
import { LiveBus } from "../src/live/bus.ts";
import { openDb } from "../src/store/db.ts";
import { writeSettings } from "../src/store/settings.ts";
import { defaultSettings } from "../src/core/settings_schema.ts";
import type { SettingsPatch } from "../src/core/settings_schema.ts";
import { evaluateRules } from "../src/domain/alerts/rules.ts";
import {
  type AlertCondition,
  type AlertSnapshot,
  emptySnapshot,
  openKey,
} from "../src/core/alert_types.ts";
import { ackAlert, reconcile, snoozeAlert } from "../src/store/write/alerts.ts";
import { listAlerts } from "../src/store/read/alerts.ts";
import type { ActiveBlock, AlertRow, LiveMessage } from "../src/core/types.ts";
import { makeHome, type TestHome } from "./support/home.ts";
import { SseClient } from "./support/sse.ts";
import { pageToken, postJson } from "./support/post.ts";
import { count, waitFor } from "./support/wait.ts";
import type { Served } from "./support/served.ts";
import { alertStats, alertTicks, serveWithAlerts } from "./support/served_extra.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

// ---- pure rules ----

const now = Date.parse("2026-03-04T12:00:00Z");

function settingsWith(patch: SettingsPatch["alerts"] = {}) {
  const s = defaultSettings().alerts;
  for (const [id, v] of Object.entries(patch ?? {})) {
    Object.assign(s[id as keyof typeof s], v);
  }
  return s;
}

function snapshot(part: Partial<AlertSnapshot>): AlertSnapshot {
  return { ...emptySnapshot(now), ...part };
}

function rules(part: Partial<AlertSnapshot>, patch: SettingsPatch["alerts"] = {}) {
  return evaluateRules(snapshot(part), settingsWith(patch), now);
}

Deno.test("rules: a waiting session alerts once it has waited the threshold, keyed by session", () => {
  const waiting = [{
    session_id: "s-wait",
    project: "demo",
    waiting_ts: now - 40_000,
    waiting_reason: "Claude needs your permission to use Bash",
  }];
  assert.equal(rules({ waiting }, { waiting: { threshold: 60 } }).length, 0);
  const [c] = rules({ waiting }, { waiting: { threshold: 30 } });
  assert.equal(c.rule, "waiting");
  assert.equal(c.key, "s-wait");
  assert.equal(c.session_id, "s-wait");
  assert.equal(c.project, "demo");
  assert.match(c.message, /demo .*waiting for you: Claude needs your permission to use Bash/);
  assert.equal(rules({ waiting }, { waiting: { enabled: false } }).length, 0);
});

Deno.test("rules: a failure streak needs the N most recent finished calls all failed", () => {
  const call = (key: string, status: "ok" | "error") => ({
    key,
    tool_name: "Bash",
    status,
    error: status === "error" ? "exit 1" : null,
  });
  const streak = (...st: Array<"ok" | "error">) => [{
    session_id: "s-f",
    project: null,
    recent: st.map((s, i) => call(`t${i}`, s)),
  }];
  const [c] = rules({ sessionCalls: streak("error", "error", "ok") }, {
    failure_streak: { threshold: 2 },
  });
  assert.equal(c.rule, "failure_streak");
  assert.equal(c.evidence, "t0", "evidence is the newest failure");
  assert.match(c.message, /^2 tool calls failed in a row in session s-f; last: Bash: exit 1$/);
  assert.equal(rules({ sessionCalls: streak("error", "error", "ok") }).length, 0, "default is 3");
  assert.equal(
    rules({ sessionCalls: streak("error", "ok", "error") }, { failure_streak: { threshold: 2 } })
      .length,
    0,
  );
});

Deno.test("rules: error rate fires at the threshold across all sessions", () => {
  const at = (n: number) => rules({ recentErrors: { count: n, newest: `${n}/0` } });
  assert.equal(at(9).length, 0);
  const [c] = at(10);
  assert.equal(c.key, "all");
  assert.equal(c.session_id, null);
  assert.match(c.message, /^10 errors in the last 60 s/);
});

Deno.test("rules: a long-running call alerts per call, except stale calls and sessions that moved on", () => {
  const call = (key: string, startAgo: number, end = 0, stop = 0) => ({
    key,
    session_id: "s-l",
    project: "p",
    tool_name: "Bash",
    input_summary: "sleep 999",
    start_ts: now - startAgo,
    session_end_ts: end,
    session_stop_ts: stop,
  });
  const got = rules({
    runningCalls: [
      call("young", 10_000),
      call("old", 400_000),
      call("ancient", 25 * 3600_000),
      call("ended", 400_000, now - 1000),
      call("stopped", 400_000, 0, now - 1000),
      call("stopped-before", 400_000, 0, now - 500_000),
    ],
  });
  assert.deepEqual(got.map((c) => c.key), ["old", "stopped-before"]);
  assert.match(
    got[0].message,
    /^Bash still running after 5 m 00 s .* in p \(session s-l\): sleep 999$/,
  );
});

Deno.test("rules: budgets fire strictly above the threshold; the daily one is keyed by UTC day", () => {
  const costs = [
    { session_id: "a", project: null, cost_usd: 20, unpriced_messages: 0 },
    { session_id: "b", project: null, cost_usd: 20.5, unpriced_messages: 1 },
  ];
  const got = rules({ sessionCosts: costs });
  assert.deepEqual(got.map((c) => c.key), ["b"]);
  assert.match(got[0].message, /\$20\.50, over the \$20\.00 session budget \(some usage/);
  const day = rules({ dayCost: { day: "2026-03-04", cost_usd: 150, unpriced_messages: 0 } });
  assert.equal(day.length, 1);
  assert.equal(day[0].key, "2026-03-04");
  assert.equal(
    rules({ dayCost: { day: "2026-03-04", cost_usd: 100, unpriced_messages: 0 } }).length,
    0,
  );
});

Deno.test("rules: hooks_silent needs moving transcripts and no hook event in the span", () => {
  assert.equal(rules({ activity: { hookEvents: 0, transcriptEvents: 5 } }).length, 1);
  assert.equal(rules({ activity: { hookEvents: 1, transcriptEvents: 5 } }).length, 0);
  assert.equal(rules({ activity: { hookEvents: 0, transcriptEvents: 0 } }).length, 0);
});

Deno.test("rules: ingest errors raise at the threshold and hold until none are left", () => {
  const patch = { ingest_errors: { threshold: 5 } };
  assert.equal(rules({ ingestErrors: 3 }, patch).length, 0);
  const [c] = rules({ ingestErrors: 5 }, patch);
  assert.equal(c.message.startsWith("5 ingest errors"), true);
  const open = new Set([openKey("ingest_errors", "all")]);
  assert.equal(rules({ ingestErrors: 3, open }, patch).length, 1, "held while open");
  assert.equal(rules({ ingestErrors: 0, open }, patch).length, 0, "cleared at 0");
});

Deno.test("rules: the 5-hour window alert follows the projection against the limit and names the limit's source", () => {
  const block = (limit: number | null, projected: number): ActiveBlock => {
    const over = limit !== null && projected > limit;
    return {
      start: "2026-03-04T10:00:00.000Z",
      end: "2026-03-04T15:00:00.000Z",
      as_of: "2026-03-04T12:00:00.000Z",
      minutes_left: 180,
      tokens: 500,
      cost_usd: 1,
      tokens_per_min: 10,
      cost_per_hour: 1,
      rate_span_min: 60,
      projected_tokens: projected,
      projected_cost_usd: 2,
      limit_tokens: limit,
      limit_source: limit ? "setting" : null,
      limit_source_text: limit ? "your setting" : null,
      limit_cost_usd: null,
      limit_cost_source: null,
      limit_cost_source_text: null,
      projected_over_limit: over,
      limit_eta: over ? "2026-03-04T14:10:00.000Z" : null,
      limit_eta_tokens: over ? "2026-03-04T14:10:00.000Z" : null,
      limit_eta_cost: null,
      // The rule reads the figures themselves (core/window_figures.ts), not this summary.
      limit_state: {
        tokens: over ? "projected_over" : limit ? "under" : "no_limit",
        cost: "no_limit",
      },
    };
  };
  assert.equal(rules({ activeBlock: block(1000, 900) }).length, 0);
  const [c] = rules({ activeBlock: block(1000, 1200) });
  assert.equal(c.key, "2026-03-04T10:00:00.000Z");
  assert.equal(
    c.message,
    "The 5-hour window that started 10:00 UTC is projected to use 1.2k tokens by 15:00 UTC, " +
      "120% of its token limit of 1.0k (your setting); limit reached about 14:10 UTC",
  );
  assert.equal(
    rules({ activeBlock: block(1000, 900) }, { window_over_limit: { threshold: 80 } })
      .length,
    1,
    "a lower threshold warns early",
  );
  // Changed by issue 15: without a limit there is nothing to be over (the panel marks nothing).
  assert.equal(rules({ activeBlock: block(null, 5000) }).length, 0, "no limit: no alert");
  const byCost: ActiveBlock = {
    ...block(1000, 500),
    limit_cost_usd: 1.6,
    limit_cost_source: "p90",
    limit_cost_source_text: "your p90 of 41 windows",
    projected_over_limit: true,
    limit_eta_cost: "2026-03-04T13:30:00.000Z",
  };
  const [cost] = rules({ activeBlock: byCost });
  assert.match(
    cost.message,
    /is projected to cost \$2\.00 by 15:00 UTC, 125% of its cost limit of \$1\.60 \(your p90 of 41 windows\); limit reached about 13:30 UTC$/,
    "the cost limit counts too, and the message says it is the cost and where its limit comes from",
  );
  assert.equal(rules({ activeBlock: null }).length, 0);
  const young = { ...block(1000, 50_000), tokens: 900, rate_span_min: 3 };
  assert.equal(
    rules({ activeBlock: young }).length,
    0,
    "a burn rate over 3 minutes is not trusted: 900 used of 1,000 is not over",
  );
  const [used] = rules({ activeBlock: { ...young, tokens: 1500 } });
  assert.match(
    used.message,
    /has used 1\.5k tokens, 150% of its token limit of 1\.0k \(your setting\)$/,
    "but what was already used over the limit counts at once",
  );
});

// ---- reconcile over real SQLite ----

function cond(evidence: string, message = `m ${evidence}`): AlertCondition {
  return { rule: "waiting", key: "s1", session_id: "s1", project: "p", message, evidence };
}

Deno.test("reconcile: one open row per (rule, key); evidence counts, acknowledgement sticks, clearing reopens", () => {
  const db = openDb(":memory:");
  try {
    const [a] = reconcile(db, [cond("1")], 1000);
    assert.equal(a.state, "active");
    assert.equal(a.count, 1);
    assert.equal(a.first_ts, new Date(1000).toISOString());

    assert.deepEqual(reconcile(db, [cond("1")], 2000), [], "same evidence: not a change");
    assert.equal(listAlerts(db, { limit: 10 })[0].last_ts, new Date(2000).toISOString());
    assert.equal(listAlerts(db, { limit: 10 })[0].count, 1);

    const [b] = reconcile(db, [cond("2", "newer")], 3000);
    assert.equal(b.id, a.id);
    assert.equal(b.count, 2);
    assert.equal(b.message, "newer");

    assert.equal(ackAlert(db, a.id, 3500)!.state, "acknowledged");
    const [c] = reconcile(db, [cond("3")], 4000);
    assert.equal(c.state, "acknowledged", "never re-raised while it holds");
    assert.equal(c.count, 3);

    const [d] = reconcile(db, [], 5000);
    assert.equal(d.id, a.id);
    assert.equal(d.state, "cleared");

    const [e] = reconcile(db, [cond("4")], 6000);
    assert.notEqual(e.id, a.id, "a new occurrence is a new row");
    assert.equal(e.state, "active");
    assert.equal(count(db, "SELECT count(*) AS n FROM alerts"), 2);
  } finally {
    db.close();
  }
});

Deno.test("reconcile: an expired snooze is lifted and reported", () => {
  const db = openDb(":memory:");
  try {
    const [a] = reconcile(db, [cond("1")], 1000);
    const s = snoozeAlert(db, a.id, 1, 1000)!;
    assert.equal(s.snoozed_until, new Date(61_000).toISOString());
    assert.deepEqual(reconcile(db, [cond("1")], 30_000), []);
    const [b] = reconcile(db, [cond("1")], 61_000);
    assert.equal(b.snoozed_until, null);
    assert.equal(b.state, "active");
  } finally {
    db.close();
  }
});

Deno.test("the engine counts a failed evaluation instead of throwing, and goes on", () => {
  const db = openDb(":memory:");
  const bus = new LiveBus();
  const published: LiveMessage[] = [];
  bus.subscribe((m) => published.push(...m));
  const engine = new AlertEngine({
    db,
    publish: (m) => bus.publish(m),
    activeBlock: () => {
      throw new Error("usage module broke");
    },
  });
  writeSettings(db, { alerts: { ingest_errors: { threshold: 1 } } });
  db.prepare("INSERT INTO ingest_errors(path, offset, reason, ts) VALUES ('x.jsonl', 0, 'bad', 0)")
    .run();
  const changed = engine.evaluate();
  assert.equal(engine.stats.errors, 1, "the window rule's source failed, counted");
  assert.deepEqual(changed.map((a) => a.rule), ["ingest_errors"], "the other rules still ran");
  assert.deepEqual(published.map((m) => m.type), ["alert"]);
  db.close();
  assert.deepEqual(engine.evaluate(), [], "a closed database: no throw");
  assert.equal(engine.stats.errors, 2);
});

Deno.test("under a steady stream of commits the engine evaluates at most once per interval, the first at once", async () => {
  const db = openDb(":memory:");
  const engine = new AlertEngine({
    db,
    publish: () => {},
    tickMs: 60_000,
    debounceMs: 10,
    minIntervalMs: 200,
  });
  try {
    engine.start(); // one evaluation at start
    await new Promise((r) => setTimeout(r, 250));
    const t0 = performance.now();
    engine.notify();
    while (engine.stats.evaluations < 2) await new Promise((r) => setTimeout(r, 2));
    const firstMs = performance.now() - t0;
    assert.ok(
      firstMs < 150,
      `after a quiet spell the first commit is evaluated at once (${firstMs})`,
    );
    // Commits every 5 ms for 1 s: about 5 evaluations, not 100 (nor 1,000 / debounce = 100).
    const before = engine.stats.evaluations;
    const end = performance.now() + 1000;
    while (performance.now() < end) {
      engine.notify();
      await new Promise((r) => setTimeout(r, 5));
    }
    const during = engine.stats.evaluations - before;
    assert.ok(during >= 3 && during <= 6, `${during} evaluations in 1 s at a 200 ms interval`);
  } finally {
    engine.stop();
    db.close();
  }
});

// ---- on a real server (spawned under the start task's flags) ----

let fileSeq = 0;

function writeHook(claudeDir: string, payload: Record<string, unknown>): number {
  const t = performance.now();
  const name = `${Date.now()}_${++fileSeq}_${payload.hook_event_name}_${payload.session_id}.json`;
  Deno.writeTextFileSync(join(claudeDir, "hooks/logs/raw_json", name), JSON.stringify(payload));
  return t;
}

function hook(sid: string, event: string, extra: Record<string, unknown> = {}, ts = Date.now()) {
  return {
    session_id: sid,
    hook_event_name: event,
    cwd: "/work/alerts-demo",
    transcript_path: `/x/${sid}.jsonl`,
    timestamp: new Date(ts).toISOString(),
    ...extra,
  };
}

function alertMessages(client: SseClient): AlertRow[] {
  return client.messages.filter((m) => m.event === "alert").map((m) => {
    const msg = JSON.parse(m.data);
    assert.equal(msg.type, "alert");
    return msg.alert as AlertRow;
  });
}

async function start(patch?: SettingsPatch): Promise<{ h: TestHome; d: Served }> {
  const h = await makeHome();
  if (patch) {
    const db = openDb(h.dbPath);
    writeSettings(db, patch);
    db.close();
  }
  try {
    return { h, d: await serveWithAlerts(h) };
  } catch (e) {
    await h.cleanup();
    throw e;
  }
}

/** Waits until the engine has evaluated `n` more times. */
function ticks(d: Served, n: number): Promise<void> {
  return alertTicks(d, n);
}

function rowsOf(d: Served, rule: string): AlertRow[] {
  return listAlerts(d.db, { limit: 100 }).filter((a) => a.rule === rule);
}

Deno.test(
  "a Notification hook file raises a waiting alert over SSE within 1 s; the next PreToolUse clears it",
  opts,
  async () => {
    const { h, d } = await start();
    const client = new SseClient(`${d.url}/api/stream`);
    try {
      await waitFor(() => client.messages.some((m) => m.event === "hello"), 2000, "hello");
      const t0 = writeHook(
        h.claudeDir,
        hook("wait-1", "Notification", {
          message: "Claude needs your permission to use Bash",
          notification_type: "permission_prompt",
        }),
      );
      const raised = await waitFor(
        () => alertMessages(client).find((a) => a.rule === "waiting" && a.state === "active"),
        1000,
        "waiting alert over SSE",
      );
      const raiseMs = performance.now() - t0;
      console.log(
        `alerts: Notification file written → waiting alert over SSE in ${raiseMs.toFixed(1)} ms`,
      );
      assert.equal(raised.session_id, "wait-1");
      assert.equal(raised.project, "alerts-demo");
      assert.equal(raised.count, 1);
      assert.match(raised.message, /waiting for you: Claude needs your permission to use Bash/);

      const api = await (await fetch(`${d.url}/api/alerts?state=active`)).json();
      assert.deepEqual(api.alerts.map((a: AlertRow) => a.id), [raised.id]);
      assert.deepEqual(Object.keys(api.alerts[0]).sort(), [
        "count",
        "first_ts",
        "id",
        "last_ts",
        "message",
        "project",
        "rule",
        "session_id",
        "snoozed_until",
        "state",
      ]);

      const t1 = writeHook(
        h.claudeDir,
        hook("wait-1", "PreToolUse", {
          tool_name: "Bash",
          tool_input: { command: "ls" },
          tool_use_id: "toolu_wait1",
        }),
      );
      const cleared = await waitFor(
        () => alertMessages(client).find((a) => a.id === raised.id && a.state === "cleared"),
        1000,
        "cleared alert over SSE",
      );
      console.log(
        `alerts: PreToolUse file written → alert cleared over SSE in ${
          (performance.now() - t1).toFixed(1)
        } ms`,
      );
      assert.equal(cleared.session_id, "wait-1");
      const row = d.db.prepare("SELECT state, cleared_ts FROM alerts WHERE id = ?").get(
        raised.id,
      ) as { state: string; cleared_ts: number | null };
      assert.equal(row.state, "cleared");
      assert.ok(row.cleared_ts !== null);
      assert.equal((await alertStats(d)).errors, 0);
    } finally {
      await client.close();
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "three PostToolUseFailure in a row raise exactly one failure-streak alert, cleared by a success",
  opts,
  async () => {
    const { h, d } = await start();
    try {
      const base = Date.now() - 10_000;
      for (let i = 0; i < 3; i++) {
        const id = `toolu_fail${i}`;
        const input = { tool_name: "Bash", tool_input: { command: `false ${i}` }, tool_use_id: id };
        writeHook(h.claudeDir, hook("fail-1", "PreToolUse", input, base + i * 100));
        writeHook(
          h.claudeDir,
          hook(
            "fail-1",
            "PostToolUseFailure",
            { ...input, error: `exit ${i}` },
            base + i * 100 + 50,
          ),
        );
      }
      await waitFor(() => rowsOf(d, "failure_streak").length > 0, 2000, "failure streak alert");
      await ticks(d, 3);
      const rows = rowsOf(d, "failure_streak");
      assert.equal(rows.length, 1, "one alert while the streak holds");
      assert.equal(rows[0].state, "active");
      assert.equal(rows[0].count, 1);
      assert.equal(rows[0].session_id, "fail-1");
      assert.match(rows[0].message, /^3 tool calls failed in a row in alerts-demo/);

      const ok = { tool_name: "Bash", tool_input: { command: "true" }, tool_use_id: "toolu_ok" };
      writeHook(h.claudeDir, hook("fail-1", "PreToolUse", ok, base + 1000));
      writeHook(h.claudeDir, hook("fail-1", "PostToolUse", ok, base + 1100));
      await waitFor(() => rowsOf(d, "failure_streak")[0].state === "cleared", 2000, "cleared");
      assert.equal(rowsOf(d, "failure_streak").length, 1);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a PreToolUse without PostToolUse past the long_tool threshold raises exactly one alert",
  opts,
  async () => {
    const { h, d } = await start({ alerts: { long_tool: { threshold: 1 } } });
    try {
      const call = {
        tool_name: "Bash",
        tool_input: { command: "sleep 600" },
        tool_use_id: "toolu_long",
      };
      const t0 = performance.now();
      writeHook(h.claudeDir, hook("long-1", "PreToolUse", call));
      await waitFor(() => rowsOf(d, "long_tool").length > 0, 3000, "long tool alert");
      console.log(
        `alerts: long_tool (1 s threshold) raised ${
          (performance.now() - t0).toFixed(0)
        } ms after the PreToolUse`,
      );
      await ticks(d, 3);
      const rows = rowsOf(d, "long_tool");
      assert.equal(rows.length, 1);
      assert.equal(rows[0].state, "active");
      assert.equal(rows[0].count, 1, "the same call is not counted again each tick");
      assert.match(rows[0].message, /^Bash still running after 1\.00 s .*: sleep 600$/);

      writeHook(h.claudeDir, hook("long-1", "PostToolUse", call));
      await waitFor(() => rowsOf(d, "long_tool")[0].state === "cleared", 2000, "cleared");
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

function assistantLine(sid: string, n: number): string {
  return JSON.stringify({
    type: "assistant",
    uuid: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    parentUuid: null,
    isSidechain: false,
    userType: "external",
    cwd: "/work/budget-demo",
    sessionId: sid,
    version: "2.0.57",
    timestamp: new Date().toISOString(),
    requestId: `req_${n}`,
    message: {
      id: `msg_${n}`,
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: `answer ${n}` }],
      stop_reason: "end_turn",
      // 10,000 input + 1,000 output tokens at $3 / $15 per million: $0.045
      usage: { input_tokens: 10_000, output_tokens: 1_000 },
    },
  }) + "\n";
}

Deno.test(
  "transcript usage over a lowered session budget raises exactly one alert while it holds",
  opts,
  async () => {
    const { h, d } = await start({ alerts: { session_budget: { threshold: 0.05 } } });
    const sid = "b0d9e7f0-0000-4000-8000-000000000001";
    const file = join(h.claudeDir, "projects/-work-budget-demo", `${sid}.jsonl`);
    try {
      await Deno.mkdir(join(h.claudeDir, "projects/-work-budget-demo"), { recursive: true });
      await Deno.writeTextFile(file, assistantLine(sid, 1));
      await waitFor(
        () => (d.db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n === 1,
        2000,
        "first message stored",
      );
      await ticks(d, 1);
      assert.equal(rowsOf(d, "session_budget").length, 0, "$0.045 is under the $0.05 budget");

      await Deno.writeTextFile(file, assistantLine(sid, 2), { append: true });
      await waitFor(() => rowsOf(d, "session_budget").length > 0, 2000, "budget alert");
      const [first] = rowsOf(d, "session_budget");
      assert.equal(first.session_id, sid);
      assert.equal(first.project, "budget-demo");
      assert.match(first.message, /has cost \$0\.09, over the \$0\.05 session budget$/);

      await Deno.writeTextFile(file, assistantLine(sid, 3), { append: true });
      await waitFor(() => rowsOf(d, "session_budget")[0].count === 2, 2000, "cost update");
      await ticks(d, 3);
      const rows = rowsOf(d, "session_budget");
      assert.equal(rows.length, 1, "one alert while over budget");
      assert.equal(rows[0].id, first.id);
      assert.equal(rows[0].state, "active");
      assert.match(rows[0].message, /has cost \$0\.14,/);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "alert POSTs: ack needs the Origin and token (403 otherwise, unchanged), stays acknowledged while the condition holds; bad input 400, unknown id 404",
  opts,
  async () => {
    const { h, d } = await start();
    const client = new SseClient(`${d.url}/api/stream`);
    try {
      await waitFor(() => client.messages.some((m) => m.event === "hello"), 2000, "hello");
      writeHook(
        h.claudeDir,
        hook("ack-1", "Notification", { message: "Claude is waiting for your input" }),
      );
      const [alert] = await waitFor(
        () => {
          const r = rowsOf(d, "waiting");
          return r.length > 0 && r;
        },
        2000,
        "waiting alert",
      );
      const token = await pageToken(d.url);
      const stateOf = () => listAlerts(d.db, { limit: 10 }).find((a) => a.id === alert.id)!.state;

      const noToken = await fetch(`${d.url}/api/alerts/${alert.id}/ack`, {
        method: "POST",
        headers: { Origin: d.url, "Content-Type": "application/json" },
        body: "{}",
      });
      assert.equal(noToken.status, 403);
      await noToken.body?.cancel();
      const otherOrigin = await fetch(`${d.url}/api/alerts/${alert.id}/ack`, {
        method: "POST",
        headers: { Origin: "http://evil.example", "X-CSRF-Token": token },
        body: "{}",
      });
      assert.equal(otherOrigin.status, 403);
      await otherOrigin.body?.cancel();
      const noOrigin = await fetch(`${d.url}/api/alerts/${alert.id}/snooze`, {
        method: "POST",
        headers: { "X-CSRF-Token": token, "Content-Type": "application/json" },
        body: JSON.stringify({ minutes: 60 }),
      });
      assert.equal(noOrigin.status, 403);
      await noOrigin.body?.cancel();
      assert.equal(stateOf(), "active", "refused POSTs change nothing");
      assert.equal(listAlerts(d.db, { limit: 10 })[0].snoozed_until, null);

      assert.equal((await postJson(d.url, "/api/alerts/999999/ack")).status, 404);
      assert.equal((await postJson(d.url, "/api/alerts/abc/ack")).status, 400);
      assert.equal(
        (await postJson(d.url, `/api/alerts/${alert.id}/snooze`, { minutes: 0 })).status,
        400,
      );
      assert.equal((await postJson(d.url, `/api/alerts/${alert.id}/snooze`, {})).status, 400);
      assert.equal(
        await fetch(`${d.url}/api/alerts?state=open`).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        }),
        400,
      );

      const snoozed = await postJson(d.url, `/api/alerts/${alert.id}/snooze`, { minutes: 60 });
      assert.equal(snoozed.status, 200);
      const until = Date.parse((snoozed.body as { alert: AlertRow }).alert.snoozed_until!);
      assert.ok(Math.abs(until - (Date.now() + 3600_000)) < 10_000);

      const acked = await postJson(d.url, `/api/alerts/${alert.id}/ack`);
      assert.equal(acked.status, 200);
      assert.equal((acked.body as { alert: AlertRow }).alert.state, "acknowledged");
      await waitFor(
        () => alertMessages(client).some((a) => a.id === alert.id && a.state === "acknowledged"),
        1000,
        "the acknowledgement over SSE (other tabs)",
      );

      // The session is still waiting: a further Notification is news, but not a new alert.
      writeHook(
        h.claudeDir,
        hook("ack-1", "Notification", { message: "still waiting" }, Date.now() + 5),
      );
      await waitFor(() => rowsOf(d, "waiting")[0].count === 2, 2000, "the second notification");
      await ticks(d, 2);
      assert.equal(rowsOf(d, "waiting").length, 1);
      assert.equal(stateOf(), "acknowledged", "never re-raised while it holds");
      const active = await (await fetch(`${d.url}/api/alerts?state=active`)).json();
      assert.deepEqual(active.alerts, []);

      writeHook(
        h.claudeDir,
        hook("ack-1", "UserPromptSubmit", { prompt: "go on" }, Date.now() + 10),
      );
      await waitFor(() => stateOf() === "cleared", 2000, "cleared once the session moves on");
    } finally {
      await client.close();
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "transcripts moving with no hook event raise hooks_silent; the first hook event clears it",
  opts,
  async () => {
    const { h, d } = await start();
    const sid = "c0d9e7f0-0000-4000-8000-000000000002";
    try {
      await Deno.mkdir(join(h.claudeDir, "projects/-work-budget-demo"), { recursive: true });
      await Deno.writeTextFile(
        join(h.claudeDir, "projects/-work-budget-demo", `${sid}.jsonl`),
        assistantLine(sid, 7),
      );
      await waitFor(() => rowsOf(d, "hooks_silent").length > 0, 2000, "hooks_silent alert");
      const [a] = rowsOf(d, "hooks_silent");
      assert.equal(a.state, "active");
      assert.equal(a.session_id, null);
      assert.match(a.message, /no hook event arrived/);
      writeHook(h.claudeDir, hook(sid, "UserPromptSubmit", { prompt: "hi" }));
      await waitFor(() => rowsOf(d, "hooks_silent")[0].state === "cleared", 2000, "cleared");
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

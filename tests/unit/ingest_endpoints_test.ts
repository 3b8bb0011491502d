// The machine endpoints in process (app.request over a real SQLite database): POST /hooks (HTTP
// hooks) and POST /v1/logs, /v1/metrics (OTLP in, JSON and protobuf). Protobuf bodies are made
// with the official generated code of @opentelemetry/otlp-transformer, so the schema claude-dash
// decodes with is checked against OpenTelemetry's own encoder.

import assert from "node:assert/strict";
import otlpRoot from "@opentelemetry/otlp-transformer/build/esm/generated/root.js";
import { httpHookRetryWindowMs } from "../../src/core/config.ts";
import { httpHookUpdate } from "../../src/ingest/http_hook.ts";
import { json, openTestApp, origin, type TestApp, testIngestSecret } from "./support/app.ts";

type Json = Record<string, unknown>;
interface Codec {
  fromObject(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array<ArrayBuffer> };
}

/** One of the official generated message types, e.g. collector.logs.v1.ExportLogsServiceRequest. */
function official(path: string): Codec {
  let at: unknown = otlpRoot;
  for (const k of `opentelemetry.proto.${path}`.split(".")) at = (at as Json)[k];
  return at as Codec;
}
const logsRequest = official("collector.logs.v1.ExportLogsServiceRequest");
const metricsRequest = official("collector.metrics.v1.ExportMetricsServiceRequest");

const auth = { Authorization: `Bearer ${testIngestSecret}` };
const nano = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const attrs = (o: Record<string, string | number | boolean>) =>
  Object.entries(o).map(([key, v]) => ({
    key,
    value: typeof v === "string"
      ? { stringValue: v }
      : typeof v === "boolean"
      ? { boolValue: v }
      : Number.isInteger(v)
      ? { intValue: String(v) }
      : { doubleValue: v },
  }));

/** An OTLP logs request (the JSON shape) with Claude Code's event attributes. */
function logsBody(
  events: Array<{ name: string; ms: number } & Record<string, string | number | boolean>>,
) {
  return {
    resourceLogs: [{
      resource: {
        attributes: attrs({ "service.name": "claude-code", "service.version": "2.1.332" }),
      },
      scopeLogs: [{
        scope: { name: "com.anthropic.claude_code.events", version: "2.1.332" },
        logRecords: events.map(({ name, ms, ...rest }, i) => ({
          timeUnixNano: nano(ms),
          observedTimeUnixNano: nano(ms),
          body: { stringValue: `claude_code.${name}` },
          attributes: attrs({ "event.name": name, "event.sequence": i, ...rest }),
        })),
      }],
    }],
  };
}

/** An OTLP metrics request of delta sums: [name, session, value, attributes]. */
function metricsBody(points: Array<[string, string, number, Record<string, string>]>, ms: number) {
  return {
    resourceMetrics: [{
      resource: { attributes: attrs({ "service.name": "claude-code" }) },
      scopeMetrics: [{
        scope: { name: "com.anthropic.claude_code", version: "2.1.332" },
        metrics: points.map(([name, session, value, extra]) => ({
          name,
          unit: "count",
          sum: {
            aggregationTemporality: 1,
            isMonotonic: true,
            dataPoints: [{
              attributes: attrs({ "session.id": session, ...extra }),
              startTimeUnixNano: nano(ms - 1000),
              timeUnixNano: nano(ms),
              asDouble: value,
            }],
          },
        })),
      }],
    }],
  };
}

function post(t: TestApp, path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return t.request(path, { method: "POST", headers, body });
}
const postJson = (
  t: TestApp,
  path: string,
  body: unknown,
  headers: Record<string, string> = auth,
) => post(t, path, JSON.stringify(body), { "Content-Type": "application/json", ...headers });
const postProtobuf = (t: TestApp, path: string, codec: Codec, body: unknown) =>
  post(t, path, codec.encode(codec.fromObject(body)).finish(), {
    "Content-Type": "application/x-protobuf",
    ...auth,
  });

function otlpRows(t: TestApp): Json[] {
  return t.db.prepare(
    `SELECT key, kind, name, session_id, tool_use_id, ts, start_ts, value, temporality, attrs
     FROM otlp_records ORDER BY key`,
  ).all() as Json[];
}
const count = (t: TestApp, sql: string) => (t.db.prepare(sql).get() as { n: number }).n;

const session = "5e551011-0000-4000-8000-000000000001";
const t0 = Date.parse("2026-03-02T10:00:00Z");
const batch = logsBody([
  {
    name: "api_request",
    ms: t0,
    "session.id": session,
    model: "claude-opus-5-5",
    duration_ms: 900,
    ttft_ms: 300,
    cost_usd: 0.0125,
  },
  {
    name: "tool_decision",
    ms: t0 + 10,
    "session.id": session,
    tool_use_id: "toolu_a",
    decision: "accept",
    source: "config",
    tool_name: "Bash",
  },
  {
    name: "tool_result",
    ms: t0 + 500,
    "session.id": session,
    tool_use_id: "toolu_a",
    success: "true",
    duration_ms: "487",
    tool_name: "Bash",
  },
  {
    name: "tool_decision",
    ms: t0 + 600,
    "session.id": session,
    tool_use_id: "toolu_b",
    decision: "reject",
    source: "user_reject",
    tool_name: "Write",
  },
  {
    name: "api_error",
    ms: t0 + 700,
    "session.id": session,
    model: "claude-opus-5-5",
    error: "overloaded (request sent with key sk-ant-api03-Zq8vTq2mLw9Xr4Kp7Hn3Bd6Fs1Gj5Yc0Ue)",
    status_code: "529",
    attempt: 2,
    duration_ms: 120,
  },
]);
const metrics = metricsBody([
  ["claude_code.lines_of_code.count", session, 12, { type: "added" }],
  ["claude_code.lines_of_code.count", session, 3, { type: "removed" }],
  ["claude_code.commit.count", session, 1, {}],
  ["claude_code.pull_request.count", session, 1, {}],
], t0 + 800);

Deno.test("an OTLP batch sent as protobuf and as JSON stores the same rows", async () => {
  await using viaJson = await openTestApp({ seed: false });
  await using viaProtobuf = await openTestApp({ seed: false });
  assert.equal((await postJson(viaJson, "/v1/logs", batch)).status, 200);
  assert.equal((await postJson(viaJson, "/v1/metrics", metrics)).status, 200);
  const logsRes = await postProtobuf(viaProtobuf, "/v1/logs", logsRequest, batch);
  assert.equal(logsRes.status, 200);
  assert.equal(logsRes.headers.get("Content-Type"), "application/x-protobuf");
  assert.equal(
    (await postProtobuf(viaProtobuf, "/v1/metrics", metricsRequest, metrics)).status,
    200,
  );
  const rows = otlpRows(viaJson);
  assert.equal(rows.length, 5 + 4);
  assert.deepEqual(otlpRows(viaProtobuf), rows);
  // The same content in the other encoding is the same records: nothing new.
  const again = await postProtobuf(viaJson, "/v1/logs", logsRequest, batch);
  assert.equal(again.headers.get("X-Claude-Dash-Stored"), "0");
  assert.equal(otlpRows(viaJson).length, rows.length);
});

Deno.test("a retried OTLP batch stores nothing twice", async () => {
  await using t = await openTestApp({ seed: false });
  const first = await postJson(t, "/v1/logs", batch);
  assert.deepEqual(await json(first), {});
  assert.equal(first.headers.get("X-Claude-Dash-Stored"), "5");
  const retry = await postJson(t, "/v1/logs", batch);
  assert.equal(retry.headers.get("X-Claude-Dash-Stored"), "0");
  await retry.body?.cancel();
  await (await postJson(t, "/v1/metrics", metrics)).body?.cancel();
  await (await postJson(t, "/v1/metrics", metrics)).body?.cancel();
  assert.equal(count(t, "SELECT count(*) AS n FROM otlp_records"), 9);
});

Deno.test("a gzipped OTLP body is read like a plain one", async () => {
  await using t = await openTestApp({ seed: false });
  const gz = new Blob([JSON.stringify(batch)]).stream().pipeThrough(new CompressionStream("gzip"));
  const res = await post(t, "/v1/logs", await new Response(gz).arrayBuffer(), {
    "Content-Type": "application/json",
    "Content-Encoding": "gzip",
    ...auth,
  });
  assert.equal(res.headers.get("X-Claude-Dash-Stored"), "5");
  await res.body?.cancel();
});

const hookPayload = (event: string, extra: Json = {}) => ({
  session_id: session,
  transcript_path: `/tmp/claude-home/.claude/projects/-tmp-p/${session}.jsonl`,
  cwd: "/tmp/p",
  permission_mode: "default",
  hook_event_name: event,
  ...extra,
});
const preTool = hookPayload("PreToolUse", {
  tool_name: "Bash",
  tool_input: { command: "make test", description: "run the tests" },
  tool_use_id: "toolu_a",
});
const postTool = hookPayload("PostToolUse", {
  tool_name: "Bash",
  tool_input: { command: "make test", description: "run the tests" },
  tool_response: { stdout: "ok", stderr: "", interrupted: false },
  tool_use_id: "toolu_a",
  duration_ms: 480,
});

Deno.test("without the ingest secret the machine endpoints answer 401 and store nothing", async () => {
  await using t = await openTestApp({ seed: false });
  const wrong = { Authorization: `Bearer ${testIngestSecret}x` };
  for (const headers of [{}, wrong, { Authorization: testIngestSecret }]) {
    for (
      const [path, body] of [["/hooks", preTool], ["/v1/logs", batch], ["/v1/metrics", metrics]]
    ) {
      const res = await postJson(t, path as string, body, headers);
      assert.equal(res.status, 401, `${path} with ${JSON.stringify(headers)}`);
      assert.equal(res.headers.get("WWW-Authenticate"), "Bearer");
      assert.match((await res.json()).error, /ingest-secret/);
    }
  }
  // The dashboard page's own CSRF token is no substitute for the secret.
  const page = await t.request("/hooks", {
    method: "POST",
    headers: { Origin: origin, "X-CSRF-Token": "whatever", "Content-Type": "application/json" },
    body: JSON.stringify(preTool),
  });
  assert.equal(page.status, 401);
  await page.body?.cancel();
  assert.equal(count(t, "SELECT count(*) AS n FROM otlp_records"), 0);
  assert.equal(count(t, "SELECT count(*) AS n FROM events"), 0);
});

Deno.test("a machine endpoint with the secret is still refused from a foreign Origin or Host", async () => {
  await using t = await openTestApp({ seed: false });
  const foreign = await postJson(t, "/hooks", preTool, { ...auth, Origin: "http://evil.example" });
  assert.equal(foreign.status, 403);
  await foreign.body?.cancel();
  const host = await postJson(t, "/v1/logs", batch, { ...auth, Host: "evil.example" });
  assert.equal(host.status, 421);
  await host.body?.cancel();
  assert.equal(count(t, "SELECT count(*) AS n FROM events"), 0);
  assert.equal(count(t, "SELECT count(*) AS n FROM otlp_records"), 0);
});

Deno.test("an app without an ingest secret refuses every machine request", async () => {
  await using t = await openTestApp({ seed: false, ingestSecret: null });
  const res = await postJson(t, "/hooks", preTool, { Authorization: "Bearer " });
  assert.equal(res.status, 401);
  await res.body?.cancel();
});

Deno.test("an HTTP hook POST is stored before the reply and shows in /api/events and its session", async () => {
  await using t = await openTestApp({ seed: false });
  const res = await postJson(t, "/hooks", preTool);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {}, "Claude Code reads the reply as hook output: nothing");
  assert.equal(res.headers.get("X-Claude-Dash-Stored"), "1");
  await (await postJson(t, "/hooks", postTool)).body?.cancel();
  const events = await json<{ events: Json[] }>(await t.get(`/api/events?session=${session}`));
  assert.deepEqual(events.events.map((e) => e.type).sort(), ["PostToolUse", "PreToolUse"]);
  const s = await json(await t.get(`/api/sessions/${session}`));
  const calls = s.tool_calls as Json[];
  assert.equal(calls.length, 1);
  assert.equal(calls[0].tool_use_id, "toolu_a");
  assert.equal(calls[0].status, "ok");
});

Deno.test("a retried HTTP hook POST stores nothing twice", async () => {
  await using t = await openTestApp({ seed: false });
  await (await postJson(t, "/hooks", preTool)).body?.cancel();
  const retry = await postJson(t, "/hooks", preTool);
  assert.equal(retry.status, 200);
  assert.equal(retry.headers.get("X-Claude-Dash-Stored"), "0");
  await retry.body?.cancel();
  assert.equal(count(t, "SELECT count(*) AS n FROM events"), 1);
});

Deno.test("a hook POST that is not a hook payload is a 400, counted as an ingest error", async () => {
  await using t = await openTestApp({ seed: false });
  const res = await postJson(t, "/hooks", { hook_event_name: "Stop" });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /no session_id/);
  const row = t.db.prepare("SELECT path, reason FROM ingest_errors").get() as Json;
  assert.equal(row.path, "http:hooks");
  assert.match(String(row.reason), /HTTP hook: rejected: no session_id/);
});

Deno.test("tool rows carry Claude Code's decision and duration from OTLP, and the session its telemetry", async () => {
  await using t = await openTestApp({ seed: false });
  await (await postJson(t, "/hooks", preTool)).body?.cancel();
  await (await postJson(t, "/hooks", postTool)).body?.cancel();
  await (await postProtobuf(t, "/v1/logs", logsRequest, batch)).body?.cancel();
  await (await postProtobuf(t, "/v1/metrics", metricsRequest, metrics)).body?.cancel();
  const s = await json(await t.get(`/api/sessions/${session}`));
  const [call] = s.tool_calls as Json[];
  assert.equal(call.decision, "accept");
  assert.equal(call.decision_source, "config");
  assert.equal(call.reported_duration_ms, 487);
  assert.equal(call.reported_success, true);
  const tel = s.telemetry as Json;
  assert.equal(tel.api_requests, 1);
  assert.equal(tel.api_duration_ms, 900);
  assert.equal(tel.ttft_ms_avg, 300);
  assert.equal(tel.api_errors, 1);
  const [err] = tel.recent_api_errors as Json[];
  assert.equal(err.status_code, "529");
  assert.equal(err.attempt, 2);
  assert.match(String(err.error), /^overloaded \(request sent with key sk-a…\[masked\]\)$/);
  assert.doesNotMatch(JSON.stringify(s), /api03-Zq8v/, "the key is served nowhere in the session");
  assert.deepEqual(tel.tool_decisions, { accept: 1, reject: 1 });
  assert.deepEqual(tel.code, { lines_added: 12, lines_removed: 3, commits: 1, pull_requests: 1 });
  const page = await (await t.get(`/sessions/${session}`, "text/html")).text();
  assert.match(page, /Claude Code telemetry: 1 API requests \(900 ms\), 1 API errors/);
  assert.match(
    page,
    /\+12 \/ −3 lines, 1 commits, 1 pull requests/,
  );
});

Deno.test("the overview JSON and page have lines, commits and pull requests per day from telemetry", async () => {
  // Seeded, so the overview is the board rather than the first-run guide.
  await using t = await openTestApp();
  const now = Date.now();
  await (await postJson(
    t,
    "/v1/metrics",
    metricsBody([
      ["claude_code.lines_of_code.count", session, 7, { type: "added" }],
      ["claude_code.commit.count", session, 2, {}],
    ], now - 1000),
  )).body?.cancel();
  // A cumulative series counts its largest value, not the sum of its repeats.
  const cumulative = metricsBody([["claude_code.pull_request.count", session, 1, {}]], now - 500);
  const sum = (cumulative.resourceMetrics[0].scopeMetrics[0].metrics[0] as Json).sum as Json;
  sum.aggregationTemporality = 2;
  await (await postJson(t, "/v1/metrics", cumulative)).body?.cancel();
  const points = sum.dataPoints as Json[];
  points[0].timeUnixNano = nano(now - 100);
  await (await postJson(t, "/v1/metrics", cumulative)).body?.cancel();
  const o = await json(await t.get("/api/overview"));
  const days = o.code_by_day as Json[];
  assert.deepEqual(days.at(-1), {
    day: new Date(now - 1000).toISOString().slice(0, 10),
    lines_added: 7,
    lines_removed: 0,
    commits: 2,
    pull_requests: 1,
  });
  // The overview page shows the same figures.
  const page = await (await t.get("/", "text/html")).text();
  const table = page.slice(page.indexOf('id="code-by-day"'));
  assert.match(table, /Code written/);
  assert.match(
    table,
    /<td class="num">\+7<\/td><td class="num">−0<\/td><td class="num">2<\/td><td class="num">1<\/td>/,
  );
});

Deno.test("a hook retry just after a window boundary finds the key of the window before", () => {
  const bytes = new TextEncoder().encode(JSON.stringify(preTool));
  const w = Math.floor(t0 / httpHookRetryWindowMs) + 1;
  const before = httpHookUpdate(bytes, w * httpHookRetryWindowMs - 1);
  const after = httpHookUpdate(bytes, w * httpHookRetryWindowMs + 1);
  assert.notEqual(before.key, after.key);
  assert.equal(after.previousKey, before.key);
  const other = httpHookUpdate(
    new TextEncoder().encode(JSON.stringify(postTool)),
    w * httpHookRetryWindowMs + 1,
  );
  assert.notEqual(other.previousKey, before.key, "another payload is another event");
});

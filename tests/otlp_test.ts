// OTLP export: the encoding, backoff and queue as pure code; a server spawned under the start
// task's flags exporting to a loopback collector; a failing or absent collector in process (the
// exporter's queue and retry timings tuned); a non-loopback endpoint refused at start.

import assert from "node:assert/strict";
import { join } from "node:path";
import { otlpBase, parseArgs } from "../src/commands/cli.ts";
import { backoffMs, logsBody, metricsBody, OtlpExporter } from "../src/live/otlp_exporter.ts";
import { type DashboardOptions, otlpExporter } from "../src/commands/dashboard.ts";
import { otlpMetricsIntervalMs } from "../src/core/config.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { LiveBus } from "../src/live/bus.ts";
import { createApp } from "../src/http/app.ts";
import { openDb } from "../src/store/db.ts";
import type { EventRow, MetricFamily } from "../src/core/types.ts";
import { makeHome, type TestHome, writeFixtures } from "./support/home.ts";
import { serveReady } from "./support/served.ts";
import { runTask } from "./support/tasks.ts";
import { waitFor } from "./support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

type Attr = { key: string; value: Record<string, unknown> };
interface LogRecord {
  timeUnixNano: string;
  severityText: string;
  body: { stringValue: string };
  attributes: Attr[];
}

interface LogsBody {
  resourceLogs: Array<{
    resource: { attributes: Attr[] };
    scopeLogs: Array<{ logRecords: LogRecord[] }>;
  }>;
}
interface DataPoint {
  attributes: Attr[];
  asInt?: string;
  asDouble?: number;
}
interface MetricsBody {
  resourceMetrics: Array<{
    scopeMetrics: Array<{
      metrics: Array<{
        name: string;
        sum?: { aggregationTemporality: number; isMonotonic: boolean; dataPoints: DataPoint[] };
        gauge?: { dataPoints: DataPoint[] };
      }>;
    }>;
  }>;
}

function attrs(list: Attr[]): Record<string, unknown> {
  return Object.fromEntries(list.map((a) => [a.key, Object.values(a.value)[0]]));
}

/** A minimal OTLP/HTTP receiver on 127.0.0.1 that records what it is sent. */
function receiver(port = 0) {
  const logs: LogRecord[] = [];
  const metrics: Array<{ name: string; sum?: unknown; gauge?: unknown }>[] = [];
  let requests = 0;
  const state = { status: 200 };
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
    requests++;
    const body = await req.json();
    if (state.status !== 200) {
      return new Response("collector unavailable", { status: state.status });
    }
    const path = new URL(req.url).pathname;
    if (path === "/v1/logs") {
      for (const rl of body.resourceLogs) {
        for (const sl of rl.scopeLogs) logs.push(...sl.logRecords);
      }
    } else if (path === "/v1/metrics") {
      metrics.push(body.resourceMetrics[0].scopeMetrics[0].metrics);
    } else return new Response("no", { status: 404 });
    return Response.json({});
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    logs,
    metrics,
    state,
    get requests() {
      return requests;
    },
    close: () => server.shutdown(),
  };
}

/**
 * Ingest over `h` with an exporter tuned by `otlp` (queue cap, retry timings: no command-line
 * flag sets them) wired as the server wires it, and the app answering without a socket.
 */
async function exportingInProcess(
  h: TestHome,
  endpoint: string,
  otlp: DashboardOptions["otlp"],
) {
  const db = openDb(h.dbPath);
  const bus = new LiveBus();
  const ingester = new Ingester({
    claudeDir: h.claudeDir,
    db,
    watch: false,
    onCommit: (r) => bus.publish(r.events.map((event) => ({ type: "event" as const, event }))),
  });
  const options = {
    claudeDir: h.claudeDir,
    dbPath: h.dbPath,
    port: 0,
    otlpEndpoint: endpoint,
    otlp,
  };
  const exporter = otlpExporter(options, db, bus, ingester);
  const app = createApp({
    db,
    bus,
    ingester,
    exporter,
    claudeDir: h.claudeDir,
    dbPath: h.dbPath,
    startedAt: Date.now(),
  });
  ingester.start();
  exporter.start();
  await ingester.ready;
  return {
    db,
    exporter,
    get: (path: string) =>
      app.request(`http://127.0.0.1${path}`, { headers: { Host: "127.0.0.1" } }),
    async stop() {
      await ingester.stop();
      await exporter.stop();
      db.close();
    },
  };
}

const event = (id: number, type: string, tool: string | null = null): EventRow => ({
  id,
  ts: "2025-08-01T00:00:01.500Z",
  source: "hook",
  session_id: "s1",
  type,
  tool_name: tool,
  summary: `${type} ${id}`,
});

Deno.test("--otlp-endpoint takes an http(s) base URL; anything else is a clear error", () => {
  const run = parseArgs(["--otlp-endpoint", "http://127.0.0.1:4318/"], "/h");
  assert.equal(run.kind === "run" && run.options.otlpEndpoint, "http://127.0.0.1:4318");
  assert.equal(otlpBase("http://localhost:4318/v1/logs"), "http://localhost:4318");
  assert.equal(otlpBase("https://127.0.0.1/otel"), "https://127.0.0.1/otel");
  for (const bad of ["ftp://x", "127.0.0.1:4318", "http://u:p@127.0.0.1:1", "http://x/?a=1"]) {
    assert.equal(otlpBase(bad), null, bad);
  }
  const err = parseArgs(["--otlp-endpoint", "nope"], "/h");
  assert.equal(err.kind, "error");
  assert.match((err as { message: string }).message, /--otlp-endpoint needs an http:\/\//);
});

Deno.test("events become OTLP log records with time, severity, body and attributes", () => {
  const body = logsBody(
    [event(7, "PreToolUse", "Bash"), event(8, "PostToolUseFailure", "Bash")],
    0,
  ) as LogsBody;
  const rl = body.resourceLogs[0];
  assert.deepEqual(attrs(rl.resource.attributes)["service.name"], "claude-dash");
  const [a, b] = rl.scopeLogs[0].logRecords as LogRecord[];
  assert.equal(a.timeUnixNano, "1754006401500000000");
  assert.equal(a.severityText, "INFO");
  assert.equal(b.severityText, "ERROR");
  assert.equal(a.body.stringValue, "PreToolUse 7");
  assert.deepEqual(attrs(a.attributes), {
    session_id: "s1",
    type: "PreToolUse",
    source: "hook",
    event_id: "7",
    tool_name: "Bash",
  });
  const c = (logsBody([event(9, "Stop")], 0) as LogsBody).resourceLogs[0].scopeLogs[0]
    .logRecords[0];
  assert.ok(!("tool_name" in attrs(c.attributes)), "no tool_name attribute without a tool");
});

Deno.test("counters become cumulative monotonic sums and gauges gauges, named without _total", () => {
  const families: MetricFamily[] = [
    {
      name: "claude_dash_events_total",
      help: "h",
      type: "counter",
      unit: "{event}",
      samples: [{ labels: { type: "Stop" }, value: 3 }],
    },
    {
      name: "claude_dash_cost_usd_total",
      help: "h",
      type: "counter",
      unit: "USD",
      samples: [{ labels: { model: "m" }, value: 0.25 }],
    },
    {
      name: "claude_dash_live_clients",
      help: "h",
      type: "gauge",
      unit: "{client}",
      samples: [{ labels: {}, value: 2 }],
    },
    { name: "claude_dash_empty", help: "h", type: "gauge", unit: "1", samples: [] },
  ];
  const body = metricsBody(families, 1000, 2000) as MetricsBody;
  const metrics = body.resourceMetrics[0].scopeMetrics[0].metrics;
  assert.deepEqual(metrics.map((m) => m.name), [
    "claude_dash_events",
    "claude_dash_cost_usd",
    "claude_dash_live_clients",
  ]);
  assert.equal(metrics[0].sum!.aggregationTemporality, 2);
  assert.equal(metrics[0].sum!.isMonotonic, true);
  assert.deepEqual(metrics[0].sum!.dataPoints[0], {
    attributes: [{ key: "type", value: { stringValue: "Stop" } }],
    startTimeUnixNano: "1000000000",
    timeUnixNano: "2000000000",
    asInt: "3",
  });
  assert.equal(metrics[1].sum!.dataPoints[0].asDouble, 0.25);
  assert.equal(metrics[2].gauge!.dataPoints[0].asInt, "2");
});

Deno.test("retry delays double from the base up to the cap, with jitter", () => {
  for (let i = 0; i < 50; i++) {
    const first = backoffMs(1, 500, 30_000);
    assert.ok(first >= 400 && first <= 600, String(first));
    const third = backoffMs(3, 500, 30_000);
    assert.ok(third >= 1600 && third <= 2400, String(third));
    const late = backoffMs(20, 500, 30_000);
    assert.ok(late >= 24_000 && late <= 36_000, String(late));
  }
});

Deno.test("the queue never exceeds its cap and drops the oldest, counting each", () => {
  const x = new OtlpExporter({ endpoint: "http://127.0.0.1:9", maxQueue: 5 });
  x.enqueue([1, 2, 3].map((i) => event(i, "Stop")));
  x.enqueue([4, 5, 6, 7].map((i) => event(i, "Stop")));
  assert.equal(x.stats.queued, 5);
  assert.equal(x.stats.dropped, 2);
  x.enqueue(Array.from({ length: 12 }, (_, i) => event(100 + i, "Stop")));
  assert.equal(x.stats.queued, 5);
  assert.equal(x.stats.dropped, 2 + 5 + 7);
  assert.equal(x.stats.queue_high_water, 5);
});

Deno.test(
  "with --otlp-endpoint every stored event arrives once as a log record, and the counters as metrics",
  opts,
  async () => {
    const rx = receiver();
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    // The real server under the start flags, with the exporter's default timings (a flush a
    // second, metrics every otlpMetricsIntervalMs): the collector is a loopback port it may reach.
    const dash = await serveReady(h, { args: ["--otlp-endpoint", rx.url] });
    try {
      await waitFor(() => rx.logs.length >= 1638, 20_000, "1638 log records");
      const ids = new Set(rx.logs.map((r) => attrs(r.attributes).event_id));
      assert.equal(ids.size, 1638, "each event exactly once");
      const pre = rx.logs.find((r) => attrs(r.attributes).type === "PreToolUse")!;
      const a = attrs(pre.attributes);
      const row = dash.db.prepare("SELECT session_id, tool_name FROM events WHERE id = ?")
        .get(Number(a.event_id)) as { session_id: string; tool_name: string };
      assert.equal(a.session_id, row.session_id);
      assert.equal(a.tool_name, row.tool_name);
      assert.ok(BigInt(pre.timeUnixNano) > 0n);

      // A new hook payload is exported too.
      await Deno.writeTextFile(
        join(h.claudeDir, "hooks/logs/raw_json/20990101T000000.000000Z_Stop_otlp-live.json"),
        JSON.stringify({ hook_event_name: "Stop", session_id: "otlp-live" }),
      );
      await dash.settled();
      await waitFor(
        () => rx.logs.some((r) => attrs(r.attributes).session_id === "otlp-live"),
        10_000,
        "the live event",
      );

      const latest = await waitFor(
        () => {
          const last = rx.metrics[rx.metrics.length - 1];
          const events = last?.find((m) => m.name === "claude_dash_events") as
            | { sum: { dataPoints: Array<{ asInt: string }> } }
            | undefined;
          const total = events?.sum.dataPoints.reduce((n, p) => n + Number(p.asInt), 0);
          return total === 1639 ? last : null;
        },
        otlpMetricsIntervalMs + 10_000,
        "a metrics export with 1639 events",
      );
      assert.ok(latest.some((m) => m.name === "claude_dash_tool_failures" && m.sum));
      assert.ok(latest.some((m) => m.name === "claude_dash_sessions" && m.gauge));

      const health = await (await fetch(`${dash.url}/api/health`)).json();
      assert.equal(health.otlp.sent_logs, 1639);
      assert.equal(health.otlp.dropped, 0);
      const text = await (await fetch(`${dash.url}/metrics`)).text();
      assert.match(text, /^claude_dash_otlp_exported_total\{signal="logs"\} 1639$/m);
      assert.match(text, /^claude_dash_otlp_dropped_total 0$/m);
    } finally {
      await dash.stop();
      await rx.close();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a failing collector never stalls ingest: the queue stays capped, drops are counted, then it recovers",
  opts,
  async () => {
    const rx = receiver();
    rx.state.status = 500;
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    const cap = 100;
    const dash = await exportingInProcess(h, rx.url, {
      maxQueue: cap,
      batchRecords: 40,
      flushMs: 10,
      retryBaseMs: 10,
      retryMaxMs: 50,
    });
    try {
      const stored = (dash.db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
      assert.equal(stored, 1638, "ingest went on as if no exporter were there");
      await waitFor(() => dash.exporter.stats.failures >= 3, 10_000, "retries");
      const s = dash.exporter.stats;
      assert.equal(rx.logs.length, 0);
      assert.ok(s.queued <= cap && s.queue_high_water <= cap, JSON.stringify(s));
      assert.equal(s.dropped + s.queued, stored);
      assert.match(s.last_error ?? "", /HTTP 500/);
      const health = await (await dash.get("/api/health")).json();
      assert.equal(health.otlp.dropped, s.dropped);
      const text = await (await dash.get("/metrics")).text();
      assert.match(text, new RegExp(`^claude_dash_otlp_dropped_total ${s.dropped}$`, "m"));

      rx.state.status = 200;
      await waitFor(() => dash.exporter.stats.queued === 0, 10_000, "the queue to drain");
      const after = dash.exporter.stats;
      assert.equal(rx.logs.length, cap, "the newest records survived the outage");
      assert.equal(after.sent_logs + after.dropped, stored);
      const ids = rx.logs.map((r) => Number(attrs(r.attributes).event_id));
      const newest = dash.db.prepare("SELECT id FROM events ORDER BY id DESC LIMIT ?").all(cap)
        .map((r) => (r as { id: number }).id).sort((x, y) => x - y);
      assert.deepEqual(ids.sort((x, y) => x - y), newest);
    } finally {
      await dash.stop();
      await rx.close();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a collector that is not even listening is retried with backoff and stop() still returns",
  opts,
  async () => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const deadPort = (l.addr as Deno.NetAddr).port;
    l.close();
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    const dash = await exportingInProcess(h, `http://127.0.0.1:${deadPort}`, {
      maxQueue: 500,
      flushMs: 10,
      retryBaseMs: 10,
      retryMaxMs: 40,
      metricsIntervalMs: 30,
    });
    try {
      await waitFor(() => dash.exporter.stats.failures >= 5, 10_000, "failed attempts");
      const s = dash.exporter.stats;
      assert.equal(s.queued, 500);
      assert.equal(s.dropped, 1638 - 500);
      assert.equal(s.sent_logs, 0);
    } finally {
      await dash.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "under the start task's permissions a non-loopback endpoint is refused at start with one clear line",
  opts,
  async () => {
    const h = await makeHome();
    try {
      const r = await runTask("start", h.home, [
        "--port",
        "0",
        "--otlp-endpoint",
        "http://collector.example.com:4318",
      ]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /collector\.example\.com is not a loopback address/);
      assert.match(r.stderr, /--allow-net=127\.0\.0\.1,localhost,collector\.example\.com:4318/);
    } finally {
      await h.cleanup();
    }
  },
);

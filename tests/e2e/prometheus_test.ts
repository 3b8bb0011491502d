import assert from "node:assert/strict";
import { join } from "node:path";
import { capLabels, MetricsCollector, renderPrometheus } from "../../src/http/routes/metrics.ts";
import { LiveBus } from "../../src/live/bus.ts";
import { openDb } from "../../src/store/db.ts";
import type { MetricFamily } from "../../src/core/types.ts";
import { makeHome, writeFixtures } from "../support/home.ts";
import { serveReady } from "../support/served.ts";
import { postJson } from "../support/post.ts";
import { waitFor } from "../support/wait.ts";
import { prometheus } from "../support/prereqs.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Samples of a Prometheus text body: "name{labels}" → value. */
function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

function sum(samples: Map<string, number>, name: string): number {
  let total = 0;
  for (const [k, v] of samples) if (k === name || k.startsWith(`${name}{`)) total += v;
  return total;
}

function one(db: ReturnType<typeof openDb>, sql: string, ...params: string[]): number {
  return (db.prepare(sql).get(...params) as { n: number }).n;
}

Deno.test("the exposition text has HELP and TYPE once per family and escapes label values", () => {
  const families: MetricFamily[] = [
    {
      name: "claude_dash_events_total",
      help: "Stored events\nby type",
      type: "counter",
      unit: "{event}",
      samples: [
        { labels: { type: 'say "hi"\\\n' }, value: 3 },
        { labels: { type: "Stop" }, value: 0.5 },
      ],
    },
    { name: "claude_dash_live_clients", help: "x", type: "gauge", unit: "1", samples: [] },
    {
      name: "claude_dash_uptime_seconds",
      help: "up",
      type: "gauge",
      unit: "s",
      samples: [{ labels: {}, value: 12 }],
    },
  ];
  assert.equal(
    renderPrometheus(families),
    [
      "# HELP claude_dash_events_total Stored events\\nby type",
      "# TYPE claude_dash_events_total counter",
      'claude_dash_events_total{type="say \\"hi\\"\\\\\\n"} 3',
      'claude_dash_events_total{type="Stop"} 0.5',
      "# HELP claude_dash_live_clients x",
      "# TYPE claude_dash_live_clients gauge",
      "# HELP claude_dash_uptime_seconds up",
      "# TYPE claude_dash_uptime_seconds gauge",
      "claude_dash_uptime_seconds 12",
      "",
    ].join("\n"),
  );
});

Deno.test("open-ended label values are capped: the largest series stay, the rest sum to other", () => {
  const samples = Array.from({ length: 10 }, (_, i) => ({ labels: { tool: `t${i}` }, value: i }));
  const capped = capLabels(samples, 4);
  assert.deepEqual(capped.map((s) => s.labels.tool), ["t9", "t8", "t7", "other"]);
  assert.equal(capped[3].value, 0 + 1 + 2 + 3 + 4 + 5 + 6);
  assert.equal(capLabels(samples, 10), samples);
});

Deno.test(
  "/metrics on the fixtures agrees with the store, and counts what arrives after",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    const dash = await serveReady(h);
    try {
      const res = await fetch(`${dash.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("Content-Type") ?? "", /^text\/plain; version=0\.0\.4/);
      const m = parseExposition(await res.text());
      const db = dash.db;
      assert.equal(sum(m, "claude_dash_events_total"), 1638);
      assert.equal(
        m.get('claude_dash_events_total{type="PreToolUse"}'),
        one(db, "SELECT count(*) AS n FROM events WHERE type = 'PreToolUse'"),
      );
      assert.equal(
        sum(m, "claude_dash_tool_calls_total"),
        one(db, "SELECT count(*) AS n FROM tool_calls"),
      );
      assert.equal(
        sum(m, "claude_dash_tool_failures_total"),
        one(db, "SELECT count(*) AS n FROM tool_calls WHERE status = 'error'"),
      );
      assert.ok(sum(m, "claude_dash_tool_failures_total") > 0, "the fixtures have failures");
      assert.equal(
        m.get('claude_dash_tool_calls_total{tool="Bash"}'),
        one(db, "SELECT count(*) AS n FROM tool_calls WHERE tool_name = 'Bash'"),
      );
      const model = db.prepare(
        "SELECT model, SUM(output_tokens) AS n FROM messages WHERE model IS NOT NULL GROUP BY model ORDER BY n DESC LIMIT 1",
      ).get() as { model: string; n: number };
      assert.equal(
        m.get(`claude_dash_tokens_total{model="${model.model}",kind="output"}`),
        model.n,
      );
      const cost = one(db, "SELECT SUM(cost_usd) AS n FROM messages");
      assert.ok(Math.abs(sum(m, "claude_dash_cost_usd_total") - cost) < 1e-9);
      assert.equal(sum(m, "claude_dash_sessions"), one(db, "SELECT count(*) AS n FROM sessions"));
      assert.equal(
        m.get("claude_dash_ingest_errors"),
        one(db, "SELECT count(*) AS n FROM ingest_errors"),
      );
      assert.equal(m.get("claude_dash_live_clients"), 0);
      assert.equal(m.get("claude_dash_ingest_lag_seconds"), 0, "caught up after backfill");
      assert.ok([...m.keys()].some((k) => k.startsWith("claude_dash_build_info{version=")));

      // One more hook payload: the counters move by exactly one event.
      await Deno.writeTextFile(
        join(h.claudeDir, "hooks/logs/raw_json/20990101T000000.000000Z_Stop_metrics-1.json"),
        JSON.stringify({ hook_event_name: "Stop", session_id: "metrics-1" }),
      );
      await dash.settled();
      const m2 = parseExposition(await (await fetch(`${dash.url}/metrics`)).text());
      assert.equal(sum(m2, "claude_dash_events_total"), 1639);
      assert.equal(
        m2.get('claude_dash_events_total{type="Stop"}'),
        (m.get('claude_dash_events_total{type="Stop"}') ?? 0) + 1,
      );
    } finally {
      await dash.stop();
      await h.cleanup();
    }
  },
);

Deno.test("a collector counts from scratch again when the database is replaced", () => {
  const first = openDb(":memory:");
  const second = openDb(":memory:");
  try {
    const deps = { db: first, bus: new LiveBus(), ingester: null, startedAt: 0 };
    const c = new MetricsCollector(deps);
    const insert = (db: typeof first, key: string, type: string) =>
      db.prepare(
        "INSERT INTO events(key, source, session_id, ts, type, summary, file_id, raw) VALUES (?, 'hook', 's', 0, ?, '', 1, '{}')",
      ).run(key, type);
    for (let i = 0; i < 5; i++) insert(first, `k${i}`, "Stop");
    const events = (f: MetricFamily[]) =>
      f.find((x) => x.name === "claude_dash_events_total")!.samples;
    assert.deepEqual(events(c.collect()), [{ labels: { type: "Stop" }, value: 5 }]);
    insert(first, "k5", "Notification");
    assert.deepEqual(events(c.collect()), [
      { labels: { type: "Stop" }, value: 5 },
      { labels: { type: "Notification" }, value: 1 },
    ]);
    insert(second, "again", "Stop");
    deps.db = second;
    assert.deepEqual(events(c.collect()), [{ labels: { type: "Stop" }, value: 1 }]);
  } finally {
    first.close();
    second.close();
  }
});

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

// Without the binary this test is ignored; `deno task test` says so once, with the command that
// installs it (tests/support/prereqs.ts), and installs it itself when running as root with apt.
const prometheusBin = prometheus.find();

Deno.test(
  "Prometheus scrapes /metrics and a PromQL query returns the stored event count",
  { ...opts, ignore: prometheusBin === null },
  async () => {
    const bin = prometheusBin!;
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    const dash = await serveReady(h);
    const work = await Deno.makeTempDir({ prefix: "claude-dash-prom-" });
    let prom: Deno.ChildProcess | null = null;
    try {
      const stored = one(dash.db, "SELECT count(*) AS n FROM events");
      const failures = one(dash.db, "SELECT count(*) AS n FROM tool_calls WHERE status = 'error'");
      await Deno.writeTextFile(
        join(work, "prometheus.yml"),
        [
          "global:",
          "  scrape_interval: 1s",
          "  evaluation_interval: 1s",
          "scrape_configs:",
          "  - job_name: claude-dash",
          "    scrape_interval: 1s",
          "    scrape_timeout: 1s",
          "    static_configs:",
          `      - targets: ["127.0.0.1:${dash.port}"]`,
          "",
        ].join("\n"),
      );
      const promPort = freePort();
      prom = new Deno.Command(bin, {
        args: [
          `--config.file=${join(work, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(work, "data")}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          "--log.level=warn",
        ],
        cwd: work,
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const api = `http://127.0.0.1:${promPort}/api/v1`;
      const query = async (q: string): Promise<number | null> => {
        try {
          const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}`);
          const body = await res.json();
          const r = body?.data?.result;
          return Array.isArray(r) && r.length > 0 ? Number(r[0].value[1]) : null;
        } catch {
          return null; // not listening yet
        }
      };
      await waitFor(async () => (await query('up{job="claude-dash"}')) === 1, 30_000, "a scrape");
      assert.equal(await query("sum(claude_dash_events_total)"), stored);
      assert.equal(await query("sum(claude_dash_tool_failures_total)"), failures);
      assert.equal(await query('count(claude_dash_build_info{job="claude-dash"})'), 1);
      const targets = await (await fetch(`${api}/targets`)).json();
      assert.equal(targets.data.activeTargets[0].health, "up");
      assert.equal(targets.data.activeTargets[0].lastError, "");
    } finally {
      if (prom) {
        prom.kill("SIGTERM");
        await prom.status;
        await prom.stderr.cancel().catch(() => {});
      }
      await dash.stop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
      await h.cleanup();
    }
  },
);

Deno.test(
  "ingest lag runs from the first noticed change until it is stored, and is 0 when caught up",
  opts,
  async () => {
    const h = await makeHome();
    const dash = await serveReady(h);
    const lag = async () =>
      parseExposition(await (await fetch(`${dash.url}/metrics`)).text()).get(
        "claude_dash_ingest_lag_seconds",
      )!;
    try {
      assert.equal(await lag(), 0);
      assert.equal((await postJson(dash.url, "/api/actions/pause")).status, 200);
      const rel = "hooks/logs/raw_json/20990101T000000.000000Z_Stop_lag-1.json";
      await Deno.writeTextFile(
        join(h.claudeDir, rel),
        JSON.stringify({ hook_event_name: "Stop", session_id: "lag-1" }),
      );
      // The server's file watcher notices the change; paused, it is not stored yet.
      await waitFor(async () => (await lag()) > 0, 3000, "the change noticed");
      await new Promise((r) => setTimeout(r, 300));
      const waited = await lag();
      assert.ok(waited >= 0.25, `lag ${waited} s while the change waits`);
      assert.equal((await postJson(dash.url, "/api/actions/resume")).status, 200);
      await waitFor(async () => (await lag()) === 0, 5000, "lag back to 0");
      assert.equal(
        one(dash.db, "SELECT count(*) AS n FROM events WHERE session_id = 'lag-1'"),
        1,
      );
    } finally {
      await dash.stop();
      await h.cleanup();
    }
  },
);

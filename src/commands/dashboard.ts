// Wires the parts together: store → ingester → live bus → HTTP server on 127.0.0.1.
// Used by main.ts and by the integration tests, so tests run exactly what users run.

import { DbMonitor, openChecked, placeholderDb } from "../store/db_health.ts";
import { buildStack, type DbStack, type StackShared } from "./db_stack.ts";
import { DbSupervisor } from "./db_supervisor.ts";
import { compactIfRequested } from "../store/compact.ts";
import { logLine } from "../core/log.ts";
import type { Ingester } from "../ingest/ingester.ts";
import { LiveBus } from "../live/bus.ts";
import { createApp } from "../http/app.ts";
import { FrontDoor } from "../http/front.ts";
import { type Db, pendingMigrations } from "../store/db.ts";
import { OtlpExporter, type OtlpOptions } from "../live/otlp_exporter.ts";
import { MetricsCollector, type MetricsDeps } from "../http/routes/metrics.ts";
import { SecretFile } from "../core/secrets.ts";
import type { ClaudeRoot } from "../ingest/roots.ts";
import type { PriceTable } from "../core/pricing.ts";
import type { AlertEngine } from "../domain/alerts/engine.ts";
import type { ActiveBlock } from "../core/types.ts";
import { ensureIngestSecret } from "../ingest/secret.ts";

export interface DashboardOptions {
  claudeDir: string;
  dbPath: string;
  port: number;
  hostname?: string;
  /** Watch the file system (default true). */
  watch?: boolean;
  maxClients?: number;
  /** Requests per minute per client address (default rateLimitRequestsPerMin; 0 = off). */
  rateLimitPerMin?: number;
  onListen?: (url: string) => void;
  /** Export events and counters to this OTLP/HTTP collector (base URL). */
  otlpEndpoint?: string;
  /** Exporter tuning (tests); the endpoint comes from otlpEndpoint. */
  otlp?: Omit<OtlpOptions, "endpoint" | "metrics">;
  /** Other folders to read transcripts from (absolute; main.ts finds them with roots.ts). */
  transcriptRoots?: Array<string | ClaudeRoot>;
  /** The 5-hour window in progress, for the window_over_limit alert (src/usage/ supplies it). */
  activeBlock?: () => ActiveBlock | null;
  /** Connection limits of the public listener (defaults in config.ts; see src/http/front.ts). */
  maxConnections?: number;
  headerTimeoutMs?: number;
  idleTimeoutMs?: number;
}

export interface Dashboard {
  url: string;
  port: number;
  db: Db;
  bus: LiveBus;
  ingester: Ingester;
  exporter: OtlpExporter | null;
  alerts: AlertEngine;
  /** The prices in force (built-in table under the saved overrides), for ingest and settings. */
  prices: PriceTable;
  /** The database's health (what /health shows under `db`). */
  monitor: DbMonitor;
  stop(): Promise<void>;
  /** The step stop() is in (null before and after): named when a stop outlives its deadline. */
  readonly stopping: string | null;
}

export function startDashboard(opts: DashboardOptions): Dashboard {
  // A vacuum asked for on an old database is done now, before anything holds it open.
  const compacted = compactIfRequested(opts.dbPath);
  if (compacted) {
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    const line = `vacuum at start: ${compacted.note} (${mib(compacted.bytes_before)} → ${
      mib(compacted.bytes_after)
    }, ${Math.round(compacted.ms)} ms)`;
    // Said on the console either way: the vacuum answer promised it for this start.
    if (compacted.ok) console.log(`claude-dash: ${line}`);
    logLine(compacted.ok ? "info" : "warn", line);
  }
  // The .env.discord values first, so a migration masks with them (not twice: store/write/masking.ts).
  new SecretFile(opts.claudeDir).refresh();
  const monitor = new DbMonitor(opts.dbPath);
  // A migration may rebuild an index over every stored event before anything is served.
  const pending = pendingMigrations(opts.dbPath);
  if (pending > 0) {
    console.log(
      `claude-dash: updating the database (${pending} migration${
        pending === 1 ? "" : "s"
      }); with a large history this first start takes a while`,
    );
  }
  const opened = openChecked(monitor);
  let db: Db;
  if ("db" in opened) db = opened.db;
  else if (opened.error instanceof Deno.errors.NotCapable) {
    throw opened.error; // a --db outside the sandbox: a setup error, said once at start
  } else {
    // Read-only, full or unreadable: serve (empty) pages saying so, and keep trying.
    monitor.failed(opened.error, Date.now());
    monitor.standIn();
    db = placeholderDb();
  }
  const bus = new LiveBus(opts.maxClients);
  const hostname = opts.hostname ?? "127.0.0.1";
  const front = new FrontDoor({
    hostname,
    port: opts.port,
    maxConnections: opts.maxConnections,
    headerTimeoutMs: opts.headerTimeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs,
  });
  // Made on the first start when `claude-dash setup` has not made it yet.
  const ingestSecret = ensureIngestSecret(opts.claudeDir);
  const startedAt = Date.now();
  let stack: DbStack;
  // Its metrics read whichever database and ingester are in use when they are collected.
  const exporter = opts.otlpEndpoint ? otlpExporter(opts, db, bus, null, () => stack) : null;
  const shared: StackShared = {
    ...opts,
    bus,
    monitor,
    app: (p) =>
      createApp({
        ...p,
        bus,
        claudeDir: opts.claudeDir,
        dbPath: opts.dbPath,
        exporter,
        startedAt,
        rateLimitPerMin: opts.rateLimitPerMin,
        ingestSecret,
        connections: front,
        dbHealth: monitor,
      }),
  };
  stack = buildStack(shared, db, !("db" in opened));
  let port: number;
  try {
    port = front.listen((req, info) => stack.fetch(req, info)).port;
  } catch (e) {
    db.close();
    throw e;
  }
  const url = `http://${hostname}:${port}`;
  opts.onListen?.(url);
  stack.start();
  exporter?.start();
  // Repairs swap in a new database and everything on it; the listener and the bus stay.
  const supervisor = new DbSupervisor({
    monitor,
    current: () => stack,
    replace: async (open) => {
      const old = stack;
      await old.stop();
      old.db.close();
      let next: Db;
      try {
        next = open();
      } catch (e) {
        // No database to be had now (e.g. the disk is full too): the stand-in, tried again later.
        monitor.failed(e, Date.now());
        monitor.standIn();
        stack = buildStack(shared, placeholderDb(), true);
        return;
      }
      stack = buildStack(shared, next, false);
      stack.start();
    },
  });
  supervisor.start();
  let stopping: string | null = null;
  return {
    url,
    port,
    get db() {
      return stack.db;
    },
    bus,
    get ingester() {
      return stack.ingester;
    },
    exporter,
    get alerts() {
      return stack.alerts;
    },
    get prices() {
      return stack.prices;
    },
    monitor,
    get stopping() {
      return stopping;
    },
    async stop() {
      // Each step's time goes to the log, and the step under way is readable: a stop that
      // outlives the signal's deadline (commands/serve.ts) then says which step held it.
      const took: string[] = [];
      const step = async (name: string, run: () => unknown) => {
        const t0 = performance.now();
        stopping = name;
        await run();
        took.push(`${name} ${(performance.now() - t0).toFixed(0)} ms`);
      };
      await step("supervisor", () => supervisor.stop());
      await step("ingest", () => stack.stop());
      await step("exporter", () => exporter?.stop());
      await step("http", () => front.stop());
      await step("database", () => stack.db.close());
      stopping = null;
      logLine("info", `stopped: ${took.join(", ")}`);
    },
  };
}

/**
 * The OTLP exporter, fed every committed event from the bus and the /metrics counters (exported
 * so tests can tune it in process: its queue and retry timings are not command-line flags).
 */
export function otlpExporter(
  opts: DashboardOptions,
  db: Db,
  bus: LiveBus,
  ingester: Ingester | null,
  /** The database and ingester in use now (they change when the database is repaired). */
  live?: () => { db: Db; ingester: Ingester },
) {
  const deps: MetricsDeps = {
    get db() {
      return live?.().db ?? db;
    },
    bus,
    get ingester() {
      return live?.().ingester ?? ingester;
    },
    startedAt: Date.now(),
  };
  const collector = new MetricsCollector(deps);
  const exporter = new OtlpExporter({
    ...opts.otlp,
    endpoint: opts.otlpEndpoint!,
    metrics: () => collector.collect(),
  });
  deps.exporter = exporter;
  bus.subscribe((messages) => {
    const events = [];
    for (const m of messages) if (m.type === "event") events.push(m.event);
    exporter.enqueue(events);
  });
  return exporter;
}

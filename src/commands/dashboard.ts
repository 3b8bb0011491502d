// Wires the parts together: store → ingester → live bus → HTTP server on 127.0.0.1.
// Used by main.ts and by the integration tests, so tests run exactly what users run.

import { dirname } from "node:path";
import { openDb } from "../store/db.ts";
import { sessionsByIds } from "../store/read/sessions.ts";
import { Ingester } from "../ingest/ingester.ts";
import { LiveBus } from "../live/bus.ts";
import { createApp } from "../http/app.ts";
import type { LiveMessage } from "../core/types.ts";
import type { Db } from "../store/db.ts";
import { OtlpExporter, type OtlpOptions } from "../live/otlp_exporter.ts";
import { MetricsCollector, type MetricsDeps } from "../http/routes/metrics.ts";
import { maskSecrets } from "../core/secrets.ts";
import type { ClaudeRoot } from "../ingest/roots.ts";
import { PriceTable } from "../core/pricing.ts";
import { readSettings } from "../store/settings.ts";
import { startRetentionTimer } from "../store/write/retention.ts";
import { AlertEngine } from "../domain/alerts/engine.ts";
import type { ActiveBlock } from "../core/types.ts";
import { currentActiveBlock, UsageLive } from "../domain/usage/active.ts";
import { officialLimits } from "../domain/usage/official.ts";
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
  stop(): Promise<void>;
}

export function startDashboard(opts: DashboardOptions): Dashboard {
  const db = openDb(opts.dbPath);
  // Price overrides from the settings apply to everything ingested from now on.
  const prices = new PriceTable(readSettings(db).prices);
  const bus = new LiveBus(opts.maxClients);
  const alerts = new AlertEngine({
    db,
    publish: (m) => bus.publish(m),
    activeBlock: opts.activeBlock ?? (() => currentActiveBlock(db)),
    official: (now) => officialLimits(db, now),
  });
  // The active 5-hour window, published as `usage` after commits that stored messages.
  const usage = new UsageLive(db, (m) => bus.publish(m));
  const ingester = new Ingester({
    claudeDir: opts.claudeDir,
    db,
    watch: opts.watch,
    transcriptRoots: opts.transcriptRoots,
    prices,
    scratchDir: `${dirname(opts.dbPath)}/scratch`,
    onCommit: (result) => {
      // Committed rows come straight from the writer, not through the masking queries.
      const messages: LiveMessage[] = result.events.map((event) => ({
        type: "event",
        event: { ...event, summary: maskSecrets(event.summary) },
      }));
      for (const session of sessionsByIds(db, result.sessions)) {
        messages.push({ type: "session", session });
      }
      bus.publish(messages);
      usage.onCommit(result);
      alerts.notify();
    },
  });
  const exporter = opts.otlpEndpoint ? otlpExporter(opts, db, bus, ingester) : null;
  const app = createApp({
    db,
    bus,
    ingester,
    claudeDir: opts.claudeDir,
    dbPath: opts.dbPath,
    exporter,
    startedAt: Date.now(),
    rateLimitPerMin: opts.rateLimitPerMin,
    prices,
    // Made on the first start when `claude-dash setup` has not made it yet.
    ingestSecret: ensureIngestSecret(opts.claudeDir),
  });
  const hostname = opts.hostname ?? "127.0.0.1";
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ hostname, port: opts.port, onListen: () => {} }, app.fetch);
  } catch (e) {
    db.close();
    throw e;
  }
  const port = server.addr.port;
  const url = `http://${hostname}:${port}`;
  opts.onListen?.(url);
  ingester.start();
  const retention = startRetentionTimer(db);
  // Alerts start once the backfill is stored, so replaying history raises no passing alerts.
  ingester.ready.then(() => alerts.start(), () => {});
  exporter?.start();
  return {
    url,
    port,
    db,
    bus,
    ingester,
    exporter,
    alerts,
    prices,
    async stop() {
      alerts.stop();
      await ingester.stop();
      usage.close();
      await retention.stop();
      await exporter?.stop();
      await server.shutdown();
      db.close();
    },
  };
}

/** The OTLP exporter, fed every committed event from the bus and the /metrics counters. */
function otlpExporter(opts: DashboardOptions, db: Db, bus: LiveBus, ingester: Ingester) {
  const deps: MetricsDeps = { db, bus, ingester, startedAt: Date.now() };
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

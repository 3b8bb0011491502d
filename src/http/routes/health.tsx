// Health: /health (JSON, or the page when a browser asks for HTML) and /api/health (the page's
// twin: counts, ingest state and rates, live clients, OTLP counters, recent ingest errors).

import { Hono } from "hono";
import type { RouteDeps } from "../deps.ts";
import { htmlPage, wantsHtml } from "../html.tsx";
import { healthReport, ingestErrors, storeCounts } from "../../store/read/metrics.ts";
import type { IngestStats } from "../../ingest/stats.ts";
import type { HealthSnapshot } from "../../core/view_data.ts";
import { HealthPage } from "../../web/pages/health.tsx";

/** Unreadable files and lines listed on the page and in its twin. */
const recentErrorRows = 200;

/** GET /health and /api/health, sharing one ingest-rate meter. */
export function healthRoutes(deps: RouteDeps): { page: Hono; api: Hono } {
  const { db } = deps;
  const rates = rateMeter();
  const report = () => healthReport(storeCounts(db), (Date.now() - deps.startedAt) / 1000);
  const snapshot = (): HealthSnapshot => {
    const ingest = deps.ingester?.stats ?? null;
    return {
      ...report(),
      live_clients: deps.bus.clients,
      ingest,
      rates: rates(ingest, deps.startedAt),
    };
  };
  const page = new Hono().get("/", (c) => {
    if (!wantsHtml(c)) return c.json(report());
    return htmlPage(c, deps, {
      title: "Health",
      path: "/health",
      json: "/api/health",
      children: HealthPage({
        snapshot: snapshot(),
        errors: ingestErrors(db, recentErrorRows),
        claudeDir: deps.claudeDir,
        dbPath: deps.dbPath,
      }),
    });
  });
  const api = new Hono().get("/", (c) =>
    c.json({
      ...snapshot(),
      otlp: deps.exporter?.stats ?? null,
      recent_errors: ingestErrors(db, recentErrorRows),
    }));
  return { page, api };
}

/**
 * Ingest rates from the ingester's running totals, sampled whenever health is asked for:
 * the rate over the last minute of samples, or since start before there are two.
 */
function rateMeter() {
  const windowMs = 60_000;
  const samples: Array<{ t: number; events: number; files: number; bytes: number }> = [];
  return (ingest: IngestStats | null, startedAt: number) => {
    const now = Date.now();
    const cur = {
      t: now,
      events: ingest?.eventsStored ?? 0,
      files: ingest?.filesRead ?? 0,
      bytes: ingest?.bytesRead ?? 0,
    };
    while (samples.length && now - samples[0].t > windowMs) samples.shift();
    const base = samples.find((s) => now - s.t >= 1000) ??
      { t: startedAt, events: 0, files: 0, bytes: 0 };
    samples.push(cur);
    if (samples.length > 600) samples.splice(0, samples.length - 600);
    const s = Math.max(0.001, (now - base.t) / 1000);
    return {
      events_per_s: (cur.events - base.events) / s,
      files_per_s: (cur.files - base.files) / s,
      bytes_per_s: (cur.bytes - base.bytes) / s,
      window_s: s,
    };
  };
}

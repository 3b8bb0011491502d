// Health: /health (JSON, or the page when a browser asks for HTML) and /api/health (the page's
// twin: counts, ingest state and rates, live clients, OTLP counters, recent ingest errors). With
// no data source found yet the status is "waiting", with the reason, not a green "ok".

import { Hono } from "hono";
import { join } from "node:path";
import type { RouteDeps } from "../deps.ts";
import { htmlPage, wantsHtml } from "../html.tsx";
import {
  healthReport,
  ingestErrors,
  type StoreCounts,
  storeCounts,
} from "../../store/read/metrics.ts";
import type { IngestStats } from "../../ingest/stats.ts";
import type { HealthSnapshot, IngestFigures } from "../../core/view_data.ts";
import type { HealthReport } from "../../core/types.ts";
import { HealthPage } from "../../web/pages/health.tsx";
import { projectsFolder } from "./settings.tsx";

/** Unreadable files and lines listed on the page and in its twin. */
const recentErrorRows = 200;

const noCounts: StoreCounts = {
  events: 0,
  sessions: 0,
  files: 0,
  errors: 0,
  lastEventTs: null,
  dbBytes: 0,
  damagedBlocks: 0,
};

/** GET /health and /api/health, sharing one ingest-rate meter. */
export function healthRoutes(deps: RouteDeps): { page: Hono; api: Hono } {
  const { db } = deps;
  const rates = rateMeter();
  /** A read of a broken database answers with nothing (its state says why), never a 500. */
  const safely = <T,>(read: () => T, none: T): T => {
    try {
      return read();
    } catch (e) {
      deps.dbHealth?.queryFailed(e);
      return none;
    }
  };
  const errorsNow = () => safely(() => ingestErrors(db, recentErrorRows), []);
  /** The stored counts with the status they imply, and why it is "waiting" if it is. */
  const report = async () => {
    const counts = safely<StoreCounts | null>(() => storeCounts(db), null) ?? noCounts;
    const r = healthReport(counts, (Date.now() - deps.startedAt) / 1000);
    const dbHealth = deps.dbHealth?.snapshot() ?? null;
    const ingest = deps.ingester?.stats ?? null;
    const projects: Record<string, boolean> = {};
    for (const root of ingest?.roots ?? []) {
      projects[root.path] = root.found && await projectsFolder(root.path);
    }
    const waiting = waitingReason(r, ingest, deps.claudeDir, projects);
    const dbBad = dbHealth !== null && dbHealth.state !== "ok";
    return {
      ...r,
      // A database that refuses writes outranks "waiting": nothing would be stored anyway.
      status: dbBad ? "degraded" as const : waiting === null ? r.status : "waiting" as const,
      waiting_reason: dbBad ? null : waiting,
      damaged_blocks: counts.damagedBlocks,
      projects_found: projects,
      db: dbHealth,
    };
  };
  const snapshot = async (): Promise<HealthSnapshot> => {
    const ingest = deps.ingester?.stats ?? null;
    return {
      ...(await report()),
      live_clients: deps.bus.clients,
      ingest,
      rates: rates(ingest, deps.startedAt),
      claude_dir: deps.claudeDir,
      backfill: deps.backfillProgress?.() ?? null,
    };
  };
  const page = new Hono().get("/", async (c) => {
    if (!wantsHtml(c)) {
      const { projects_found: _, ...r } = await report();
      return c.json({ ...r, backfill: deps.backfillProgress?.() ?? null });
    }
    return htmlPage(c, deps, {
      title: "Health",
      path: "/health",
      json: "/api/health",
      children: HealthPage({
        snapshot: await snapshot(),
        errors: errorsNow(),
        claudeDir: deps.claudeDir,
        dbPath: deps.dbPath,
      }),
    });
  });
  const api = new Hono().get("/", async (c) =>
    c.json({
      ...(await snapshot()),
      otlp: deps.exporter?.stats ?? null,
      alerts: deps.alerts?.stats ?? null,
      connections: deps.connections?.stats ?? null,
      memory: memoryFigures(),
      recent_errors: errorsNow(),
    }));
  return { page, api };
}

/**
 * Why there is nothing to show yet, or null when there is: no event stored and no transcript or
 * hook log found (a first run, or the wrong folder). Ingest errors make it "degraded" instead.
 */
export function waitingReason(
  r: HealthReport,
  ingest: IngestFigures | null,
  claudeDir: string,
  projectsFound: Record<string, boolean>,
): string | null {
  if (r.status === "degraded" || r.events > 0) return null;
  if (ingest && ingest.hookFiles + ingest.transcripts > 0) return null;
  if (ingest && !ingest.backfilled) return "the first scan of the Claude Code folders is running";
  const dir = claudeDir.replace(/\/+$/, "");
  const known = Object.keys(projectsFound);
  const withProjects = known.filter((p) => projectsFound[p]);
  const transcripts = known.length === 0
    ? "no transcripts"
    : withProjects.length === 0
    ? `no transcripts (${join(dir, "projects")} does not exist yet: ` +
      "Claude Code creates it at its first session)"
    : `no transcripts in ${withProjects.map((p) => join(p, "projects")).join(", ")}`;
  return `nothing to show yet: ${transcripts}, and no hook logs in ${
    join(dir, "hooks/logs/raw_json")
  }`;
}

/** The process's memory (MiB), for the memory benchmark and anyone watching the server. */
function memoryFigures() {
  const m = Deno.memoryUsage();
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  return {
    rss_mib: mb(m.rss),
    heap_used_mib: mb(m.heapUsed),
    heap_total_mib: mb(m.heapTotal),
    external_mib: mb(m.external),
  };
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

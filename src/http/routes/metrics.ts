// GET /metrics: claude-dash's counters in the Prometheus text format (version 0.0.4). The
// same MetricFamily list feeds the OTLP exporter. Collected from the store with a few
// aggregate queries (see store/read/metrics.ts) plus in-process gauges; a scrape every
// 15 s at a million events stays well under 100 ms.

import { Hono } from "hono";
import type { Db } from "../../store/db.ts";
import type { Ingester } from "../../ingest/ingester.ts";
import type { LiveBus } from "../../live/bus.ts";
import type { MetricFamily, SessionStatus } from "../../core/types.ts";
import type { OtlpStats } from "../../live/otlp_exporter.ts";
import { maxMetricLabelValues, version } from "../../core/config.ts";
import {
  dbBytes,
  eventTypeCountsAfter,
  ingestErrorCount,
  type ModelUsage,
  toolCallCounts,
  usageByModelAfter,
} from "../../store/read/metrics.ts";
import { sessionsPage } from "../../store/read/sessions.ts";

export interface MetricsDeps {
  db: Db;
  bus: LiveBus;
  ingester: Ingester | null;
  startedAt: number;
  exporter?: { readonly stats: OtlpStats } | null;
}

const statuses: SessionStatus[] = ["running", "waiting", "idle", "ended"];

/**
 * Collects the metric families. Keeps the running sums of the insert-only tables (events per
 * type, usage per model) between calls, so each call only reads what was added since.
 */
export class MetricsCollector {
  #deps: MetricsDeps;
  #eventsMaxId = 0;
  #eventsByType = new Map<string, number>();
  #usageMaxEventId = 0;
  #usageByModel = new Map<string | null, ModelUsage>();

  constructor(deps: MetricsDeps) {
    this.#deps = deps;
  }

  collect(now = Date.now()): MetricFamily[] {
    const { db, bus, ingester, exporter, startedAt } = this.#deps;
    // A replaced database (its ids went back) is counted again from nothing, once.
    if (!this.#catchUp()) this.#catchUp();
    const families = [
      family(
        "claude_dash_build_info",
        "gauge",
        "1",
        "claude-dash version and runtime; always 1",
        [{ labels: { version, deno: Deno.version.deno }, value: 1 }],
      ),
      ...activityFamilies(this.#eventsByType, toolCallCounts(db)),
      ...usageFamilies([...this.#usageByModel.values()]),
      ...stateFamilies(db, bus, ingester?.stats ?? null, now, startedAt),
    ];
    if (exporter) families.push(...otlpFamilies(exporter.stats));
    return families;
  }

  /**
   * Adds what was stored since the last call to the running sums. False when the database was
   * replaced under us (its ids went back): the sums are then cleared, to be counted again.
   */
  #catchUp(): boolean {
    const { db } = this.#deps;
    const delta = eventTypeCountsAfter(db, this.#eventsMaxId);
    const usage = usageByModelAfter(db, this.#usageMaxEventId);
    if (delta.maxId < this.#eventsMaxId || usage.maxEventId < this.#usageMaxEventId) {
      this.#eventsMaxId = this.#usageMaxEventId = 0;
      this.#eventsByType.clear();
      this.#usageByModel.clear();
      return false;
    }
    for (const { label, n } of delta.counts) {
      this.#eventsByType.set(label, (this.#eventsByType.get(label) ?? 0) + n);
    }
    this.#eventsMaxId = delta.maxId;
    for (const u of usage.usage) addUsage(this.#usageByModel, u);
    this.#usageMaxEventId = usage.maxEventId;
    return true;
  }
}

/** Events by type and tool calls by tool. */
function activityFamilies(
  eventsByType: Map<string, number>,
  tools: ReturnType<typeof toolCallCounts>,
): MetricFamily[] {
  return [
    family(
      "claude_dash_events_total",
      "counter",
      "{event}",
      "Events stored by type (hook event name or transcript line type)",
      [...eventsByType].map(([type, n]) => ({ labels: { type }, value: n })),
    ),
    family(
      "claude_dash_tool_calls_total",
      "counter",
      "{call}",
      "Tool calls by tool (paired PreToolUse/PostToolUse and transcript tool_use/tool_result)",
      tools.map((t) => ({ labels: { tool: t.tool }, value: t.calls })),
    ),
    family(
      "claude_dash_tool_failures_total",
      "counter",
      "{call}",
      "Tool calls that failed, by tool",
      tools.map((t) => ({ labels: { tool: t.tool }, value: t.failures })),
    ),
    family(
      "claude_dash_tool_calls_running",
      "gauge",
      "{call}",
      "Tool calls started and not finished yet, by tool",
      tools.map((t) => ({ labels: { tool: t.tool }, value: t.running })),
    ),
  ];
}

/** Messages, tokens and cost by model. */
function usageFamilies(models: ModelUsage[]): MetricFamily[] {
  const model = (m: string | null) => m ?? "unknown";
  return [
    family(
      "claude_dash_messages_total",
      "counter",
      "{message}",
      "Assistant API messages (deduplicated by message id and request id), by model",
      models.map((m) => ({ labels: { model: model(m.model) }, value: m.messages })),
    ),
    family(
      "claude_dash_tokens_total",
      "counter",
      "{token}",
      "Tokens by model and kind (input, output, cache_creation, cache_read)",
      models.flatMap((m) => [
        { labels: { model: model(m.model), kind: "input" }, value: m.input_tokens },
        { labels: { model: model(m.model), kind: "output" }, value: m.output_tokens },
        {
          labels: { model: model(m.model), kind: "cache_creation" },
          value: m.cache_creation_tokens,
        },
        { labels: { model: model(m.model), kind: "cache_read" }, value: m.cache_read_tokens },
      ]),
    ),
    family(
      "claude_dash_cost_usd_total",
      "counter",
      "USD",
      "Estimated cost in US dollars by model, from the built-in price table (priced messages only)",
      models.map((m) => ({ labels: { model: model(m.model) }, value: m.cost_usd })),
    ),
    family(
      "claude_dash_unpriced_messages_total",
      "counter",
      "{message}",
      "Messages of models without a known price (not in claude_dash_cost_usd_total)",
      models.map((m) => ({ labels: { model: model(m.model) }, value: m.unpriced })),
    ),
  ];
}

/** Sessions by status, ingest and live state, database size and uptime, as they are now. */
function stateFamilies(
  db: Db,
  bus: LiveBus,
  stats: Ingester["stats"] | null,
  now: number,
  startedAt: number,
): MetricFamily[] {
  return [
    family(
      "claude_dash_sessions",
      "gauge",
      "{session}",
      "Sessions by status now (running, waiting, idle, ended)",
      statuses.map((status) => ({
        labels: { status },
        value: sessionsPage(db, { limit: 0, offset: 0, status, now }).total,
      })),
    ),
    family(
      "claude_dash_ingest_errors",
      "gauge",
      "{error}",
      "Files and lines that could not be ingested (as listed on /health)",
      [{ labels: {}, value: ingestErrorCount(db) }],
    ),
    family(
      "claude_dash_live_clients",
      "gauge",
      "{client}",
      "Connected live clients (SSE and WebSocket)",
      [{ labels: {}, value: bus.clients }],
    ),
    family(
      "claude_dash_ingest_lag_seconds",
      "gauge",
      "s",
      "How long the oldest source change the ingester has noticed has waited to be stored; 0 when caught up",
      [{
        labels: {},
        value: stats?.pendingSinceMs ? Math.max(0, now - stats.pendingSinceMs) / 1000 : 0,
      }],
    ),
    family(
      "claude_dash_ingest_last_commit_timestamp_seconds",
      "gauge",
      "s",
      "Unix time of the last stored ingest batch (0 before the first)",
      [{ labels: {}, value: (stats?.lastCommitMs ?? 0) / 1000 }],
    ),
    family(
      "claude_dash_ingest_commits_total",
      "counter",
      "{commit}",
      "Ingest transactions since start",
      [{ labels: {}, value: stats?.commits ?? 0 }],
    ),
    family(
      "claude_dash_ingest_bytes_read_total",
      "counter",
      "By",
      "Source bytes read since start",
      [{ labels: {}, value: stats?.bytesRead ?? 0 }],
    ),
    family(
      "claude_dash_db_bytes",
      "gauge",
      "By",
      "Size of claude-dash's own database",
      [{ labels: {}, value: dbBytes(db) }],
    ),
    family(
      "claude_dash_uptime_seconds",
      "gauge",
      "s",
      "Seconds since claude-dash started",
      [{ labels: {}, value: Math.max(0, now - startedAt) / 1000 }],
    ),
  ];
}

/** The OTLP exporter's counters (with --otlp-endpoint). */
function otlpFamilies(s: OtlpStats): MetricFamily[] {
  return [
    family(
      "claude_dash_otlp_exported_total",
      "counter",
      "{record}",
      "Records accepted by the OTLP collector, by signal (logs: events; metrics: data points)",
      [
        { labels: { signal: "logs" }, value: s.sent_logs },
        { labels: { signal: "metrics" }, value: s.sent_metric_points },
      ],
    ),
    family(
      "claude_dash_otlp_dropped_total",
      "counter",
      "{record}",
      "Events dropped from the OTLP queue (oldest first when full, or refused by the collector)",
      [{ labels: {}, value: s.dropped }],
    ),
    family(
      "claude_dash_otlp_failures_total",
      "counter",
      "{request}",
      "Failed OTLP requests (each is retried with backoff)",
      [{ labels: {}, value: s.failures }],
    ),
    family(
      "claude_dash_otlp_queue",
      "gauge",
      "{record}",
      "Events waiting to be exported",
      [{ labels: {}, value: s.queued }],
    ),
  ];
}

function addUsage(into: Map<string | null, ModelUsage>, u: ModelUsage): void {
  const have = into.get(u.model);
  if (!have) {
    into.set(u.model, { ...u });
    return;
  }
  have.messages += u.messages;
  have.input_tokens += u.input_tokens;
  have.output_tokens += u.output_tokens;
  have.cache_creation_tokens += u.cache_creation_tokens;
  have.cache_read_tokens += u.cache_read_tokens;
  have.cost_usd += u.cost_usd;
  have.unpriced += u.unpriced;
}

function family(
  name: string,
  type: MetricFamily["type"],
  unit: string,
  help: string,
  samples: MetricFamily["samples"],
): MetricFamily {
  return { name, help, type, unit, samples: capLabels(samples, maxMetricLabelValues) };
}

/**
 * Keeps a family's series count bounded whatever the data holds (hook event names and MCP
 * tool names are open-ended): the largest `max - 1` series stay, the rest are summed into one
 * series whose first label is "other".
 */
export function capLabels(
  samples: MetricFamily["samples"],
  max: number,
): MetricFamily["samples"] {
  if (samples.length <= max) return samples;
  const sorted = [...samples].sort((a, b) => b.value - a.value);
  const kept = sorted.slice(0, max - 1);
  const rest = sorted.slice(max - 1);
  const labels = Object.fromEntries(Object.keys(rest[0].labels).map((k) => [k, "other"]));
  kept.push({ labels, value: rest.reduce((sum, s) => sum + s.value, 0) });
  return kept;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** The Prometheus text exposition format (0.0.4) of the families. Pure. */
export function renderPrometheus(families: MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      out.push(`${f.name}${labels.length ? `{${labels.join(",")}}` : ""} ${formatValue(s.value)}`);
    }
  }
  return out.join("\n") + "\n";
}

/** GET /metrics, with its own collector (and so its own event-count watermark). */
export function metricsRoutes(deps: MetricsDeps): Hono {
  const collector = new MetricsCollector(deps);
  // The first count of a large store is the slow one: take it once backfill is stored, so
  // the first scrape only reads what came after.
  deps.ingester?.ready.then(() => {
    try {
      collector.collect();
    } catch {
      // the database is closing or broken; the scrape will report it
    }
  });
  return new Hono().get("/", (c) =>
    c.body(renderPrometheus(collector.collect()), 200, {
      "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
      "Cache-Control": "no-store",
    }));
}

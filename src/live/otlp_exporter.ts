// Optional export to an OpenTelemetry collector over OTLP/HTTP with JSON bodies: every stored
// event as a log record (POST {endpoint}/v1/logs, batched), and the /metrics counters as OTLP
// metrics (POST {endpoint}/v1/metrics, periodically). Ingest only ever calls enqueue(), which
// is synchronous and bounded: when the collector is slow or down the queue keeps its newest
// records and counts the dropped ones, failed POSTs are retried with exponential backoff, and
// nothing waits on the network. The body builders are pure and tested on their own.

import type { EventRow, MetricFamily } from "../core/types.ts";
import {
  otlpBatchRecords,
  otlpFlushMs,
  otlpMaxQueueRecords,
  otlpMetricsIntervalMs,
  otlpRequestTimeoutMs,
  otlpRetryBaseMs,
  otlpRetryMaxMs,
  version,
} from "../core/config.ts";
import { log } from "../core/log.ts";

export interface OtlpOptions {
  /** Base URL, e.g. http://127.0.0.1:4318 (see cli.ts otlpBase). */
  endpoint: string;
  /** Counters to export as metrics; called every metricsIntervalMs. */
  metrics?: () => MetricFamily[];
  maxQueue?: number;
  batchRecords?: number;
  flushMs?: number;
  metricsIntervalMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
}

/** What the exporter has done, as served in /api/health and /metrics. */
export interface OtlpStats {
  endpoint: string;
  queued: number;
  /** Most records ever held at once (never above the cap). */
  queue_high_water: number;
  queue_cap: number;
  sent_logs: number;
  sent_metric_points: number;
  /** Records lost: pushed out of a full queue, or refused by the collector (4xx). */
  dropped: number;
  failures: number;
  last_error: string | null;
  last_success_ts: string | null;
}

type AnyValue = { stringValue: string } | { intValue: string } | { boolValue: boolean };
interface KeyValue {
  key: string;
  value: AnyValue;
}

const attr = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

function resource() {
  return {
    attributes: [
      attr("service.name", "claude-dash"),
      attr("service.version", version),
      attr("telemetry.sdk.language", "typescript"),
    ],
  };
}

const scope = { name: "claude-dash", version };

function nanos(ms: number): string {
  return `${BigInt(Math.round(ms)) * 1_000_000n}`;
}

/** The OTLP/JSON ExportLogsServiceRequest for these events. Pure. */
export function logsBody(events: EventRow[], observedMs: number): unknown {
  return {
    resourceLogs: [{
      resource: resource(),
      scopeLogs: [{
        scope,
        logRecords: events.map((e) => {
          const failed = e.type === "PostToolUseFailure";
          const attributes: KeyValue[] = [
            attr("session_id", e.session_id),
            attr("type", e.type),
            attr("source", e.source),
            { key: "event_id", value: { intValue: String(e.id) } },
          ];
          if (e.tool_name !== null) attributes.push(attr("tool_name", e.tool_name));
          return {
            timeUnixNano: nanos(Date.parse(e.ts)),
            observedTimeUnixNano: nanos(observedMs),
            severityNumber: failed ? 17 : 9,
            severityText: failed ? "ERROR" : "INFO",
            body: { stringValue: e.summary },
            attributes,
          };
        }),
      }],
    }],
  };
}

/**
 * The OTLP/JSON ExportMetricsServiceRequest for the families: counters become cumulative
 * monotonic sums, gauges gauges. A metric's name is its Prometheus name without `_total`,
 * so a collector that re-exports to Prometheus produces the /metrics names again. Pure.
 */
export function metricsBody(families: MetricFamily[], startMs: number, nowMs: number): unknown {
  const metrics = families.filter((f) => f.samples.length > 0).map((f) => {
    const dataPoints = f.samples.map((s) => ({
      attributes: Object.entries(s.labels).map(([k, v]) => attr(k, v)),
      startTimeUnixNano: nanos(startMs),
      timeUnixNano: nanos(nowMs),
      ...(Number.isInteger(s.value) ? { asInt: String(s.value) } : { asDouble: s.value }),
    }));
    const base = { name: f.name.replace(/_total$/, ""), description: f.help, unit: f.unit };
    return f.type === "counter"
      ? { ...base, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints } }
      : { ...base, gauge: { dataPoints } };
  });
  return { resourceMetrics: [{ resource: resource(), scopeMetrics: [{ scope, metrics }] }] };
}

/** Delay before retry number `failures` (1, 2, …): doubling from base, capped, ±20 % jitter. */
export function backoffMs(failures: number, baseMs: number, maxMs: number): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

/**
 * A clear message when the process may not reach the endpoint's host (the start task only
 * allows loopback), or null when it may.
 */
export async function otlpEndpointProblem(endpoint: string): Promise<string | null> {
  const url = new URL(endpoint);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const host = url.hostname;
  const status = await Deno.permissions.query({ name: "net", host: `${host}:${port}` });
  if (status.state === "granted") return null;
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(host);
  return loopback
    ? `--otlp-endpoint ${endpoint}: no network permission for ${host}:${port}; run main.ts with --allow-net=127.0.0.1,localhost,${host}:${port}`
    : `--otlp-endpoint ${endpoint}: ${host} is not a loopback address, and claude-dash runs with network access to 127.0.0.1 and localhost only; run a collector on 127.0.0.1 (e.g. one forwarding to ${host}), or run main.ts yourself with --allow-net=127.0.0.1,localhost,${host}:${port}`;
}

/** An error's message with its cause ("fetch failed" alone says little). */
function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? e.cause.message : null;
  return cause && !e.message.includes(cause) ? `${e.message}: ${cause}` : e.message;
}

class HttpError extends Error {
  constructor(readonly status: number, text: string) {
    super(`HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ""}`);
  }
}

export class OtlpExporter {
  #opts: Required<Omit<OtlpOptions, "metrics">> & Pick<OtlpOptions, "metrics">;
  #queue: EventRow[] = [];
  #stats: OtlpStats;
  #startedMs = Date.now();
  #stopped = false;
  #wake: (() => void) | null = null;
  #wakeOnBatch = false;
  #logsLoop: Promise<void> | null = null;
  #metricsTimer: ReturnType<typeof setInterval> | undefined;
  #metricsInFlight: Promise<void> | null = null;
  #inFlight = new Set<AbortController>();
  #logged = new Map<"logs" | "metrics", string>();

  constructor(opts: OtlpOptions) {
    this.#opts = {
      endpoint: opts.endpoint.replace(/\/+$/, ""),
      metrics: opts.metrics,
      maxQueue: Math.max(1, opts.maxQueue ?? otlpMaxQueueRecords),
      batchRecords: Math.max(1, opts.batchRecords ?? otlpBatchRecords),
      flushMs: opts.flushMs ?? otlpFlushMs,
      metricsIntervalMs: opts.metricsIntervalMs ?? otlpMetricsIntervalMs,
      retryBaseMs: opts.retryBaseMs ?? otlpRetryBaseMs,
      retryMaxMs: opts.retryMaxMs ?? otlpRetryMaxMs,
      requestTimeoutMs: opts.requestTimeoutMs ?? otlpRequestTimeoutMs,
    };
    this.#stats = {
      endpoint: this.#opts.endpoint,
      queued: 0,
      queue_high_water: 0,
      queue_cap: this.#opts.maxQueue,
      sent_logs: 0,
      sent_metric_points: 0,
      dropped: 0,
      failures: 0,
      last_error: null,
      last_success_ts: null,
    };
  }

  get stats(): OtlpStats {
    return { ...this.#stats, queued: this.#queue.length };
  }

  /** Queues events for export. Synchronous and bounded: never waits, never throws. */
  enqueue(events: EventRow[]): void {
    if (this.#stopped || events.length === 0) return;
    const cap = this.#opts.maxQueue;
    if (events.length >= cap) {
      this.#stats.dropped += this.#queue.length + events.length - cap;
      this.#queue = events.slice(events.length - cap);
    } else {
      for (const e of events) this.#queue.push(e);
      const excess = this.#queue.length - cap;
      if (excess > 0) {
        this.#queue.splice(0, excess);
        this.#stats.dropped += excess;
      }
    }
    this.#stats.queue_high_water = Math.max(this.#stats.queue_high_water, this.#queue.length);
    if (this.#wakeOnBatch && this.#queue.length >= this.#opts.batchRecords) this.#wake?.();
  }

  start(): void {
    this.#logsLoop ??= this.#runLogs();
    if (this.#opts.metrics && this.#metricsTimer === undefined) {
      this.#metricsTimer = setInterval(() => {
        this.#metricsInFlight ??= this.#sendMetrics().finally(() => {
          this.#metricsInFlight = null;
        });
      }, this.#opts.metricsIntervalMs);
    }
  }

  /** Stops: abandons requests in flight, then one short last attempt to send what is queued. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#metricsTimer);
    this.#wake?.();
    for (const c of this.#inFlight) c.abort();
    await this.#logsLoop;
    await this.#metricsInFlight;
    const batch = this.#queue.slice(0, this.#opts.batchRecords);
    if (batch.length > 0) {
      try {
        await this.#post("logs", batch, Math.min(this.#opts.requestTimeoutMs, 1000));
        this.#stats.sent_logs += batch.length;
        this.#removeSent(batch);
      } catch {
        // counted; the records stay counted as queued
      }
    }
  }

  async #runLogs(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      if (this.#queue.length < this.#opts.batchRecords) {
        await this.#sleep(this.#opts.flushMs, true);
        if (this.#stopped) break;
      }
      if (this.#queue.length === 0) continue;
      // Sent records are the first `batch.length` ones unless enqueue() dropped some of them
      // meanwhile: the queue is trimmed by identity, not by count.
      const batch = this.#queue.slice(0, this.#opts.batchRecords);
      try {
        await this.#post("logs", batch);
        failures = 0;
        this.#stats.sent_logs += batch.length;
        this.#removeSent(batch);
      } catch (e) {
        if (e instanceof HttpError && e.status >= 400 && e.status < 500 && e.status !== 429) {
          // The collector refuses this batch for good; retrying would block every later one.
          this.#stats.dropped += this.#removeSent(batch);
          continue;
        }
        failures++;
        await this.#sleep(
          backoffMs(failures, this.#opts.retryBaseMs, this.#opts.retryMaxMs),
          false,
        );
      }
    }
  }

  /** Removes the still-queued members of `batch` from the queue front; returns how many. */
  #removeSent(batch: EventRow[]): number {
    const last = batch[batch.length - 1];
    const at = this.#queue.indexOf(last);
    if (at === -1) {
      // Every record of the batch was pushed out while it was in flight.
      return 0;
    }
    this.#queue.splice(0, at + 1);
    return at + 1;
  }

  async #sendMetrics(): Promise<void> {
    if (!this.#opts.metrics) return;
    let families: MetricFamily[];
    try {
      families = this.#opts.metrics();
    } catch (e) {
      this.#fail("metrics", `collecting metrics: ${errorText(e)}`);
      return;
    }
    try {
      await this.#post("metrics", families);
      this.#stats.sent_metric_points += families.reduce((n, f) => n + f.samples.length, 0);
    } catch {
      // counted in #post; the next period sends the then-current cumulative values
    }
  }

  async #post(signal: "logs", body: EventRow[], timeoutMs?: number): Promise<void>;
  async #post(signal: "metrics", body: MetricFamily[], timeoutMs?: number): Promise<void>;
  async #post(
    signal: "logs" | "metrics",
    items: EventRow[] | MetricFamily[],
    timeoutMs = this.#opts.requestTimeoutMs,
  ): Promise<void> {
    const now = Date.now();
    const body = signal === "logs"
      ? logsBody(items as EventRow[], now)
      : metricsBody(items as MetricFamily[], this.#startedMs, now);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    this.#inFlight.add(abort);
    try {
      const res = await fetch(`${this.#opts.endpoint}/v1/${signal}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      const text = await res.text();
      if (!res.ok) throw new HttpError(res.status, text);
      this.#stats.last_success_ts = new Date().toISOString();
      this.#logged.delete(signal);
    } catch (e) {
      this.#fail(signal, errorText(e));
      throw e;
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(abort);
    }
  }

  #fail(signal: "logs" | "metrics", message: string): void {
    this.#stats.failures++;
    this.#stats.last_error = `${signal}: ${message}`;
    // One log line per signal and kind of error, not one per retry of a dead collector; and
    // none for the requests stop() abandons.
    if (this.#stopped || this.#logged.get(signal) === message) return;
    this.#logged.set(signal, message);
    log.warn(`OTLP ${signal} export to ${this.#opts.endpoint} failed: ${message}`);
  }

  /** Waits `ms`; stop() ends any wait, a full batch ends only the flush wait (not a backoff). */
  #sleep(ms: number, fullBatchWakes: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        this.#wakeOnBatch = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
      this.#wakeOnBatch = fullBatchWakes;
    });
  }
}

// What Claude Code's OpenTelemetry export becomes once decoded (src/ingest/parse/otlp.ts) and
// stored (src/store/write/otlp.ts, table otlp_records): the record type both sides share.

/** An attribute value as stored: arrays and key-value lists as their JSON text. */
export type OtlpAttr = string | number | boolean | null;

/** 0: no temporality (logs, gauges), 1: delta, 2: cumulative (the OTLP enum's numbers). */
export type Temporality = 0 | 1 | 2;

/** One log record (an event such as `tool_decision`) or one metric data point. */
export interface OtlpRecord {
  /** Made of the record's content: the same record sent twice has the same key. */
  key: string;
  kind: "log" | "metric";
  /** The event's `event.name` (logs) or the metric's name. */
  name: string;
  sessionId: string | null;
  toolUseId: string | null;
  /** Time of the event or the end of the data point's interval, in ms since the epoch. */
  ts: number;
  /** Metric data points: the start of the interval (ms). */
  startTs: number | null;
  /** Metric data points: the value (a histogram's sum). */
  value: number | null;
  temporality: Temporality;
  /** The record's own attributes (data point attributes for metrics), keys sorted. */
  attrs: Record<string, OtlpAttr>;
}

/** Lines added and removed, commits and pull requests (metrics; 0 when none reported). */
export interface CodeMetrics {
  lines_added: number;
  lines_removed: number;
  commits: number;
  pull_requests: number;
}

// OTLP requests (POST /v1/logs, /v1/metrics) → typed records, from either wire form Claude Code
// can send: http/json, or http/protobuf decoded by protobufjs with the schema in otlp_schema.ts.
// Both forms go through the same walk, so one batch sent either way gives the same records
// (and the same keys: a record's key is made of its content, so a retried batch adds nothing).
// Pure: bytes in, records out; the caller stores them.

import protobuf from "protobufjs";
import { contentHash } from "./normalize.ts";
import { otlpSchema } from "./otlp_schema.ts";
import type { OtlpAttr, OtlpRecord, Temporality } from "../../core/otlp_types.ts";

export type { OtlpRecord } from "../../core/otlp_types.ts";

export type OtlpSignal = "logs" | "metrics";

export type OtlpDecode = { records: OtlpRecord[]; rejected: number } | { error: string };

const root = protobuf.Root.fromJSON(otlpSchema);
const requestType = {
  logs: root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest"),
  metrics: root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest"),
};
const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Whether a Content-Type names OTLP's protobuf encoding (anything else must be JSON). */
export function isProtobuf(contentType: string | undefined): boolean {
  return /^application\/(x-)?protobuf\b/i.test(contentType ?? "");
}

/** Decodes one OTLP export request body. */
export function decodeOtlp(
  signal: OtlpSignal,
  protobufBody: boolean,
  bytes: Uint8Array,
): OtlpDecode {
  let request: unknown;
  try {
    if (protobufBody) {
      const type = requestType[signal];
      // Longs as decimal text and bytes as base64: the shapes OTLP's JSON encoding uses.
      request = type.toObject(type.decode(bytes), { longs: String, enums: Number, bytes: String });
    } else {
      request = JSON.parse(fatalUtf8.decode(bytes));
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { error: `not an OTLP ${protobufBody ? "protobuf" : "JSON"} ${signal} request: ${why}` };
  }
  if (!isObj(request)) return { error: "not an OTLP request: the body is not an object" };
  const out: OtlpRecord[] = [];
  const rejected = signal === "logs" ? walkLogs(request, out) : walkMetrics(request, out);
  return { records: out, rejected };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

function walkLogs(request: Obj, out: OtlpRecord[]): number {
  let rejected = 0;
  for (const rl of list(request.resourceLogs)) {
    for (const sl of list(rl.scopeLogs)) {
      for (const r of list(sl.logRecords)) {
        const rec = logRecord(r);
        if (rec) out.push(rec);
        else rejected++;
      }
    }
  }
  return rejected;
}

function logRecord(r: Obj): OtlpRecord | null {
  const attrs = attributes(r.attributes);
  const body = anyValue(r.body);
  const name = strOf(attrs["event.name"]) ?? strOf(r.eventName) ?? strOf(body);
  const time = nanos(r.timeUnixNano) ?? nanos(r.observedTimeUnixNano);
  if (!name || time === null) return null;
  return {
    key: `log:${name}:${time}:${contentHash(JSON.stringify([attrs, body]))}`,
    kind: "log",
    name,
    sessionId: strOf(attrs["session.id"]),
    toolUseId: strOf(attrs.tool_use_id),
    ts: ms(time),
    startTs: null,
    value: null,
    temporality: 0,
    attrs,
  };
}

function walkMetrics(request: Obj, out: OtlpRecord[]): number {
  let rejected = 0;
  for (const rm of list(request.resourceMetrics)) {
    for (const sm of list(rm.scopeMetrics)) {
      for (const m of list(sm.metrics)) {
        const name = strOf(m.name);
        const data = [m.sum, m.gauge, m.histogram].find(isObj);
        if (!name || !data) {
          rejected++;
          continue;
        }
        const t = Number(data.aggregationTemporality ?? 0);
        const temporality: Temporality = t === 1 || t === 2 ? t : 0;
        for (const p of list(data.dataPoints)) {
          const rec = dataPoint(name, temporality, p);
          if (rec) out.push(rec);
          else rejected++;
        }
      }
    }
  }
  return rejected;
}

function dataPoint(name: string, temporality: Temporality, p: Obj): OtlpRecord | null {
  const attrs = attributes(p.attributes);
  const time = nanos(p.timeUnixNano);
  const start = nanos(p.startTimeUnixNano);
  const value = num(p.asDouble) ?? num(p.asInt) ?? num(p.sum) ?? 0;
  if (time === null) return null;
  return {
    key: `metric:${name}:${start ?? ""}:${time}:${contentHash(JSON.stringify([attrs, value]))}`,
    kind: "metric",
    name,
    sessionId: strOf(attrs["session.id"]),
    toolUseId: strOf(attrs.tool_use_id),
    ts: ms(time),
    startTs: start === null ? null : ms(start),
    value,
    temporality,
    attrs,
  };
}

/** OTLP KeyValue list → a plain object with sorted keys (so equal content serializes equally). */
function attributes(v: unknown): Record<string, OtlpAttr> {
  const pairs: Array<[string, OtlpAttr]> = [];
  for (const kv of list(v)) {
    if (typeof kv.key === "string") pairs.push([kv.key, anyValue(kv.value)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(pairs);
}

function anyValue(v: unknown): OtlpAttr {
  if (!isObj(v)) return null;
  if (typeof v.stringValue === "string") return v.stringValue;
  if (typeof v.boolValue === "boolean") return v.boolValue;
  if (v.intValue !== undefined) return num(v.intValue);
  if (v.doubleValue !== undefined) return num(v.doubleValue);
  if (typeof v.bytesValue === "string") return v.bytesValue;
  if (isObj(v.arrayValue)) {
    return JSON.stringify(list(v.arrayValue.values).map(anyValue));
  }
  if (isObj(v.kvlistValue)) return JSON.stringify(attributes(v.kvlistValue.values));
  return null;
}

function num(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function strOf(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/** A uint64 nanosecond time (decimal text or a JSON number) as canonical decimal text. */
function nanos(v: unknown): string | null {
  try {
    if (typeof v === "string" && /^\d+$/.test(v)) {
      return BigInt(v) > 0n ? BigInt(v).toString() : null;
    }
    if (typeof v === "number" && Number.isFinite(v) && v > 0) {
      return BigInt(Math.trunc(v)).toString();
    }
  } catch {
    return null;
  }
  return null;
}

const ms = (nanoText: string): number => Number(BigInt(nanoText) / 1_000_000n);

// POST /v1/logs and /v1/metrics: OTLP/HTTP from Claude Code's telemetry exporter, in either
// encoding it may use (http/json, or http/protobuf: its default). The records are decoded
// (src/ingest/parse/otlp.ts), committed in one transaction before the reply, and keyed by their
// content, so a batch the exporter retries stores nothing twice. The reply is OTLP's own: an
// empty export response in the request's encoding, with partialSuccess naming records that
// could not be read. Authorization (the ingest secret) is checked by middleware.

import { Hono } from "hono";
import type { Context } from "hono";
import type { RouteDeps } from "../deps.ts";
import { maxOtlpBodyBytes } from "../../core/config.ts";
import { decodeOtlp, isProtobuf, type OtlpSignal } from "../../ingest/parse/otlp.ts";
import { storeOtlpRecords } from "../../store/write/otlp.ts";
import { sessionsByIds } from "../../store/read/sessions.ts";
import { readBody } from "../machine.ts";

/** POST /v1/logs and /v1/metrics */
export function otlpIn(deps: RouteDeps): Hono {
  const app = new Hono();
  const handle = (signal: OtlpSignal) => async (c: Context) => {
    const protobufBody = isProtobuf(c.req.header("Content-Type"));
    const bytes = await readBody(c, maxOtlpBodyBytes);
    if (!bytes) return c.json({ error: `OTLP request over ${maxOtlpBodyBytes} bytes` }, 413);
    const decoded = decodeOtlp(signal, protobufBody, bytes);
    if ("error" in decoded) return c.json({ error: decoded.error }, 400);
    const result = storeOtlpRecords(deps.db, decoded.records);
    c.header("X-Claude-Dash-Stored", String(result.stored));
    // The sessions' telemetry changed: open session pages refresh their summary.
    if (result.sessions.length > 0) {
      deps.bus.publish(
        sessionsByIds(deps.db, result.sessions).map((session) => ({
          type: "session" as const,
          session,
        })),
      );
    }
    if (protobufBody) {
      // An empty Export*ServiceResponse (no partial success to report in protobuf: every field
      // at its default is zero bytes).
      return c.body(new Uint8Array(), 200, { "Content-Type": "application/x-protobuf" });
    }
    const rejected = decoded.rejected;
    if (rejected === 0) return c.json({});
    const field = signal === "logs" ? "rejectedLogRecords" : "rejectedDataPoints";
    return c.json({
      partialSuccess: { [field]: String(rejected), errorMessage: "records without a name or time" },
    });
  };
  app.post("/logs", handle("logs"));
  app.post("/metrics", handle("metrics"));
  return app;
}

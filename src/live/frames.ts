// Each live message is serialised once, however many clients receive it: the SSE frame (bytes,
// exactly what hono's writeSSE would write) and the WebSocket text are kept beside the message
// object (WeakMap: gone with the message). With 50 clients at 100 events/s this turns 5,000
// JSON.stringify + encode calls a second, and their garbage, into 100.

import type { LiveMessage } from "../core/types.ts";
import { safeStringify } from "../core/secrets.ts";

const sse = new WeakMap<LiveMessage, Uint8Array>();
const ws = new WeakMap<LiveMessage, string>();
const encoder = new TextEncoder();

/** The SSE `event`, `id` and `data` of a message (see src/live/sse.ts for the wire format). */
function sseParts(m: LiveMessage): { event: string; id?: string; data: string } {
  switch (m.type) {
    case "event":
      return { event: "event", id: String(m.event.id), data: safeStringify(m.event) };
    case "reset":
      // The id moves the browser's Last-Event-ID past the gap, so its own reconnect does not
      // ask for the lost range again.
      return { event: "reset", id: String(m.last_id), data: JSON.stringify(m) };
    case "session":
      return { event: "session", data: safeStringify(m.session) };
    default:
      // alert, usage and progress messages carry their whole {type, …} shape as data
      return { event: m.type, data: safeStringify(m) };
  }
}

/** The SSE frame of a message, encoded once. Treat as read-only. */
export function sseFrame(m: LiveMessage): Uint8Array {
  let f = sse.get(m);
  if (f === undefined) {
    const p = sseParts(m);
    // JSON.stringify never writes a raw newline, so the data is one `data:` line.
    const text = `event: ${p.event}\ndata: ${p.data}\n${
      p.id === undefined ? "" : `id: ${p.id}\n`
    }\n`;
    f = encoder.encode(text);
    sse.set(m, f);
  }
  return f;
}

/** The WebSocket text of a message, serialised once. */
export function wsText(m: LiveMessage): string {
  let t = ws.get(m);
  if (t === undefined) {
    t = safeStringify(m);
    ws.set(m, t);
  }
  return t;
}

// GET /api/stream: Server-Sent Events. Each stored event is `event: event` with its id (so
// the browser's Last-Event-ID resumes exactly), session changes are `event: session`, and
// a comment heartbeat keeps proxies and the client's liveness check happy. A resume too far
// behind to replay gets `event: reset` right after `hello` (see Subscription).

import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { sseHeartbeatMs } from "../core/config.ts";
import type { Db } from "../store/db.ts";
import type { EventFilters } from "../core/types.ts";
import type { LiveBus } from "./bus.ts";
import { Subscription } from "./subscription.ts";
import { sseFrame } from "./frames.ts";

export function sseHandler(c: Context, bus: LiveBus, db: Db, filters: EventFilters) {
  if (!bus.acquire()) {
    return c.json({ error: "too many live connections", limit: bus.maxClients }, 503, {
      "Retry-After": "5",
    });
  }
  const header = c.req.header("Last-Event-ID") ?? c.req.query("last_event_id");
  const lastId = header && /^\d+$/.test(header) ? Number(header) : null;
  const sub = new Subscription(bus, db, filters, lastId);
  return streamSSE(c, async (stream) => {
    const heartbeat = setInterval(() => {
      stream.write(": ping\n\n").catch(() => sub.close());
    }, sseHeartbeatMs);
    stream.onAbort(() => sub.close());
    try {
      await stream.writeSSE({
        event: "hello",
        id: String(sub.lastId),
        data: JSON.stringify({ last_id: sub.lastId }),
      });
      for (;;) {
        const batch = await sub.next();
        if (batch === null) break;
        // Each frame is serialised once for every client (src/live/frames.ts).
        for (const m of batch) await stream.write(sseFrame(m));
      }
    } catch {
      // client went away mid-write
    } finally {
      clearInterval(heartbeat);
      sub.close();
      bus.release();
    }
  }, () => {
    sub.close();
    return Promise.resolve();
  });
}

// GET /api/ws: the same live messages as SSE, as JSON over a WebSocket. A client may send
// {type: "subscribe", filters: {...}} at any time to change what it receives. `?last_event_id=`
// resumes like SSE's Last-Event-ID, with the same `{type: "reset", …}` when it cannot.

import type { Context } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { Db } from "../store/db.ts";
import type { EventFilters } from "../core/types.ts";
import type { LiveBus } from "./bus.ts";
import { Subscription } from "./subscription.ts";
import { wsText } from "./frames.ts";

const maxBufferedBytes = 8 * 1024 * 1024;

export function parseFilters(v: unknown): EventFilters {
  const f: EventFilters = {};
  if (typeof v !== "object" || v === null) return f;
  const o = v as Record<string, unknown>;
  if (typeof o.session === "string" && o.session) f.session = o.session;
  if (typeof o.type === "string" && o.type) f.type = o.type;
  if (typeof o.tool === "string" && o.tool) f.tool = o.tool;
  return f;
}

export function wsHandler(bus: LiveBus, db: Db, initial: (c: Context) => EventFilters) {
  return upgradeWebSocket((c) => {
    let sub: Subscription | null = null;
    let acquired = false;
    const lastParam = c.req.query("last_event_id");
    let lastId: number | null = lastParam && /^\d+$/.test(lastParam) ? Number(lastParam) : null;
    const run = async (
      s: Subscription,
      ws: { send(d: string): void; close(code?: number, reason?: string): void; raw?: WebSocket },
    ) => {
      for (;;) {
        const batch = await s.next();
        if (batch === null) break;
        for (const m of batch) ws.send(wsText(m));
        lastId = s.lastId;
        if ((ws.raw?.bufferedAmount ?? 0) > maxBufferedBytes) {
          ws.close(4008, "client too slow");
          s.close();
        }
      }
      if (s.overflowed) ws.close(4008, "client too slow");
    };
    return {
      onOpen(_evt, ws) {
        if (!bus.acquire()) {
          ws.close(4003, "too many connections");
          return;
        }
        acquired = true;
        sub = new Subscription(bus, db, initial(c), lastId);
        ws.send(JSON.stringify({ type: "hello", last_id: sub.lastId }));
        run(sub, ws);
      },
      onMessage(evt, ws) {
        if (!acquired) return;
        let msg: unknown;
        try {
          msg = JSON.parse(typeof evt.data === "string" ? evt.data : "");
        } catch {
          ws.send(JSON.stringify({ type: "error", message: "messages must be JSON" }));
          return;
        }
        const m = msg as { type?: unknown; filters?: unknown };
        if (m?.type !== "subscribe") {
          ws.send(
            JSON.stringify({
              type: "error",
              message: "unknown message type; send {type:'subscribe', filters}",
            }),
          );
          return;
        }
        const from = sub?.lastId ?? lastId;
        sub?.close();
        sub = new Subscription(bus, db, parseFilters(m.filters), from);
        run(sub, ws);
      },
      onClose() {
        sub?.close();
        if (acquired) bus.release();
        acquired = false;
      },
      onError() {
        sub?.close();
      },
    };
  });
}

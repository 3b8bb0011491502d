// The live streams, mounted at /api: GET /api/stream (Server-Sent Events) and GET /api/ws
// (WebSocket), both filtered by the events' query string (session, type, tool, since, until).

import { Hono } from "hono";
import type { RouteDeps } from "../deps.ts";
import { queryOf } from "../params.ts";
import { eventFilters } from "../../core/params.ts";
import { sseHandler } from "../../live/sse.ts";
import { wsHandler } from "../../live/ws.ts";

/** GET /stream and /ws */
export function liveApi(deps: RouteDeps): Hono {
  const { db, bus } = deps;
  const app = new Hono();
  app.get("/stream", (c) => sseHandler(c, bus, db, eventFilters(queryOf(c))));
  app.get("/ws", wsHandler(bus, db, (c) => eventFilters(queryOf(c))));
  return app;
}

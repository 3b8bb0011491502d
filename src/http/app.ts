// The Hono application: guards, JSON API, live streams, pages and embedded static assets.
// Handlers are short: validate at the edge, call a typed query, shape the response.

import { Hono } from "hono";
import type { Db } from "../store/db.ts";
import type { Ingester } from "../ingest/ingester.ts";
import type { LiveBus } from "../live/bus.ts";
import { sseHandler } from "../live/sse.ts";
import { wsHandler } from "../live/ws.ts";
import { parseCursor, sessionById, sessionEvents, sessionToolCalls } from "../store/queries.ts";
import { eventFilters, intParam } from "../core/params.ts";
import { BadRequest } from "../core/errors.ts";
import { pageRoutes } from "./routes/pages.tsx";
import { insightsRoutes } from "./routes/insights.ts";
import { alertsRoutes } from "./routes/alerts.ts";
import { settingsRoutes } from "./routes/settings.tsx";
import { usageRoutes } from "./routes/usage.tsx";
import { assets } from "../web/assets.gen.ts";
import { guards } from "./middleware/guards.ts";
import { csrfGuard } from "./middleware/csrf.ts";
import { rateLimit, RateLimiter } from "./middleware/rate_limit.ts";
import { metricsHandler } from "./routes/metrics.ts";
import type { OtlpExporter } from "../live/otlp_exporter.ts";
import { log } from "../core/log.ts";

export interface AppDeps {
  db: Db;
  bus: LiveBus;
  ingester: Ingester | null;
  claudeDir: string;
  dbPath: string;
  startedAt: number;
  /** The OTLP exporter when --otlp-endpoint is given (its counters show in /metrics). */
  exporter?: OtlpExporter | null;
  /** Requests per minute per client address (default rateLimitRequestsPerMin; 0 = off). */
  rateLimitPerMin?: number;
}

export function createApp(deps: AppDeps): Hono {
  const { db, bus } = deps;
  const app = new Hono();
  app.use("*", guards());
  app.use("*", rateLimit(new RateLimiter({ perMin: deps.rateLimitPerMin })));
  app.use("*", csrfGuard());

  app.onError((err, c) => {
    if (err instanceof BadRequest) return c.json({ error: err.message }, 400);
    log.error(`${c.req.method} ${c.req.path}: ${err instanceof Error ? err.stack : err}`);
    return c.json({ error: "internal error; see the claude-dash log" }, 500);
  });
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.get("/metrics", metricsHandler(deps));

  app.get("/api/sessions/:id", (c) => {
    const q = (n: string) => c.req.query(n);
    const id = c.req.param("id");
    const summary = sessionById(db, id);
    if (!summary) return c.json({ error: `no session ${id}` }, 404);
    const limit = intParam(q, "limit", 500, 1, 5000);
    const page = sessionEvents(db, id, limit, parseCursor(q("cursor")) ?? undefined);
    return c.json({
      ...summary,
      events: page.events,
      next_cursor: page.next_cursor,
      tool_calls: sessionToolCalls(db, id, 5000),
    });
  });

  app.route("/", insightsRoutes(deps));
  app.route("/", alertsRoutes(deps));
  app.route("/", settingsRoutes(deps));
  app.route("/", usageRoutes(deps));
  app.route("/", pageRoutes(deps));
  app.get("/api/stream", (c) => sseHandler(c, bus, db, eventFilters((n) => c.req.query(n))));
  app.get("/api/ws", wsHandler(bus, db, (c) => eventFilters((n) => c.req.query(n))));

  app.get("/static/:name", (c) => {
    const asset = Object.hasOwn(assets, c.req.param("name"))
      ? assets[c.req.param("name")]
      : undefined;
    if (!asset) return c.json({ error: "no such asset" }, 404);
    return c.body(asset.body, 200, {
      "Content-Type": asset.type,
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });

  return app;
}

// The Hono application: guards, JSON API, live streams, pages and embedded static assets.
// Handlers are short: validate at the edge, call a typed query, shape the response.

import { Hono } from "hono";
import type { Context } from "hono";
import type { Db } from "../store/db.ts";
import type { Ingester } from "../ingest/ingester.ts";
import type { LiveBus } from "../live/bus.ts";
import { sseHandler } from "../live/sse.ts";
import { wsHandler } from "../live/ws.ts";
import {
  eventsPage,
  healthReport,
  ingestErrors,
  parseCursor,
  sessionById,
  sessionEvents,
  sessionsPage,
  sessionToolCalls,
  storeCounts,
} from "../store/queries.ts";
import { BadRequest, eventFilters, intParam, limitParam, statusParam } from "./params.ts";
import { renderPage } from "../ui/layout.tsx";
import { Overview } from "../ui/overview.tsx";
import { HealthPage } from "../ui/health_page.tsx";
import { assets } from "../ui/assets.gen.ts";
import { guards } from "./guards.ts";

export interface AppDeps {
  db: Db;
  bus: LiveBus;
  ingester: Ingester | null;
  claudeDir: string;
  dbPath: string;
  startedAt: number;
}

export function createApp(deps: AppDeps): Hono {
  const { db, bus } = deps;
  const app = new Hono();
  app.use("*", guards());

  app.onError((err, c) => {
    if (err instanceof BadRequest) return c.json({ error: err.message }, 400);
    console.error(
      `claude-dash: ${c.req.method} ${c.req.path}: ${err instanceof Error ? err.stack : err}`,
    );
    return c.json({ error: "internal error; see the claude-dash log" }, 500);
  });
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));

  const health = () => healthReport(storeCounts(db), (Date.now() - deps.startedAt) / 1000);

  app.get("/health", (c) => {
    if (!wantsHtml(c)) return c.json(health());
    return c.html(
      renderPage({
        title: "Health",
        path: "/health",
        children: HealthPage({
          report: health(),
          errors: ingestErrors(db, 200),
          ingest: deps.ingester?.stats ?? null,
          liveClients: bus.clients,
          claudeDir: deps.claudeDir,
          dbPath: deps.dbPath,
        }),
      }),
    );
  });
  app.get("/api/health", (c) =>
    c.json({
      ...health(),
      live_clients: bus.clients,
      ingest: deps.ingester?.stats ?? null,
      recent_errors: ingestErrors(db, 200),
    }));

  app.get("/api/sessions", (c) => {
    const q = (n: string) => c.req.query(n);
    return c.json(
      sessionsPage(db, {
        limit: limitParam(q),
        offset: intParam(q, "offset", 0, 0, 1_000_000_000),
        project: q("project") || undefined,
        status: statusParam(q),
      }),
    );
  });

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

  app.get("/api/events", (c) => {
    const q = (n: string) => c.req.query(n);
    const cursor = q("cursor");
    const before = parseCursor(cursor);
    if (cursor && !before) throw new BadRequest(`cursor "${cursor}" is not one this API returned`);
    return c.json(eventsPage(db, eventFilters(q), limitParam(q), before));
  });

  app.get("/api/stream", (c) => sseHandler(c, bus, db, eventFilters((n) => c.req.query(n))));
  app.get("/api/ws", wsHandler(bus, db, (c) => eventFilters((n) => c.req.query(n))));

  app.get("/", (c) => {
    const page = sessionsPage(db, { limit: 100, offset: 0 });
    const events = eventsPage(db, {}, 50).events;
    return c.html(
      renderPage({
        title: "Overview",
        path: "/",
        children: Overview({
          sessions: page.sessions,
          totalSessions: page.total,
          events,
          claudeDir: deps.claudeDir,
        }),
      }),
    );
  });

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

function wantsHtml(c: Context): boolean {
  const accept = c.req.header("Accept") ?? "";
  return accept.includes("text/html") && c.req.query("format") !== "json";
}

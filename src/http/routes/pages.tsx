// The browser pages and their JSON twins: each page reads its state from the query string
// (parsed once in page_params.ts) and /api/... answers the same parameters with the same data.
// Handlers are short: parse, query, render.

import { Hono } from "hono";
import type { Context } from "hono";
import type { AppDeps } from "../app.ts";
import { intParam } from "../../core/params.ts";
import { BadRequest } from "../../core/errors.ts";
import { eventsView, sessionsView, timeRange } from "../../web/page_params.ts";
import {
  countEventsAfter,
  eventDetail,
  eventFacets,
  eventsPage,
  eventTs,
  exploreEvents,
  type ExplorerFilters,
  firstEventTs,
  firstPrompts,
  healthReport,
  ingestErrors,
  maxEventId,
  parseCursor,
  sessionById,
  sessionFacets,
  sessionsListing,
  sessionsPage,
  sessionTimeline,
  sessionTimelineAfterId,
  sessionUsageSeries,
  storeCounts,
  threadForSession,
  toolCallsOf,
  toolTrends,
} from "../../store/queries.ts";
import { maxPageRows } from "../../core/config.ts";
import { renderPage } from "../../web/components/layout.tsx";
import { Overview, type OverviewInsights } from "../../web/pages/overview.tsx";
import type { ActivityData, ActivityRange } from "../../web/islands/ActivityChart.tsx";
import { errorsPage, kpis, searchEvents, timeseries, toolStats } from "../../store/insights.ts";
import { SessionsPage } from "../../web/pages/sessions.tsx";
import { SessionPage } from "../../web/pages/session.tsx";
import { EventsPage, type ExplorerRow } from "../../web/pages/events.tsx";
import { EmptyState } from "../../web/components/empty_state.tsx";
import { HealthPage } from "../../web/pages/health.tsx";
import { ToolsPage } from "../../web/pages/tools.tsx";
import type { ToolRow } from "../../web/islands/ToolsTable.tsx";
import type { HealthSnapshot } from "../../web/islands/HealthStats.tsx";
import type { IngestStats } from "../../ingest/ingester.ts";
import { usageCardData } from "../../domain/usage/active.ts";

/** Timeline rows per window of the session page (and its twin's default). */
const timelineRows = 200;
/** Points of the token-use chart on the session page. */
const usagePoints = 200;
/** "N new events" counts stop here. */
const newerCap = 1000;
/** Points of each tool's trend line, and calls listed for the tool picked on /tools. */
const trendPoints = 40;
const toolCallRows = 100;
/** Sessions on the overview's board and events in its live feed. */
const boardRows = 100;
const feedRows = 50;
/** Rows of the overview's top-tools table and latest-errors list. */
const topToolsRows = 8;
const latestErrorsRows = 8;
const hourMs = 3600_000;
const dayMs = 24 * hourMs;

function activityParam(v: string | undefined): ActivityRange {
  if (v === undefined || v === "" || v === "1h") return "1h";
  if (v === "24h") return "24h";
  throw new BadRequest(`activity must be 1h or 24h; got "${v}"`);
}

/** Start of today on this machine's clock: the dashboard and its browser share the machine. */
function localMidnight(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export function pageRoutes(deps: AppDeps): Hono {
  const { db } = deps;
  const app = new Hono();
  const hasData = () => maxEventId(db) > 0;

  // ---- Overview ----
  const overviewInsights = (activity: ActivityRange, now: number): OverviewInsights => {
    const todaySince = localMidnight(now);
    return {
      kpis: kpis(db, { since: todaySince, until: now + 1 }),
      todaySince,
      activity: activityData(activity, now),
      topTools: toolStats(db, { since: now - dayMs }).slice(0, topToolsRows),
      errors: errorsPage(db, { limit: latestErrorsRows }).errors,
      usage: usageCardData(db, now),
    };
  };
  const activityData = (range: ActivityRange, now: number): ActivityData => {
    const since = now - (range === "1h" ? hourMs : dayMs);
    const result = timeseries(db, {
      metric: "events",
      bucket: range === "1h" ? "minute" : "hour",
      since,
      until: now,
      by: "type",
    });
    return { range, since, until: now, result };
  };
  const overviewData = (c: Context) => {
    const now = Date.now();
    // Read before the lists: an event stored meanwhile is then replayed live, never lost.
    const maxId = maxEventId(db);
    const page = sessionsPage(db, { limit: boardRows, offset: 0 });
    return {
      maxId,
      sessions: page.sessions,
      totalSessions: page.total,
      events: eventsPage(db, {}, feedRows).events,
      insights: overviewInsights(activityParam(c.req.query("activity")), now),
    };
  };
  app.get("/", (c) => {
    const d = overviewData(c);
    return c.html(
      renderPage({
        title: "Overview",
        path: "/",
        lastEventId: d.maxId,
        json: "/api/overview" + new URL(c.req.url).search,
        children: Overview({ ...d, claudeDir: deps.claudeDir }),
      }),
    );
  });
  app.get("/api/overview", (c) => {
    const d = overviewData(c);
    return c.json({
      sessions: d.sessions,
      total_sessions: d.totalSessions,
      events: d.events,
      kpis: d.insights.kpis,
      today_since: new Date(d.insights.todaySince).toISOString(),
      activity: d.insights.activity,
      top_tools: d.insights.topTools,
      errors: d.insights.errors,
      usage: d.insights.usage,
    });
  });
  app.get("/api/overview/kpis", (c) => {
    const now = Date.now();
    const since = intParam((n) => c.req.query(n), "since", localMidnight(now), 0, now);
    return c.json(kpis(db, { since, until: now + 1 }));
  });
  app.get(
    "/api/overview/activity",
    (c) => c.json(activityData(activityParam(c.req.query("activity")), Date.now())),
  );
  app.get(
    "/api/overview/tools",
    (c) => c.json(toolStats(db, { since: Date.now() - dayMs }).slice(0, topToolsRows)),
  );
  app.get(
    "/api/overview/errors",
    (c) => c.json(errorsPage(db, { limit: latestErrorsRows }).errors),
  );

  // ---- Sessions ----
  const listSessions = (c: Context) => {
    const q = (n: string) => c.req.query(n);
    const v = sessionsView(q, Date.now(), maxPageRows);
    const page = sessionsListing(db, {
      limit: v.limit,
      offset: v.offset,
      project: v.project,
      model: v.model,
      status: v.status,
      since: v.time.since,
      until: v.time.until,
      sort: v.sort,
      dir: v.dir,
    });
    return { v, page };
  };
  app.get("/api/sessions", (c) => c.json(listSessions(c).page));
  app.get("/sessions", (c) => {
    const { v, page } = listSessions(c);
    const query = new URL(c.req.url).search;
    const empty = page.total === 0 && !hasData();
    return c.html(
      renderPage({
        title: "Sessions",
        path: "/sessions",
        json: "/api/sessions" + query,
        children: empty ? EmptyState({ claudeDir: deps.claudeDir }) : SessionsPage({
          view: v,
          query,
          total: page.total,
          rows: page.sessions,
          facets: sessionFacets(db),
        }),
      }),
    );
  });

  // ---- One session ----
  const timelineOf = (c: Context, id: string) => {
    const q = (n: string) => c.req.query(n);
    const limit = intParam(q, "limit", timelineRows, 1, maxPageRows);
    const before = cursorParam(q("before"), "before");
    const after = cursorParam(q("after"), "after");
    return { page: sessionTimeline(db, id, limit, { before, after }), latest: !before && !after };
  };
  app.get("/api/sessions/:id/timeline", (c) => {
    const id = c.req.param("id");
    if (!sessionById(db, id)) return c.json({ error: `no session ${id}` }, 404);
    const afterId = c.req.query("after_id");
    if (afterId !== undefined) {
      const n = intParam((k) => c.req.query(k), "after_id", 0, 0, Number.MAX_SAFE_INTEGER);
      return c.json({ rows: sessionTimelineAfterId(db, id, n, timelineRows) });
    }
    return c.json(timelineOf(c, id).page);
  });
  app.get("/api/sessions/:id/usage", (c) => {
    const id = c.req.param("id");
    if (!sessionById(db, id)) return c.json({ error: `no session ${id}` }, 404);
    return c.json(sessionUsageSeries(db, id, usagePoints));
  });
  app.get("/sessions/:id", (c) => {
    const id = c.req.param("id");
    const session = sessionById(db, id);
    if (!session) return notFoundPage(c, `No session ${id} is stored.`);
    const maxId = maxEventId(db);
    const { page, latest } = timelineOf(c, id);
    return c.html(
      renderPage({
        title: `Session ${id.slice(0, 8)}`,
        path: "/sessions/" + id,
        json: `/api/sessions/${encodeURIComponent(id)}/timeline${new URL(c.req.url).search}`,
        stream: `session=${encodeURIComponent(id)}`,
        lastEventId: maxId,
        children: SessionPage({
          session,
          firstPrompt: firstPrompts(db, [id]).get(id) ?? null,
          timeline: page,
          latest,
          maxEventId: maxId,
          usage: sessionUsageSeries(db, id, usagePoints),
          thread: threadForSession(db, id),
        }),
      }),
    );
  });

  // ---- Events explorer ----
  const explore = (c: Context) => {
    const q = (n: string) => c.req.query(n);
    const v = eventsView(q, Date.now(), maxPageRows);
    if (v.q) {
      // Search pages by its own cursor (an offset into the ranked results).
      const r = searchEvents(db, v.q, v.filters, v.limit, v.cursor);
      return { v, page: { events: r.results as ExplorerRow[], next_cursor: r.next_cursor } };
    }
    const before = cursorParam(v.cursor, "cursor");
    const page: { events: ExplorerRow[]; next_cursor: string | null } = exploreEvents(
      db,
      v.filters,
      v.limit,
      before,
    );
    return { v, page };
  };
  app.get("/api/events", (c) => {
    const { page } = explore(c);
    return c.json(page);
  });
  app.get("/api/events/newer", (c) => {
    const q = (n: string) => c.req.query(n);
    const after = intParam(q, "after_id", 0, 0, Number.MAX_SAFE_INTEGER);
    const v = eventsView(q, Date.now(), maxPageRows);
    // Only the upper bound matters for events newer than the page: a relative "last hour"
    // window has moved on since the page was rendered.
    const f: ExplorerFilters = { ...v.filters, since: undefined };
    if (v.q) {
      // Matches of the search among events stored after the page's newest one.
      const since = eventTs(db, after) ?? 0;
      const hits = searchEvents(db, v.q, { ...f, since }, newerCap).results;
      return c.json({ count: hits.filter((e) => e.id > after).length, capped_at: newerCap });
    }
    return c.json({ count: countEventsAfter(db, after, f, newerCap), capped_at: newerCap });
  });
  app.get("/api/events/:id{[0-9]+}", (c) => {
    const ev = eventDetail(db, Number(c.req.param("id")));
    if (!ev) return c.json({ error: `no event ${c.req.param("id")}` }, 404);
    return c.json(ev);
  });
  app.get("/events", (c) => {
    // Read before the list: an event stored meanwhile is counted by the pill, never lost.
    const maxId = maxEventId(db);
    const { v, page } = explore(c);
    const query = new URL(c.req.url).search;
    if (!hasData()) {
      return c.html(renderPage({
        title: "Events",
        path: "/events",
        children: EmptyState({ claudeDir: deps.claudeDir }),
      }));
    }
    const f = v.filters;
    const newer = new URLSearchParams();
    for (const k of ["session", "type", "tool", "project"] as const) {
      if (f[k]) newer.set(k, f[k]!);
    }
    // The live stream filters what it can (session, type, tool); the pill's count applies all.
    const stream = new URLSearchParams(newer);
    stream.delete("project");
    if (f.until !== undefined) newer.set("until", String(f.until));
    if (v.q) newer.set("q", v.q);
    const ef = eventFacets(db);
    return c.html(
      renderPage({
        title: "Events",
        path: "/events",
        json: "/api/events" + query,
        stream: stream.toString(),
        lastEventId: maxId,
        children: EventsPage({
          view: v,
          query,
          rows: page.events,
          nextCursor: page.next_cursor,
          facets: { ...ef, projects: sessionFacets(db).projects },
          maxEventId: maxId,
          newerFilters: newer.toString(),
        }),
      }),
    );
  });

  // ---- Tools ----
  const toolsView = (c: Context) => {
    const q = (n: string) => c.req.query(n);
    const now = Date.now();
    const time = timeRange(q, now);
    const since = time.since ?? firstEventTs(db) ?? now;
    const until = time.until ?? now + 1;
    const stats = toolStats(db, { since: time.since, until: time.until });
    const trends = toolTrends(db, since, Math.max(until, since + 1), trendPoints);
    const tools: ToolRow[] = stats.map((t) => ({
      ...t,
      trend: trends.get(t.tool_name) ?? new Array<number>(trendPoints).fill(0),
    }));
    const tool = q("tool") || null;
    const calls = tool ? toolCallsOf(db, tool, toolCallRows, time) : [];
    return { time, tools, tool, calls, since, until };
  };
  app.get("/api/tool-stats", (c) => {
    const v = toolsView(c);
    return c.json({
      since: new Date(v.since).toISOString(),
      until: new Date(v.until).toISOString(),
      tools: v.tools,
      ...(v.tool ? { tool: v.tool, calls: v.calls } : {}),
    });
  });
  app.get("/tools", (c) => {
    if (!hasData()) {
      return c.html(renderPage({
        title: "Tools",
        path: "/tools",
        children: EmptyState({ claudeDir: deps.claudeDir }),
      }));
    }
    const v = toolsView(c);
    const query = new URL(c.req.url).search;
    return c.html(
      renderPage({
        title: "Tools",
        path: "/tools",
        json: "/api/tool-stats" + query,
        children: ToolsPage({
          range: v.time.range,
          query,
          data: { tools: v.tools },
          selected: v.tool,
          calls: v.calls,
          callsCap: toolCallRows,
        }),
      }),
    );
  });

  // ---- Health ----
  const rates = rateMeter();
  const snapshot = (): HealthSnapshot => {
    const ingest = deps.ingester?.stats ?? null;
    return {
      ...healthReport(storeCounts(db), (Date.now() - deps.startedAt) / 1000),
      live_clients: deps.bus.clients,
      ingest,
      rates: rates(ingest, deps.startedAt),
    };
  };
  app.get("/health", (c) => {
    if (!wantsHtml(c)) {
      return c.json(healthReport(storeCounts(db), (Date.now() - deps.startedAt) / 1000));
    }
    return c.html(
      renderPage({
        title: "Health",
        path: "/health",
        json: "/api/health",
        children: HealthPage({
          snapshot: snapshot(),
          errors: ingestErrors(db, 200),
          claudeDir: deps.claudeDir,
          dbPath: deps.dbPath,
        }),
      }),
    );
  });
  app.get("/api/health", (c) =>
    c.json({
      ...snapshot(),
      otlp: deps.exporter?.stats ?? null,
      recent_errors: ingestErrors(db, 200),
    }));

  return app;
}

/** HTML for browsers that ask for it; JSON for everything else (and for ?format=json). */
function wantsHtml(c: Context): boolean {
  const accept = c.req.header("Accept") ?? "";
  return accept.includes("text/html") && c.req.query("format") !== "json";
}

/**
 * Ingest rates from the ingester's running totals, sampled whenever health is asked for:
 * the rate over the last minute of samples, or since start before there are two.
 */
function rateMeter() {
  const windowMs = 60_000;
  const samples: Array<{ t: number; events: number; files: number; bytes: number }> = [];
  return (ingest: IngestStats | null, startedAt: number) => {
    const now = Date.now();
    const cur = {
      t: now,
      events: ingest?.eventsStored ?? 0,
      files: ingest?.filesRead ?? 0,
      bytes: ingest?.bytesRead ?? 0,
    };
    while (samples.length && now - samples[0].t > windowMs) samples.shift();
    const base = samples.find((s) => now - s.t >= 1000) ??
      { t: startedAt, events: 0, files: 0, bytes: 0 };
    samples.push(cur);
    if (samples.length > 600) samples.splice(0, samples.length - 600);
    const s = Math.max(0.001, (now - base.t) / 1000);
    return {
      events_per_s: (cur.events - base.events) / s,
      files_per_s: (cur.files - base.files) / s,
      bytes_per_s: (cur.bytes - base.bytes) / s,
      window_s: s,
    };
  };
}

function cursorParam(v: string | undefined, name: string): { ts: number; id: number } | undefined {
  if (!v) return undefined;
  const c = parseCursor(v);
  if (!c) throw new BadRequest(`${name} "${v}" is not a cursor this API returned`);
  return c;
}

function notFoundPage(c: Context, message: string) {
  return c.html(
    renderPage({
      title: "Not found",
      path: c.req.path,
      children: (
        <section class="panel">
          <h1>Not found</h1>
          <p>{message}</p>
          <p>
            <a href="/sessions">All sessions</a> · <a href="/">Overview</a>
          </p>
        </section>
      ),
    }),
    404,
  );
}

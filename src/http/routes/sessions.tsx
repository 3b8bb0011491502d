// Sessions: the list (/sessions, twin /api/sessions) and one session (/sessions/:id, twins
// /api/sessions/:id/timeline and …/usage; /api/sessions/:id is the summary with its events and
// tool calls). Each page and its twin call the same data function.

import { Hono } from "hono";
import type { Context } from "hono";
import type { RouteDeps } from "../deps.ts";
import { cursorParam, queryOf } from "../params.ts";
import { htmlPage, notFoundPage } from "../html.tsx";
import { intParam } from "../../core/params.ts";
import { maxPageRows } from "../../core/config.ts";
import type { Db } from "../../store/db.ts";
import { sessionToolCalls } from "../../store/read/tool_calls.ts";
import { sessionTelemetry, toolTelemetry, withToolTelemetry } from "../../store/read/otlp.ts";
import { sessionTimeline, sessionTimelineAfterId } from "../../store/read/session_timeline.ts";
import { maxEventId, parseCursor, sessionEvents } from "../../store/read/events.ts";
import {
  firstPrompts,
  sessionById,
  sessionFacets,
  sessionsListing,
  sessionUsageSeries,
  threadForSession,
} from "../../store/read/sessions.ts";
import { sessionsView } from "../../web/page_params.ts";
import { EmptyState } from "../../web/components/empty_state.tsx";
import { SessionsPage } from "../../web/pages/sessions.tsx";
import { SessionPage } from "../../web/pages/session.tsx";

/** Timeline rows per window of the session page (and its twin's default). */
const timelineRows = 200;
/** Points of the token-use chart on the session page. */
const usagePoints = 200;

/** The sessions list for the query string: the view it asked for and that page of rows. */
function listSessions(db: Db, c: Context) {
  const v = sessionsView(queryOf(c), Date.now(), maxPageRows);
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
}

/** One window of a session's timeline: the newest, or before/after a cursor. */
function timelineOf(db: Db, c: Context, id: string) {
  const q = queryOf(c);
  const limit = intParam(q, "limit", timelineRows, 1, maxPageRows);
  const before = cursorParam(q("before"), "before");
  const after = cursorParam(q("after"), "after");
  return { page: sessionTimeline(db, id, limit, { before, after }), latest: !before && !after };
}

/** GET /sessions and /sessions/:id */
export function sessionsPages(deps: RouteDeps): Hono {
  const { db } = deps;
  const app = new Hono();
  app.get("/", (c) => {
    const { v, page } = listSessions(db, c);
    const query = new URL(c.req.url).search;
    const empty = page.total === 0 && maxEventId(db) === 0;
    return htmlPage(c, deps, {
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
    });
  });
  app.get("/:id", (c) => {
    const id = c.req.param("id");
    const session = sessionById(db, id);
    if (!session) return notFoundPage(c, deps, `No session ${id} is stored.`);
    const maxId = maxEventId(db);
    const { page, latest } = timelineOf(db, c, id);
    return htmlPage(c, deps, {
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
        telemetry: sessionTelemetry(db, id),
      }),
    });
  });
  return app;
}

/** GET /api/sessions, /api/sessions/:id, …/:id/timeline and …/:id/usage */
export function sessionsApi(deps: RouteDeps): Hono {
  const { db } = deps;
  const app = new Hono();
  app.get("/", (c) => c.json(listSessions(db, c).page));
  app.get("/:id", (c) => {
    const q = queryOf(c);
    const id = c.req.param("id");
    const summary = sessionById(db, id);
    if (!summary) return c.json({ error: `no session ${id}` }, 404);
    const limit = intParam(q, "limit", 500, 1, 5000);
    const page = sessionEvents(db, id, limit, parseCursor(q("cursor")) ?? undefined);
    return c.json({
      ...summary,
      events: page.events,
      next_cursor: page.next_cursor,
      // Claude Code's decision and duration per call, and its telemetry (OTLP in), when sent.
      tool_calls: withToolTelemetry(sessionToolCalls(db, id, 5000), toolTelemetry(db, id)),
      telemetry: sessionTelemetry(db, id),
    });
  });
  app.get("/:id/timeline", (c) => {
    const id = c.req.param("id");
    if (!sessionById(db, id)) return c.json({ error: `no session ${id}` }, 404);
    const afterId = c.req.query("after_id");
    if (afterId !== undefined) {
      const n = intParam(queryOf(c), "after_id", 0, 0, Number.MAX_SAFE_INTEGER);
      return c.json({ rows: sessionTimelineAfterId(db, id, n, timelineRows) });
    }
    return c.json(timelineOf(db, c, id).page);
  });
  app.get("/:id/usage", (c) => {
    const id = c.req.param("id");
    if (!sessionById(db, id)) return c.json({ error: `no session ${id}` }, 404);
    return c.json(sessionUsageSeries(db, id, usagePoints));
  });
  return app;
}

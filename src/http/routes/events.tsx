// Events: the explorer (/events, twin /api/events), one event with its raw JSON
// (/api/events/:id), the "N new events" count (/api/events/newer) and full-text search
// (/api/search, which the explorer uses when `q` is given). Page and twin call explore().

import { Hono } from "hono";
import type { Context } from "hono";
import type { RouteDeps } from "../deps.ts";
import { cursorParam, queryOf } from "../params.ts";
import { htmlPage } from "../html.tsx";
import { eventFilters, intParam, limitParam } from "../../core/params.ts";
import { maxPageRows } from "../../core/config.ts";
import type { Db } from "../../store/db.ts";
import {
  countEventsAfter,
  eventDetail,
  eventFacets,
  eventTs,
  exploreEvents,
  maxEventId,
} from "../../store/read/events.ts";
import type { ExplorerFilters } from "../../core/view_data.ts";
import { sessionFacets } from "../../store/read/sessions.ts";
import { searchEvents } from "../../store/read/search.ts";
import { type EventsView, eventsView } from "../../web/page_params.ts";
import { EmptyState } from "../../web/components/empty_state.tsx";
import { EventsPage, type ExplorerRow } from "../../web/pages/events.tsx";

/** "N new events" counts stop here. */
const newerCap = 1000;

/** The explorer's page of events for the query string: search results when `q` is given. */
function explore(db: Db, c: Context) {
  const v = eventsView(queryOf(c), Date.now(), maxPageRows);
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
}

/** The filters the "N new events" pill counts with, and those the live stream can apply. */
function liveFilters(v: EventsView) {
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
  return { newer: newer.toString(), stream: stream.toString() };
}

/** GET /events */
export function eventsPage(deps: RouteDeps): Hono {
  const { db } = deps;
  return new Hono().get("/", (c) => {
    // Read before the list: an event stored meanwhile is counted by the pill, never lost.
    const maxId = maxEventId(db);
    const { v, page } = explore(db, c);
    const query = new URL(c.req.url).search;
    if (maxEventId(db) === 0) {
      return htmlPage(c, deps, {
        title: "Events",
        path: "/events",
        children: EmptyState({ claudeDir: deps.claudeDir }),
      });
    }
    const live = liveFilters(v);
    return htmlPage(c, deps, {
      title: "Events",
      path: "/events",
      json: "/api/events" + query,
      stream: live.stream,
      lastEventId: maxId,
      children: EventsPage({
        view: v,
        query,
        rows: page.events,
        nextCursor: page.next_cursor,
        facets: { ...eventFacets(db), projects: sessionFacets(db).projects },
        maxEventId: maxId,
        newerFilters: live.newer,
      }),
    });
  });
}

/** GET /api/events, /api/events/newer and /api/events/:id */
export function eventsApi(deps: RouteDeps): Hono {
  const { db } = deps;
  const app = new Hono();
  app.get("/", (c) => c.json(explore(db, c).page));
  app.get("/newer", (c) => {
    const q = queryOf(c);
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
  app.get("/:id{[0-9]+}", (c) => {
    const ev = eventDetail(db, Number(c.req.param("id")));
    if (!ev) return c.json({ error: `no event ${c.req.param("id")}` }, 404);
    return c.json(ev);
  });
  return app;
}

/** GET /api/search?q=&session=&type=&tool=&project=&since=&until=&limit=&cursor= */
export function searchApi(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) => {
    const q = queryOf(c);
    const filters = { ...eventFilters(q), project: q("project") || undefined };
    return c.json(searchEvents(deps.db, q("q") ?? "", filters, limitParam(q), q("cursor")));
  });
}

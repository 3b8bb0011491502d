// The overview: the page at / and its JSON twin /api/overview (with one URL per panel under
// it, which the islands poll), plus the KPIs and chart series it is built from: /api/kpis
// (canonical; /api/overview/kpis is its alias with today as the default range) and
// /api/timeseries. Page and twin call the same data function, overviewData.

import { Hono } from "hono";
import type { Context } from "hono";
import type { Query, RouteDeps } from "../deps.ts";
import { choice, queryOf, recentRange } from "../params.ts";
import { htmlPage } from "../html.tsx";
import { intParam } from "../../core/params.ts";
import { BadRequest } from "../../core/errors.ts";
import { eventsPage, maxEventId } from "../../store/read/events.ts";
import { sessionsPage } from "../../store/read/sessions.ts";
import { kpis } from "../../store/read/kpis.ts";
import {
  type Bucket,
  buckets,
  type Metric,
  metrics,
  type SeriesBy,
  seriesBys,
  timeseries,
} from "../../store/read/series.ts";
import { errorsPage } from "../../store/read/errors.ts";
import { toolStats } from "../../store/read/tool_stats.ts";
import type { Db } from "../../store/db.ts";
import { usageCardData } from "../../domain/usage/active.ts";
import { Overview, type OverviewInsights } from "../../web/pages/overview.tsx";
import type { ActivityData, ActivityRange } from "../../core/view_data.ts";

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

function activityData(db: Db, range: ActivityRange, now: number): ActivityData {
  const since = now - (range === "1h" ? hourMs : dayMs);
  const result = timeseries(db, {
    metric: "events",
    bucket: range === "1h" ? "minute" : "hour",
    since,
    until: now,
    by: "type",
  });
  return { range, since, until: now, result };
}

const topTools = (db: Db, now: number) =>
  toolStats(db, { since: now - dayMs }).slice(0, topToolsRows);
const latestErrors = (db: Db) => errorsPage(db, { limit: latestErrorsRows }).errors;

function overviewInsights(db: Db, activity: ActivityRange, now: number): OverviewInsights {
  const todaySince = localMidnight(now);
  return {
    kpis: kpis(db, { since: todaySince, until: now + 1 }),
    todaySince,
    activity: activityData(db, activity, now),
    topTools: topTools(db, now),
    errors: latestErrors(db),
    usage: usageCardData(db, now),
  };
}

/** What the overview shows, for the page and its twin alike. */
function overviewData(db: Db, c: Context) {
  const now = Date.now();
  // Read before the lists: an event stored meanwhile is then replayed live, never lost.
  const maxId = maxEventId(db);
  const page = sessionsPage(db, { limit: boardRows, offset: 0 });
  return {
    maxId,
    sessions: page.sessions,
    totalSessions: page.total,
    events: eventsPage(db, {}, feedRows).events,
    insights: overviewInsights(db, activityParam(c.req.query("activity")), now),
  };
}

/** GET / */
export function overviewPage(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) => {
    const d = overviewData(deps.db, c);
    return htmlPage(c, deps, {
      title: "Overview",
      path: "/",
      lastEventId: d.maxId,
      json: "/api/overview" + new URL(c.req.url).search,
      children: Overview({ ...d, claudeDir: deps.claudeDir }),
    });
  });
}

/** GET /api/overview and its panels: /kpis, /activity, /tools, /errors. */
export function overviewApi(deps: RouteDeps): Hono {
  const { db } = deps;
  const app = new Hono();
  app.get("/", (c) => {
    const d = overviewData(db, c);
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
  // Alias of /api/kpis kept for one release: the range defaults to today (local midnight).
  app.get(
    "/kpis",
    kpisHandler(db, (q, now) => ({
      since: intParam(q, "since", localMidnight(now), 0, now),
      until: now + 1,
    })),
  );
  app.get(
    "/activity",
    (c) => c.json(activityData(db, activityParam(c.req.query("activity")), Date.now())),
  );
  app.get("/tools", (c) => c.json(topTools(db, Date.now())));
  app.get("/errors", (c) => c.json(latestErrors(db)));
  return app;
}

type KpiRange = (q: Query, now: number) => { since: number; until: number };

/** The KPI handler; the canonical URL and its alias differ only in how they read the range. */
function kpisHandler(db: Db, rangeOf: KpiRange) {
  return (c: Context) => c.json(kpis(db, rangeOf(queryOf(c), Date.now())));
}

/** GET /api/kpis?since=&until= (default: the last 24 h) */
export function kpisApi(deps: RouteDeps): Hono {
  return new Hono().get("/", kpisHandler(deps.db, (q) => recentRange(q)));
}

/** GET /api/timeseries?metric=&bucket=&by=&since=&until= (default: the last 24 h, hourly) */
export function timeseriesApi(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) => {
    const q = queryOf(c);
    const metric = choice<Metric>(q, "metric", metrics, "events")!;
    const bucket = choice<Bucket>(q, "bucket", Object.keys(buckets) as Bucket[], "hour")!;
    const by = choice<SeriesBy>(q, "by", seriesBys, null);
    return c.json(timeseries(deps.db, { metric, bucket, by, ...recentRange(q) }));
  });
}

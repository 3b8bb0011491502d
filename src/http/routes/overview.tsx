// The overview: the page at / and its JSON twin /api/overview (with one URL per panel under
// it, which the islands poll), plus the KPIs and chart series it is built from: /api/kpis
// (canonical; /api/overview/kpis is its alias with today as the default range) and
// /api/timeseries. Page and twin call the same data function, overviewData; ?range= (today,
// 24h, 7d, 30d, all; default today) sets the span of every panel but the board and the feed.

import { Hono } from "hono";
import type { Context } from "hono";
import type { Query, RouteDeps } from "../deps.ts";
import { choice, queryOf, recentRange } from "../params.ts";
import { htmlPage } from "../html.tsx";
import { intParam } from "../../core/params.ts";
import { BadRequest } from "../../core/errors.ts";
import { eventsPage, firstEventTs, maxEventId } from "../../store/read/events.ts";
import { lastEventTs } from "../../store/read/last_activity.ts";
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
import { codeMetricsByDay } from "../../store/read/otlp.ts";
import { toolStats } from "../../store/read/tool_stats.ts";
import type { Db } from "../../store/db.ts";
import { usageCardData } from "../../domain/usage/active.ts";
import { Overview, type OverviewInsights } from "../../web/pages/overview.tsx";
import type { ActivityData, ActivityRange, OverviewRange } from "../../core/view_data.ts";
import { maxSeriesBuckets } from "../../core/config.ts";
import {
  localMidnight,
  overviewChoices,
  overviewRanges,
  overviewSince,
  rangeHint,
} from "../../web/components/ranges.ts";

/** Sessions on the overview's board and events in its live feed. */
const boardRows = 100;
const feedRows = 50;
/** Rows of the overview's top-tools table and latest-errors list. */
const topToolsRows = 8;
const latestErrorsRows = 8;
/** Days of code metrics (telemetry) in /api/overview. */
const codeDays = 14;
const hourMs = 3600_000;
const dayMs = 24 * hourMs;
/** The activity chart's bucket: minutes up to this span, hours up to the next, then days. */
const minuteBucketsUpToMs = 3 * hourMs;
const hourBucketsUpToMs = 8 * dayMs;

/** ?range= (default today): the span of the KPI cards, activity chart, top tools and errors. */
const rangeParam = (q: Query): OverviewRange =>
  choice<OverviewRange>(q, "range", overviewRanges, "today")!;

/** ?activity= zooms the chart to the last hour (1h) or another range; default: the range. */
function activityParam(q: Query, range: OverviewRange): ActivityRange {
  const v = q("activity");
  if (v === undefined || v === "") return range;
  if (v === "1h" || (overviewRanges as readonly string[]).includes(v)) return v as ActivityRange;
  throw new BadRequest(`activity must be one of 1h, ${overviewRanges.join(", ")}; got "${v}"`);
}

function activityData(db: Db, range: ActivityRange, now: number): ActivityData {
  let since = range === "1h"
    ? now - hourMs
    : overviewSince(range, now) ?? Math.min(firstEventTs(db) ?? now, now - hourMs);
  const span = now - since;
  const bucket = span <= minuteBucketsUpToMs
    ? "minute"
    : span <= hourBucketsUpToMs
    ? "hour"
    : "day";
  const bucketMs = buckets[bucket];
  // "all" over years of history: the newest buckets the series can hold.
  since = Math.max(since, now - (maxSeriesBuckets - 2) * bucketMs);
  const result = timeseries(db, { metric: "events", bucket, since, until: now, by: "type" });
  return { range, since, until: now, bucket_ms: bucketMs, result };
}

const topTools = (db: Db, since: number | undefined) =>
  toolStats(db, { since }).slice(0, topToolsRows);
const latestErrors = (db: Db, since: number | undefined) =>
  errorsPage(db, { since, limit: latestErrorsRows }).errors;

function overviewInsights(db: Db, q: Query, now: number): OverviewInsights {
  const range = rangeParam(q);
  const since = overviewSince(range, now);
  return {
    range,
    since,
    kpis: kpis(db, { since: since ?? 0, until: now + 1 }),
    activity: activityData(db, activityParam(q, range), now),
    topTools: topTools(db, since),
    errors: latestErrors(db, since),
    usage: usageCardData(db, now),
    hint: rangeHint(lastEventTs(db), since, now, overviewChoices(now), (r) => `/?range=${r}`),
  };
}

/** What the overview shows, for the page and its twin alike. */
function overviewData(db: Db, c: Context) {
  const now = Date.now();
  // Read before the lists: an event stored meanwhile is then replayed live, never lost.
  const maxId = maxEventId(db);
  const page = sessionsPage(db, { limit: boardRows, offset: 0 });
  return {
    now,
    maxId,
    sessions: page.sessions,
    totalSessions: page.total,
    events: eventsPage(db, {}, feedRows).events,
    insights: overviewInsights(db, queryOf(c), now),
    // Lines added/removed, commits and pull requests per UTC day, from Claude Code's telemetry.
    codeByDay: codeMetricsByDay(db, now - codeDays * dayMs, now + 1),
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
      children: Overview({
        ...d,
        claudeDir: deps.claudeDir,
        backfill: deps.backfillProgress?.() ?? null,
      }),
    });
  });
}

/** GET /api/overview and its panels: /kpis, /activity, /tools, /errors. */
export function overviewApi(deps: RouteDeps): Hono {
  const { db } = deps;
  const app = new Hono();
  app.get("/", (c) => {
    const d = overviewData(db, c);
    const iso = (ms: number | undefined) => ms === undefined ? null : new Date(ms).toISOString();
    return c.json({
      range: d.insights.range,
      since: iso(d.insights.since),
      sessions: d.sessions,
      total_sessions: d.totalSessions,
      events: d.events,
      kpis: d.insights.kpis,
      today_since: iso(localMidnight(d.now)),
      activity: d.insights.activity,
      top_tools: d.insights.topTools,
      errors: d.insights.errors,
      usage: d.insights.usage,
      hint: d.insights.hint,
      code_by_day: d.codeByDay,
    });
  });
  // Alias of /api/kpis kept for one release: ?range= as on the page, else ?since= (default
  // today, from local midnight).
  app.get(
    "/kpis",
    kpisHandler(db, (q, now) => ({
      since: q("range")
        ? overviewSince(rangeParam(q), now) ?? 0
        : intParam(q, "since", localMidnight(now), 0, now),
      until: now + 1,
    })),
  );
  app.get("/activity", (c) => {
    const q = queryOf(c);
    return c.json(activityData(db, activityParam(q, rangeParam(q)), Date.now()));
  });
  const sinceOf = (c: Context) => overviewSince(rangeParam(queryOf(c)), Date.now());
  app.get("/tools", (c) => c.json(topTools(db, sinceOf(c))));
  app.get("/errors", (c) => c.json(latestErrors(db, sinceOf(c))));
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

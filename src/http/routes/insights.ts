// JSON API of the insights: usage and cost, tool statistics, errors, search, chart series and
// KPIs. Mounted by createApp; each handler validates its query string (bad input → 400 with a
// readable message) and calls one typed query of src/store/insights.ts.
//
//   GET /api/usage?group=day|hour|model|project|session&since=&until=
//       → {group, rows: [{key, input_tokens, output_tokens, cache_creation_tokens,
//          cache_read_tokens, messages, cost_usd, priced_cost_usd, unpriced_messages}]}
//   GET /api/tools?since=&until=
//       → {tools: [{tool_name, calls, failures, failure_rate, p50_ms, p95_ms, last_ts, running, timed}]}
//   GET /api/errors?since=&until=&limit=&cursor=
//       → {errors: [{kind, ts, session_id, tool_name, message, event_id, path, detail}], next_cursor}
//   GET /api/search?q=&session=&type=&tool=&project=&since=&until=&limit=&cursor=
//       → {results: [{id, ts, source, session_id, type, tool_name, summary, snippet, rank}], next_cursor}
//       `snippet` is plain text; each highlighted part is wrapped in U+0002 … U+0003. Split on
//       those characters and render every part as text (never as HTML).
//   GET /api/timeseries?metric=events|tool_calls|errors|tokens|cost&bucket=minute|hour|day
//       &since=&until=&by=type|tool|model|project
//       → {metric, bucket, by, since, until, series: [{key, points: [[bucket start ISO, value]]}]}
//       (default: the last 24 h in hours; at most maxSeriesBuckets buckets)
//   GET /api/kpis?since=&until=   (default: the last 24 h)
//       → {events, tool_calls, errors, tokens, cost_usd, priced_cost_usd, unpriced_messages,
//          messages, sessions}
// Times: ISO-8601 or epoch ms; ranges are [since, until); day and hour keys are UTC.

import { Hono } from "hono";
import type { AppDeps } from "../app.ts";
import { eventFilters, limitParam, timeParam } from "../../core/params.ts";
import { BadRequest } from "../../core/errors.ts";
import {
  type Bucket,
  buckets,
  errorsPage,
  kpis,
  type Metric,
  metrics,
  searchEvents,
  type SeriesBy,
  seriesBys,
  timeseries,
  toolStats,
  usageBy,
  type UsageGroup,
  usageGroups,
} from "../../store/insights.ts";

type Query = (name: string) => string | undefined;

const dayMs = 86_400_000;

/** One of `allowed`, or `fallback` when absent; anything else is a 400. */
function choice<T extends string>(
  q: Query,
  name: string,
  allowed: readonly T[],
  fallback: T | null,
): T | null {
  const v = q(name);
  if (v === undefined || v === "") return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new BadRequest(`${name} must be one of ${allowed.join(", ")}; got "${v}"`);
  }
  return v as T;
}

function range(q: Query): { since?: number; until?: number } {
  const since = timeParam(q, "since");
  const until = timeParam(q, "until");
  if (since !== undefined && until !== undefined && until <= since) {
    throw new BadRequest("until must be after since");
  }
  return { since, until };
}

/** since/until defaulting to the 24 hours before until (until defaults to now). */
function recentRange(q: Query): { since: number; until: number } {
  const r = range(q);
  const until = r.until ?? Date.now();
  const since = r.since ?? until - dayMs;
  if (until <= since) throw new BadRequest("until must be after since");
  return { since, until };
}

export function insightsRoutes(deps: AppDeps): Hono {
  const { db } = deps;
  const app = new Hono();

  app.get("/api/usage", (c) => {
    const q: Query = (n) => c.req.query(n);
    const group = choice<UsageGroup>(q, "group", usageGroups, "day")!;
    return c.json({ group, rows: usageBy(db, group, range(q)) });
  });

  app.get("/api/tools", (c) => {
    const q: Query = (n) => c.req.query(n);
    return c.json({ tools: toolStats(db, range(q)) });
  });

  app.get("/api/errors", (c) => {
    const q: Query = (n) => c.req.query(n);
    return c.json(errorsPage(db, { ...range(q), limit: limitParam(q), cursor: q("cursor") }));
  });

  app.get("/api/search", (c) => {
    const q: Query = (n) => c.req.query(n);
    const filters = { ...eventFilters(q), project: q("project") || undefined };
    return c.json(searchEvents(db, q("q") ?? "", filters, limitParam(q), q("cursor")));
  });

  app.get("/api/timeseries", (c) => {
    const q: Query = (n) => c.req.query(n);
    const metric = choice<Metric>(q, "metric", metrics, "events")!;
    const bucket = choice<Bucket>(q, "bucket", Object.keys(buckets) as Bucket[], "hour")!;
    const by = choice<SeriesBy>(q, "by", seriesBys, null);
    return c.json(timeseries(db, { metric, bucket, by, ...recentRange(q) }));
  });

  app.get("/api/kpis", (c) => {
    const q: Query = (n) => c.req.query(n);
    return c.json(kpis(db, recentRange(q)));
  });

  return app;
}

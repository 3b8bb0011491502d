// 5-hour usage windows: the JSON API and the /usage page with its JSON twin. Mounted by
// createApp; handlers validate the query string (bad input → 400) and call src/usage/.
//
//   GET /api/blocks?since=&until=     (default: all history)
//       → {blocks: [{start, end, last_ts, active, messages, input_tokens, output_tokens,
//          cache_creation_tokens, cache_read_tokens, cost_usd, models}], active, week}
//       blocks: every window overlapping [since, until), whole, oldest first; active: the
//       window in progress now (null when none) with burn rate, projection and limits; week:
//       token and cost totals of the last 7 days (rolling).
//   GET /usage?range=|since=&until=    the page (default: the last 30 days)
//   GET /api/usage/windows?…           its twin: {range, since, until, blocks, active, limits,
//                                      week, days, weeks}
// Times: ISO-8601 or epoch ms; days and weeks are UTC.

import { Hono } from "hono";
import type { Context } from "hono";
import type { AppDeps } from "../app.ts";
import { timeParam } from "../../core/params.ts";
import { BadRequest } from "../../core/errors.ts";
import { timeRange } from "../../web/page_params.ts";
import {
  blocksInRange,
  usageByDay,
  usageByWeek,
  weekTotals,
} from "../../domain/usage/windows_query.ts";
import { currentActiveBlock, currentLimits, usageCardData } from "../../domain/usage/active.ts";
import { renderPage } from "../../web/components/layout.tsx";
import { UsagePage, type UsagePageData } from "../../web/pages/usage.tsx";

export function usageRoutes(deps: AppDeps): Hono {
  const { db } = deps;
  const app = new Hono();

  app.get("/api/blocks", (c) => {
    const q = (n: string) => c.req.query(n);
    const since = timeParam(q, "since");
    const until = timeParam(q, "until");
    if (since !== undefined && until !== undefined && until <= since) {
      throw new BadRequest("until must be after since");
    }
    const now = Date.now();
    return c.json({
      blocks: blocksInRange(db, { since, until }, now),
      active: currentActiveBlock(db, now),
      week: weekTotals(db, now),
    });
  });

  const pageData = (c: Context): UsagePageData & { since?: number; until?: number } => {
    const now = Date.now();
    const t = timeRange((n) => c.req.query(n), now, "30d");
    const range = { since: t.since, until: t.until };
    return {
      range: t.range,
      since: t.since,
      until: t.until,
      card: usageCardData(db, now),
      limits: currentLimits(db, now),
      week: weekTotals(db, now),
      blocks: blocksInRange(db, range, now),
      days: usageByDay(db, range),
      weeks: usageByWeek(db, range),
    };
  };

  app.get("/usage", (c) => {
    const d = pageData(c);
    return c.html(renderPage({
      title: "Usage",
      path: "/usage",
      json: "/api/usage/windows" + new URL(c.req.url).search,
      children: UsagePage(d),
    }));
  });

  app.get("/api/usage/windows", (c) => {
    const d = pageData(c);
    const iso = (ms?: number) => ms === undefined ? null : new Date(ms).toISOString();
    return c.json({
      range: d.range,
      since: iso(d.since),
      until: iso(d.until),
      blocks: d.blocks,
      active: d.card.active,
      limits: d.limits,
      week: d.week,
      days: d.days,
      weeks: d.weeks,
    });
  });

  return app;
}

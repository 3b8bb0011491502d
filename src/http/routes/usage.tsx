// Usage and cost: the /usage page and its twin /api/usage/windows (5-hour windows, days and
// weeks), /api/usage (totals grouped by day, hour, model, project or session) and /api/blocks
// (the 5-hour windows alone). Handlers validate the query string (bad input → 400).
//
//   GET /api/usage?group=day|hour|model|project|session&since=&until=
//       → {group, rows: [{key, input_tokens, output_tokens, cache_creation_tokens,
//          cache_read_tokens, messages, cost_usd, priced_cost_usd, unpriced_messages}]}
//   GET /api/blocks?since=&until=     (default: all history)
//       → {blocks: [{start, end, last_ts, active, messages, input_tokens, output_tokens,
//          cache_creation_tokens, cache_read_tokens, cost_usd, models}], active, week}
//       blocks: every window overlapping [since, until), whole, oldest first; active: the
//       window in progress now (null when none) with burn rate, projection (as of its last
//       message) and limits (each with its source in words, and limit_state: which is over); week:
//       token and cost totals of the last 7 days (rolling); official: Claude's own figures.
//   GET /usage?range=|since=&until=    the page (default: the last 30 days)
//   GET /api/usage/windows?…           its twin: {range, since, until, hint, blocks, active,
//                                      limits, week, days, weeks, official, claude_weeks};
//                                      official: Claude's own 5-hour and weekly figures
//                                      ({five_hour, seven_day}, each null without a statusline
//                                      sample: API-key users); claude_weeks: 7-day windows
//                                      aligned to Claude's weekly reset, per model; hint: when the range holds
//                                      no usage but older usage exists, {last_ts, text, range,
//                                      label, href} naming the narrowest range that holds it
// Times: ISO-8601 or epoch ms; days and weeks are UTC.

import { Hono } from "hono";
import type { Context } from "hono";
import type { RouteDeps } from "../deps.ts";
import { choice, queryOf, range } from "../params.ts";
import { htmlPage } from "../html.tsx";
import type { Db } from "../../store/db.ts";
import { usageBy, type UsageGroup, usageGroups } from "../../store/read/usage.ts";
import { type RangePreset, rangePresets, timeRange } from "../../web/page_params.ts";
import { rangeLabels } from "../../web/components/controls.tsx";
import { type RangeChoice, rangeHint } from "../../web/components/ranges.ts";
import { lastMessageTs } from "../../store/read/last_activity.ts";
import {
  blocksInRange,
  usageByDay,
  usageByWeek,
  weekTotals,
} from "../../domain/usage/windows_query.ts";
import { currentActiveBlock, currentLimits, usageCardData } from "../../domain/usage/active.ts";
import { UsagePage, type UsagePageData } from "../../web/pages/usage.tsx";
import { claudeWeeks, officialLimits } from "../../domain/usage/official.ts";

/** The wider ranges /usage can offer when its range is empty, narrowest first. */
function usageChoices(now: number): RangeChoice[] {
  return [
    ...Object.entries(rangePresets).map(([r, ms]) => ({
      range: r,
      since: now - ms,
      label: `Show the ${rangeLabels[r as RangePreset]}`,
    })),
    { range: "all", since: undefined, label: "Show all" },
  ];
}

/** What the /usage page shows for the query string (default range: the last 30 days). */
function usageView(db: Db, c: Context): UsagePageData {
  const now = Date.now();
  const t = timeRange(queryOf(c), now, "30d");
  const range = { since: t.since, until: t.until };
  const days = usageByDay(db, range);
  return {
    range: t.range,
    since: t.since,
    until: t.until ?? now,
    hint: days.length
      ? null
      : rangeHint(lastMessageTs(db), t.since, now, usageChoices(now), (r) => `/usage?range=${r}`),
    card: usageCardData(db, now),
    limits: currentLimits(db, now),
    week: weekTotals(db, now),
    blocks: blocksInRange(db, range, now),
    days,
    weeks: usageByWeek(db, range),
    claudeWeeks: claudeWeeks(db, { since: t.since, until: t.until ?? now }),
  };
}

/** GET /usage */
export function usagePage(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) =>
    htmlPage(c, deps, {
      title: "Usage",
      path: "/usage",
      json: "/api/usage/windows" + new URL(c.req.url).search,
      children: UsagePage(usageView(deps.db, c)),
    }));
}

/** GET /api/usage and /api/usage/windows */
export function usageApi(deps: RouteDeps): Hono {
  const { db } = deps;
  const app = new Hono();
  app.get("/", (c) => {
    const q = queryOf(c);
    const group = choice<UsageGroup>(q, "group", usageGroups, "day")!;
    return c.json({ group, rows: usageBy(db, group, range(q)) });
  });
  app.get("/windows", (c) => {
    const d = usageView(db, c);
    const iso = (ms?: number) => ms === undefined ? null : new Date(ms).toISOString();
    return c.json({
      range: d.range,
      since: iso(d.since),
      until: iso(d.until),
      hint: d.hint,
      blocks: d.blocks,
      active: d.card.active,
      limits: d.limits,
      week: d.week,
      days: d.days,
      weeks: d.weeks,
      official: d.card.official,
      claude_weeks: d.claudeWeeks,
    });
  });
  return app;
}

/** GET /api/blocks */
export function blocksApi(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) => {
    const r = range(queryOf(c));
    const now = Date.now();
    return c.json({
      blocks: blocksInRange(deps.db, r, now),
      active: currentActiveBlock(deps.db, now),
      week: weekTotals(deps.db, now),
      official: officialLimits(deps.db, now),
    });
  });
}

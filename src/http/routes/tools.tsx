// Tools: the /tools page and its JSON twin /api/tools (statistics per tool with a trend line,
// and the recent calls of the tool picked with ?tool=). Both call toolsView. /api/tool-stats is
// the same handler under its old name, kept for one release.

import { Hono } from "hono";
import type { Context } from "hono";
import type { RouteDeps } from "../deps.ts";
import { queryOf } from "../params.ts";
import { htmlPage } from "../html.tsx";
import type { Db } from "../../store/db.ts";
import { toolCallsOf, toolTrends } from "../../store/read/tool_calls.ts";
import { firstEventTs, maxEventId } from "../../store/read/events.ts";
import { toolStats } from "../../store/read/tool_stats.ts";
import { timeRange } from "../../web/page_params.ts";
import { EmptyState } from "../../web/components/empty_state.tsx";
import { ToolsPage } from "../../web/pages/tools.tsx";
import type { ToolRow } from "../../core/view_data.ts";

/** Points of each tool's trend line, and calls listed for the tool picked on /tools. */
const trendPoints = 40;
const toolCallRows = 100;

/** What the /tools page shows for the query string (range=, since=, until=, tool=). */
function toolsView(db: Db, c: Context) {
  const q = queryOf(c);
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
}

/** GET /tools */
export function toolsPage(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) => {
    if (maxEventId(deps.db) === 0) {
      return htmlPage(c, deps, {
        title: "Tools",
        path: "/tools",
        children: EmptyState({ claudeDir: deps.claudeDir }),
      });
    }
    const v = toolsView(deps.db, c);
    const query = new URL(c.req.url).search;
    return htmlPage(c, deps, {
      title: "Tools",
      path: "/tools",
      json: "/api/tools" + query,
      children: ToolsPage({
        range: v.time.range,
        query,
        data: { tools: v.tools },
        selected: v.tool,
        calls: v.calls,
        callsCap: toolCallRows,
      }),
    });
  });
}

/** GET /api/tools (and its old name /api/tool-stats): the /tools page's twin. */
export function toolsApi(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) => {
    const v = toolsView(deps.db, c);
    return c.json({
      since: new Date(v.since).toISOString(),
      until: new Date(v.until).toISOString(),
      tools: v.tools,
      ...(v.tool ? { tool: v.tool, calls: v.calls } : {}),
    });
  });
}

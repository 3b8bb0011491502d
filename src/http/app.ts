// The Hono application: guards, then one sub-app per resource mounted under its prefix (a
// page and its JSON twin live in the same module, see routes/), the live streams and the
// embedded static assets. This file is the map of every URL; the handlers live in routes/.

import { Hono } from "hono";
import type { AppDeps, RouteDeps } from "./deps.ts";
import { BadRequest } from "../core/errors.ts";
import { log } from "../core/log.ts";
import { badRequestPage, wantsErrorPage } from "./html.tsx";
import { guards } from "./middleware/guards.ts";
import { csrfGuard, newCsrfToken } from "./middleware/csrf.ts";
import { rateLimit, RateLimiter } from "./middleware/rate_limit.ts";
import { kpisApi, overviewApi, overviewPage, timeseriesApi } from "./routes/overview.tsx";
import { sessionsApi, sessionsPages } from "./routes/sessions.tsx";
import { eventsApi, eventsPage, searchApi } from "./routes/events.tsx";
import { exportApi } from "./routes/export.ts";
import { errorsApi } from "./routes/errors.ts";
import { toolsApi, toolsPage } from "./routes/tools.tsx";
import { blocksApi, usageApi, usagePage } from "./routes/usage.tsx";
import { alertsApi, alertsPage } from "./routes/alerts.ts";
import { actionsApi, settingsApi, settingsPage } from "./routes/settings.tsx";
import { healthRoutes } from "./routes/health.tsx";
import { metricsRoutes } from "./routes/metrics.ts";
import { liveApi } from "./routes/live.ts";
import { staticAssets } from "./routes/static.ts";
import { ingestHooks } from "./routes/ingest_hooks.ts";
import { otlpIn } from "./routes/otlp_in.ts";
import { authorizedMachineRequest, bearerMatches, isMachineRequest } from "./machine.ts";

export type { AppDeps } from "./deps.ts";

/** The dashboard's HTTP app; each app makes its own CSRF token, which its pages embed. */
export function createApp(appDeps: AppDeps): Hono {
  const deps: RouteDeps = {
    ...appDeps,
    backfillProgress: appDeps.backfillProgress ?? (() => appDeps.ingester?.progress() ?? null),
    csrfToken: newCsrfToken(),
  };
  const app = new Hono();
  // Order matters: host and origin checks, then the request budget, then the machine
  // endpoints' secret, then the write guard (which only a machine request with the secret skips).
  app.use("*", guards());
  app.use("*", rateLimit(new RateLimiter({ perMin: deps.rateLimitPerMin })));
  app.use("*", async (c, next) => {
    if (isMachineRequest(c) && !bearerMatches(c, deps.ingestSecret)) {
      return c.json(
        {
          error:
            "refused: send Authorization: Bearer <the secret in ~/.claude/claude-dash/ingest-secret>",
        },
        401,
        { "WWW-Authenticate": "Bearer" },
      );
    }
    await next();
  });
  app.use(
    "*",
    csrfGuard(deps.csrfToken, {
      exempt: (c) => authorizedMachineRequest(c, deps.ingestSecret),
    }),
  );
  app.use("*", async (c, next) => {
    // Nothing is stored into the empty stand-in served while the database file cannot be
    // opened (hooks, telemetry, settings, acknowledgements): it would be dropped when the file
    // opens. Senders retry a 503.
    const writes = c.req.method !== "GET" && c.req.method !== "HEAD";
    if (writes && deps.dbHealth?.snapshot().open === false) {
      return c.json({ error: "claude-dash's database cannot be written now; see /health" }, 503, {
        "Retry-After": "30",
      });
    }
    await next();
  });

  app.onError((err, c) => {
    if (err instanceof BadRequest) {
      // A page asked for by a browser gets a page back; /api and machines get the JSON.
      return wantsErrorPage(c)
        ? badRequestPage(c, deps, err.message)
        : c.json({ error: err.message }, 400);
    }
    // A corrupt database found by a query is repaired (src/commands/db_supervisor.ts).
    deps.dbHealth?.queryFailed(err);
    log.error(`${c.req.method} ${c.req.path}: ${err instanceof Error ? err.stack : err}`);
    return c.json({ error: "internal error; see the claude-dash log" }, 500);
  });
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));

  app.route("/metrics", metricsRoutes(deps));
  app.route("/hooks", ingestHooks(deps));
  app.route("/v1", otlpIn(deps));
  app.route("/", overviewPage(deps));
  app.route("/api/overview", overviewApi(deps));
  app.route("/api/kpis", kpisApi(deps));
  app.route("/api/timeseries", timeseriesApi(deps));
  app.route("/sessions", sessionsPages(deps));
  app.route("/api/sessions", sessionsApi(deps));
  app.route("/events", eventsPage(deps));
  app.route("/api/events", eventsApi(deps));
  app.route("/api/search", searchApi(deps));
  app.route("/api/export", exportApi(deps));
  app.route("/api/errors", errorsApi(deps));
  app.route("/tools", toolsPage(deps));
  app.route("/api/tools", toolsApi(deps));
  app.route("/api/tool-stats", toolsApi(deps)); // the old name of /api/tools, kept for one release
  app.route("/usage", usagePage(deps));
  app.route("/api/usage", usageApi(deps));
  app.route("/api/blocks", blocksApi(deps));
  app.route("/alerts", alertsPage(deps));
  app.route("/api/alerts", alertsApi(deps));
  app.route("/settings", settingsPage(deps));
  app.route("/api/settings", settingsApi(deps));
  app.route("/api/actions", actionsApi(deps));
  const health = healthRoutes(deps);
  app.route("/health", health.page);
  app.route("/api/health", health.api);
  app.route("/api", liveApi(deps));
  app.route("/static", staticAssets());
  return app;
}

// Alerts: the history page /alerts and its JSON twin /api/alerts (both call alertsData), and
// the user's changes to an alert. POSTs pass the CSRF guard (Origin + token) before they get
// here. A changed alert is also published on the live bus, so every open page (not only the one
// that clicked) updates at once.
//
//   GET  /alerts?state=&rule=&range=|since=&until=&limit=&offset=   the page
//   GET  /api/alerts?…the same      → {alerts: [{id, rule, session_id, project, first_ts, last_ts,
//        count, message, state, snoozed_until}], total, offset, limit}   (most recently seen
//        first; a range keeps the alerts it overlaps: last seen at or after since, first seen
//        before until)
//   POST /api/alerts/:id/ack                   → {alert}
//   POST /api/alerts/:id/snooze {minutes}      → {alert}   (hidden from the banner until then)

import { Hono } from "hono";
import type { Context } from "hono";
import type { Query, RouteDeps } from "../deps.ts";
import { choice, queryOf } from "../params.ts";
import { htmlPage } from "../html.tsx";
import { intParam, limitParam } from "../../core/params.ts";
import { BadRequest } from "../../core/errors.ts";
import { alertRules } from "../../core/alert_catalog.ts";
import type { Db } from "../../store/db.ts";
import { ackAlert, snoozeAlert } from "../../store/write/alerts.ts";
import { alertById, countAlerts, listAlerts } from "../../store/read/alerts.ts";
import type { AlertRow, AlertState } from "../../core/types.ts";
import type { AlertsData } from "../../core/view_data.ts";
import { timeRange } from "../../web/page_params.ts";
import { AlertsPage, type AlertsView } from "../../web/pages/alerts.tsx";

const states: readonly AlertState[] = ["active", "acknowledged", "cleared"];

/** Longest snooze: one week, in minutes. */
const maxSnoozeMinutes = 7 * 24 * 60;

function idParam(c: Context): number {
  const v = c.req.param("id") ?? "";
  if (!/^\d{1,15}$/.test(v)) throw new BadRequest(`alert id must be a whole number, got "${v}"`);
  return Number(v);
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new BadRequest("the request body must be JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new BadRequest("the request body must be a JSON object");
  }
  return v as Record<string, unknown>;
}

/** The query string of /alerts and /api/alerts, checked (a bad value is a 400). */
function alertsView(q: Query, now: number): AlertsView {
  const time = timeRange(q, now);
  if (time.since !== undefined && time.until !== undefined && time.until <= time.since) {
    throw new BadRequest("until must be after since");
  }
  return {
    state: choice(q, "state", states, null) ?? undefined,
    rule: choice(q, "rule", alertRules.map((r) => r.id), null) ?? undefined,
    time,
    limit: limitParam(q),
    offset: intParam(q, "offset", 0, 0, 1_000_000_000),
  };
}

/** One page of the alert history: what the page shows and its twin returns. */
function alertsData(db: Db, v: AlertsView): AlertsData {
  const filter = { state: v.state, rule: v.rule, since: v.time.since, until: v.time.until };
  return {
    alerts: listAlerts(db, { ...filter, limit: v.limit, offset: v.offset }),
    total: countAlerts(db, filter),
    offset: v.offset,
    limit: v.limit,
  };
}

/** GET /alerts */
export function alertsPage(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) => {
    const view = alertsView(queryOf(c), Date.now());
    const query = new URL(c.req.url).search;
    return htmlPage(c, deps, {
      title: "Alerts",
      path: "/alerts",
      json: "/api/alerts" + query,
      children: AlertsPage({ view, query, data: alertsData(deps.db, view) }),
    });
  });
}

/** GET /api/alerts, POST /api/alerts/:id/ack and /api/alerts/:id/snooze */
export function alertsApi(deps: RouteDeps): Hono {
  const { db, bus } = deps;
  const app = new Hono();

  const changed = (c: Context, alert: AlertRow) => {
    bus.publish([{ type: "alert", alert }]);
    return c.json({ alert });
  };

  app.get("/", (c) => c.json(alertsData(db, alertsView(queryOf(c), Date.now()))));

  app.post("/:id/ack", (c) => {
    const id = idParam(c);
    if (!alertById(db, id)) return c.json({ error: `no alert ${id}` }, 404);
    return changed(c, ackAlert(db, id)!);
  });

  app.post("/:id/snooze", async (c) => {
    const id = idParam(c);
    const body = await jsonBody(c);
    const minutes = body.minutes;
    if (
      typeof minutes !== "number" || !Number.isFinite(minutes) || minutes < 1 ||
      minutes > maxSnoozeMinutes
    ) {
      throw new BadRequest(`minutes must be a number from 1 to ${maxSnoozeMinutes}`);
    }
    if (!alertById(db, id)) return c.json({ error: `no alert ${id}` }, 404);
    return changed(c, snoozeAlert(db, id, minutes)!);
  });

  return app;
}

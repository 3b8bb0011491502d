// JSON API of the alerts, mounted by createApp at /api/alerts; POSTs pass the CSRF guard
// (Origin + token) before they get here. A changed alert is also published on the live bus,
// so every open page (not only the one that clicked) updates at once.
//
//   GET  /api/alerts?state=active|acknowledged|cleared&limit=
//        → {alerts: [{id, rule, session_id, project, first_ts, last_ts, count, message, state,
//           snoozed_until}]}   (most recently seen first)
//   POST /api/alerts/:id/ack                   → {alert}
//   POST /api/alerts/:id/snooze {minutes}      → {alert}   (hidden from the banner until then)

import { Hono } from "hono";
import type { Context } from "hono";
import type { RouteDeps } from "../deps.ts";
import { limitParam } from "../../core/params.ts";
import { BadRequest } from "../../core/errors.ts";
import { ackAlert, snoozeAlert } from "../../store/write/alerts.ts";
import { alertById, listAlerts } from "../../store/read/alerts.ts";
import type { AlertRow, AlertState } from "../../core/types.ts";

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

/** GET /api/alerts, POST /api/alerts/:id/ack and /api/alerts/:id/snooze */
export function alertsApi(deps: RouteDeps): Hono {
  const { db, bus } = deps;
  const app = new Hono();

  const changed = (c: Context, alert: AlertRow) => {
    bus.publish([{ type: "alert", alert }]);
    return c.json({ alert });
  };

  app.get("/", (c) => {
    const q = (n: string) => c.req.query(n);
    const state = q("state");
    if (state !== undefined && state !== "" && !states.includes(state as AlertState)) {
      throw new BadRequest(`state must be one of ${states.join(", ")}; got "${state}"`);
    }
    const alerts = listAlerts(db, {
      state: state ? state as AlertState : undefined,
      limit: limitParam(q),
    });
    return c.json({ alerts });
  });

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

// GET /api/export?format=csv|jsonl&…the events page's filters: every matching event, streamed
// as CSV or JSON Lines with a download filename (never buffered whole).

import { Hono } from "hono";
import type { RouteDeps } from "../deps.ts";
import { queryOf } from "../params.ts";
import { BadRequest } from "../../core/errors.ts";
import { maxPageRows } from "../../core/config.ts";
import { eventsView } from "../../web/page_params.ts";
import {
  exportEventsStream,
  exportFilename,
  type ExportFormat,
  exportFormats,
} from "../../domain/export.ts";

/** GET /api/export */
export function exportApi(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) => {
    const q = queryOf(c);
    const format = q("format") || "csv";
    if (!Object.hasOwn(exportFormats, format)) {
      throw new BadRequest(`format must be csv or jsonl; got "${format}"`);
    }
    const f = format as ExportFormat;
    const v = eventsView(q, Date.now(), maxPageRows);
    const health = deps.dbHealth?.snapshot();
    if (health && (!health.open || health.state === "corrupt" || health.state === "deleted")) {
      // The file is not (or no longer) what is open: an export now would be empty or partial.
      return c.json(
        { error: `the database cannot be exported now (${health.state})`, db: health },
        503,
      );
    }
    const stream = exportEventsStream(deps.db, {
      format: f,
      filters: v.filters,
      q: v.q,
      onDbError: (e) => deps.dbHealth?.queryFailed(e),
    });
    return c.body(stream, 200, {
      "Content-Type": exportFormats[f].type,
      "Content-Disposition": `attachment; filename="${exportFilename(f, Date.now())}"`,
      "Cache-Control": "no-store",
    });
  });
}

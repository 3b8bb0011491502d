// GET /api/errors?since=&until=&limit=&cursor= → {errors: [{kind, ts, session_id, tool_name,
// message, event_id, path, detail}], next_cursor}: failed tool calls, API errors in
// transcripts and ingest errors, newest first.

import { Hono } from "hono";
import type { RouteDeps } from "../deps.ts";
import { queryOf, range } from "../params.ts";
import { limitParam } from "../../core/params.ts";
import { errorsPage } from "../../store/read/errors.ts";

/** GET /api/errors */
export function errorsApi(deps: RouteDeps): Hono {
  return new Hono().get("/", (c) => {
    const q = queryOf(c);
    return c.json(errorsPage(deps.db, { ...range(q), limit: limitParam(q), cursor: q("cursor") }));
  });
}

// Query-string helpers shared by the route modules: enumerations, time ranges and cursors are
// checked here, at the edge, so a bad value is a 400 with a reason and never reaches a query.

import type { Context } from "hono";
import type { Query } from "./deps.ts";
import { timeParam } from "../core/params.ts";
import { BadRequest } from "../core/errors.ts";
import { parseCursor } from "../store/read/events.ts";

const dayMs = 86_400_000;

/** The request's query string as a Query. */
export function queryOf(c: Context): Query {
  return (n) => c.req.query(n);
}

/** One of `allowed`, or `fallback` when absent; anything else is a 400. */
export function choice<T extends string>(
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

/** since/until as given (ISO-8601 or epoch ms); until must be after since. */
export function range(q: Query): { since?: number; until?: number } {
  const since = timeParam(q, "since");
  const until = timeParam(q, "until");
  if (since !== undefined && until !== undefined && until <= since) {
    throw new BadRequest("until must be after since");
  }
  return { since, until };
}

/** since/until defaulting to the 24 hours before until (until defaults to now). */
export function recentRange(q: Query): { since: number; until: number } {
  const r = range(q);
  const until = r.until ?? Date.now();
  const since = r.since ?? until - dayMs;
  if (until <= since) throw new BadRequest("until must be after since");
  return { since, until };
}

/** A paging cursor this API returned earlier, or undefined when absent. */
export function cursorParam(
  v: string | undefined,
  name: string,
): { ts: number; id: number } | undefined {
  if (!v) return undefined;
  const c = parseCursor(v);
  if (!c) throw new BadRequest(`${name} "${v}" is not a cursor this API returned`);
  return c;
}

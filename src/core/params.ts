// Query-string validation at the edge: bad input becomes a 400 with a message a person can
// act on, never a 500.

import type { EventFilters, SessionStatus } from "./types.ts";
import { defaultPageRows, maxPageRows } from "./config.ts";

import { BadRequest } from "./errors.ts";

type Query = (name: string) => string | undefined;

export function intParam(
  q: Query,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = q(name);
  if (v === undefined || v === "") return fallback;
  if (!/^-?\d+$/.test(v)) throw new BadRequest(`${name} must be a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) {
    throw new BadRequest(`${name} must be between ${min} and ${max}, got ${n}`);
  }
  return n;
}

export function limitParam(q: Query): number {
  return intParam(q, "limit", defaultPageRows, 1, maxPageRows);
}

/** The earliest and latest instants a time parameter may name: years 0000 to 9999. */
export const minTimeMs = Date.parse("0000-01-01T00:00:00.000Z");
export const maxTimeMs = Date.parse("9999-12-31T23:59:59.999Z");

/** Accepts ISO-8601 or epoch milliseconds, between the years 0000 and 9999. */
export function timeParam(q: Query, name: string): number | undefined {
  const v = q(name);
  if (v === undefined || v === "") return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) {
    throw new BadRequest(`${name} must be an ISO-8601 time or epoch milliseconds, got "${v}"`);
  }
  // Date can hold ±8.64e15 ms, but routes turn these into ISO strings and step around them
  // (ranges, buckets): an edge value would throw deep inside a route and answer 500.
  if (ms < minTimeMs || ms > maxTimeMs) {
    throw new BadRequest(
      `${name} must be between 0000-01-01 and 9999-12-31T23:59:59.999Z, got "${v}"`,
    );
  }
  return ms;
}

export function eventFilters(q: Query): EventFilters {
  const f: EventFilters = {};
  const session = q("session");
  const type = q("type");
  const tool = q("tool");
  if (session) f.session = session;
  if (type) f.type = type;
  if (tool) f.tool = tool;
  const since = timeParam(q, "since");
  const until = timeParam(q, "until");
  if (since !== undefined) f.since = since;
  if (until !== undefined) f.until = until;
  return f;
}

const statuses = new Set(["running", "waiting", "idle", "ended"]);

export function statusParam(q: Query): SessionStatus | undefined {
  const v = q("status");
  if (v === undefined || v === "") return undefined;
  if (!statuses.has(v)) {
    throw new BadRequest(`status must be one of running, waiting, idle, ended; got "${v}"`);
  }
  return v as SessionStatus;
}

// Query-string state of the browser pages (filters, sort, paging, time range), parsed once at
// the edge so a page and its /api twin read the very same parameters. Bad values become a
// BadRequest (400 with a message), never a 500.

import type { SessionStatus } from "../core/types.ts";
import { intParam, statusParam, timeParam } from "../core/params.ts";
import { BadRequest } from "../core/errors.ts";
import { type ExplorerFilters, type SessionSort, sessionSortKeys } from "../core/view_data.ts";

type Query = (name: string) => string | undefined;

/** Named time ranges offered by the pages' range menus, in ms back from now. */
export const rangePresets = {
  "15m": 15 * 60_000,
  "1h": 3600_000,
  "6h": 6 * 3600_000,
  "24h": 24 * 3600_000,
  "7d": 7 * 24 * 3600_000,
  "30d": 30 * 24 * 3600_000,
} as const;
export type RangePreset = keyof typeof rangePresets;

export interface TimeRange {
  /** The preset named in the URL, or "custom" for explicit since/until, or "all". */
  range: RangePreset | "all" | "custom";
  since?: number;
  until?: number;
}

/** `range=1h` style presets, or explicit `since`/`until` (ISO or epoch ms), or everything. */
export function timeRange(q: Query, now: number, fallback: RangePreset | "all" = "all"): TimeRange {
  const since = timeParam(q, "since");
  const until = timeParam(q, "until");
  if (since !== undefined || until !== undefined) return { range: "custom", since, until };
  const r = q("range") || fallback;
  if (r === "all") return { range: "all" };
  if (!Object.hasOwn(rangePresets, r)) {
    throw new BadRequest(
      `range must be one of ${Object.keys(rangePresets).join(", ")}, all; got "${r}"`,
    );
  }
  const preset = r as RangePreset;
  return { range: preset, since: now - rangePresets[preset] };
}

export interface SessionsView {
  project?: string;
  model?: string;
  status?: SessionStatus;
  time: TimeRange;
  sort: SessionSort;
  dir: "asc" | "desc";
  limit: number;
  offset: number;
}

export const sessionsPageRows = 50;

export function sessionsView(q: Query, now: number, maxRows: number): SessionsView {
  const sort = q("sort") || "last";
  if (!(sessionSortKeys as readonly string[]).includes(sort)) {
    throw new BadRequest(`sort must be one of ${sessionSortKeys.join(", ")}; got "${sort}"`);
  }
  const dir = q("dir") || (sort === "project" ? "asc" : "desc");
  if (dir !== "asc" && dir !== "desc") {
    throw new BadRequest(`dir must be asc or desc; got "${dir}"`);
  }
  return {
    project: q("project") || undefined,
    model: q("model") || undefined,
    status: statusParam(q),
    time: timeRange(q, now),
    sort: sort as SessionSort,
    dir,
    limit: intParam(q, "limit", sessionsPageRows, 1, maxRows),
    offset: intParam(q, "offset", 0, 0, 1_000_000_000),
  };
}

export interface EventsView {
  filters: ExplorerFilters;
  q?: string;
  time: TimeRange;
  cursor?: string;
  limit: number;
}

export const eventsPageRows = 100;

export function eventsView(q: Query, now: number, maxRows: number): EventsView {
  const time = timeRange(q, now);
  const filters: ExplorerFilters = {};
  for (const k of ["session", "type", "tool", "project"] as const) {
    const v = q(k);
    if (v) filters[k] = v;
  }
  if (time.since !== undefined) filters.since = time.since;
  if (time.until !== undefined) filters.until = time.until;
  const text = q("q")?.trim();
  return {
    filters,
    q: text || undefined,
    time,
    cursor: q("cursor") || undefined,
    limit: intParam(q, "limit", eventsPageRows, 1, maxRows),
  };
}

// Time ranges of the insight reads (usage, tool stats, errors, series, KPIs). Times are epoch
// ms; day and hour keys/buckets are UTC; a range is [since, until). They stay fast at a million
// events because they read the rollups and indexes of migration 3 (rollup_* tables,
// tool_durations, events_fts, tool_calls_* and messages_ts_usage indexes), never a full scan:
// a range is answered from whole hours (or minutes) of a rollup plus the partial units at its
// edges from the detail rows, so it is exact to the millisecond.

export const minuteMs = 60_000;
export const hourMs = 3_600_000;
export const dayMs = 86_400_000;
/** The bounds an open side of a range stands for. */
export const lowest = Number.MIN_SAFE_INTEGER;
export const highest = Number.MAX_SAFE_INTEGER;

/** Key used for a missing model, project or tool. */
export const noneKey = "(none)";
/** Series key of the keys beyond maxSeriesKeys, summed. */
export const otherKey = "(other)";

export interface TimeRangeMs {
  since?: number;
  until?: number;
}

/** A value in SQL: what the insight reads bind. */
export type SqlValue = string | number | null;

export function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/**
 * Splits [since, until) into whole units, read from a rollup, and the partial units at either
 * edge, read from the detail rows. Either side may be open.
 */
export function splitRange(
  range: TimeRangeMs,
  unit: number,
): { full: [number, number] | null; edges: Array<[number, number]> } {
  const since = range.since ?? lowest;
  const until = range.until ?? highest;
  const fullFrom = range.since === undefined ? lowest : Math.ceil(since / unit) * unit;
  const fullTo = range.until === undefined ? highest : Math.floor(until / unit) * unit;
  if (fullFrom >= fullTo) {
    return { full: null, edges: since < until ? [[since, until]] : [] };
  }
  const edges: Array<[number, number]> = [];
  if (since < fullFrom) edges.push([since, fullFrom]);
  if (fullTo < until) edges.push([fullTo, until]);
  return { full: [fullFrom, fullTo], edges };
}

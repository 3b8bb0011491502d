// A session's timeline: its events in time order, each joined to its paired tool call (status,
// duration, error), read in windows around a (ts, id) cursor and tailed live by event id.

import type { TimelineRow } from "../../core/types.ts";
import type { TimelinePage } from "../../core/view_data.ts";
import type { Db } from "../db.ts";
import { allRows, type RowOf } from "../rows.ts";
import {
  cursorOf,
  detailColumns,
  detailShape,
  type EventCursor,
  maskNullable,
  type SqlParams,
  toDetail,
} from "./events.ts";
import { toolStatusOf } from "./tool_calls.ts";

const timelineSelect = `SELECT ${detailColumns},
  t.status AS t_status, t.start_ts AS t_start, t.end_ts AS t_end, t.error AS t_error
  FROM events e LEFT JOIN tool_calls t ON t.tool_use_id = e.tool_use_id AND e.tool_use_id IS NOT NULL`;
const timelineShape = {
  ...detailShape,
  t_status: "text?",
  t_start: "int?",
  t_end: "int?",
  t_error: "text?",
} as const;

function toTimeline(r: RowOf<typeof timelineShape>): TimelineRow {
  return {
    ...toDetail(r),
    tool_status: r.t_status === null ? null : toolStatusOf(r.t_status),
    tool_duration_ms: r.t_start !== null && r.t_end !== null ? r.t_end - r.t_start : null,
    tool_error: maskNullable(r.t_error),
  };
}

/**
 * A window of a session's timeline in time order: the latest `limit` rows by default,
 * the rows before a (ts, id) cursor, or the rows after one.
 */
export function sessionTimeline(
  db: Db,
  id: string,
  limit: number,
  at: { before?: EventCursor; after?: EventCursor } = {},
): TimelinePage {
  const params: SqlParams = { sid: id, limit: limit + 1 };
  if (at.after) {
    params.ts = at.after.ts;
    params.id = at.after.id;
    const stmt = db.prepare(
      `${timelineSelect} WHERE e.session_id = :sid AND (e.ts > :ts OR (e.ts = :ts AND e.id > :id))
       ORDER BY e.ts, e.id LIMIT :limit`,
    );
    const fetched = allRows(stmt, timelineShape, params);
    const more = fetched.length > limit;
    const rows = fetched.slice(0, limit);
    return {
      rows: rows.map(toTimeline),
      earlier: rows.length ? cursorOf(rows[0]) : null,
      later: more ? cursorOf(rows[rows.length - 1]) : null,
    };
  }
  params.ts = at.before?.ts ?? Number.MAX_SAFE_INTEGER;
  params.id = at.before?.id ?? Number.MAX_SAFE_INTEGER;
  const stmt = db.prepare(
    `${timelineSelect} WHERE e.session_id = :sid AND (e.ts < :ts OR (e.ts = :ts AND e.id < :id))
     ORDER BY e.ts DESC, e.id DESC LIMIT :limit`,
  );
  const fetched = allRows(stmt, timelineShape, params);
  const more = fetched.length > limit;
  const rows = fetched.slice(0, limit).reverse();
  return {
    rows: rows.map(toTimeline),
    earlier: more && rows.length ? cursorOf(rows[0]) : null,
    later: at.before && rows.length ? cursorOf(rows[rows.length - 1]) : null,
  };
}

/** Timeline rows of a session stored after event id `afterId`, for the live tail. */
export function sessionTimelineAfterId(
  db: Db,
  id: string,
  afterId: number,
  limit: number,
): TimelineRow[] {
  const stmt = db.prepare(
    `${timelineSelect} WHERE e.session_id = :sid AND e.id > :after ORDER BY e.ts, e.id LIMIT :limit`,
  );
  return allRows(stmt, timelineShape, { sid: id, after: afterId, limit }).map(toTimeline);
}

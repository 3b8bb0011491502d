// A session's timeline: one row per thing that happened (a tool call, a prompt, an event),
// merged from every hook and transcript line that describes it (core/timeline.ts). Read in
// windows of events around a (ts, id) cursor and tailed live by event id. A row belongs to the
// window holding its earliest line; its other lines are fetched with it even when they fall
// outside the window, so every line shows in exactly one row of one window.

import type { TimelineRow } from "../../core/types.ts";
import type { TimelinePage } from "../../core/view_data.ts";
import { type IdlessCall, type TimelineEvidence, timelineRows } from "../../core/timeline.ts";
import { timelinePairMs } from "../../core/config.ts";
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

const lineSelect = `SELECT ${detailColumns}, e.offset AS e_offset, f.path AS f_path,
  t.status AS t_status, t.start_ts AS t_start, t.end_ts AS t_end, t.error AS t_error
  FROM events e LEFT JOIN files f ON f.id = e.file_id
  LEFT JOIN tool_calls t ON t.tool_use_id = e.tool_use_id AND e.tool_use_id IS NOT NULL`;
const lineShape = {
  ...detailShape,
  e_offset: "int?",
  f_path: "text?",
  t_status: "text?",
  t_start: "int?",
  t_end: "int?",
  t_error: "text?",
} as const;
type Line = RowOf<typeof lineShape>;

const toolTypes = "('PreToolUse', 'PostToolUse', 'PostToolUseFailure')";

function toEvidence(r: Line): TimelineEvidence {
  const d = toDetail(r);
  return {
    ...d,
    ts: r.ts,
    file: r.f_path,
    offset: r.source === "transcript" ? r.e_offset : null,
    call: r.t_status === null ? null : {
      status: toolStatusOf(r.t_status),
      start_ts: r.t_start,
      end_ts: r.t_end,
      error: maskNullable(r.t_error),
    },
  };
}

const isHookTool = (r: Line) =>
  r.source === "hook" && r.tool_use_id === null && r.tool_name !== null &&
  ["PreToolUse", "PostToolUse", "PostToolUseFailure"].includes(r.type);
const isPrompt = (r: Line) =>
  r.type === "UserPromptSubmit" || (r.type === "user" && r.tool_use_id === null);

/**
 * The lines outside `core` that belong to the same things as lines in it (a call's other
 * hook and transcript lines, a prompt's other copy), and the id-less calls involved.
 */
function context(db: Db, sid: string, core: Line[]): { lines: Line[]; idless: IdlessCall[] } {
  const lines: Line[] = [];
  const ids = new Map<string, { lo: number; hi: number }>();
  for (const r of core) {
    if (r.tool_use_id === null || r.t_status === null) continue;
    ids.set(r.tool_use_id, {
      lo: Math.min(r.t_start ?? r.ts, r.t_end ?? r.ts, r.ts),
      hi: Math.max(r.t_end ?? r.t_start ?? r.ts, r.ts) + timelinePairMs,
    });
  }
  if (ids.size) {
    const spans = [...ids.values()];
    lines.push(...allRows(
      db.prepare(`${lineSelect} WHERE e.session_id = :sid AND e.ts BETWEEN :lo AND :hi
        AND e.tool_use_id IN (SELECT value FROM json_each(:ids))`),
      lineShape,
      {
        sid,
        lo: Math.min(...spans.map((s) => s.lo)),
        hi: Math.max(...spans.map((s) => s.hi)),
        ids: JSON.stringify([...ids.keys()]),
      },
    ));
  }
  const prompts = core.filter(isPrompt).map((r) => r.ts);
  if (prompts.length) {
    lines.push(...allRows(
      db.prepare(`${lineSelect} WHERE e.session_id = :sid AND e.ts BETWEEN :lo AND :hi
        AND e.tool_use_id IS NULL AND e.type IN ('UserPromptSubmit', 'user')`),
      lineShape,
      {
        sid,
        lo: Math.min(...prompts) - timelinePairMs,
        hi: Math.max(...prompts) + timelinePairMs,
      },
    ));
  }
  const hookTools = core.filter(isHookTool);
  if (!hookTools.length) return { lines, idless: [] };
  const times = hookTools.map((r) => r.ts);
  const idless = allRows(
    db.prepare(`SELECT tool_name, status, start_ts, end_ts, error FROM tool_calls
      WHERE session_id = :sid AND tool_use_id IS NULL
        AND tool_name IN (SELECT value FROM json_each(:names))
        AND (start_ts BETWEEN :lo AND :hi OR end_ts BETWEEN :lo AND :hi)`),
    { tool_name: "text", status: "text", start_ts: "int?", end_ts: "int?", error: "text?" },
    {
      sid,
      names: JSON.stringify([...new Set(hookTools.map((r) => r.tool_name))]),
      lo: Math.min(...times),
      hi: Math.max(...times),
    },
  ).map((c): IdlessCall => ({
    ...c,
    status: toolStatusOf(c.status),
    error: maskNullable(c.error),
  }));
  const ends = idless.flatMap((c) => [c.start_ts, c.end_ts]).filter((t) => t !== null);
  if (ends.length) {
    lines.push(...allRows(
      db.prepare(`${lineSelect} WHERE e.session_id = :sid
        AND e.ts IN (SELECT value FROM json_each(:ts)) AND e.source = 'hook'
        AND e.tool_use_id IS NULL AND e.type IN ${toolTypes}`),
      lineShape,
      { sid, ts: JSON.stringify([...new Set(ends)]) },
    ));
  }
  return { lines, idless };
}

/**
 * The rows `core` lines take part in (with every line of each), in time order; with `from`,
 * only rows whose earliest line is at or after that cursor (earlier ones belong to an earlier
 * window).
 */
function rowsOf(db: Db, sid: string, core: Line[], from?: EventCursor): TimelineRow[] {
  if (!core.length) return [];
  const extra = context(db, sid, core);
  const byId = new Map<number, Line>();
  for (const r of [...core, ...extra.lines]) byId.set(r.id, r);
  const coreIds = new Set(core.map((r) => r.id));
  return timelineRows([...byId.values()].map(toEvidence), extra.idless).filter((row) => {
    if (!row.sources.some((s) => coreIds.has(s.id))) return false;
    if (!from) return true;
    const first = byId.get(row.id);
    return first !== undefined &&
      (first.ts > from.ts || (first.ts === from.ts && first.id >= from.id));
  });
}

/**
 * A window of a session's timeline in time order: the rows of the latest `limit` events by
 * default, of the events before a (ts, id) cursor, or of the events after one.
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
      `${lineSelect} WHERE e.session_id = :sid AND (e.ts > :ts OR (e.ts = :ts AND e.id > :id))
      AND e.bookkeeping = 0
       ORDER BY e.ts, e.id LIMIT :limit`,
    );
    const fetched = allRows(stmt, lineShape, params);
    const more = fetched.length > limit;
    const lines = fetched.slice(0, limit);
    return {
      rows: rowsOf(db, id, lines, lines[0]),
      earlier: lines.length ? cursorOf(lines[0]) : null,
      later: more ? cursorOf(lines[lines.length - 1]) : null,
    };
  }
  params.ts = at.before?.ts ?? Number.MAX_SAFE_INTEGER;
  params.id = at.before?.id ?? Number.MAX_SAFE_INTEGER;
  const stmt = db.prepare(
    `${lineSelect} WHERE e.session_id = :sid AND (e.ts < :ts OR (e.ts = :ts AND e.id < :id))
      AND e.bookkeeping = 0
     ORDER BY e.ts DESC, e.id DESC LIMIT :limit`,
  );
  const fetched = allRows(stmt, lineShape, params);
  const more = fetched.length > limit;
  const lines = fetched.slice(0, limit).reverse();
  return {
    // The first window of a session holds every row that starts in it.
    rows: rowsOf(db, id, lines, more ? lines[0] : undefined),
    earlier: more && lines.length ? cursorOf(lines[0]) : null,
    later: at.before && lines.length ? cursorOf(lines[lines.length - 1]) : null,
  };
}

/**
 * Rows of a session that events stored after event id `afterId` take part in, for the live
 * tail: each with every line of its thing, so the page can merge it into the row it shows.
 */
export function sessionTimelineAfterId(
  db: Db,
  id: string,
  afterId: number,
  limit: number,
): TimelineRow[] {
  const stmt = db.prepare(
    `${lineSelect} WHERE e.session_id = :sid AND e.id > :after AND e.bookkeeping = 0
      ORDER BY e.ts, e.id LIMIT :limit`,
  );
  return rowsOf(db, id, allRows(stmt, lineShape, { sid: id, after: afterId, limit }));
}

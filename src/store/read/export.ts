// Keyset pages of events for the export (src/domain/export.ts): the explorer's filters
// (filterSql in read/events.ts), oldest first by (ts, id) — every single filter has an index in
// that order (events_ts, events_session_ts, events_type_ts, events_tool_ts) — or, with a
// search, in id order through the FTS index. Rows stored after the export began are left out
// (id ≤ maxId), so an export is a snapshot. Rows come back raw; masking is the caller's job.

import type { Db } from "../db.ts";
import { allRows, oneRow, type RowOf } from "../rows.ts";
import { filterSql, type SqlParams } from "./events.ts";
import type { ExplorerFilters } from "../../core/view_data.ts";
import { rawSql } from "../raw_blocks.ts";

const exportRowShape = {
  id: "int",
  ts: "int",
  source: "text",
  session_id: "text",
  project: "text?",
  type: "text",
  tool_name: "text?",
  tool_use_id: "text?",
  is_sidechain: "int",
  error_kind: "int",
  summary: "text",
  raw: "text?",
} as const;

/** One exported event as stored: epoch-ms time, 0/1 flags, the raw ErrorKind number. */
export type ExportRow = RowOf<typeof exportRowShape>;

/** Where the previous page ended. */
export interface ExportCursor {
  ts: number;
  id: number;
}

export interface ExportQuery {
  filters: ExplorerFilters;
  /** An FTS5 MATCH expression (from parseSearch), or none. */
  match?: string;
  /** Highest event id included (the newest id when the export began). */
  maxId: number;
  /** Also read the stored payload (JSON Lines); CSV leaves it out. */
  withRaw: boolean;
}

const columns = (raw: boolean) =>
  `events.id, events.ts, events.source, events.session_id,
   (SELECT project FROM sessions s WHERE s.session_id = events.session_id) AS project,
   events.type, events.tool_name, events.tool_use_id, events.is_sidechain, events.error_kind,
   events.summary, ${raw ? `${rawSql("events")} AS raw` : "NULL AS raw"}`;

/** The filters' WHERE terms and their parameters (the search term apart). */
function conditions(q: ExportQuery): { base: SqlParams; where: string[] } {
  const base: SqlParams = { maxId: q.maxId };
  const { project, ...filters } = q.filters;
  const where = filterSql(filters, base);
  if (project) {
    // "+": a membership test on each row in (ts, id) order, not a lookup per session of the
    // project followed by a sort of all of them on every page.
    where.push("+events.session_id IN (SELECT session_id FROM sessions WHERE project = :project)");
    base.project = project;
  }
  return { base, where };
}

const countShape = { n: "int" } as const;

/**
 * How many rows the export must produce, counted before it starts: the pages' total is
 * compared with it at the end, so rows a damaged index skips without an error are noticed.
 */
export function exportCount(db: Db, q: ExportQuery): number {
  const { base, where } = conditions(q);
  const and = where.map((w) => `AND ${w}`).join(" ");
  const sql = q.match
    ? `SELECT count(*) AS n FROM events_fts JOIN events ON events.id = events_fts.rowid
      WHERE events_fts MATCH :m AND events_fts.rowid <= :maxId ${and}`
    : `SELECT count(*) AS n FROM events WHERE events.id <= :maxId ${and}`;
  if (q.match) base.m = q.match;
  return oneRow(db.prepare(sql), countShape, base)?.n ?? 0;
}

/** Prepares the page query once; each call returns the next `limit` rows after `after`. */
export function exportPages(
  db: Db,
  q: ExportQuery,
): (after: ExportCursor | null, limit: number) => ExportRow[] {
  const { base, where } = conditions(q);
  let sql: string;
  if (q.match) {
    base.m = q.match;
    sql = `SELECT ${columns(q.withRaw)} FROM events_fts JOIN events ON events.id = events_fts.rowid
      WHERE events_fts MATCH :m AND events_fts.rowid > :aid AND events_fts.rowid <= :maxId
      ${where.map((w) => `AND ${w}`).join(" ")}
      ORDER BY events_fts.rowid LIMIT :limit`;
  } else {
    sql = `SELECT ${columns(q.withRaw)} FROM events
      WHERE (events.ts, events.id) > (:ats, :aid) AND events.id <= :maxId
      ${where.map((w) => `AND ${w}`).join(" ")}
      ORDER BY events.ts, events.id LIMIT :limit`;
  }
  const stmt = db.prepare(sql);
  return (after, limit) =>
    allRows(stmt, exportRowShape, {
      ...base,
      ...(q.match ? {} : { ats: after?.ts ?? Number.MIN_SAFE_INTEGER }),
      aid: after?.id ?? -1,
      limit,
    });
}

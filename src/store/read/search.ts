// Full-text search over events (index events_fts, query syntax: ./search_query.ts): ranking,
// the plan that applies session/project/time filters at the lowest cost, and snippets whose
// highlight marks never let a secret through.

import type { EventFilters, EventRow } from "../../core/types.ts";
import {
  searchFilterSetMax,
  searchProbeMax,
  searchRankWindow,
  searchSnippetTokens,
} from "../../core/config.ts";
import { BadRequest } from "../../core/errors.ts";
import { maskSecrets } from "../../core/secrets.ts";
import { slashCommandText, stripAnsi } from "../../core/text.ts";
import type { Db } from "../db.ts";
import { allRows, oneRow } from "../rows.ts";
import { hitEnd, hitStart, parseSearch } from "./search_query.ts";
import { eventColumns, eventShape, toEvent } from "./events.ts";
import type { SqlValue } from "./time_range.ts";

/** Filters of /api/search: the event filters plus the session's project. */
export interface SearchFilters extends EventFilters {
  project?: string;
}

/**
 * One search hit: the event as /api/events serves it, plus `snippet`: the matching passage as
 * plain text in which each highlighted part is wrapped in U+0002 (start) … U+0003 (end). These
 * control characters never occur in indexed text; render the parts as text, never as HTML.
 */
export interface SearchResult extends EventRow {
  snippet: string;
  /** bm25 score (lower is better), within this result set only. */
  rank: number;
}

function parseSearchCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  if (!/^\d{1,9}$/.test(cursor) || Number(cursor) >= searchRankWindow) {
    throw new BadRequest(`cursor "${cursor}" is not one this API returned`);
  }
  return Number(cursor);
}

/** How session/project/time filters are applied (see searchEvents). */
export type SearchPlan = "none" | "probe" | "set" | "scan";

/** Conditions on `events` (alias e) for the search filters, split by how they are applied. */
function searchFilterSql(f: SearchFilters, params: Record<string, SqlValue>) {
  const exact: string[] = [];
  const rest: string[] = [];
  const cond = (to: string[], sql: string, name: string, v: SqlValue) => {
    to.push(sql);
    params[name] = v;
  };
  if (f.type) cond(exact, "e.type = :type", "type", f.type);
  if (f.tool) cond(exact, "e.tool_name = :tool", "tool", f.tool);
  if (f.project) {
    cond(
      rest,
      "e.session_id IN (SELECT session_id FROM sessions WHERE project = :project)",
      "project",
      f.project,
    );
  }
  if (f.session) cond(rest, "e.session_id = :session", "session", f.session);
  if (f.since !== undefined) cond(rest, "e.ts >= :since", "since", f.since);
  if (f.until !== undefined) cond(rest, "e.ts < :until", "until", f.until);
  return { exact, rest };
}

/** The MATCH expression: the user's terms in the text, type and tool in the kind column. */
function matchExpr(terms: string, f: SearchFilters): string {
  let m = `text : (${terms})`;
  if (f.type) m += ` AND kind : ${ftsString(f.type)}`;
  if (f.tool) m += ` AND kind : ${ftsString(f.tool)}`;
  return m;
}

function ftsString(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * The SQL of the candidates (id, bm25 rank), newest first, with the filters applied by the
 * cheapest plan: chosen from a bounded count of the events the session/project/time filters
 * admit, unless `forcePlan` says.
 */
function candidatesSql(
  db: Db,
  filters: SearchFilters,
  fparams: Record<string, SqlValue>,
  forcePlan?: SearchPlan,
): string {
  const { exact, rest } = searchFilterSql(filters, fparams);
  const all = [...exact, ...rest];
  let plan: SearchPlan = "none";
  if (rest.length > 0 && forcePlan) plan = forcePlan;
  else if (rest.length > 0) {
    const n = oneRow(
      db.prepare(
        `SELECT count(*) AS n FROM (SELECT 1 FROM events AS e WHERE ${
          all.join(" AND ")
        } LIMIT :cap)`,
      ),
      { n: "int" },
      { ...fparams, cap: searchFilterSetMax + 1 },
    )?.n ?? 0;
    plan = n <= searchProbeMax ? "probe" : n <= searchFilterSetMax ? "set" : "scan";
  }
  const admitted = `(SELECT e.id FROM events AS e WHERE ${all.join(" AND ")})`;
  const where = {
    none: exact,
    probe: [`f.rowid IN ${admitted}`],
    // "+f.rowid": a filter on each match, not a list of lookups into the index.
    set: [`+f.rowid IN ${admitted}`],
    scan: all,
  }[plan];
  const join = where.some((w) => w.startsWith("e.")) ? "JOIN events AS e ON e.id = f.rowid" : "";
  return `SELECT f.rowid AS id, bm25(events_fts, 1.0, 0.0) AS rank
    FROM events_fts AS f ${join}
    WHERE events_fts MATCH :m AND f.rowid >= :lo ${where.map((w) => `AND ${w}`).join(" ")}
    ORDER BY f.rowid DESC LIMIT :w`;
}

type Hit = { id: number; rank: number; tier: number };

/**
 * Events whose searchable text matches `q` (syntax: src/store/read/search_query.ts), best first.
 *
 * Ranking: the candidates are the newest searchRankWindow matching events; among them those
 * holding two or more plain words as one exact phrase come first, then all by bm25 over the
 * text (lower is better), ties newest first. A rare term is ranked over all its matches; for a
 * term found in a hundred thousand events only the recent ones are ranked, which keeps every
 * search fast: FTS5 reads its posting lists newest-first and stops. Paging (cursor = offset)
 * ends with the candidates. A quoted "phrase" finds its matches in all of history.
 *
 * Filters: type and tool are matched in the index itself (column kind; each candidate is then
 * checked exactly). Session, project and time pick the cheapest plan from a bounded count of
 * the events they admit: few → look each of them up in the index; up to searchFilterSetMax →
 * check each match against that set; more (a filter admitting many events) → check each match's
 * event row. Throws BadRequest for a query that cannot be searched.
 */
export function searchEvents(
  db: Db,
  q: string,
  filters: SearchFilters,
  limit: number,
  cursor?: string | null,
  /** Tests only: force how session/project/time filters are applied. */
  forcePlan?: SearchPlan,
): { results: SearchResult[]; next_cursor: string | null } {
  const fq = parseSearch(q);
  const offset = parseSearchCursor(cursor);
  const fparams: Record<string, SqlValue> = {};
  const sql = candidatesSql(db, filters, fparams, forcePlan);
  const match = matchExpr(fq.match, filters);
  let found: Array<{ id: number; rank: number }>;
  try {
    found = allRows(db.prepare(sql), { id: "int", rank: "real" }, {
      ...fparams,
      m: match,
      w: searchRankWindow,
      lo: 0,
    });
  } catch (e) {
    throw ftsError(e);
  }
  const hits = new Map<number, Hit>();
  if (fq.phrase) {
    // Which candidates hold the words as one phrase: the phrase query over the candidates'
    // rowid span, without bm25 (scoring a phrase reads every position list: ~60 ms for common
    // words at a million events; matching alone: ~1 ms).
    const lo = found.length < searchRankWindow ? 0 : Math.min(...found.map((h) => h.id));
    const inPhrase = new Set(
      allRows(
        db.prepare(
          "SELECT rowid AS id FROM events_fts WHERE events_fts MATCH :m AND rowid >= :lo",
        ),
        { id: "int" },
        { m: `text : (${fq.phrase})`, lo },
      ).map((r) => r.id),
    );
    for (const h of found) {
      if (inPhrase.has(h.id)) hits.set(h.id, { id: h.id, rank: h.rank, tier: 0 });
    }
  }
  for (const h of found) {
    if (!hits.has(h.id)) hits.set(h.id, { id: h.id, rank: h.rank, tier: 1 });
  }
  const ranked = [...hits.values()].sort((a, b) =>
    a.tier - b.tier || a.rank - b.rank || b.id - a.id
  );
  const page = ranked.slice(offset, offset + limit);
  const next = offset + limit;
  return {
    results: searchResults(db, page, match),
    next_cursor: next < ranked.length ? String(next) : null,
  };
}

/** The page's hits as results: each event with its snippet, masked. */
function searchResults(db: Db, page: Hit[], match: string): SearchResult[] {
  const eventById = db.prepare(
    `SELECT ${eventColumns} FROM events WHERE id = ?`,
  );
  // All snippets in one pass over the page's rowid span: a per-row "rowid = ?" lookup would
  // re-evaluate the whole query (a prefix query merges every matching term) once per row.
  const snippets = new Map<number, string>();
  if (page.length > 0) {
    const ids = page.map((h) => h.id);
    const rows = allRows(
      db.prepare(
        `SELECT rowid AS id, snippet(events_fts, 0, char(2), char(3), '…', ${searchSnippetTokens}) AS s
       FROM events_fts WHERE events_fts MATCH :m AND rowid >= :lo AND rowid <= :hi
         AND +rowid IN (SELECT value FROM json_each(:ids))`,
      ),
      { id: "int", s: "text?" },
      { m: match, lo: Math.min(...ids), hi: Math.max(...ids), ids: JSON.stringify(ids) },
    );
    for (const r of rows) snippets.set(r.id, r.s ?? "");
  }
  const results: SearchResult[] = [];
  for (const h of page) {
    const e = oneRow(eventById, eventShape, h.id);
    if (!e) continue;
    results.push({
      ...toEvent(e),
      // Snippets come from the raw payload: show them as display text (no escapes, no markup).
      snippet: maskSnippet(stripAnsi(slashCommandText(snippets.get(h.id) ?? ""))),
      rank: Math.round(h.rank * 1e6) / 1e6,
    });
  }
  return results;
}

/** An FTS5 complaint about the query becomes a 400; anything else stays an internal error. */
function ftsError(e: unknown): unknown {
  const msg = e instanceof Error ? e.message : String(e);
  if (
    /fts5|syntax error|unterminated|no such column|unknown special query|malformed MATCH/i.test(msg)
  ) {
    return new BadRequest(`search query not understood (${msg}); use words, "a phrase" or prefix*`);
  }
  return e;
}

/**
 * Masks secrets in a snippet without letting the highlight marks hide one: when masking the
 * plain text changes it and masking part by part does not give the same text, the snippet is
 * returned masked and without highlights.
 */
export function maskSnippet(snippet: string): string {
  const parts: string[] = [];
  let run = "";
  for (const ch of snippet) {
    if (ch === hitStart || ch === hitEnd) {
      parts.push(run, ch);
      run = "";
    } else run += ch;
  }
  parts.push(run);
  const plain = parts.filter((p) => p !== hitStart && p !== hitEnd).join("");
  const masked = maskSecrets(plain);
  if (masked === plain) return snippet;
  const byPart = parts.map((p) => (p === hitStart || p === hitEnd ? p : maskSecrets(p)));
  const joined = byPart.join("");
  return joined.replaceAll(hitStart, "").replaceAll(hitEnd, "") === masked ? joined : masked;
}

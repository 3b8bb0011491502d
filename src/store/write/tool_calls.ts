// The tool_calls table: Pre/Post pairing by tool_use_id, merging what hooks and transcripts
// say of one call, and the repair of calls without an id (older hooks), paired by order within
// their session + tool so the result never depends on read order. The repair is incremental:
// FIFO pairing closes calls in the order they opened, so the calls still open at any instant are
// the last Pre events before it; a batch whose earliest new event is at `fromTs` keeps every
// call that ended before it and re-pairs only those open Pres and the events from `fromTs` on.
// Its queries are pinned to the indexes of migration_idless_pairing.ts (INDEXED BY), so the
// cost follows the pairs a batch changed, never the calls of that tool stored in all sessions.
// When nothing stored before the batch is at or after `fromTs` (a backfill in time order, a live
// session), the events from `fromTs` on are exactly the batch's own, taken from memory.

import type { NormalizedEvent, ToolEffect } from "../../core/types.ts";
import { oneLine, toolInputSummary } from "../../core/text.ts";
import { maskSecrets } from "../../core/secrets.ts";
import type { Db } from "../db.ts";
import { allRows } from "../rows.ts";
import { rawSql } from "../raw_blocks.ts";

/** Tool events without a tool_use_id, by type (the rows of the events_idless_calls index). */
const idlessTypes: readonly string[] = ["PreToolUse", "PostToolUse", "PostToolUseFailure"];

/** SQL: one session + tool group's id-less tool events (session and tool bound in that order),
 * as the partial index events_idless_calls holds them. */
const groupEvents = `session_id = ? AND tool_name = ? AND tool_use_id IS NULL AND source = 'hook'
  AND type IN (${idlessTypes.map((t) => `'${t}'`).join(", ")})`;

export class ToolCallWrites {
  #byId;
  #noIdEvents;
  #lastPres;
  #inputOf;
  #openAt;
  #clearOpen;
  #clearEnded;
  #insertPaired;
  #storedFrom;

  constructor(db: Db) {
    // A batch's effects on one call, merged (CallMerge): the result of applying each of them
    // in order with the start and end upserts this replaces, in one statement.
    this.#byId = db.prepare(`
      INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, start_ts, end_ts,
        input_summary, error)
      VALUES (?,?,?,?,?,?,?,?)
      ON CONFLICT(tool_use_id) WHERE tool_use_id IS NOT NULL DO UPDATE SET
        start_ts = CASE WHEN tool_calls.start_ts IS NULL OR excluded.start_ts < tool_calls.start_ts
                        THEN excluded.start_ts ELSE tool_calls.start_ts END,
        end_ts = CASE WHEN tool_calls.end_ts IS NULL OR excluded.end_ts < tool_calls.end_ts
                      THEN excluded.end_ts ELSE tool_calls.end_ts END,
        status = CASE WHEN excluded.status = 'running' THEN tool_calls.status
                      WHEN tool_calls.status = 'error' OR excluded.status = 'error' THEN 'error'
                      ELSE 'ok' END,
        error = COALESCE(tool_calls.error, excluded.error),
        input_summary = COALESCE(tool_calls.input_summary, excluded.input_summary),
        tool_name = CASE WHEN tool_calls.tool_name = '?' THEN excluded.tool_name ELSE tool_calls.tool_name END`);
    // The group's id-less tool events from `fromTs` on, in pairing order. A payload is parsed
    // only for what pairByOrder uses: a Pre's input, a failure's error (a Post that ends no
    // call gives its own input, read after by its key: #inputOf).
    this.#noIdEvents = db.prepare(`
      SELECT ts, type, key,
        CASE type WHEN 'PreToolUse' THEN json_extract(${rawSql()}, '$.tool_input') END AS input,
        CASE type WHEN 'PostToolUseFailure' THEN json_extract(${rawSql()}, '$.error') END AS error
      FROM events INDEXED BY events_idless_calls
      WHERE ${groupEvents} AND ts >= ?
      ORDER BY ts, key`);
    // The last `n` Pre events before `fromTs`: the calls still open there, newest first.
    this.#lastPres = db.prepare(`
      SELECT ts, type, key, json_extract(${rawSql()}, '$.tool_input') AS input, NULL AS error
      FROM events INDEXED BY events_idless_calls
      WHERE ${groupEvents} AND type = 'PreToolUse' AND ts < ?
      ORDER BY ts DESC, key DESC LIMIT ?`);
    // Start times of the calls opened before `fromTs` and not ended before it (two indexes).
    this.#openAt = db.prepare(`
      SELECT start_ts FROM tool_calls INDEXED BY tool_calls_open
      WHERE session_id = :s AND tool_name = :t AND tool_use_id IS NULL AND end_ts IS NULL
        AND start_ts < :from
      UNION ALL
      SELECT start_ts FROM tool_calls INDEXED BY tool_calls_idless_end
      WHERE session_id = :s AND tool_name = :t AND tool_use_id IS NULL AND end_ts >= :from
        AND start_ts < :from`);
    // Whether an event of the group stored before this batch (id up to `upTo`) is at `fromTs`
    // or later: only then must the events from `fromTs` on be read back.
    this.#storedFrom = db.prepare(`
      SELECT 1 AS x FROM events INDEXED BY events_idless_calls
      WHERE ${groupEvents} AND ts >= ? AND id <= ?
      LIMIT 1`);
    this.#clearOpen = db.prepare(`
      DELETE FROM tool_calls INDEXED BY tool_calls_open
      WHERE session_id = ? AND tool_name = ? AND tool_use_id IS NULL AND end_ts IS NULL`);
    this.#clearEnded = db.prepare(`
      DELETE FROM tool_calls INDEXED BY tool_calls_idless_end
      WHERE session_id = ? AND tool_name = ? AND tool_use_id IS NULL AND end_ts >= ?`);
    this.#insertPaired = db.prepare(`
      INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, start_ts, end_ts, input_summary, error)
      VALUES (?, NULL, ?, ?, ?, ?, ?, ?)`);
    this.#inputOf = db.prepare(
      `SELECT json_extract(${rawSql()}, '$.tool_input') AS input FROM events WHERE key = ?`,
    );
  }

  /** Pre/Post pairing by tool_use_id, merging what hooks and transcripts say of one call. */
  apply(merged: CallMerge): void {
    for (const c of merged.calls()) {
      const status = c.ended ? (c.failed ? "error" : "ok") : "running";
      this.#byId.run(
        c.sessionId,
        c.toolUseId,
        c.toolName,
        status,
        c.start,
        c.end,
        c.input,
        c.error,
      );
    }
  }

  /**
   * Hooks of older Claude Code versions carry no tool_use_id: their calls are paired by order
   * within session + tool. `fromTs` is the earliest time of an event this batch added to the
   * group (-Infinity: re-pair the whole group), `added` those events and the last event id
   * before the batch; the result equals pairing every stored event of the group at once,
   * whatever order the files were read in.
   */
  repair(sessionId: string, toolName: string, fromTs = -Infinity, added?: IdlessAdded): void {
    const from = Number.isFinite(fromTs) ? fromTs : Number.MIN_SAFE_INTEGER;
    const open = allRows(this.#openAt, { start_ts: "int" }, { s: sessionId, t: toolName, from })
      .map((r) => r.start_ts);
    const queue = open.length === 0
      ? []
      : allRows(this.#lastPres, eventShape, sessionId, toolName, from, open.length).reverse();
    // Those calls must be exactly the last Pres before `fromTs`; when not (their events were
    // deleted by retention, say), the whole group is paired again from what is stored.
    if (from !== Number.MIN_SAFE_INTEGER && !sameTimes(open, queue.map((r) => r.ts))) {
      return this.repair(sessionId, toolName);
    }
    const fresh = added && from !== Number.MIN_SAFE_INTEGER &&
        this.#storedFrom.get(sessionId, toolName, from, added.upTo) === undefined
      ? addedRows(added.events, toolName)
      : null;
    const rows = queue.concat(
      fresh ?? allRows(this.#noIdEvents, eventShape, sessionId, toolName, from),
    );
    // With nothing stored from `fromTs` on, the only calls to replace are those open there.
    if (fresh === null || open.length > 0) {
      this.#clearOpen.run(sessionId, toolName);
      this.#clearEnded.run(sessionId, toolName, from);
    }
    for (const call of pairByOrder(rows)) {
      if (call.inputFrom !== undefined) {
        call.input = (this.#inputOf.get(call.inputFrom) as { input: string | null } | undefined)
          ?.input ?? null;
      }
      this.#insertPaired.run(
        sessionId,
        toolName,
        call.status,
        call.start,
        call.end,
        // Display text is stored masked, as the events' own (masking.ts maskedForStore).
        call.input === null ? null : maskSecrets(toolInputSummary(toolName, safeJson(call.input))),
        call.error === null ? null : maskSecrets(oneLine(call.error, 500)),
      );
    }
  }
}

/** A session + tool group whose id-less calls a batch changed (writer.ts). */
export interface IdlessGroup {
  sessionId: string;
  toolName: string;
  /** The earliest time of an event the batch added to the group. */
  fromTs: number;
  /** Those events, as stored. */
  added: NormalizedEvent[];
}

/** What a batch added to a group, and the last event id before it. */
export interface IdlessAdded {
  events: readonly NormalizedEvent[];
  upTo: number;
}

type EventRow = {
  ts: number;
  type: string;
  key: string;
  input: string | null;
  error: string | null;
};

/**
 * The rows #noIdEvents would read back for these events (its WHERE and ORDER BY, and what its
 * json_extract gives), or null when one payload holds something only SQL can render the same
 * way (a number, a non-text error, a repeated key): then the caller reads them back.
 */
export function addedRows(events: readonly NormalizedEvent[], toolName: string): EventRow[] | null {
  const rows: EventRow[] = [];
  for (const ev of events) {
    if (ev.source !== "hook" || ev.toolUseId !== null || ev.toolName !== toolName) continue;
    if (!idlessTypes.includes(ev.type)) continue;
    const row: EventRow = { ts: ev.ts, type: ev.type, key: ev.key, input: null, error: null };
    if (ev.type !== "PostToolUse") {
      const name = ev.type === "PreToolUse" ? "tool_input" : "error";
      const v = extracted(ev.raw, name, name === "tool_input");
      if (v === undefined) return null;
      if (name === "tool_input") row.input = v;
      else row.error = v;
    }
    rows.push(row);
  }
  return rows.sort((a, b) => a.ts - b.ts || byCodePoint(a.key, b.key));
}

/**
 * `json_extract(raw, '$.<name>')` as a row gives it: text as is, an object or array as JSON text
 * (`objects`: only where the text is parsed again, so its spelling does not matter), null for
 * none. undefined: anything else, or a key that may appear twice (SQLite takes the first).
 */
function extracted(raw: string, name: string, objects: boolean): string | null | undefined {
  const quoted = `"${name}"`;
  const at = raw.indexOf(quoted);
  if (at === -1) return null;
  if (raw.indexOf(quoted, at + 1) !== -1) return undefined;
  let p: unknown;
  try {
    p = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof p !== "object" || p === null || Array.isArray(p)) return undefined;
  const v = (p as Record<string, unknown>)[name];
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v;
  return objects && typeof v === "object" ? JSON.stringify(v) : undefined;
}

/** SQLite's text order (UTF-8 bytes, i.e. code points): UTF-16 differs only past a surrogate. */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    return sx === sy ? x - y : sx ? 1 : -1;
  }
  return a.length - b.length;
}

/** What a batch's effects say of one call with an id, folded in the order they came. */
interface MergedCall {
  sessionId: string;
  toolUseId: string;
  toolName: string;
  start: number | null;
  end: number | null;
  input: string | null;
  ended: boolean;
  failed: boolean;
  error: string | null;
}

/**
 * A batch's Pre/Post effects by tool_use_id. A call's start and end usually arrive in the same
 * batch: one insert of the whole row instead of an insert and an update of its indexes and
 * rollups. The fold follows the upsert's rules, so merging then storing equals storing each.
 */
export class CallMerge {
  #calls = new Map<string, MergedCall>();

  add(ev: NormalizedEvent, t: ToolEffect): void {
    if (!t.toolUseId) return;
    const name = t.toolName ?? "?";
    let c = this.#calls.get(t.toolUseId);
    if (!c) {
      c = {
        sessionId: ev.sessionId,
        toolUseId: t.toolUseId,
        toolName: name,
        start: null,
        end: null,
        input: null,
        ended: false,
        failed: false,
        error: null,
      };
      this.#calls.set(t.toolUseId, c);
    } else if (c.toolName === "?") c.toolName = name;
    if (t.phase === "start") {
      if (c.start === null || ev.ts < c.start) c.start = ev.ts;
      c.input ??= t.inputSummary;
    } else {
      if (c.end === null || ev.ts < c.end) c.end = ev.ts;
      c.ended = true;
      c.failed ||= t.failed;
      c.error ??= t.error;
    }
  }

  calls(): Iterable<MergedCall> {
    return this.#calls.values();
  }
}

const eventShape = {
  ts: "int",
  type: "text",
  key: "text",
  input: "text?",
  error: "text?",
} as const;

/** Whether two lists hold the same times, in any order. */
function sameTimes(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  return x.every((v, i) => v === y[i]);
}

export interface PairedCall {
  status: "running" | "ok" | "error";
  start: number | null;
  end: number | null;
  input: string | null;
  error: string | null;
  /** A Post that ended no call: the key of that event, whose input is the call's (read by the
   * caller when the row came without it). */
  inputFrom?: string;
}

/** FIFO pairing: each Post ends the oldest still-open Pre; a Post with none open stands alone. Pure. */
export function pairByOrder(
  rows: Array<
    { ts: number; type: string; key?: string; input: string | null; error: string | null }
  >,
): PairedCall[] {
  const calls: PairedCall[] = [];
  const open: PairedCall[] = [];
  for (const r of rows) {
    if (r.type === "PreToolUse") {
      const call: PairedCall = {
        status: "running",
        start: r.ts,
        end: null,
        input: r.input,
        error: null,
      };
      calls.push(call);
      open.push(call);
      continue;
    }
    const failed = r.type === "PostToolUseFailure";
    const call: PairedCall = open.shift() ??
      {
        status: "running",
        start: null,
        end: null,
        input: r.input,
        error: null,
        ...(r.input === null && r.key !== undefined ? { inputFrom: r.key } : {}),
      };
    if (call.start === null) calls.push(call);
    call.end = r.ts;
    call.status = failed ? "error" : "ok";
    call.error = failed ? (r.error ?? "failed") : null;
  }
  return calls;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

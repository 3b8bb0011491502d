// The tool_calls table: Pre/Post pairing by tool_use_id, merging what hooks and transcripts
// say of one call, and the repair of calls without an id (older hooks), re-paired by order
// from every stored event of their session + tool so the result never depends on read order.

import type { NormalizedEvent, ToolEffect } from "../../core/types.ts";
import { oneLine, toolInputSummary } from "../../core/text.ts";
import type { Db } from "../db.ts";

export class ToolCallWrites {
  #startById;
  #endById;
  #noIdEvents;
  #clearNoId;
  #insertPaired;

  constructor(db: Db) {
    this.#startById = db.prepare(`
      INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, start_ts, input_summary)
      VALUES (?,?,?,'running',?,?)
      ON CONFLICT(tool_use_id) WHERE tool_use_id IS NOT NULL DO UPDATE SET
        start_ts = CASE WHEN tool_calls.start_ts IS NULL OR excluded.start_ts < tool_calls.start_ts
                        THEN excluded.start_ts ELSE tool_calls.start_ts END,
        tool_name = CASE WHEN tool_calls.tool_name = '?' THEN excluded.tool_name ELSE tool_calls.tool_name END,
        input_summary = COALESCE(tool_calls.input_summary, excluded.input_summary)`);
    this.#endById = db.prepare(`
      INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, end_ts, error)
      VALUES (?,?,?,?,?,?)
      ON CONFLICT(tool_use_id) WHERE tool_use_id IS NOT NULL DO UPDATE SET
        end_ts = CASE WHEN tool_calls.end_ts IS NULL OR excluded.end_ts < tool_calls.end_ts
                      THEN excluded.end_ts ELSE tool_calls.end_ts END,
        status = CASE WHEN tool_calls.status = 'error' OR excluded.status = 'error' THEN 'error' ELSE 'ok' END,
        error = COALESCE(tool_calls.error, excluded.error),
        tool_name = CASE WHEN tool_calls.tool_name = '?' THEN excluded.tool_name ELSE tool_calls.tool_name END`);
    this.#noIdEvents = db.prepare(`
      SELECT ts, type, json_extract(raw, '$.tool_input') AS input, json_extract(raw, '$.error') AS error
      FROM events WHERE session_id = ? AND tool_name = ? AND tool_use_id IS NULL AND source = 'hook'
        AND type IN ('PreToolUse', 'PostToolUse', 'PostToolUseFailure')
      ORDER BY ts, key`);
    this.#clearNoId = db.prepare(
      "DELETE FROM tool_calls WHERE session_id = ? AND tool_name = ? AND tool_use_id IS NULL",
    );
    this.#insertPaired = db.prepare(`
      INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, start_ts, end_ts, input_summary, error)
      VALUES (?, NULL, ?, ?, ?, ?, ?, ?)`);
  }

  /** Pre/Post pairing by tool_use_id, merging what hooks and transcripts say of one call. */
  apply(ev: NormalizedEvent, t: ToolEffect): void {
    const name = t.toolName ?? "?";
    if (t.phase === "start") {
      this.#startById.run(ev.sessionId, t.toolUseId, name, ev.ts, t.inputSummary);
    } else {
      this.#endById.run(ev.sessionId, t.toolUseId, name, t.failed ? "error" : "ok", ev.ts, t.error);
    }
  }

  /**
   * Hooks of older Claude Code versions carry no tool_use_id: their calls are paired by order
   * within session + tool, recomputed from all stored events of that group so the result
   * never depends on the order files were read in.
   */
  repair(sessionId: string, toolName: string): void {
    const rows = this.#noIdEvents.all(sessionId, toolName) as Array<
      { ts: number; type: string; input: string | null; error: string | null }
    >;
    this.#clearNoId.run(sessionId, toolName);
    for (const call of pairByOrder(rows)) {
      this.#insertPaired.run(
        sessionId,
        toolName,
        call.status,
        call.start,
        call.end,
        call.input === null ? null : toolInputSummary(toolName, safeJson(call.input)),
        call.error === null ? null : oneLine(call.error, 500),
      );
    }
  }
}

export interface PairedCall {
  status: "running" | "ok" | "error";
  start: number | null;
  end: number | null;
  input: string | null;
  error: string | null;
}

/** FIFO pairing: each Post ends the oldest still-open Pre; a Post with none open stands alone. Pure. */
export function pairByOrder(
  rows: Array<{ ts: number; type: string; input: string | null; error: string | null }>,
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
    const call = open.shift() ??
      { status: "running", start: null, end: null, input: r.input, error: null };
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

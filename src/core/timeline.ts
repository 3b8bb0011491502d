// One timeline row per thing that happened. A tool call is described by up to four stored lines
// (hook PreToolUse, transcript tool_use, hook PostToolUse, transcript tool_result) and a prompt
// by two (hook UserPromptSubmit, transcript user line): they are merged here into one row each,
// keyed so the same thing has the same key on every page and in every live update. Pure; shared
// by the store (which reads the lines) and the browser (which merges live rows into the page).

import type {
  ErrorKind as ErrorKindT,
  EventSource,
  TimelineKind,
  TimelineRow,
  TimelineSource,
} from "./types.ts";
import { ErrorKind } from "./types.ts";
import { displayText, iso } from "./text.ts";
import { timelinePairMs } from "./config.ts";

type ToolStatus = "running" | "ok" | "error";

/** What the store knows of a call, from tool_calls. */
export interface CallFacts {
  status: ToolStatus;
  start_ts: number | null;
  end_ts: number | null;
  error: string | null;
}

/** One stored line as the merge needs it; `call` is its tool_calls row by tool_use_id. */
export interface TimelineEvidence {
  id: number;
  /** ms since the epoch */
  ts: number;
  source: EventSource;
  session_id: string;
  type: string;
  tool_name: string | null;
  tool_use_id: string | null;
  summary: string;
  is_sidechain: boolean;
  error_kind: ErrorKindT;
  file: string | null;
  offset: number | null;
  call: CallFacts | null;
}

/** A call the store paired by order from id-less (Claude Code 1.0.x) hooks. */
export interface IdlessCall extends CallFacts {
  tool_name: string;
}

const hookToolTypes = new Set(["PreToolUse", "PostToolUse", "PostToolUseFailure"]);
const sessionTypes = new Set(["SessionStart", "SessionEnd", "Stop"]);

/** Whether a line is evidence of a tool call (its start or its end). */
function isToolLine(e: TimelineEvidence): boolean {
  if (hookToolTypes.has(e.type)) return true;
  return (e.type === "assistant" || e.type === "user") && e.tool_use_id !== null;
}

function isStartLine(e: TimelineEvidence): boolean {
  return e.type === "PreToolUse" || e.type === "assistant";
}

function isPromptLine(e: TimelineEvidence): boolean {
  return e.type === "UserPromptSubmit" || (e.type === "user" && e.tool_use_id === null);
}

/** A prompt's text for comparing a hook's with a transcript's (slash-command markup undone). */
export function promptText(summary: string): string {
  return displayText(summary).replace(/\s+/g, " ").trim();
}

/** What a row shows as, from its main line. Pure. */
export function kindOf(type: string, summary: string, errorKind: ErrorKindT): TimelineKind {
  if (errorKind === ErrorKind.ApiError) return "error";
  switch (type) {
    case "UserPromptSubmit":
      return "prompt";
    case "user":
      // A user line whose content could not be read is summarised by its type: not a prompt.
      return summary === "user" ? "other" : "prompt";
    case "assistant":
      return "assistant";
    case "Notification":
    case "PermissionRequest":
      return "notify";
    case "PreCompact":
    case "summary":
      return "compact";
    case "SubagentStart":
    case "SubagentStop":
      return "subagent";
    case "system":
      return /compact/i.test(summary) ? "compact" : "other";
  }
  return sessionTypes.has(type) ? "session" : "other";
}

interface Group {
  key: string;
  lines: TimelineEvidence[];
  tool: boolean;
  call: CallFacts | null;
}

/** Id-less hook lines matched to the calls the store paired by order (same tool, same time). */
function idlessKeys(
  lines: TimelineEvidence[],
  calls: IdlessCall[],
): Map<number, { key: string; call: IdlessCall }> {
  const out = new Map<number, { key: string; call: IdlessCall }>();
  const usedStart = new Set<IdlessCall>();
  const usedEnd = new Set<IdlessCall>();
  for (const e of lines) {
    if (e.source !== "hook" || e.tool_use_id !== null || !hookToolTypes.has(e.type)) continue;
    const start = e.type === "PreToolUse";
    const used = start ? usedStart : usedEnd;
    const call = calls.find((c) =>
      c.tool_name === (e.tool_name ?? "?") && !used.has(c) &&
      (start ? c.start_ts : c.end_ts) === e.ts
    );
    if (!call) continue;
    used.add(call);
    out.set(e.id, { key: `call:${call.tool_name}:${call.start_ts ?? `e${call.end_ts}`}`, call });
  }
  return out;
}

/**
 * The rows `lines` make, in time order of each row's earliest line: tool lines grouped by
 * tool_use_id (id-less hooks by the store's pairing in `idless`), a hook prompt and the
 * transcript's line with the same text within `pairMs` as one row, everything else one row each.
 */
export function timelineRows(
  lines: TimelineEvidence[],
  idless: IdlessCall[] = [],
  pairMs = timelinePairMs,
): TimelineRow[] {
  const sorted = [...lines].sort((a, b) => a.ts - b.ts || a.id - b.id);
  const noId = idlessKeys(sorted, idless);
  const groups = new Map<string, Group>();
  const order: Group[] = [];
  const add = (key: string, e: TimelineEvidence, tool: boolean, call: CallFacts | null) => {
    let g = groups.get(key);
    if (!g) {
      g = { key, lines: [], tool, call };
      groups.set(key, g);
      order.push(g);
    }
    g.lines.push(e);
    g.call ??= call;
    return g;
  };
  const prompts: Array<{ g: Group; text: string; ts: number }> = [];
  for (const e of sorted) {
    if (isToolLine(e) && e.tool_use_id !== null) {
      add(`tool:${e.tool_use_id}`, e, true, e.call);
      continue;
    }
    const paired = noId.get(e.id);
    if (paired) {
      add(paired.key, e, true, paired.call);
      continue;
    }
    if (isPromptLine(e)) {
      const text = promptText(e.summary);
      const mate = prompts.find((p) =>
        p.text === text && Math.abs(e.ts - p.ts) <= pairMs &&
        p.g.lines.every((l) => l.source !== e.source && l.is_sidechain === e.is_sidechain)
      );
      if (mate) {
        mate.g.lines.push(e);
        continue;
      }
      prompts.push({ g: add(`prompt:${e.id}`, e, false, null), text, ts: e.ts });
      continue;
    }
    add(`ev:${e.id}`, e, false, null);
  }
  return order.map(toRow);
}

function toSource(e: TimelineEvidence): TimelineSource {
  return {
    id: e.id,
    source: e.source,
    type: e.type,
    ts: iso(e.ts),
    file: e.file,
    offset: e.offset,
  };
}

function toRow(g: Group): TimelineRow {
  const first = g.lines[0];
  // The line a row is shown as: a call's start (hook first: it has the tool's input as typed),
  // a prompt's hook line (the text as submitted), else the earliest.
  const main = g.tool
    ? (g.lines.find((l) => l.type === "PreToolUse") ?? g.lines.find(isStartLine) ?? first)
    : (g.lines.find((l) => l.type === "UserPromptSubmit") ?? first);
  const failed = g.lines.some((l) => l.error_kind === ErrorKind.ToolFailed);
  const call = g.call;
  const result = g.lines.find((l) => l.type === "user" && l.tool_use_id !== null)?.summary ??
    g.lines.find((l) => l.type === "PostToolUseFailure")?.summary ?? null;
  return {
    id: first.id,
    ts: iso(first.ts),
    source: main.source,
    session_id: first.session_id,
    type: main.type,
    tool_name: g.lines.find((l) => l.tool_name !== null)?.tool_name ?? null,
    summary: main.summary,
    is_sidechain: g.lines.some((l) => l.is_sidechain),
    error_kind: failed ? ErrorKind.ToolFailed : main.error_kind,
    tool_use_id: g.lines.find((l) => l.tool_use_id !== null)?.tool_use_id ?? null,
    key: g.key,
    kind: g.tool ? "tool" : kindOf(main.type, main.summary, main.error_kind),
    tool_status: call?.status ?? null,
    tool_duration_ms: call && call.start_ts !== null && call.end_ts !== null
      ? call.end_ts - call.start_ts
      : null,
    tool_error: call?.error ?? null,
    result,
    sources: g.lines.map(toSource),
  };
}

/** Whether two rows are the same thing: the same key, or a stored line in common. */
function sameThing(a: TimelineRow, b: TimelineRow): boolean {
  if (a.key === b.key) return true;
  const ids = new Set(a.sources.map((s) => s.id));
  return b.sources.some((s) => ids.has(s.id));
}

/** One row from an older and a newer view of the same thing: every line of both, newer facts. */
export function mergeRow(old: TimelineRow, fresh: TimelineRow): TimelineRow {
  const byId = new Map<number, TimelineSource>();
  for (const s of [...old.sources, ...fresh.sources]) byId.set(s.id, s);
  const sources = [...byId.values()].sort((a, b) =>
    Date.parse(a.ts) - Date.parse(b.ts) || a.id - b.id
  );
  const earliest = sources[0];
  return {
    ...fresh,
    id: earliest.id,
    ts: earliest.ts,
    result: fresh.result ?? old.result,
    tool_error: fresh.tool_error ?? old.tool_error,
    is_sidechain: old.is_sidechain || fresh.is_sidechain,
    sources,
  };
}

/**
 * Live rows folded into the rows already shown: a row for a thing already there replaces it in
 * place (merged), a new thing is appended.
 */
export function mergeRows(rows: TimelineRow[], fresh: TimelineRow[]): TimelineRow[] {
  const out = [...rows];
  for (const f of fresh) {
    const i = out.findIndex((r) => sameThing(r, f));
    if (i >= 0) out[i] = mergeRow(out[i], f);
    else out.push(f);
  }
  return out;
}

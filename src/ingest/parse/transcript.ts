// Transcript JSONL (projects/<slug>/<session>.jsonl and sub-agent files): a chunk of bytes
// from a stored offset → events, counted line errors and how many bytes were consumed.
// Pure. A line is only consumed with its newline, except a final line of a quiet file
// that already parses as a whole JSON object (the caller decides "quiet").

import type {
  CostState,
  IngestError,
  ModelCost,
  NormalizedEvent,
  ToolEffect,
  UsageRecord,
} from "../../core/types.ts";
import { bookkeepingLineTypes, ErrorKind } from "../../core/types.ts";
import { maxJsonDepth } from "../../core/config.ts";
import {
  contentHash,
  contentText,
  nestedDeeperThan,
  num,
  parseStamp,
  str,
  usageOf,
} from "./normalize.ts";
import { isObject, type JsonObject, oneLine, toolInputSummary } from "../../core/text.ts";
import { searchTextOf } from "../../core/search_text.ts";

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });
const newline = 0x0a;

export interface TranscriptContext {
  /** Path relative to the Claude directory. */
  relPath: string;
  /** Session for lines that carry no sessionId (summary, file-history-snapshot). */
  fileSessionId: string;
  /** Absolute byte offset of the chunk's first byte in the file. */
  baseOffset: number;
  mtimeMs: number;
  /** Time of the last line seen before this chunk, for lines without a timestamp. */
  lastTs: number | null;
  /** The previous chunk ended inside an over-long line: drop bytes up to the next newline. */
  skipToNewline: boolean;
  /** The chunk ends at end of file and the file is quiet: a complete final line may be taken. */
  takeUnterminated: boolean;
  /** Longest line accepted, in bytes. */
  maxLineBytes: number;
}

export interface TranscriptChunk {
  events: NormalizedEvent[];
  errors: IngestError[];
  /** Bytes of the chunk consumed; the next read starts at baseOffset + consumed. */
  consumed: number;
  skipToNewline: boolean;
  lastTs: number | null;
}

/** Session a transcript file belongs to, from its path (the file or its parent folder). */
export function sessionIdFromPath(relPath: string): string {
  const parts = relPath.split("/");
  const sub = parts.indexOf("subagents");
  if (sub > 0) return parts[sub - 1];
  const name = parts[parts.length - 1];
  return name.replace(/\.jsonl$/, "");
}

export function parseTranscriptChunk(ctx: TranscriptContext, bytes: Uint8Array): TranscriptChunk {
  const events: NormalizedEvent[] = [];
  const errors: IngestError[] = [];
  let lastTs = ctx.lastTs;
  let pos = 0;
  let skip = ctx.skipToNewline;
  if (skip) {
    const nl = bytes.indexOf(newline);
    if (nl === -1) return { events, errors, consumed: bytes.length, skipToNewline: true, lastTs };
    pos = nl + 1;
    skip = false;
  }
  // Lines without a time of their own before any timed line (a leading summary) borrow the
  // time of the next timed line; only a chunk with no timed line at all falls back to mtime.
  const untimed: NormalizedEvent[] = [];
  const take = (start: number, endExclusive: number, terminated: boolean): boolean => {
    const offset = ctx.baseOffset + start;
    const result = parseLine(ctx, bytes.subarray(start, endExclusive), offset, lastTs);
    if (result === null) return true;
    if ("error" in result) {
      if (!terminated) return false;
      errors.push(result.error);
      return true;
    }
    if (result.timed) {
      lastTs = result.event.ts;
      for (const ev of untimed) ev.ts = lastTs;
      untimed.length = 0;
    } else if (lastTs === null) untimed.push(result.event);
    events.push(result.event);
    return true;
  };
  for (;;) {
    const nl = bytes.indexOf(newline, pos);
    if (nl === -1) break;
    take(pos, nl, true);
    pos = nl + 1;
  }
  const rest = bytes.length - pos;
  if (rest > 0) {
    if (ctx.takeUnterminated && take(pos, bytes.length, false)) {
      pos = bytes.length;
    } else if (rest >= ctx.maxLineBytes) {
      errors.push({
        path: ctx.relPath,
        offset: ctx.baseOffset + pos,
        reason: `line longer than ${ctx.maxLineBytes} bytes: skipped`,
      });
      pos = bytes.length;
      skip = true;
    }
  }
  attachUnnamed(events);
  return { events, errors, consumed: pos, skipToNewline: skip, lastTs };
}

/**
 * Lines that name no session (summary, file-history-snapshot) belong to the session the file's
 * other lines name, which need not be the file's name (hand-made files, resumed sessions).
 * When no line of the chunk names one, they stay marked `orphan` for the writer to place:
 * such a line must never make a session of its own. Pure; mutates `events`.
 */
export function attachUnnamed(events: NormalizedEvent[]): void {
  let named: string | null = null;
  for (const ev of events) {
    if (!ev.orphan && (named === null || !ev.isSidechain)) named = ev.sessionId;
    if (named !== null && !ev.isSidechain) break;
  }
  for (const ev of events) {
    if (!ev.orphan) continue;
    if (named !== null) {
      ev.sessionId = named;
      delete ev.orphan;
    }
  }
}

type LineResult = { event: NormalizedEvent; timed: boolean } | { error: IngestError } | null;

function parseLine(
  ctx: TranscriptContext,
  lineBytes: Uint8Array,
  offset: number,
  lastTs: number | null,
): LineResult {
  const fail = (reason: string): LineResult => ({ error: { path: ctx.relPath, offset, reason } });
  let text: string;
  try {
    text = fatalUtf8.decode(lineBytes);
  } catch {
    return fail("line is not UTF-8 text");
  }
  if (text.endsWith("\r")) text = text.slice(0, -1);
  if (text.trim() === "") return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(`invalid JSON: ${oneLine(e instanceof Error ? e.message : String(e), 120)}`);
  }
  if (!isObject(value)) {
    return fail(`not a JSON object (${Array.isArray(value) ? "array" : typeof value})`);
  }
  if (nestedDeeperThan(text, value, maxJsonDepth)) {
    return fail(`nested deeper than ${maxJsonDepth} levels: not stored`);
  }
  try {
    const event = normalizeLine(ctx, value, text, offset, lastTs);
    return { event, timed: hasOwnTime(value) };
  } catch (e) {
    // Bad input is counted, never thrown out of the ingest loop (or left to block the file).
    return fail(`cannot normalize: ${oneLine(e instanceof Error ? e.message : String(e), 120)}`);
  }
}

function hasOwnTime(o: JsonObject): boolean {
  const snapshot = isObject(o.snapshot) ? o.snapshot : null;
  const stamp = str(o.timestamp) ?? str(snapshot?.timestamp);
  return stamp !== null && parseStamp(stamp) !== null;
}

function normalizeLine(
  ctx: TranscriptContext,
  o: JsonObject,
  text: string,
  offset: number,
  lastTs: number | null,
): NormalizedEvent {
  const type = str(o.type) ?? "unknown";
  const snapshot = isObject(o.snapshot) ? o.snapshot : null;
  const stamp = str(o.timestamp) ?? str(snapshot?.timestamp);
  const ts = (stamp ? parseStamp(stamp)?.ms : undefined) ?? lastTs ?? Math.round(ctx.mtimeMs);
  const key = `tr:${ctx.relPath}:${offset}:${contentHash(text)}`;
  const ownSession = str(o.sessionId);
  const ev: NormalizedEvent = {
    key,
    source: "transcript",
    sessionId: ownSession || ctx.fileSessionId,
    ts,
    type,
    toolName: null,
    toolUseId: null,
    summary: type,
    cwd: str(o.cwd),
    uuid: str(o.uuid),
    isSidechain: o.isSidechain === true,
    errorKind: ErrorKind.None,
    model: null,
    usage: null,
    toolEffects: [],
    offset,
    raw: text,
    searchText: searchTextOf(o, "transcript", type),
  };
  if (bookkeepingLineTypes.has(type)) {
    ev.bookkeeping = true;
    bookkeeping(ev, o);
    // A sub-agent's file is part of its parent session, whose totals are the main file's.
    if (ctx.relPath.includes("/subagents/")) delete ev.costState;
  }
  if (!ownSession && (type === "summary" || type === "file-history-snapshot")) {
    ev.orphan = { leafUuid: str(o.leafUuid) };
  }
  const message = isObject(o.message) ? o.message : null;
  switch (type) {
    case "assistant":
      if (message) assistant(ev, o, message, key);
      break;
    case "user":
      if (message) user(ev, message);
      break;
    case "system":
      ev.summary = oneLine(str(o.content) ?? str(o.subtype) ?? "system");
      if (o.level === "error") ev.errorKind = ErrorKind.ApiError;
      break;
    case "summary":
      ev.summary = oneLine(str(o.summary) ?? "summary");
      break;
    case "progress": {
      const data = isObject(o.data) ? o.data : {};
      ev.summary = oneLine(
        [str(data.type), str(data.hookEvent), str(data.command)].filter(Boolean).join(" ") ||
          "progress",
      );
      break;
    }
  }
  return ev;
}

/** Summaries of Claude Code's bookkeeping lines, and what a cost-state line reports. */
function bookkeeping(ev: NormalizedEvent, o: JsonObject): void {
  switch (ev.type) {
    case "queue-operation":
      ev.summary = oneLine(`${str(o.operation) ?? "queue"}: ${str(o.content) ?? ""}`);
      break;
    case "attachment": {
      const a = isObject(o.attachment) ? o.attachment : {};
      ev.summary = oneLine(`attachment: ${str(a.type) ?? "?"}`);
      break;
    }
    case "api-request": {
      const params = isObject(o.params) ? o.params : {};
      ev.summary = oneLine(`api-request: ${str(params.model) ?? "?"}`);
      break;
    }
    case "tools-used":
      ev.summary = oneLine(
        `tools used: ${
          (Array.isArray(o.tools) ? o.tools : []).filter((t) => typeof t === "string").join(", ")
        }`,
      );
      break;
    case "last-prompt":
      ev.summary = oneLine(`last prompt: ${str(o.lastPrompt) ?? ""}`);
      break;
    case "cost-state": {
      const state = costStateOf(o);
      ev.costState = state;
      ev.summary = `cost-state: $${state.totalCostUsd.toFixed(4)} reported by Claude Code`;
      break;
    }
  }
}

/** Claude Code's running totals from a `cost-state` line (missing numbers read as 0). */
export function costStateOf(o: JsonObject): CostState {
  const models: ModelCost[] = [];
  const usage = isObject(o.modelUsage) ? o.modelUsage : {};
  for (const [model, v] of Object.entries(usage)) {
    if (!isObject(v)) continue;
    const window = num(v.contextWindow);
    models.push({
      model,
      costUsd: num(v.costUSD),
      input: num(v.inputTokens),
      output: num(v.outputTokens),
      cacheCreation: num(v.cacheCreationInputTokens),
      cacheRead: num(v.cacheReadInputTokens),
      contextWindow: window > 0 ? window : null,
    });
  }
  return {
    totalCostUsd: num(o.totalCostUSD),
    apiDurationMs: num(o.totalAPIDuration),
    toolDurationMs: num(o.totalToolDuration),
    linesAdded: num(o.totalLinesAdded),
    linesRemoved: num(o.totalLinesRemoved),
    hasUnknownModelCost: o.hasUnknownModelCost === true,
    models,
  };
}

function assistant(ev: NormalizedEvent, o: JsonObject, m: JsonObject, key: string): void {
  const model = str(m.model);
  ev.model = model;
  const parts: string[] = [];
  for (const block of Array.isArray(m.content) ? m.content : []) {
    if (!isObject(block)) continue;
    if (block.type === "text" && typeof block.text === "string") parts.push(block.text);
    else if (block.type === "thinking") parts.push("(thinking)");
    else if (block.type === "tool_use") {
      const name = str(block.name);
      const input = toolInputSummary(name, block.input);
      ev.toolName ??= name;
      ev.toolUseId ??= str(block.id);
      ev.toolEffects.push(start(str(block.id), name, input));
      parts.push(`${name}: ${input}`);
    }
  }
  if (typeof m.content === "string") parts.push(m.content);
  ev.summary = oneLine(parts.join(" · ") || "assistant");
  if (
    o.isApiErrorMessage === true || (model === "<synthetic>" && /^API Error/i.test(parts[0] ?? ""))
  ) {
    ev.errorKind = ErrorKind.ApiError;
  }
  const usage = usageOf(m.usage);
  if (usage) {
    const record: UsageRecord = {
      messageId: str(m.id) ?? key,
      requestId: str(o.requestId) ?? "",
      model,
      usage,
    };
    ev.usage = record;
  }
}

function user(ev: NormalizedEvent, m: JsonObject): void {
  const content = m.content;
  if (typeof content === "string") {
    ev.summary = oneLine(content || "user");
    return;
  }
  if (!Array.isArray(content)) return;
  const parts: string[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === "tool_result") {
      const id = str(block.tool_use_id);
      const failed = block.is_error === true;
      const resultText = contentText(block.content);
      ev.toolUseId ??= id;
      ev.toolEffects.push(end(id, failed, failed ? oneLine(resultText || "error", 500) : null));
      if (failed) ev.errorKind = ErrorKind.ToolFailed;
      parts.push(`${failed ? "error" : "result"}: ${resultText}`);
    } else if (block.type === "text" && typeof block.text === "string") parts.push(block.text);
    else if (block.type === "image") parts.push("[image]");
  }
  ev.summary = oneLine(parts.join(" · ") || "user");
}

function start(toolUseId: string | null, toolName: string | null, input: string): ToolEffect {
  return { phase: "start", toolUseId, toolName, inputSummary: input, failed: false, error: null };
}

function end(toolUseId: string | null, failed: boolean, error: string | null): ToolEffect {
  return { phase: "end", toolUseId, toolName: null, inputSummary: null, failed, error };
}

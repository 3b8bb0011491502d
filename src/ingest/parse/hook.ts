// Hook payload files (hooks/logs/raw_json/{timestamp}_{event}_{session}.json), one event
// each: bytes → a NormalizedEvent or an IngestError. Pure; the caller does the reading.
// A payload without hook_event_name or session_id is rejected, never guessed.

import type { IngestError, NormalizedEvent, ToolEffect } from "../../core/types.ts";
import { ErrorKind } from "../../core/types.ts";
import { maxJsonDepth } from "../../core/config.ts";
import { contentHash, nestedDeeperThan, parseStamp, str } from "./normalize.ts";
import { isObject, type JsonObject, oneLine, toolInputSummary } from "../../core/text.ts";
import { searchTextOf } from "../../core/search_text.ts";

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

export type HookParse = { event: NormalizedEvent } | { error: IngestError };

/** Parses one hook file's bytes. `relPath` is relative to the Claude directory. */
export function parseHookFile(relPath: string, bytes: Uint8Array, mtimeMs: number): HookParse {
  const fail = (reason: string): HookParse => ({ error: { path: relPath, offset: null, reason } });
  if (bytes.length === 0) return fail("empty file (retried when it changes)");
  if (bytes.indexOf(0) !== -1) return fail("binary file: contains NUL bytes");
  let text: string;
  try {
    text = fatalUtf8.decode(bytes);
  } catch {
    return fail("not UTF-8 text");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return fail(`invalid JSON (half-written? retried when it changes): ${oneLine(why, 120)}`);
  }
  if (!isObject(payload)) return fail("not a JSON object");
  if (nestedDeeperThan(text, payload, maxJsonDepth)) {
    return fail(`nested deeper than ${maxJsonDepth} levels: not stored`);
  }
  const type = str(payload.hook_event_name);
  const sessionId = str(payload.session_id);
  if (!type) return fail("rejected: no hook_event_name");
  if (!sessionId) return fail("rejected: no session_id");
  try {
    return { event: normalizeHook(relPath, text, payload, type, sessionId, mtimeMs) };
  } catch (e) {
    // Bad input is counted, never thrown out of the ingest loop.
    return fail(`cannot normalize: ${oneLine(e instanceof Error ? e.message : String(e), 120)}`);
  }
}

function normalizeHook(
  relPath: string,
  text: string,
  p: JsonObject,
  type: string,
  sessionId: string,
  mtimeMs: number,
): NormalizedEvent {
  const toolName = str(p.tool_name);
  const toolUseId = str(p.tool_use_id);
  const toolEffects: ToolEffect[] = [];
  let errorKind: ErrorKind = ErrorKind.None;
  const input = toolName ? toolInputSummary(toolName, p.tool_input) : null;
  let summary: string;
  switch (type) {
    case "PreToolUse":
      toolEffects.push(start(toolUseId, toolName, input));
      summary = `${toolName}: ${input}`;
      break;
    case "PostToolUse":
      toolEffects.push(end(toolUseId, toolName, false, null));
      summary = `${toolName} done: ${input}`;
      break;
    case "PostToolUseFailure": {
      const error = str(p.error) ?? "failed";
      toolEffects.push(end(toolUseId, toolName, true, oneLine(error, 500)));
      errorKind = ErrorKind.ToolFailed;
      summary = `${toolName} failed: ${error}`;
      break;
    }
    case "PermissionRequest":
      summary = `permission for ${toolName}: ${input}`;
      break;
    case "Notification":
      summary = str(p.message) ?? str(p.notification_type) ?? "notification";
      break;
    case "UserPromptSubmit":
      summary = str(p.prompt) ?? "";
      break;
    case "Stop":
    case "SubagentStop":
      summary = str(p.last_assistant_message) ?? str(p.agent_type) ?? type;
      break;
    case "SubagentStart":
      summary = `${str(p.agent_type) ?? "agent"} ${str(p.agent_id) ?? ""}`;
      break;
    case "SessionStart":
      summary = [str(p.source), str(p.model)].filter(Boolean).join(" ") || "session start";
      break;
    case "SessionEnd":
      summary = str(p.reason) ?? "session end";
      break;
    case "PreCompact":
      summary = `compact (${str(p.trigger) ?? "?"})`;
      break;
    default:
      summary = toolName ? `${toolName}: ${input}` : type;
  }
  return {
    key: `hook:${relPath}:${contentHash(text)}`,
    source: "hook",
    sessionId,
    ts: hookTime(relPath, p, type, mtimeMs),
    type,
    toolName,
    toolUseId,
    summary: oneLine(summary),
    cwd: str(p.cwd),
    uuid: null,
    isSidechain: false,
    errorKind,
    model: str(p.model),
    usage: null,
    toolEffects,
    offset: null,
    raw: text,
    searchText: searchTextOf(p, "hook", type),
  };
}

function start(toolUseId: string | null, toolName: string | null, input: string | null) {
  return {
    phase: "start",
    toolUseId,
    toolName,
    inputSummary: input,
    failed: false,
    error: null,
  } as const;
}

function end(
  toolUseId: string | null,
  toolName: string | null,
  failed: boolean,
  error: string | null,
) {
  return { phase: "end", toolUseId, toolName, inputSummary: null, failed, error } as const;
}

/**
 * Hook payloads carry no time of their own. Best first: a zoned `timestamp` the logging
 * script added, the stamp in the file name, a zoneless script stamp, then the file's mtime.
 */
export function hookTime(relPath: string, p: JsonObject, type: string, mtimeMs: number): number {
  const scriptStamp = str(p.timestamp) ?? str(p.logged_at);
  const script = scriptStamp ? parseStamp(scriptStamp) : null;
  if (script?.zoned) return script.ms;
  const name = relPath.slice(relPath.lastIndexOf("/") + 1).replace(/\.json$/, "");
  const at = name.indexOf(`_${type}_`);
  const fromName = at > 0 ? parseStamp(name.slice(0, at)) : null;
  if (fromName) return fromName.ms;
  if (script) return script.ms;
  return Math.round(mtimeMs);
}

// The searchable text of an event: prompts, commands, paths and message text taken from its
// payload. One function computes it for both sides of the search index: the parsers, from the
// payload they have just parsed (so a backfill indexes text it already holds, with no second
// parse and no SQL JSON walk per row), and the SQL function search_text() behind the index's
// view (store/sql_functions.ts), from the stored payload, for snippets and the delete trigger.
// FTS5 corrupts its index when a delete names other text than the insert did, so the two must
// agree: they do because the stored payload is the text that was parsed and JSON.parse is
// deterministic. Changing what this returns needs a migration that refills the index.

import { isObject } from "./text.ts";

/** Characters kept of a tool result or an agent's prompt, and of the whole text. */
const partChars = 2000;
const textChars = 8000;

/** The search text of a payload already parsed (`payload`), or null when it has none. */
export function searchTextOf(payload: unknown, source: string, type: string): string | null {
  if (!isObject(payload)) return null;
  const text = source === "hook" ? hookText(payload, type) : lineText(payload, type);
  if (text === null) return null;
  // char(2) and char(3) mark a snippet's highlight: never part of the text.
  return cut(text, textChars).replaceAll("\u0002", " ").replaceAll("\u0003", " ");
}

/** The search text of a stored payload (its JSON text); null when it does not parse. */
export function searchTextOfRaw(raw: string, source: string, type: string): string | null {
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    return null;
  }
  return searchTextOf(payload, source, type);
}

function hookText(p: Record<string, unknown>, type: string): string | null {
  const input = p.tool_input;
  switch (type) {
    case "UserPromptSubmit":
      return scalar(p.prompt);
    case "Notification":
      return scalar(p.message);
    case "PreToolUse":
      return toolInputText(input);
    case "PermissionRequest":
      return joined(["command", "file_path", "path", "pattern", "url"].map((k) => field(input, k)));
    case "PostToolUseFailure":
      return joined([
        scalar(p.error),
        field(input, "command"),
        field(input, "file_path"),
        field(input, "pattern"),
      ]);
    default:
      return null;
  }
}

/** What a tool's input says in words: its command, paths, pattern, query, agent prompt. */
function toolInputText(input: unknown): string {
  const prompt = field(input, "prompt");
  return joined([
    ...toolInputKeys.map((k) => field(input, k)),
    prompt === null ? null : cut(prompt, partChars),
  ]);
}

const toolInputKeys = [
  "command",
  "file_path",
  "notebook_path",
  "path",
  "pattern",
  "url",
  "query",
  "description",
];

function lineText(o: Record<string, unknown>, type: string): string | null {
  switch (type) {
    case "user":
    case "assistant": {
      const content = isObject(o.message) ? o.message.content : undefined;
      if (typeof content === "string") return content;
      return Array.isArray(content) ? blocksText(content) : null;
    }
    case "system":
      return scalar(o.content);
    case "summary":
      return scalar(o.summary);
    case "queue-operation": {
      const content = scalar(o.content);
      return content === null ? null : cut(content, partChars);
    }
    default:
      return null;
  }
}

/** A message's content blocks: text, tool inputs and (the start of) tool results. */
function blocksText(blocks: unknown[]): string | null {
  const parts: string[] = [];
  for (const b of blocks) {
    if (!isObject(b)) continue;
    let part: string | null = null;
    if (b.type === "text") part = scalar(b.text);
    else if (b.type === "tool_use") part = toolInputText(b.input);
    else if (b.type === "tool_result") {
      const result = typeof b.content === "string"
        ? b.content
        : Array.isArray(b.content)
        ? joined(b.content.map((c) => isObject(c) ? scalar(c.text) : null))
        : null;
      part = result === null ? null : cut(result, partChars);
    }
    if (part !== null) parts.push(part);
  }
  return parts.length === 0 ? null : parts.join(" ");
}

/** A JSON value as text: strings as they are, numbers and booleans written, others as JSON. */
function scalar(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function field(o: unknown, key: string): string | null {
  return isObject(o) ? scalar(o[key]) : null;
}

/** The parts that are there, space-separated (SQL's concat_ws). */
function joined(parts: (string | null)[]): string {
  return parts.filter((p) => p !== null).join(" ");
}

/** The first `n` UTF-16 units of `s`, one fewer rather than half a surrogate pair. */
function cut(s: string, n: number): string {
  if (s.length <= n) return s;
  const last = s.charCodeAt(n - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}

// Pure text helpers shared by the parsers (src/ingest/parse) and the store's writes: one-line
// summaries of payloads, what a tool call works on, and the project name of a directory.

import { summaryChars } from "./config.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Collapses whitespace and cuts to the summary length. */
export function oneLine(text: string, max = summaryChars): string {
  const flat = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const collapsed = flat.replace(/\s+/g, " ").trim();
  return collapsed.length > max ? collapsed.slice(0, max - 1) + "…" : collapsed;
}

/** What a tool call works on, in a few words: the command, path, pattern, URL … */
export function toolInputSummary(toolName: string | null, input: unknown): string {
  if (!isObject(input)) return input == null ? "" : oneLine(JSON.stringify(input));
  const pick = (...keys: string[]) => {
    for (const k of keys) {
      const v = input[k];
      if (typeof v === "string" && v !== "") return v;
    }
    return null;
  };
  if (toolName === "TodoWrite" && Array.isArray(input.todos)) {
    return `${input.todos.length} todos`;
  }
  const main = pick(
    "command",
    "file_path",
    "notebook_path",
    "pattern",
    "url",
    "query",
    "description",
    "path",
    "prompt",
    "skill",
  );
  if (main !== null) {
    const where = typeof input.path === "string" && main !== input.path ? ` in ${input.path}` : "";
    return oneLine(main + where);
  }
  return oneLine(JSON.stringify(input));
}

/** Project name shown for a working directory: its last path segment. */
export function projectOf(cwd: string | null): string | null {
  if (!cwd) return null;
  const parts = cwd.replace(/[\\/]+$/, "").split(/[\\/]/);
  return parts[parts.length - 1] || cwd;
}

/** Epoch ms as ISO-8601 text, as rows show times. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// Pure text helpers shared by the parsers (src/ingest/parse) and the store's writes: one-line
// summaries of payloads (free of terminal escapes and slash-command markup: they are display
// text; the raw payload keeps every byte), what a tool call works on, and a directory's project.

import { summaryChars } from "./config.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Display text: without escapes and markup, whitespace collapsed, cut to the summary length. */
export function oneLine(text: string, max = summaryChars): string {
  // Only the head is looked at (a long payload costs no more): the markup leads a prompt.
  let flat = text.length > max * 4 ? text.slice(0, max * 4) : text;
  if (hasCommandMarkup(flat)) {
    const command = slashCommandText(text);
    flat = command.length > max * 4 ? command.slice(0, max * 4) : command;
  }
  const collapsed = stripControls(flat).replace(/\s+/g, " ").trim();
  return collapsed.length > max ? collapsed.slice(0, max - 1) + "…" : collapsed;
}

// ECMA-48 escapes as terminals write them: OSC strings (titles, links) up to BEL or ST; CSI
// sequences (colours, cursor moves), also cut short at the end of a text; other two-byte
// escapes (charset, keypad); a lone ESC.
const ansiEscape =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|\x1b[ -/]*[0-~]?/g;
// Other control characters a page would draw as boxes (tab, newline, CR are whitespace).
// deno-lint-ignore no-control-regex -- matching control characters is the point
const otherControls = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/** Text without ANSI escape sequences (colours, cursor moves, titles). */
export function stripAnsi(text: string): string {
  return text.includes("\x1b") || text.includes("\x9b") ? text.replace(ansiEscape, "") : text;
}

/** Text without escape sequences or other control characters (tab and newlines kept). */
export function stripControls(text: string): string {
  return stripAnsi(text).replace(otherControls, "");
}

const commandMarkup = /<\/?(?:local-)?command-[a-z-]*>?/g;

/** Whether text holds Claude Code's slash-command markup (`<command-name>`, `<local-command-stdout>` …). */
export function hasCommandMarkup(text: string): boolean {
  return text.includes("<command-") || text.includes("<local-command-") ||
    text.includes("</command-") || text.includes("</local-command-");
}

function tagBody(text: string, tag: string): string | null {
  const open = text.indexOf(`<${tag}>`);
  if (open === -1) return null;
  const from = open + tag.length + 2;
  const close = text.indexOf(`</${tag}>`, from);
  return text.slice(from, close === -1 ? text.length : close);
}

function withoutTag(text: string, tag: string): string {
  const open = text.indexOf(`<${tag}>`);
  if (open === -1) return text;
  const close = text.indexOf(`</${tag}>`, open);
  const end = close === -1 ? text.length : close + tag.length + 3;
  return withoutTag(text.slice(0, open) + " " + text.slice(end), tag);
}

/**
 * A slash-command prompt as a person typed it: `<command-name>/init</command-name>
 * <command-args>x</command-args>` (with its status `<command-message>` and expanded
 * `<command-contents>`) → "/init x"; `<local-command-stdout>out</local-command-stdout>` →
 * "out". Any other text is kept; stray or cut-off tags are dropped. Pure.
 */
export function slashCommandText(text: string): string {
  if (!hasCommandMarkup(text)) return text;
  const name = tagBody(text, "command-name")?.trim();
  let rest = text;
  for (const tag of ["command-name", "command-args", "command-contents"]) {
    rest = withoutTag(rest, tag);
  }
  if (name) rest = withoutTag(rest, "command-message");
  rest = rest.replace(commandMarkup, " ").trim();
  if (!name) return rest;
  const args = tagBody(text, "command-args")?.trim() ?? "";
  const command = `/${name.replace(/^\/+/, "")}${args ? ` ${args}` : ""}`;
  return rest ? `${command} ${rest}` : command;
}

/** Display text of a stored summary or snippet: no escapes, no slash-command markup. */
export function displayText(text: string): string {
  return stripControls(slashCommandText(text));
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

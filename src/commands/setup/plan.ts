// What `claude-dash setup` changes in ~/.claude/settings.json, as pure functions over the parsed
// file: claude-dash's hook on every event (beside any other hook, never replacing one), the
// statusline when none is set, and optionally the telemetry env. Applying a plan to its own
// result changes nothing, so running setup twice is one change.

import { hookEvents, isClaudeDashHook, isClaudeDashStatusline } from "../../core/first_run.ts";

/** The hook claude-dash puts on every event: a command, or an HTTP POST to the server. */
export type HookEntry =
  | { type: "command"; timeout: number; command: string }
  | { type: "http"; url: string; headers: { Authorization: string } };

/** What setup wants in settings.json. */
export interface SetupWanted {
  hook: HookEntry;
  /** The statusLine command, or null to leave statusLine alone. */
  statusline: string | null;
  /** Variables to set in settings.json "env" (--otel), or null. */
  env: Record<string, string> | null;
}

export type JsonObject = Record<string, unknown>;

/** settings.json read and understood, or why it is refused. */
export type ParsedSettings =
  | { ok: true; settings: JsonObject; indent: string }
  | { ok: false; reason: string };

/** The result of applying a plan: the new settings and what the user should know. */
export interface SetupResult {
  settings: JsonObject;
  changed: boolean;
  /** Lines to print after the diff (e.g. how to chain an existing statusline). */
  notes: string[];
}

/** The events whose hooks take a tool matcher (as in first_run.ts's settings block). */
const toolEvents: ReadonlySet<string> = new Set([
  "PreToolUse",
  "PostToolUse",
  "PostToolUseFailure",
  "PermissionRequest",
]);

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The indentation of a JSON text's first indented line (two spaces when none). */
function detectIndent(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  return m ? m[1] : "  ";
}

/**
 * Parses settings.json (null: no file yet). Refuses what setup could not change without
 * losing something: invalid JSON, a top level that is not an object, or a `hooks`, an event's
 * hook list, `env` or `statusLine` of an unexpected shape.
 */
export function parseSettings(text: string | null): ParsedSettings {
  if (text === null || text.trim() === "") return { ok: true, settings: {}, indent: "  " };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      reason: `it is not valid JSON (${e instanceof Error ? e.message : e})`,
    };
  }
  if (!isObject(value)) return { ok: false, reason: "its top level is not a JSON object" };
  if (value.hooks !== undefined) {
    if (!isObject(value.hooks)) return { ok: false, reason: `"hooks" is not an object` };
    for (const [event, groups] of Object.entries(value.hooks)) {
      if (!Array.isArray(groups)) {
        return { ok: false, reason: `"hooks"."${event}" is not a list` };
      }
    }
  }
  if (value.env !== undefined && !isObject(value.env)) {
    return { ok: false, reason: `"env" is not an object` };
  }
  if (value.statusLine !== undefined && !isObject(value.statusLine)) {
    return { ok: false, reason: `"statusLine" is not an object` };
  }
  return { ok: true, settings: value, indent: detectIndent(text) };
}

/** Settings as setup writes them: JSON in the file's own indentation, with a final newline. */
export function renderSettings(settings: JsonObject, indent = "  "): string {
  return `${JSON.stringify(settings, null, indent)}\n`;
}

/** Deep equality of JSON values, ignoring the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((x, i) => sameJson(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length &&
    ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

/** Whether a matcher group covers every tool (or the event has no tools). */
function matchesAll(group: JsonObject): boolean {
  const m = group.matcher;
  return m === undefined || m === "" || m === "*";
}

/** The matcher group claude-dash adds for `event`. */
function ourGroup(event: string, hook: HookEntry): JsonObject {
  return toolEvents.has(event) ? { matcher: "*", hooks: [hook] } : { hooks: [hook] };
}

/**
 * One event's matcher groups with claude-dash's hook in them exactly once: an existing one of
 * ours is updated in place (kept as it is when already right), extra copies of ours are
 * dropped, every other hook and key stays; without one, a group of ours is appended.
 */
export function withOurHook(event: string, groups: unknown[], hook: HookEntry): unknown[] {
  let placed = false;
  const out: unknown[] = [];
  for (const g of groups) {
    if (!isObject(g) || !Array.isArray(g.hooks)) {
      out.push(g);
      continue;
    }
    const inner: unknown[] = [];
    let ours = 0;
    for (const h of g.hooks) {
      if (!isClaudeDashHook(h) && !sameJson(h, hook)) {
        inner.push(h);
        continue;
      }
      ours++;
      if (!placed && matchesAll(g)) {
        inner.push(sameJson(h, hook) ? h : hook);
        placed = true;
      }
    }
    // A group that held only hooks of ours (now moved or merged) goes with them.
    if (ours > 0 && inner.length === 0) continue;
    out.push(ours > 0 ? { ...g, hooks: inner } : g);
  }
  if (!placed) out.push(ourGroup(event, hook));
  return out;
}

/** Quotes a word for sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** How to keep an existing statusline and also run claude-dash's, as a statusLine command. */
export function chainedStatusline(theirs: string, ours: string): string {
  const script = `in=$(cat); printf '%s' "$in" | ${theirs}; ` +
    `printf '%s' "$in" | ${ours} >/dev/null 2>&1`;
  return `sh -c ${shellQuote(script)}`;
}

function statuslineStep(settings: JsonObject, command: string, notes: string[]): void {
  const current = settings.statusLine;
  if (current === undefined) {
    settings.statusLine = { type: "command", command };
    return;
  }
  const s = current as JsonObject;
  if (isClaudeDashStatusline(s.command)) {
    if (s.command !== command) settings.statusLine = { ...s, command };
    return;
  }
  if (typeof s.command === "string" && s.command.includes(command)) return; // chained already
  notes.push(
    "statusLine already runs another command; it is left as it is. To keep it and also record " +
      "Claude's official 5-hour and weekly limits, make it run both, e.g.:",
    `  "statusLine": { "type": "command", "command": ${
      JSON.stringify(
        chainedStatusline(typeof s.command === "string" ? s.command : "your-command", command),
      )
    } }`,
    "(yours stays what Claude Code shows; claude-dash's line is discarded, its sample kept)",
  );
}

/** Applies the plan to a copy of `settings`. Pure; `changed` is false when nothing differs. */
export function applySetup(settings: JsonObject, wanted: SetupWanted): SetupResult {
  const next = structuredClone(settings);
  const notes: string[] = [];
  const hooks: JsonObject = isObject(next.hooks) ? next.hooks : {};
  for (const event of hookEvents) {
    const groups = Array.isArray(hooks[event]) ? hooks[event] as unknown[] : [];
    hooks[event] = withOurHook(event, groups, wanted.hook);
  }
  next.hooks = hooks;
  if (wanted.statusline !== null) statuslineStep(next, wanted.statusline, notes);
  if (wanted.env) {
    const env: JsonObject = isObject(next.env) ? next.env : {};
    for (const [k, v] of Object.entries(wanted.env)) {
      if (env[k] !== undefined && env[k] !== v) {
        notes.push(`env ${k} had another value; setup replaces it (--undo restores it)`);
      }
      env[k] = v;
    }
    next.env = env;
  }
  const changed = !sameJson(settings, next);
  return { settings: changed ? next : settings, changed, notes };
}

/** The telemetry variables of `--otel`, for the server on `port` with `secret`. */
export function otelEnv(port: number, secret: string): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: "1",
    OTEL_LOGS_EXPORTER: "otlp",
    OTEL_METRICS_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${secret}`,
  };
}

/** The HTTP hook of `--http`, for the server on `port` with `secret`. */
export function httpHook(port: number, secret: string): HookEntry {
  return {
    type: "http",
    url: `http://127.0.0.1:${port}/hooks`,
    headers: { Authorization: `Bearer ${secret}` },
  };
}

/** The command hook: `command` for every event, cut off after 10 s (a stdin that never ends). */
export function commandHook(command: string): HookEntry {
  return { type: "command", timeout: 10, command };
}

/**
 * A line diff of two texts (longest common subsequence), as "-"/"+" lines with `context`
 * unchanged lines around each change and "…" between distant hunks. Small files only.
 */
export function lineDiff(before: string, after: string, context = 2): string[] {
  const a = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const b = after === "" ? [] : after.replace(/\n$/, "").split("\n");
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: common lines of a[i..] and b[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Array<[" " | "-" | "+", string]> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push([" ", a[i++]]);
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push(["+", b[j++]]);
    else ops.push(["-", a[i++]]);
  }
  const keep = ops.map(() => false);
  ops.forEach(([op], k) => {
    if (op === " ") return;
    for (let c = Math.max(0, k - context); c <= Math.min(ops.length - 1, k + context); c++) {
      keep[c] = true;
    }
  });
  const out: string[] = [];
  let gap = false;
  ops.forEach(([op, line], k) => {
    if (!keep[k]) {
      gap = true;
      return;
    }
    if (gap && out.length > 0) out.push("…");
    gap = false;
    out.push(`${op} ${line}`);
  });
  return out;
}

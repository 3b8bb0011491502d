// `claude-dash statusline`: the command Claude Code runs for its status line. Reads the JSON
// Claude Code pipes to it and prints one compact line (model · context % · 5 h used % and reset
// · 7 d used % · today's cost; CLAUDE_DASH_STATUSLINE or --format picks the parts). When the
// payload carries Claude's official `rate_limits` it leaves a sample file for the dashboard
// (claude-dash/statusline/samples/, stored by the server whenever it runs, so nothing is lost
// while it is down), at most one per statuslineSampleEveryMs unless a figure changed: Claude
// Code refreshes the line every few hundred ms. The same file carries the session's reported
// context window size when it is new for the session (the dashboard prefers it to its guess
// from the model name). Like `hook` it imports nothing heavy and never
// fails Claude Code: bad input prints a minimal line, and the exit code is always 0.

import { statuslineSampleEveryMs, statuslineWindowSessionsKept } from "../core/config.ts";
import { usd } from "../core/format.ts";
import {
  type RateLimitSample,
  rateLimitSamplesRel,
  rateLimitsOf,
  reportedContextWindow,
  sampleJson,
  statuslineStateRel,
} from "../core/rate_limits.ts";
import { savePayload } from "./hook.ts";

export type StatuslinePart = "model" | "context" | "5h" | "7d" | "cost";

export const statuslineParts: readonly StatuslinePart[] = ["model", "context", "5h", "7d", "cost"];

/** Every part, in this order; a format names a subset, comma-separated ("model,5h,cost"). */
export const defaultStatuslineFormat = statuslineParts.join(",");

/** The printed line when the input is not a statusline payload. */
export const minimalLine = "claude-dash";

const maxStdinBytes = 1024 * 1024;

/** The parts a format names, in its order; an error message for an unknown part. */
export function parseFormat(text: string): StatuslinePart[] | { error: string } {
  const parts: StatuslinePart[] = [];
  for (const raw of text.split(",")) {
    const p = raw.trim();
    if (p === "") continue;
    if (!statuslineParts.includes(p as StatuslinePart)) {
      return { error: `unknown statusline part "${p}" (parts: ${statuslineParts.join(", ")})` };
    }
    parts.push(p as StatuslinePart);
  }
  return parts.length ? parts : { error: "the statusline format names no part" };
}

/** The statusline's own state: what today's cost is made of, and the last sample stored. */
export interface StatuslineState {
  /** Local calendar day the costs belong to (YYYY-MM-DD). */
  day: string;
  /** Per session: Claude Code's total_cost_usd at the start of the day (base), the latest
   * (last), and the cost of earlier runs of the same session today (done). */
  sessions: Record<string, { base: number; last: number; done: number; day: string }>;
  sample: { ts: number; key: string } | null;
  /** The context window size last stored per session, oldest first (at most
   * statuslineWindowSessionsKept). */
  windows: Record<string, number>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Local calendar day of `ms` (the terminal's day, not UTC). */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function localHhmm(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function emptyState(day: string): StatuslineState {
  return { day, sessions: {}, sample: null, windows: {} };
}

/** Parses the state file's text; an empty state for anything unreadable. */
export function parseState(text: string | null, day: string): StatuslineState {
  if (text === null) return emptyState(day);
  try {
    const v = JSON.parse(text);
    if (!isRecord(v) || typeof v.day !== "string" || !isRecord(v.sessions)) return emptyState(day);
    const sample = isRecord(v.sample) && num(v.sample.ts) !== null &&
        typeof v.sample.key === "string"
      ? { ts: v.sample.ts as number, key: v.sample.key }
      : null;
    const sessions: StatuslineState["sessions"] = {};
    for (const [id, s] of Object.entries(v.sessions)) {
      if (!isRecord(s)) continue;
      const base = num(s.base);
      const last = num(s.last);
      if (base === null || last === null || typeof s.day !== "string") continue;
      sessions[id] = { base, last, done: num(s.done) ?? 0, day: s.day };
    }
    const windows: Record<string, number> = {};
    if (isRecord(v.windows)) {
      for (const [id, w] of Object.entries(v.windows)) {
        const n = num(w);
        if (n !== null) windows[id] = n;
      }
    }
    return { day: v.day, sessions, sample, windows };
  } catch {
    return emptyState(day);
  }
}

/**
 * Today's state after seeing `cost` for `sessionId` at local day `day`. Pure. At a new day every
 * session seen the day before starts from its last cost (older ones are dropped), so only what
 * was spent today counts; a cost that went down is a new run of the session (Claude Code counts
 * per process), whose cost adds to what the session had spent today.
 */
export function withCost(
  prev: StatuslineState,
  day: string,
  sessionId: string,
  cost: number | null,
): StatuslineState {
  let sessions = prev.sessions;
  if (prev.day !== day) {
    sessions = {};
    for (const [id, s] of Object.entries(prev.sessions)) {
      if (s.day === prev.day) sessions[id] = { base: s.last, last: s.last, done: 0, day: prev.day };
    }
  }
  if (cost !== null && sessionId !== "") {
    const s = sessions[sessionId];
    const next = !s
      ? { base: 0, last: cost, done: 0, day }
      : cost < s.last
      ? { base: 0, last: cost, done: s.done + s.last - s.base, day }
      : { ...s, last: cost, day };
    sessions = { ...sessions, [sessionId]: next };
  }
  return { day, sessions, sample: prev.sample, windows: prev.windows };
}

/**
 * The state after storing `size` as `sessionId`'s context window, or null when that size is
 * already stored for it (nothing to record). Pure. The session moves to the newest end; the
 * oldest beyond statuslineWindowSessionsKept are forgotten (a forgotten one is stored again if
 * it comes back, which the server's upsert absorbs).
 */
export function withWindow(
  prev: StatuslineState,
  sessionId: string,
  size: number | null,
): StatuslineState | null {
  if (size === null || sessionId === "" || prev.windows[sessionId] === size) return null;
  const ids = Object.keys(prev.windows).filter((id) => id !== sessionId);
  const windows: Record<string, number> = {};
  for (const id of ids.slice(Math.max(0, ids.length - statuslineWindowSessionsKept + 1))) {
    windows[id] = prev.windows[id];
  }
  windows[sessionId] = size;
  return { ...prev, windows };
}

/** Claude Code's cost of every session today, by the state. */
export function todayCost(state: StatuslineState): number {
  let sum = 0;
  for (const s of Object.values(state.sessions)) sum += s.done + s.last - s.base;
  return sum;
}

/** What of a payload the line and the sample use. */
export interface StatusInput {
  sessionId: string;
  model: string | null;
  contextPct: number | null;
  cost: number | null;
  limits: ReturnType<typeof rateLimitsOf>;
  /** Claude Code's reported context window size. */
  contextWindow: number | null;
}

/** The parts of a statusline payload the line shows; null when it is not a JSON object. */
export function statusInput(payload: unknown): StatusInput | null {
  if (!isRecord(payload)) return null;
  const model = isRecord(payload.model)
    ? (typeof payload.model.display_name === "string" && payload.model.display_name) ||
      (typeof payload.model.id === "string" && payload.model.id) || null
    : null;
  let contextPct: number | null = null;
  const cw = payload.context_window;
  if (isRecord(cw)) {
    contextPct = num(cw.used_percentage);
    const size = num(cw.context_window_size);
    const u = cw.current_usage;
    if (contextPct === null && size && isRecord(u)) {
      const used = (num(u.input_tokens) ?? 0) + (num(u.cache_creation_input_tokens) ?? 0) +
        (num(u.cache_read_input_tokens) ?? 0);
      contextPct = Math.round((used / size) * 100);
    }
  }
  const cost = isRecord(payload.cost) ? num(payload.cost.total_cost_usd) : null;
  return {
    sessionId: typeof payload.session_id === "string" ? payload.session_id : "",
    model,
    contextPct,
    cost,
    limits: rateLimitsOf(payload),
    contextWindow: reportedContextWindow(payload),
  };
}

const pctText = (p: number) => `${Math.round(p)}%`;

/** The printed line. Parts without data (no rate_limits for API-key users) are left out. Pure
 * but for the local time zone of the reset time. */
export function formatLine(
  input: StatusInput,
  parts: readonly StatuslinePart[],
  todayUsd: number | null,
): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "model" && input.model) out.push(input.model);
    if (p === "context" && input.contextPct !== null) out.push(`ctx ${pctText(input.contextPct)}`);
    const five = input.limits?.five_hour;
    if (p === "5h" && five) {
      out.push(`5h ${pctText(five.used_pct)} ↻${localHhmm(five.resets_at_ms)}`);
    }
    const week = input.limits?.seven_day;
    if (p === "7d" && week) out.push(`7d ${pctText(week.used_pct)}`);
    if (p === "cost" && todayUsd !== null) out.push(`${usd(todayUsd)} today`);
  }
  return out.length ? out.join(" · ") : minimalLine;
}

/** The thinning key: a sample is new when any official figure changed. */
function sampleKey(l: NonNullable<StatusInput["limits"]>): string {
  const f = (x: { used_pct: number; resets_at_ms: number } | null) =>
    x ? `${x.used_pct}@${x.resets_at_ms}` : "-";
  return `${f(l.five_hour)} ${f(l.seven_day)}`;
}

/** Whether a sample is due: none yet, a figure changed, or statuslineSampleEveryMs passed. */
export function sampleDue(state: StatuslineState, key: string, now: number): boolean {
  const last = state.sample;
  return !last || last.key !== key || now - last.ts >= statuslineSampleEveryMs ||
    now < last.ts;
}

async function readStdin(): Promise<Uint8Array> {
  let buf = new Uint8Array(16 * 1024);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n >= maxStdinBytes) break;
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const got = await Deno.stdin.read(buf.subarray(n));
    if (got === null) break;
    n += got;
  }
  return buf.subarray(0, n);
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** Writes the state whole under a temporary name, then renames it (never half a file). */
function writeState(path: string, state: StatuslineState): void {
  Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  Deno.renameSync(tmp, path);
}

/**
 * Runs the statusline for one payload (bytes from stdin): records what is due and returns the
 * line. Never throws: a failure to record still prints the line (with a note on stderr).
 */
export function statusline(
  claudeDir: string,
  bytes: Uint8Array,
  parts: readonly StatuslinePart[],
  now = Date.now(),
): string {
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return minimalLine;
  }
  const input = statusInput(payload);
  if (!input) return minimalLine;
  const day = localDay(now);
  const statePath = `${claudeDir}/${statuslineStateRel}`;
  let state: StatuslineState = parseState(readText(statePath), day);
  const before = JSON.stringify(state);
  state = withCost(state, day, input.sessionId, input.cost);
  try {
    const key = input.limits ? sampleKey(input.limits) : null;
    const limitsDue = key !== null && sampleDue(state, key, now);
    const withNewWindow = withWindow(state, input.sessionId, input.contextWindow);
    if (limitsDue || withNewWindow) {
      // One file for both: the official figures (whenever the payload has them) and the
      // context window when it is new for the session.
      const sample: RateLimitSample = {
        ts: now,
        session_id: input.sessionId,
        ...(input.limits ?? { five_hour: null, seven_day: null }),
        ...(withNewWindow && input.contextWindow !== null
          ? { context_window: input.contextWindow }
          : {}),
      };
      savePayload(
        `${claudeDir}/${rateLimitSamplesRel}`,
        new TextEncoder().encode(sampleJson(sample)),
        "statusline",
        input.sessionId || "unknown",
        now,
      );
      if (withNewWindow) state = withNewWindow;
      if (key !== null) state = { ...state, sample: { ts: now, key } };
    }
    if (JSON.stringify(state) !== before) writeState(statePath, state);
  } catch (e) {
    warn(`could not record: ${e instanceof Error ? e.message : e}`);
  }
  return formatLine(input, parts, input.cost === null ? null : todayCost(state));
}

function warn(msg: string): void {
  try {
    console.error(`claude-dash statusline: ${msg}`);
  } catch {
    // stderr closed
  }
}

/** The format from --format, else CLAUDE_DASH_STATUSLINE, else every part. */
function formatOf(flag: string | undefined): StatuslinePart[] {
  let text = flag;
  if (text === undefined) {
    try {
      text = Deno.env.get("CLAUDE_DASH_STATUSLINE");
    } catch {
      text = undefined; // no permission for the variable: the default
    }
  }
  const parts = parseFormat(text ?? defaultStatuslineFormat);
  if ("error" in parts) {
    warn(parts.error);
    return [...statuslineParts];
  }
  return parts;
}

/** Runs the command: reads stdin, prints the line; resolves to the exit code, always 0. */
export async function runStatusline(claudeDir: string, format?: string): Promise<0> {
  let line = minimalLine;
  try {
    const parts = formatOf(format);
    if (Deno.stdin.isTerminal()) {
      warn("reads Claude Code's statusline JSON from stdin; see the README");
    } else {
      line = statusline(claudeDir, await readStdin(), parts);
    }
  } catch (e) {
    warn(e instanceof Error ? e.message : String(e));
  }
  try {
    console.log(line);
  } catch {
    // stdout closed: nothing to do
  }
  return 0;
}

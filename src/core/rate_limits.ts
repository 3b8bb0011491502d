// Claude's official rate limits as the statusline sees them (Claude Code pipes
// `rate_limits.five_hour` / `.seven_day`, each `{used_percentage, resets_at}` in epoch seconds,
// to the statusLine command for subscription plans). Three things cross modules here: the
// sample file `claude-dash statusline` writes and the ingester reads (one small JSON object),
// the official figures the dashboard derives (OfficialWindow), and the words every view uses
// for them, so the usage panel and the limit_runout alert read the same numbers.

/** Where the statusline leaves sample files, relative to the Claude directory (the server, which
 * may write only under claude-dash/, stores them and then removes them). */
export const rateLimitSamplesRel = "claude-dash/statusline/samples";

/** The statusline's own small state (thinning, today's cost), relative to the Claude directory. */
export const statuslineStateRel = "claude-dash/statusline/state.json";

export type RateLimitKind = "five_hour" | "seven_day";

export const rateLimitKinds: readonly RateLimitKind[] = ["five_hour", "seven_day"];

/** One official figure: percent of the window used, and when it resets (epoch ms). */
export interface RateLimitFigure {
  used_pct: number;
  resets_at_ms: number;
}

/** One sample as the statusline saw it (and as its file holds it). */
export interface RateLimitSample {
  /** When the statusline saw it (epoch ms). */
  ts: number;
  session_id: string;
  five_hour: RateLimitFigure | null;
  seven_day: RateLimitFigure | null;
  /** The session's context window size as Claude Code reports it (`context_window.
   * context_window_size`), present only when the statusline saw it new for the session. */
  context_window?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `{used_percentage, resets_at}` (resets_at in epoch seconds, as Claude Code sends it; a value
 * past year 33658 is taken as ms) → a figure, or null when either is missing or absurd.
 */
export function figureOf(v: unknown): RateLimitFigure | null {
  if (!isRecord(v)) return null;
  const pct = v.used_percentage;
  const at = v.resets_at;
  if (typeof pct !== "number" || !Number.isFinite(pct) || pct < 0 || pct > 1000) return null;
  if (typeof at !== "number" || !Number.isFinite(at) || at <= 0) return null;
  return { used_pct: pct, resets_at_ms: at < 1e12 ? Math.round(at * 1000) : Math.round(at) };
}

/** The official figures of a statusline payload's `rate_limits`, null when it has none. */
export function rateLimitsOf(
  payload: unknown,
): { five_hour: RateLimitFigure | null; seven_day: RateLimitFigure | null } | null {
  if (!isRecord(payload) || !isRecord(payload.rate_limits)) return null;
  const five_hour = figureOf(payload.rate_limits.five_hour);
  const seven_day = figureOf(payload.rate_limits.seven_day);
  return five_hour || seven_day ? { five_hour, seven_day } : null;
}

/** Claude Code's reported `context_window.context_window_size` of a payload, null when absent
 * or absurd (not a positive whole number of at most a billion tokens). */
export function reportedContextWindow(payload: unknown): number | null {
  if (!isRecord(payload) || !isRecord(payload.context_window)) return null;
  const size = payload.context_window.context_window_size;
  return typeof size === "number" && Number.isInteger(size) && size > 0 && size <= 1e9
    ? size
    : null;
}

/** A sample as its file holds it: the payload's own field names, resets_at in epoch seconds. */
export function sampleJson(s: RateLimitSample): string {
  const fig = (f: RateLimitFigure | null) =>
    f ? { used_percentage: f.used_pct, resets_at: f.resets_at_ms / 1000 } : null;
  return JSON.stringify({
    ts: s.ts,
    session_id: s.session_id,
    rate_limits: { five_hour: fig(s.five_hour), seven_day: fig(s.seven_day) },
    ...(s.context_window === undefined
      ? {}
      : { context_window: { context_window_size: s.context_window } }),
  });
}

/** Parses a sample file's text; null when it is not one (it holds neither an official figure
 * nor a context window size). */
export function parseSample(text: string): RateLimitSample | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(v) || typeof v.ts !== "number" || !Number.isFinite(v.ts)) return null;
  const limits = rateLimitsOf(v);
  const window = reportedContextWindow(v);
  if (!limits && window === null) return null;
  const sid = typeof v.session_id === "string" ? v.session_id : "";
  return {
    ts: Math.round(v.ts),
    session_id: sid,
    ...(limits ?? { five_hour: null, seven_day: null }),
    ...(window === null ? {} : { context_window: window }),
  };
}

/** Claude's figure for one window, with what the dashboard derives from it. */
export interface OfficialWindow {
  kind: RateLimitKind;
  /** Claude's percentage of the window used, as of `as_of`. */
  used_pct: number;
  /** When the window resets (ISO), and when it began (resets_at minus its length). */
  resets_at: string;
  start: string;
  /** When the statusline saw the figure (ISO). */
  as_of: string;
  /** The window reset after the figure was seen: it says nothing about the window now. */
  stale: boolean;
  /** Share of the window's time gone at `as_of`, in percent. */
  elapsed_pct: number;
  /** Percent of the window used per hour, and over what it was measured. */
  rate_pct_per_hour: number;
  rate_basis: "recent" | "window";
  /** Minutes the rate spans (samples of this window; the window so far for "window"). */
  rate_span_min: number;
  /** used_pct plus the rate until the reset. */
  projected_pct: number;
  /** When the projection reaches 100 % (ISO), null when not before the reset. */
  runout_at: string | null;
  /** Tokens and cost claude-dash counted in the window up to `as_of`. */
  tokens: number;
  cost_usd: number | null;
  /** tokens ÷ used share: the window's whole budget as Claude's figure implies it (null below
   * officialMinUsedPct, where the rounding of the percentage makes it meaningless). */
  implied_tokens: number | null;
  implied_cost_usd: number | null;
}

/** Claude's two windows (null: no figure seen yet, e.g. API-key users). */
export interface OfficialLimits {
  five_hour: OfficialWindow | null;
  seven_day: OfficialWindow | null;
}

/** One 7-day window aligned to Claude's resets_at (the weekly view). */
export interface ClaudeWeek {
  start: string;
  /** Claude's reset time of the window (ISO). */
  end: string;
  /** Claude's last figure for the window and when it was seen (null: none seen). */
  used_pct: number | null;
  as_of: string | null;
  tokens: number;
  cost_usd: number | null;
  /** Tokens per model, largest first ("(none)" for messages without a model). */
  models: Array<{ model: string; tokens: number; cost_usd: number | null }>;
}

export const kindLabel: Record<RateLimitKind, string> = {
  five_hour: "5-hour",
  seven_day: "weekly",
};

/** "Claude's figure, as of 14:02" (UTC), for every view of an official percentage. */
export function officialAsOfText(w: OfficialWindow): string {
  return `Claude's figure, as of ${w.as_of.slice(11, 16)}`;
}

/** "resets 16:00 UTC" (5-hour) or "resets 2026-12-09 16:00 UTC" (weekly). */
export function resetText(w: OfficialWindow): string {
  const at = w.kind === "five_hour"
    ? w.resets_at.slice(11, 16)
    : `${w.resets_at.slice(0, 10)} ${w.resets_at.slice(11, 16)}`;
  return `resets ${at} UTC`;
}

/** "64% used at 40% of the window" */
export function paceText(w: OfficialWindow): string {
  return `${Math.round(w.used_pct)}% used at ${Math.round(w.elapsed_pct)}% of the window`;
}

/**
 * The limit_runout alert's message: "The 5-hour window is projected to run out about 15:20 UTC,
 * before it resets at 16:00 UTC: 64% used as of 14:02 (Claude's figure), 18%/h".
 */
export function runoutMessage(w: OfficialWindow): string {
  const when = (iso: string) =>
    w.kind === "five_hour"
      ? `${iso.slice(11, 16)} UTC`
      : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const runout = w.runout_at
    ? `projected to run out about ${when(w.runout_at)}, before it resets at`
    : `projected at ${Math.round(w.projected_pct)}% of Claude's limit when it resets at`;
  const used = `${Math.round(w.used_pct)}% used as of ${w.as_of.slice(11, 16)} UTC`;
  return `The ${kindLabel[w.kind]} window is ${runout} ${when(w.resets_at)}: ${used} ` +
    `(Claude's figure), ` +
    `${w.rate_pct_per_hour.toFixed(1)}%/h`;
}

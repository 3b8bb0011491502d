// Claude's official 5-hour and weekly figures (the statusline's samples) and what follows from
// them: pace (used % against the share of the window gone), a projection to the reset from the
// burn rate, the budget the figure implies (tokens counted in the window ÷ used share), which
// replaces the p90 guess as the 5-hour limit (a setting still wins), and the weekly view: 7-day
// windows aligned to Claude's resets_at, with the tokens of each per model.

import type { Db } from "../../store/db.ts";
import type {
  ClaudeWeek,
  OfficialLimits,
  OfficialWindow,
  RateLimitKind,
} from "../../core/rate_limits.ts";
import {
  lastPerWindow,
  latestRateLimit,
  type RateLimitRow,
  windowSamples,
} from "../../store/read/rate_limits.ts";
import { usageBy } from "../../store/read/usage.ts";
import {
  officialMinUsedPct,
  officialRateLookbackMs,
  officialRateMinSpanMs,
} from "../../core/config.ts";
import { totalTokens } from "../../core/format.ts";
import { limitSourceText } from "../../core/window_figures.ts";
import type { WindowLimits } from "../../core/view_data.ts";

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** Each window's length. */
export const officialWindowMs: Record<RateLimitKind, number> = {
  five_hour: 5 * hourMs,
  seven_day: 7 * dayMs,
};

const iso = (ms: number) => new Date(ms).toISOString();
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** What claude-dash counted in a span. */
export interface SpanUsage {
  tokens: number;
  cost_usd: number | null;
}

/**
 * One window's figures from its newest sample, the samples of the same window (oldest first)
 * and the usage counted from the window's start to the newest sample. Pure.
 */
export function officialFigure(
  kind: RateLimitKind,
  latest: RateLimitRow,
  samples: RateLimitRow[],
  usage: SpanUsage,
  now: number,
): OfficialWindow {
  const len = officialWindowMs[kind];
  const start = latest.resets_at - len;
  const asOf = latest.ts;
  const elapsed = Math.min(len, Math.max(0, asOf - start));
  // The recent rate: from the oldest sample of this window within the lookback to the newest;
  // too short a span (or none) falls back to the window's average so far (it began at 0 %).
  const from = samples.find((s) => s.ts >= asOf - officialRateLookbackMs[kind] && s.ts < asOf);
  const recent = from !== undefined && asOf - from.ts >= officialRateMinSpanMs[kind];
  const ratePerMs = recent
    ? Math.max(0, latest.used_pct - from.used_pct) / (asOf - from.ts)
    : elapsed > 0
    ? latest.used_pct / elapsed
    : 0;
  const left = Math.max(0, latest.resets_at - asOf);
  const projected = latest.used_pct + ratePerMs * left;
  const toFull = latest.used_pct >= 100
    ? 0
    : ratePerMs > 0
    ? (100 - latest.used_pct) / ratePerMs
    : Infinity;
  const share = latest.used_pct / 100;
  const budget = latest.used_pct >= officialMinUsedPct;
  return {
    kind,
    used_pct: latest.used_pct,
    resets_at: iso(latest.resets_at),
    start: iso(start),
    as_of: iso(asOf),
    stale: now >= latest.resets_at,
    elapsed_pct: round((elapsed / len) * 100, 1),
    rate_pct_per_hour: round(ratePerMs * hourMs, 3),
    rate_basis: recent ? "recent" : "window",
    rate_span_min: round((recent ? asOf - from.ts : elapsed) / 60_000, 1),
    projected_pct: round(projected, 1),
    runout_at: toFull <= left ? iso(asOf + toFull) : null,
    tokens: usage.tokens,
    cost_usd: usage.cost_usd,
    implied_tokens: budget ? Math.round(usage.tokens / share) : null,
    implied_cost_usd: budget && usage.cost_usd !== null ? round(usage.cost_usd / share, 6) : null,
  };
}

/** Tokens and cost of the messages in [since, until). */
function spanUsage(db: Db, since: number, until: number): SpanUsage {
  let tokens = 0;
  let cost: number | null = 0;
  for (const r of usageBy(db, "model", { since, until })) {
    tokens += totalTokens(r);
    cost = cost === null || r.cost_usd === null ? null : cost + r.cost_usd;
  }
  return { tokens, cost_usd: cost === null ? null : round(cost, 6) };
}

/** One window's official figures as of `now`, or null when no sample was ever stored. */
export function officialWindow(db: Db, kind: RateLimitKind, now: number): OfficialWindow | null {
  const latest = latestRateLimit(db, kind, now);
  if (!latest) return null;
  const start = latest.resets_at - officialWindowMs[kind];
  const samples = windowSamples(
    db,
    kind,
    latest.resets_at,
    latest.ts - officialRateLookbackMs[kind],
    latest.ts,
  );
  return officialFigure(kind, latest, samples, spanUsage(db, start, latest.ts + 1), now);
}

/** Claude's two windows as of `now` (each null until the statusline has seen it). */
export function officialLimits(db: Db, now: number): OfficialLimits {
  return {
    five_hour: officialWindow(db, "five_hour", now),
    seven_day: officialWindow(db, "seven_day", now),
  };
}

/**
 * The 5-hour limits with Claude's implied budget in place of the p90 guess (a setting stays):
 * only while the figure is current (its window has not reset) and large enough to divide by.
 */
export function withOfficialBudget(
  limits: WindowLimits,
  five: OfficialWindow | null,
): WindowLimits {
  if (!five || five.stale) return limits;
  const out = { ...limits };
  const text = limitSourceText("claude", 0);
  if (out.tokens_source !== "setting" && five.implied_tokens !== null) {
    out.tokens = five.implied_tokens;
    out.tokens_source = "claude";
    out.tokens_source_text = text;
  }
  if (out.cost_source !== "setting" && five.implied_cost_usd !== null) {
    out.cost_usd = five.implied_cost_usd;
    out.cost_source = "claude";
    out.cost_source_text = text;
  }
  return out;
}

/**
 * The 7-day windows overlapping [since, until), newest first, aligned to the newest weekly
 * reset Claude reported (earlier windows step back 7 days at a time); [] before any weekly
 * figure was seen.
 */
export function claudeWeeks(db: Db, range: { since?: number; until: number }): ClaudeWeek[] {
  const latest = latestRateLimit(db, "seven_day", Number.MAX_SAFE_INTEGER);
  if (!latest) return [];
  const len = officialWindowMs.seven_day;
  // The window containing `until` (later resets step forward from the newest one seen).
  const ahead = Math.max(0, Math.ceil((range.until - latest.resets_at) / len));
  let end = latest.resets_at + ahead * len;
  // Without a start: the last 8 windows.
  const since = range.since ?? end - 8 * len;
  const figures = new Map(
    lastPerWindow(db, "seven_day", since, end + 1).map((r) => [r.resets_at, r]),
  );
  const out: ClaudeWeek[] = [];
  for (let i = 0; i < 520 && end > since; i++, end -= len) {
    const start = end - len;
    const f = figures.get(end) ?? null;
    const models = usageBy(db, "model", { since: start, until: end }).map((r) => ({
      model: r.key,
      tokens: totalTokens(r),
      cost_usd: r.cost_usd,
    })).sort((a, b) => b.tokens - a.tokens);
    let cost: number | null = 0;
    for (const m of models) cost = cost === null || m.cost_usd === null ? null : cost + m.cost_usd;
    out.push({
      start: iso(start),
      end: iso(end),
      used_pct: f ? f.used_pct : null,
      as_of: f ? iso(f.ts) : null,
      tokens: models.reduce((n, m) => n + m.tokens, 0),
      cost_usd: cost === null ? null : round(cost, 6),
      models,
    });
  }
  return out;
}

// 5-hour usage windows ("blocks"), pure: deduplicated assistant messages in time order →
// windows, the active window's burn rate and projection, and the per-window limits.
//
// The rule, as the established CLI tools compute it (ccusage 18 `identifySessionBlocks`):
// a window starts at the start of the UTC hour of its first message and lasts 5 hours; a
// message later than the window's end (ts − start > 5 h), or more than 5 hours after the
// previous message, starts a new window. A message exactly at the end stays in the window (so
// does one exactly 5 h after the previous one, unless it is past the end). The gap test never
// decides on its own — a message more than 5 h after the previous one is always past the end —
// it is kept to state the rule whole. A window is active while now < end and its last message
// is less than 5 h old. `windowsOf` applies the rule message by message; `windowsOfHours`
// computes the same windows from hourly sums, which is what the service runs.
//
// Tokens of a window = input + output + cache creation + cache read (ccusage's
// getTotalTokens). Burn rate, as ccusage's calculateBurnRate: tokens ÷ minutes from the
// window's first message to its last (0 while those are the same instant, where ccusage shows
// no rate); projection = current + rate × minutes from the last message to the window's end.
// Unlike ccusage (which projects from now), every figure is as of the last message: it changes
// only when a message arrives, so the panel, the banner and the alert read the same numbers
// whenever they look, and an open alert counts new messages, not passing seconds.
// Costs are Claude Code's reported ones where a cost-state covers the messages, else estimated;
// each window says which (cost_source).

import {
  type ActiveBlock,
  sumCostSource,
  type TokenTotals,
  type UsageBlock,
  type UsageCostSource,
  usageCostSource,
} from "../../core/types.ts";
import type { WindowLimits } from "../../core/view_data.ts";
import { percentileRank } from "../../store/read/tool_stats.ts";
import { limitSourceText, windowFigures } from "../../core/window_figures.ts";

export const windowMs = 5 * 3_600_000;
const hourMs = 3_600_000;
const minuteMs = 60_000;

/** One deduplicated assistant message (a row of table `messages`). */
export interface UsageMessage extends TokenTotals {
  ts: number;
  model: string | null;
  /** Its cost is Claude Code's reported share, not an estimate (absent: estimated). */
  reported?: boolean;
}

/** Usage sums of a set of messages. */
export interface UsageSums {
  messages: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  /** Cost of the priced messages. */
  pricedCost: number;
  /** Messages without a known price (the cost of the set is then unknown). */
  unpriced: number;
  /** Distinct models (the API lists them sorted). */
  models: string[];
  /** Messages whose cost Claude Code reported, and their cost (absent: none). */
  reported?: number;
  reportedCost?: number;
}

/** A window in epoch ms, as built; `toBlock` gives the API shape. */
export interface Window extends UsageSums {
  startMs: number;
  endMs: number;
  firstTs: number;
  lastTs: number;
}

export function tokensOf(t: {
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
}): number {
  return t.input_tokens + t.output_tokens + t.cache_creation_tokens + t.cache_read_tokens;
}

/** The window's cost, or null when a message of it has no known price. */
export function costOf(w: Window): number | null {
  return w.unpriced > 0 ? null : round6(w.pricedCost);
}

export function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** Start of the UTC hour holding `ts`. */
export function hourFloor(ts: number): number {
  return Math.floor(ts / hourMs) * hourMs;
}

/** A window starting at `startMs` whose first message is at `firstTs`, nothing added yet. */
function emptyWindow(startMs: number, firstTs: number): Window {
  return {
    startMs,
    endMs: startMs + windowMs,
    firstTs,
    lastTs: firstTs,
    messages: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    pricedCost: 0,
    unpriced: 0,
    models: [],
    reported: 0,
    reportedCost: 0,
  };
}

function addTo(w: Window, m: UsageMessage): void {
  w.lastTs = m.ts;
  w.messages++;
  w.input_tokens += m.input_tokens;
  w.output_tokens += m.output_tokens;
  w.cache_creation_tokens += m.cache_creation_tokens;
  w.cache_read_tokens += m.cache_read_tokens;
  if (m.cost_usd === null) w.unpriced++;
  else w.pricedCost += m.cost_usd;
  if (m.reported) {
    w.reported = (w.reported ?? 0) + 1;
    w.reportedCost = (w.reportedCost ?? 0) + (m.cost_usd ?? 0);
  }
  if (m.model !== null && !w.models.includes(m.model)) w.models.push(m.model);
}

/** Whether `m` (not earlier than w's last message) starts a new window after `w`. */
function startsNewWindow(w: Window, m: UsageMessage): boolean {
  return m.ts - w.startMs > windowMs || m.ts - w.lastTs > windowMs;
}

/**
 * The windows of messages sorted by ts: the rule itself, message by message. The service
 * computes the same windows from hourly sums (windowsOfHours; the tests hold the two equal).
 */
export function windowsOf(messages: Iterable<UsageMessage>): Window[] {
  const windows: Window[] = [];
  for (const m of messages) {
    let w = windows[windows.length - 1];
    if (!w || startsNewWindow(w, m)) windows.push(w = emptyWindow(hourFloor(m.ts), m.ts));
    addTo(w, m);
  }
  return windows;
}

// ---------------------------------------------------------------------------------------------
// The same windows from hourly sums

/** The sums of the messages of one UTC hour [hour, hour + 1 h). */
export interface HourRow extends UsageSums {
  hour: number;
}

/** Exact answers from the messages themselves, for the few places hours cannot decide. */
export interface MessageLookups {
  /** Sums of the messages with from ≤ ts < to. */
  sums(from: number, to: number): UsageSums;
  /** Earliest message time in [from, to). */
  first(from: number, to: number): number;
  /** Latest message time in [from, to). */
  last(from: number, to: number): number;
}

function addSums(w: Window, s: UsageSums): void {
  w.messages += s.messages;
  w.input_tokens += s.input_tokens;
  w.output_tokens += s.output_tokens;
  w.cache_creation_tokens += s.cache_creation_tokens;
  w.cache_read_tokens += s.cache_read_tokens;
  w.pricedCost += s.pricedCost;
  w.unpriced += s.unpriced;
  w.reported = (w.reported ?? 0) + (s.reported ?? 0);
  w.reportedCost = (w.reportedCost ?? 0) + (s.reportedCost ?? 0);
  for (const m of s.models) if (!w.models.includes(m)) w.models.push(m);
}

/**
 * The windows of `windowsOf`, computed from hourly sums in time order (non-empty hours only):
 * a window starts and ends on whole hours, so an hour before a window's end belongs to it
 * whole, and an hour after it opens the next window. Only the hour that starts exactly at a
 * window's end is split, by the messages: those exactly at the end stay, the rest open the
 * next window at that hour. First and last message times come from the messages too.
 */
export function windowsOfHours(hours: Iterable<HourRow>, look: MessageLookups): Window[] {
  const out: Window[] = [];
  let w: Window | null = null;
  let lastHour = 0;
  let endsOnBoundary = false;
  const finish = () => {
    if (!w) return;
    w.lastTs = endsOnBoundary ? w.endMs : look.last(lastHour, lastHour + hourMs);
    out.push(w);
  };
  const open = (hour: number, from: number, sums: UsageSums) => {
    finish();
    w = emptyWindow(hour, look.first(from, hour + hourMs));
    addSums(w, sums);
    lastHour = hour;
    endsOnBoundary = false;
  };
  for (const r of hours) {
    if (r.messages <= 0) continue;
    const cur = w as Window | null;
    if (cur && r.hour < cur.endMs) {
      addSums(cur, r);
      lastHour = r.hour;
    } else if (cur && r.hour === cur.endMs) {
      const atEnd = look.sums(r.hour, r.hour + 1);
      if (atEnd.messages === 0) open(r.hour, r.hour, r);
      else {
        addSums(cur, atEnd);
        endsOnBoundary = true;
        if (atEnd.messages < r.messages) {
          open(r.hour, r.hour + 1, look.sums(r.hour + 1, r.hour + hourMs));
        }
      }
    } else open(r.hour, r.hour, r);
  }
  finish();
  return out;
}

export function isActive(w: Window, now: number): boolean {
  return now < w.endMs && now - w.lastTs < windowMs;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The /api/blocks shape of a window. */
export function toBlock(w: Window, now: number): UsageBlock {
  return {
    start: iso(w.startMs),
    end: iso(w.endMs),
    last_ts: iso(w.lastTs),
    active: isActive(w, now),
    messages: w.messages,
    input_tokens: w.input_tokens,
    output_tokens: w.output_tokens,
    cache_creation_tokens: w.cache_creation_tokens,
    cache_read_tokens: w.cache_read_tokens,
    cost_usd: costOf(w),
    cost_reported_usd: round6(w.reportedCost ?? 0),
    cost_source: usageCostSource(w.messages, w.reported ?? 0),
    models: [...w.models].sort(),
  };
}

// ---------------------------------------------------------------------------------------------
// Limits

/** Nearest-rank 90th percentile (the insights' percentile rule), or null for no values. */
export function p90(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[percentileRank(90, sorted.length) - 1];
}

/**
 * The per-window limits: the user's setting when there is one, else the 90th percentile of
 * their own completed windows (token totals; costs of the windows whose cost is known), else
 * null (no completed window yet).
 */
export function windowLimits(
  completed: Window[],
  settings: { window_token_limit: number | null; window_cost_limit_usd: number | null },
): WindowLimits {
  const tokens = settings.window_token_limit ?? p90(completed.map(tokensOf));
  const costs: number[] = [];
  for (const w of completed) {
    const c = costOf(w);
    if (c !== null) costs.push(c);
  }
  const cost = settings.window_cost_limit_usd ?? p90(costs);
  const tokensSource = settings.window_token_limit !== null
    ? "setting"
    : tokens === null
    ? null
    : "p90";
  const costSource = settings.window_cost_limit_usd !== null
    ? "setting"
    : cost === null
    ? null
    : "p90";
  return {
    tokens,
    tokens_source: tokensSource,
    tokens_source_text: limitSourceText(tokensSource, completed.length),
    cost_usd: cost === null ? null : round6(cost),
    cost_source: costSource,
    cost_source_text: limitSourceText(costSource, costs.length),
  };
}

// ---------------------------------------------------------------------------------------------
// The active window

/**
 * Minutes until `current + ratePerMin × t` reaches `limit`: 0 when already there, null when it
 * does not happen within `minutesLeft`.
 */
function minutesToLimit(
  current: number,
  ratePerMin: number,
  limit: number | null,
  minutesLeft: number,
): number | null {
  if (limit === null) return null;
  if (current >= limit) return 0;
  if (ratePerMin <= 0) return null;
  const t = (limit - current) / ratePerMin;
  return t <= minutesLeft ? t : null;
}

/**
 * The last window with burn rate, projection and limits, or null when it is not active at
 * `now`. Only minutes_left depends on `now`; the rest is as of the window's last message.
 */
export function activeBlock(
  last: Window | null | undefined,
  now: number,
  limits: WindowLimits,
): ActiveBlock | null {
  if (!last || !isActive(last, now)) return null;
  const tokens = tokensOf(last);
  const cost = costOf(last);
  const spanMin = (last.lastTs - last.firstTs) / minuteMs;
  const tokensPerMin = spanMin > 0 ? tokens / spanMin : 0;
  const costPerMin = cost === null ? null : spanMin > 0 ? cost / spanMin : 0;
  // The projection runs from the last message, not from now (see the header).
  const restMin = Math.max(0, (last.endMs - last.lastTs) / minuteMs);
  const minutesLeft = Math.max(0, (last.endMs - now) / minuteMs);
  const projectedTokens = Math.round(tokens + tokensPerMin * restMin);
  const projectedCost = cost === null || costPerMin === null
    ? null
    : round6(cost + costPerMin * restMin);
  const overTokens = limits.tokens !== null && projectedTokens > limits.tokens;
  const overCost = limits.cost_usd !== null && projectedCost !== null &&
    projectedCost > limits.cost_usd;
  const etaTokens = minutesToLimit(tokens, tokensPerMin, limits.tokens, restMin);
  const etaCost = cost === null || costPerMin === null
    ? null
    : minutesToLimit(cost, costPerMin, limits.cost_usd, restMin);
  const etas = [etaTokens, etaCost].filter((t): t is number => t !== null);
  const at = (t: number | null) => t === null ? null : iso(Math.round(last.lastTs + t * minuteMs));
  const block = {
    start: iso(last.startMs),
    end: iso(last.endMs),
    as_of: iso(last.lastTs),
    minutes_left: Math.round(minutesLeft * 10) / 10,
    tokens,
    cost_usd: cost,
    cost_source: usageCostSource(last.messages, last.reported ?? 0),
    tokens_per_min: Math.round(tokensPerMin * 10) / 10,
    cost_per_hour: costPerMin === null ? null : round6(costPerMin * 60),
    rate_span_min: Math.round(spanMin * 10) / 10,
    projected_tokens: projectedTokens,
    projected_cost_usd: projectedCost,
    limit_tokens: limits.tokens,
    limit_source: limits.tokens_source,
    limit_source_text: limits.tokens_source_text,
    limit_cost_usd: limits.cost_usd,
    limit_cost_source: limits.cost_source,
    limit_cost_source_text: limits.cost_source_text,
    projected_over_limit: overTokens || overCost,
    limit_eta: etas.length ? at(Math.min(...etas)) : null,
    limit_eta_tokens: at(etaTokens),
    limit_eta_cost: at(etaCost),
  };
  // Which limit is over or projected over, decided once, as the panel and the alert show it.
  const f = windowFigures(block);
  return { ...block, limit_state: { tokens: f.tokens.state, cost: f.cost.state } };
}

// ---------------------------------------------------------------------------------------------
// Totals

function emptyTotals(): TokenTotals {
  return {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    cost_usd: 0,
  };
}

/** Sums rows whose cost is null when unknown (the sum's cost is then unknown too). */
export function sumTotals(rows: Iterable<TokenTotals>): TokenTotals {
  const t = emptyTotals();
  let cost: number | null = 0;
  let source: UsageCostSource | undefined;
  let first = true;
  for (const r of rows) {
    source = first ? r.cost_source : sumCostSource(source, r.cost_source);
    first = false;
    t.input_tokens += r.input_tokens;
    t.output_tokens += r.output_tokens;
    t.cache_creation_tokens += r.cache_creation_tokens;
    t.cache_read_tokens += r.cache_read_tokens;
    cost = cost === null || r.cost_usd === null ? null : cost + r.cost_usd;
  }
  t.cost_usd = cost === null ? null : round6(cost);
  if (source !== undefined) t.cost_source = source;
  return t;
}

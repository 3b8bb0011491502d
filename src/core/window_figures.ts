// The active 5-hour window's figures as people read them, for every place that shows them: the
// usage panel (UsageWindow, rendered by the server and in the browser) and the
// window_over_limit alert's message (src/domain/alerts/rules.ts). One formatter over one
// ActiveBlock, so the banner and the panel always read the same numbers, rounded the same way.

import type { ActiveBlock, LimitState } from "./types.ts";
import type { LimitSource } from "./view_data.ts";
import { compact, usd } from "./format.ts";
import { alertWindowMinRateSpanMin } from "./config.ts";

/**
 * A limit's source in words: "your setting", "your p90 of 41 windows"; null without a limit.
 * Every view shows this text beside the limit, so a new source (Claude's own figure) only adds
 * its words here.
 */
export function limitSourceText(source: LimitSource, windows: number): string | null {
  if (source === "setting") return "your setting";
  if (source === "claude") return "Claude's figure";
  if (source === "p90") return `your p90 of ${windows} window${windows === 1 ? "" : "s"}`;
  return null;
}

export type Measure = "tokens" | "cost";

/** One measure (tokens or cost) of the active window, as shown. */
export interface MeasureFigures {
  measure: Measure;
  used: string;
  projected: string;
  limit: string | null;
  /** Where the limit comes from ("your p90 of 41 windows"), null without a limit. */
  source: string | null;
  /** used ÷ limit and projected ÷ limit, in whole percent (null without both). */
  usedPct: number | null;
  projectedPct: number | null;
  /** The share that decides (the projected one, or the used one while provisional), unrounded. */
  share: number | null;
  state: LimitState;
  /** When the projection reaches the limit ("HH:MM", UTC), null when it does not or already has. */
  eta: string | null;
}

export interface WindowFigures {
  /** Window start and end, "HH:MM" UTC. */
  start: string;
  end: string;
  /** Time of the last message the figures are as of, "HH:MM" UTC. */
  asOf: string;
  /** The burn rate spans fewer than alertWindowMinRateSpanMin minutes: its projection is shown,
   * marked, and decides nothing (two quick turns project to many times any limit). */
  provisional: boolean;
  tokens: MeasureFigures;
  cost: MeasureFigures;
  /** The measure with the larger deciding share, null when neither has a limit. */
  lead: Measure | null;
}

export const hhmm = (iso: string): string => iso.slice(11, 16);

function pct(share: number | null): number | null {
  return share === null ? null : Math.round(share * 100);
}

function measure(
  m: Measure,
  used: number | null,
  projected: number | null,
  limit: number | null,
  source: string | null,
  eta: string | null,
  provisional: boolean,
): MeasureFigures {
  const fmt = m === "tokens" ? compact : usd;
  const ratio = (
    v: number | null,
  ) => (v === null || limit === null || limit <= 0 ? null : v / limit);
  const usedShare = ratio(used);
  const projectedShare = ratio(projected);
  const share = provisional ? usedShare : projectedShare;
  const state: LimitState = limit === null
    ? "no_limit"
    : usedShare === null || share === null
    ? "unknown"
    : usedShare >= 1
    ? "over"
    : share >= 1
    ? "projected_over"
    : "under";
  return {
    measure: m,
    used: used === null ? usd(null) : fmt(used),
    projected: projected === null ? usd(null) : fmt(projected),
    limit: limit === null ? null : fmt(limit),
    source: limit === null ? null : source,
    usedPct: pct(usedShare),
    projectedPct: pct(projectedShare),
    share,
    state,
    eta: state === "projected_over" && eta ? hhmm(eta) : null,
  };
}

/** The figures of the active window, as every view shows them. Pure. */
export function windowFigures(a: Omit<ActiveBlock, "limit_state">): WindowFigures {
  const provisional = a.rate_span_min < alertWindowMinRateSpanMin;
  const tokens = measure(
    "tokens",
    a.tokens,
    a.projected_tokens,
    a.limit_tokens,
    a.limit_source_text,
    a.limit_eta_tokens,
    provisional,
  );
  const cost = measure(
    "cost",
    a.cost_usd,
    a.projected_cost_usd,
    a.limit_cost_usd,
    a.limit_cost_source_text,
    a.limit_eta_cost,
    provisional,
  );
  const lead = cost.share !== null && (tokens.share === null || cost.share > tokens.share)
    ? "cost"
    : tokens.share !== null
    ? "tokens"
    : null;
  return {
    start: hhmm(a.start),
    end: hhmm(a.end),
    asOf: hhmm(a.as_of),
    provisional,
    tokens,
    cost,
    lead,
  };
}

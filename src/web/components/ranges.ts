// Named time ranges that end now (the overview's today / 24 h / 7 d / 30 d / all) and the hint a
// page shows when its range is empty but older data exists: when the last activity was and the
// smallest range that holds it. Pure; time is a parameter.

import type { OverviewRange, RangeHint } from "../../core/view_data.ts";
import { dateTime } from "../../core/format.ts";

const hourMs = 3600_000;
const dayMs = 24 * hourMs;

/** The overview's ranges, narrowest first. */
export const overviewRanges: readonly OverviewRange[] = ["today", "24h", "7d", "30d", "all"];

/** Short names for the range buttons. */
export const overviewRangeNames: Record<OverviewRange, string> = {
  today: "Today",
  "24h": "24 h",
  "7d": "7 days",
  "30d": "30 days",
  all: "All",
};

/** The range as a phrase after a figure ("Events today", "Events, last 7 days"). */
export const overviewRangePhrases: Record<OverviewRange, string> = {
  today: "today",
  "24h": "last 24 h",
  "7d": "last 7 days",
  "30d": "last 30 days",
  all: "all time",
};

/** Start of today on this machine's clock: the dashboard and its browser share the machine. */
export function localMidnight(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Where an overview range starts (undefined: all of history). */
export function overviewSince(range: OverviewRange, now: number): number | undefined {
  switch (range) {
    case "today":
      return localMidnight(now);
    case "24h":
      return now - dayMs;
    case "7d":
      return now - 7 * dayMs;
    case "30d":
      return now - 30 * dayMs;
    case "all":
      return undefined;
  }
}

/** "55 days ago", "3 hours ago", "12 minutes ago". */
export function agoText(ms: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"} ago`;
  if (ms >= dayMs) return unit(Math.floor(ms / dayMs), "day");
  if (ms >= hourMs) return unit(Math.floor(ms / hourMs), "hour");
  return unit(Math.max(0, Math.floor(ms / 60_000)), "minute");
}

/** A wider range a page can offer: its name, its start and the link text. */
export interface RangeChoice {
  range: string;
  since: number | undefined;
  label: string;
}

/**
 * The hint for an empty range: null when nothing was ever recorded or the last activity is
 * inside the current range (`since`); otherwise the narrowest of `choices` (narrowest first)
 * that holds the last activity, linked by `href`.
 */
export function rangeHint(
  lastTs: number | null,
  since: number | undefined,
  now: number,
  choices: RangeChoice[],
  href: (range: string) => string,
): RangeHint | null {
  if (lastTs === null || since === undefined || lastTs >= since) return null;
  const pick = choices.find((c) => c.since === undefined || c.since <= lastTs);
  if (!pick) return null;
  const iso = new Date(lastTs).toISOString();
  return {
    last_ts: iso,
    text: `${dateTime(iso)} UTC — ${agoText(now - lastTs)}`,
    range: pick.range,
    label: pick.label,
    href: href(pick.range),
  };
}

/** The overview's wider ranges as hint choices. */
export function overviewChoices(now: number): RangeChoice[] {
  return overviewRanges.map((r) => ({
    range: r,
    since: overviewSince(r, now),
    label: r === "all"
      ? "Show all"
      : r === "today"
      ? "Show today"
      : `Show the ${overviewRangePhrases[r]}`,
  }));
}

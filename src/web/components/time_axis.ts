// The charts' time axis: x positions proportional to time, so a day without data is empty space
// and one bucket never stretches across the chart, and tick labels at round UTC instants (the
// dashboard's times are UTC). Pure; the server and the islands draw with the same numbers.

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
/** 1970-01-05, the first Monday after the epoch: week ticks start on Mondays. */
const mondayMs = 4 * dayMs;

/** A chart shows at least this many buckets' width, so a lone bucket stays a narrow bar. */
export const minBucketsShown = 7;

/** The time span a chart covers, epoch ms. */
export interface TimeDomain {
  x0: number;
  x1: number;
}

/** Maps a time to an x position in [0, width], proportional to time. */
export function timeScale(d: TimeDomain, width: number): (t: number) => number {
  const span = Math.max(1, d.x1 - d.x0);
  return (t) => (t - d.x0) / span * width;
}

/**
 * The domain of a chart over [since, until] (either open) holding buckets that start at
 * `times`: widened to hold every bucket whole, and to at least `minBucketsShown` buckets.
 */
export function chartDomain(
  since: number | undefined,
  until: number,
  times: number[],
  bucketMs: number,
): TimeDomain {
  const first = times.length ? Math.min(...times) : until - bucketMs;
  const last = times.length ? Math.max(...times) : until - bucketMs;
  const x1 = Math.max(until, last + bucketMs);
  let x0 = Math.min(since ?? first, first);
  if (x1 - x0 < minBucketsShown * bucketMs) x0 = x1 - minBucketsShown * bucketMs;
  return { x0, x1 };
}

/** Where each bucket's bar goes: x and width in chart units, clipped to the domain. */
export function barSpans(
  times: number[],
  bucketMs: number,
  d: TimeDomain,
  width: number,
): Array<{ x: number; w: number }> {
  const x = timeScale(d, width);
  return times.map((t) => {
    const a = x(Math.max(t, d.x0));
    const b = x(Math.min(t + bucketMs, d.x1));
    return { x: a, w: Math.max(0, b - a) };
  });
}

export interface Tick {
  t: number;
  label: string;
}

/** Fixed tick steps below a month, smallest first. */
const fixedSteps = [
  minuteMs,
  2 * minuteMs,
  5 * minuteMs,
  10 * minuteMs,
  15 * minuteMs,
  30 * minuteMs,
  hourMs,
  2 * hourMs,
  3 * hourMs,
  6 * hourMs,
  12 * hourMs,
  dayMs,
  2 * dayMs,
  7 * dayMs,
  14 * dayMs,
];
/** Calendar steps in months: 1, 2, 3, 6, 12, 24, 60… */
const monthSteps = [1, 2, 3, 6, 12, 24, 60, 120];

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
const mmdd = (t: number) => new Date(t).toISOString().slice(5, 10);

/**
 * At most `maxTicks` ticks inside the domain at round UTC instants (whole minutes, hours, days,
 * Mondays, first of a month or year), labelled HH:MM below a day (MM-DD at midnight), MM-DD
 * from a day, YYYY-MM from a month and YYYY from a year.
 */
export function timeTicks(d: TimeDomain, maxTicks = 6): Tick[] {
  const span = d.x1 - d.x0;
  if (!(span > 0)) return [];
  const step = fixedSteps.find((s) => span / s <= maxTicks);
  if (step !== undefined) {
    const offset = step >= 7 * dayMs ? mondayMs : 0;
    const out: Tick[] = [];
    for (let t = Math.ceil((d.x0 - offset) / step) * step + offset; t <= d.x1; t += step) {
      const label = step < dayMs ? (t % dayMs === 0 ? mmdd(t) : hhmm(t)) : mmdd(t);
      out.push({ t, label });
    }
    return out;
  }
  const months = monthSteps.find((m) => span / (m * 30.4 * dayMs) <= maxTicks) ?? 240;
  // The first month start at or after x0, rounded up to a multiple of the step (Jan, Apr…).
  const start = new Date(d.x0);
  const y0 = start.getUTCFullYear();
  const m0 = start.getUTCMonth();
  const absolute = y0 * 12 + m0 + (d.x0 > Date.UTC(y0, m0) ? 1 : 0);
  const first = Math.ceil(absolute / months) * months;
  const out: Tick[] = [];
  for (let i = 0;; i++) {
    const k = first + i * months;
    const t = Date.UTC(Math.floor(k / 12), k % 12);
    if (t > d.x1) break;
    const iso = new Date(t).toISOString();
    out.push({ t, label: months >= 12 ? iso.slice(0, 4) : iso.slice(0, 7) });
  }
  return out;
}

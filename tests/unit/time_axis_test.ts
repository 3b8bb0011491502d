// The charts' time axis and the empty-range hint, as pure functions: x is proportional to time,
// a gap in the data stays empty space, a lone bucket is a narrow bar, ticks sit at round UTC
// instants, and the hint names the narrowest range that holds the last activity.

import assert from "node:assert/strict";
import {
  barSpans,
  chartDomain,
  minBucketsShown,
  timeScale,
  timeTicks,
} from "../../src/web/components/time_axis.ts";
import {
  agoText,
  localMidnight,
  overviewChoices,
  overviewSince,
  rangeHint,
} from "../../src/web/components/ranges.ts";

const hourMs = 3600_000;
const dayMs = 24 * hourMs;
const W = 600;
const t0 = Date.UTC(2026, 5, 1); // a Monday, 00:00 UTC

Deno.test("x positions are proportional to time within the domain", () => {
  const x = timeScale({ x0: t0, x1: t0 + 10 * dayMs }, W);
  assert.equal(x(t0), 0);
  assert.equal(x(t0 + 10 * dayMs), W);
  assert.equal(x(t0 + 5 * dayMs), W / 2);
  assert.equal(x(t0 + 2.5 * dayMs) * 2, x(t0 + 5 * dayMs));
});

Deno.test("a day without data is empty space between bars, not adjacent categories", () => {
  const d = { x0: t0, x1: t0 + 10 * dayMs };
  // Days 0, 1 and 5 have data; 2, 3, 4 are a gap.
  const spans = barSpans([t0, t0 + dayMs, t0 + 5 * dayMs], dayMs, d, W);
  const dayW = W / 10;
  assert.deepEqual(spans.map((s) => s.x), [0, dayW, 5 * dayW]);
  for (const s of spans) assert.equal(s.w, dayW);
  const gap = spans[2].x - (spans[1].x + spans[1].w);
  assert.equal(gap, 3 * dayW, "three empty days are three days' width of empty space");
});

Deno.test("a single day of data never draws as a full-width block", () => {
  const until = t0 + 12 * hourMs;
  const d = chartDomain(undefined, until, [t0], dayMs);
  assert.ok(d.x1 - d.x0 >= minBucketsShown * dayMs, "the domain holds at least a week of days");
  const [bar] = barSpans([t0], dayMs, d, W);
  assert.ok(bar.w <= W / minBucketsShown + 1e-9, `bar width ${bar.w}`);
  // Within a 30-day range the same day is a 30th of the width.
  const month = chartDomain(until - 30 * dayMs, until, [t0], dayMs);
  assert.ok(Math.abs(barSpans([t0], dayMs, month, W)[0].w - W / 30) < 1);
});

Deno.test("a domain holds every bucket whole, even one starting before the range", () => {
  const since = t0 + 3 * hourMs;
  const d = chartDomain(since, t0 + 10 * dayMs, [t0, t0 + 9 * dayMs + 20 * hourMs], dayMs);
  assert.equal(d.x0, t0);
  assert.equal(d.x1, t0 + 10 * dayMs + 20 * hourMs);
});

Deno.test("bars are clipped to the domain", () => {
  const d = { x0: t0 + 12 * hourMs, x1: t0 + 36 * hourMs };
  const [a] = barSpans([t0], dayMs, d, W);
  assert.equal(a.x, 0);
  assert.equal(a.w, W / 2);
});

Deno.test("ticks sit at round UTC instants inside the domain, at most maxTicks of them", () => {
  const hour = timeTicks({ x0: t0 + 7 * 60_000, x1: t0 + hourMs + 7 * 60_000 });
  assert.ok(hour.length > 0 && hour.length <= 6);
  for (const k of hour) assert.equal(k.t % (10 * 60_000), 0);
  assert.deepEqual(hour.map((k) => k.label), [
    "00:10",
    "00:20",
    "00:30",
    "00:40",
    "00:50",
    "01:00",
  ]);

  // Two days at 12-hour steps: midnight is labelled with its date, noon with its time.
  const days = timeTicks({ x0: t0 - hourMs, x1: t0 + 2 * dayMs + hourMs }, 6);
  assert.deepEqual(days.map((k) => k.label), ["06-01", "12:00", "06-02", "12:00", "06-03"]);

  // A month: weekly ticks on Mondays.
  const month = timeTicks({ x0: t0 - 3 * dayMs, x1: t0 + 30 * dayMs });
  for (const k of month) assert.equal(new Date(k.t).getUTCDay(), 1, k.label);
  assert.equal(month[0].label, "06-01");

  // Two years: calendar months, rounded to the step.
  const years = timeTicks({ x0: Date.UTC(2024, 4, 17), x1: Date.UTC(2026, 4, 17) });
  assert.ok(years.length <= 6);
  for (const k of years) assert.equal(new Date(k.t).getUTCDate(), 1, k.label);
  assert.ok(years.every((k) => /^\d{4}(-\d\d)?$/.test(k.label)), years.map((k) => k.label).join());
  for (const k of [...hour, ...days, ...month, ...years]) assert.ok(k.t >= 0);
});

Deno.test("an overview range starts at local midnight, 24 h, 7 or 30 days back, or never", () => {
  const now = Date.UTC(2026, 5, 10, 15, 30);
  assert.equal(overviewSince("today", now), localMidnight(now));
  assert.ok(localMidnight(now) <= now && now - localMidnight(now) < dayMs);
  assert.equal(overviewSince("24h", now), now - dayMs);
  assert.equal(overviewSince("7d", now), now - 7 * dayMs);
  assert.equal(overviewSince("30d", now), now - 30 * dayMs);
  assert.equal(overviewSince("all", now), undefined);
});

Deno.test("an empty range's hint names the last activity and the narrowest range that holds it", () => {
  const now = Date.UTC(2026, 11, 6, 9, 0);
  const href = (r: string) => `/?range=${r}`;
  const choices = overviewChoices(now);
  const today = overviewSince("today", now);

  const old = Date.UTC(2026, 9, 12, 14, 3);
  const h = rangeHint(old, today, now, choices, href)!;
  assert.equal(h.range, "all");
  assert.equal(h.href, "/?range=all");
  assert.equal(h.label, "Show all");
  assert.equal(h.last_ts, "2026-10-12T14:03:00.000Z");
  assert.equal(h.text, "2026-10-12 14:03 UTC — 54 days ago");

  const recent = now - 20 * dayMs;
  assert.equal(rangeHint(recent, today, now, choices, href)?.range, "30d");
  assert.equal(rangeHint(recent, today, now, choices, href)?.label, "Show the last 30 days");
  assert.equal(rangeHint(now - 3 * dayMs, today, now, choices, href)?.range, "7d");
  assert.equal(rangeHint(now - 2 * dayMs, now - dayMs, now, choices, href)?.range, "7d");

  assert.equal(rangeHint(null, today, now, choices, href), null, "nothing ever happened");
  assert.equal(rangeHint(now - 60_000, today, now, choices, href), null, "the range holds it");
  assert.equal(rangeHint(old, undefined, now, choices, href), null, "all of history is shown");
});

Deno.test("ago texts count whole days, hours or minutes", () => {
  assert.equal(agoText(55 * dayMs + 3 * hourMs), "55 days ago");
  assert.equal(agoText(dayMs), "1 day ago");
  assert.equal(agoText(5 * hourMs + 59 * 60_000), "5 hours ago");
  assert.equal(agoText(60_000), "1 minute ago");
  assert.equal(agoText(0), "0 minutes ago");
});

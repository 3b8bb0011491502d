// Events per minute over the last hour (or per hour over the last day), stacked by type.
// The range is part of the URL (?activity=24h); switching it updates the URL in place.

import { useSignal } from "@preact/signals";
import { foldSeries, StackedBars, type StackedSeries } from "../components/charts.tsx";
import { useLiveData } from "../client/refetch.ts";
import type { ActivityData, ActivityRange, ActivitySeries } from "../../core/view_data.ts";

export const activityBucketMs: Record<ActivityRange, number> = { "1h": 60_000, "24h": 3600_000 };

/** Every bucket start from since to until, with each series' value in each (0 if absent). Pure. */
export function denseBuckets(
  result: ActivitySeries,
  since: number,
  until: number,
  bucketMs: number,
): { buckets: string[]; series: StackedSeries[] } {
  const first = Math.floor(since / bucketMs) * bucketMs;
  const n = Math.max(1, Math.ceil((until - first) / bucketMs));
  const buckets = Array.from({ length: n }, (_, i) => new Date(first + i * bucketMs).toISOString());
  const series = result.series.map((s) => {
    const values = new Array<number>(n).fill(0);
    for (const [t, v] of s.points) {
      const i = Math.floor((Date.parse(t) - first) / bucketMs);
      if (i >= 0 && i < n) values[i] += v;
    }
    return { key: s.key, values };
  });
  return { buckets, series: foldSeries(series, n) };
}

const refetchMs = 1000;

export default function ActivityChart({ initial }: { initial: ActivityData }) {
  const range = useSignal<ActivityRange>(initial.range);
  const url = () => `/api/overview/activity?activity=${range.value}`;
  const data = useLiveData(url, initial, refetchMs);

  const choose = async (e: Event, r: ActivityRange) => {
    e.preventDefault();
    if (r === range.value) return;
    range.value = r;
    const u = new URL(location.href);
    u.searchParams.set("activity", r);
    history.replaceState(null, "", u);
    try {
      const res = await fetch(url());
      if (res.ok) data.value = await res.json();
    } catch {
      // offline: keeps the previous chart
    }
  };

  const d = data.value;
  const { buckets, series } = denseBuckets(d.result, d.since, d.until, activityBucketMs[d.range]);
  const label = d.range === "1h"
    ? (iso: string) => iso.slice(11, 16)
    : (iso: string) => `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return (
    <div id="activity" data-range={d.range}>
      <div class="chart-head">
        <span class="muted">
          {d.range === "1h" ? "events per minute, last hour" : "events per hour, last 24 hours"}
          {" "}
          (UTC)
        </span>
        <span class="seg" role="group" aria-label="time range">
          {(["1h", "24h"] as const).map((r) => (
            <a
              href={`?activity=${r}`}
              aria-current={d.range === r ? "true" : undefined}
              onClick={(e) => choose(e, r)}
            >
              {r === "1h" ? "Hour" : "Day"}
            </a>
          ))}
        </span>
      </div>
      <StackedBars buckets={buckets} series={series} label={label} unit="events" />
    </div>
  );
}

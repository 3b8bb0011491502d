// Events by type over the overview's range (or zoomed to the last hour or day), stacked, on a
// time axis: bars sit where their time is, so a quiet stretch is empty space. The zoom is part
// of the URL (?activity=24h); switching it updates the URL in place and keeps ?range=.

import { useSignal } from "@preact/signals";
import { foldSeries, type StackedSeries, TimeBars } from "../components/charts.tsx";
import { chartDomain } from "../components/time_axis.ts";
import { overviewRangeNames, overviewRangePhrases } from "../components/ranges.ts";
import { useLiveData } from "../client/refetch.ts";
import type {
  ActivityData,
  ActivityRange,
  ActivitySeries,
  OverviewRange,
} from "../../core/view_data.ts";

/** The buckets that hold events (epoch ms, oldest first) and each series' value in each. Pure. */
export function columnsOf(result: ActivitySeries): { times: number[]; series: StackedSeries[] } {
  const times = [
    ...new Set(result.series.flatMap((s) => s.points.filter((p) => p[1] > 0).map((p) => p[0]))),
  ].map(Date.parse).sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = result.series.map((s) => {
    const values = new Array<number>(times.length).fill(0);
    for (const [t, v] of s.points) {
      const i = index.get(Date.parse(t));
      if (i !== undefined) values[i] += v;
    }
    return { key: s.key, values };
  });
  return { times, series: foldSeries(series, times.length) };
}

const refetchMs = 1000;
const bucketNames: Record<number, string> = {
  60_000: "minute",
  3600_000: "hour",
  86_400_000: "day",
};
const zoomNames: Record<ActivityRange, string> = {
  "1h": "Hour",
  ...overviewRangeNames,
  "24h": "Day",
};
const zoomPhrases: Record<ActivityRange, string> = { "1h": "last hour", ...overviewRangePhrases };

export default function ActivityChart(
  { initial, range }: { initial: ActivityData; range: OverviewRange },
) {
  const zoom = useSignal<ActivityRange>(initial.range);
  const url = () => `/api/overview/activity?range=${range}&activity=${zoom.value}`;
  const data = useLiveData(url, initial, refetchMs);

  const choose = async (e: Event, r: ActivityRange) => {
    e.preventDefault();
    if (r === zoom.value) return;
    zoom.value = r;
    const u = new URL(location.href);
    if (r === range) u.searchParams.delete("activity");
    else u.searchParams.set("activity", r);
    history.replaceState(null, "", u);
    try {
      const res = await fetch(url());
      if (res.ok) data.value = await res.json();
    } catch {
      // offline: keeps the previous chart
    }
  };

  const d = data.value;
  const { times, series } = columnsOf(d.result);
  const domain = chartDomain(d.since, d.until, times, d.bucket_ms);
  const label = d.bucket_ms >= 86_400_000
    ? (t: number) => new Date(t).toISOString().slice(0, 10)
    : (t: number) => new Date(t).toISOString().slice(0, 16).replace("T", " ");
  // The last hour, the last day, then the page's range.
  const zooms = [...new Set<ActivityRange>(["1h", "24h", range])];
  return (
    <div id="activity" data-range={d.range}>
      <div class="chart-head">
        <span class="muted">
          events per {bucketNames[d.bucket_ms] ?? "bucket"}, {zoomPhrases[d.range]} (UTC)
        </span>
        <span class="seg" role="group" aria-label="chart range">
          {zooms.map((r) => (
            <a
              key={r}
              href={`?${new URLSearchParams({
                ...(range === "today" ? {} : { range }),
                activity: r,
              })}`}
              aria-current={d.range === r ? "true" : undefined}
              onClick={(e) => choose(e, r)}
            >
              {zoomNames[r]}
            </a>
          ))}
        </span>
      </div>
      <TimeBars
        domain={domain}
        bucketMs={d.bucket_ms}
        times={times}
        series={series}
        label={label}
        unit="events"
      />
    </div>
  );
}

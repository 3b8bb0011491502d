// Small SVG charts rendered the same on the server and in islands: no charting framework,
// no inline styles (the CSP forbids them): geometry in SVG attributes, colours in CSS classes.
// The x axis is time (time_axis.ts): positions proportional to time, gaps drawn as gaps.

import { compact } from "../../core/format.ts";
import { barSpans, type Tick, type TimeDomain, timeScale, timeTicks } from "./time_axis.ts";

/** Colour classes s0…s7 (static/style.css); series beyond are folded into "other". */
export const maxSeries = 8;

export interface StackedSeries {
  key: string;
  values: number[];
}

/**
 * Keeps the `maxSeries - 1` largest series and sums the rest into "other", so a chart stays
 * readable with dozens of event types. Pure.
 */
export function foldSeries(series: StackedSeries[], buckets: number): StackedSeries[] {
  const total = (s: StackedSeries) => s.values.reduce((a, b) => a + b, 0);
  const sorted = [...series].sort((a, b) => total(b) - total(a) || (a.key < b.key ? -1 : 1));
  if (sorted.length <= maxSeries) return sorted;
  const keep = sorted.slice(0, maxSeries - 1);
  const other = new Array<number>(buckets).fill(0);
  for (const s of sorted.slice(maxSeries - 1)) {
    s.values.forEach((v, i) => (other[i] += v));
  }
  return [...keep, { key: "other", values: other }];
}

const W = 600;
const round2 = (v: number) => Math.round(v * 100) / 100;

/** Tick labels in an SVG without a viewBox: x in percent, so text is never stretched. */
function TimeTicks({ domain, ticks }: { domain: TimeDomain; ticks: Tick[] }) {
  const pct = timeScale(domain, 100);
  return (
    <div class="chart-x mono" aria-hidden="true">
      <svg class="chart-ticks">
        {ticks.map((k) => {
          const p = pct(k.t);
          const anchor = p < 4 ? "start" : p > 96 ? "end" : "middle";
          return (
            <text key={k.t} x={`${p.toFixed(2)}%`} y="11" text-anchor={anchor}>{k.label}</text>
          );
        })}
      </svg>
    </div>
  );
}

/** Faint vertical lines at the ticks, in the plot's own units. */
function TickLines(
  { domain, ticks, height }: { domain: TimeDomain; ticks: Tick[]; height: number },
) {
  const x = timeScale(domain, W);
  return (
    <>
      {ticks.map((k) => <line key={k.t} class="tick" x1={x(k.t)} y1="0" x2={x(k.t)} y2={height} />)}
    </>
  );
}

export interface TimeBarsProps {
  /** The span drawn (see chartDomain): x is proportional to time within it. */
  domain: TimeDomain;
  bucketMs: number;
  /** Bucket start times (epoch ms), any order, gaps allowed. */
  times: number[];
  /** One value per time and series, stacked. */
  series: StackedSeries[];
  height?: number;
  /** Formats a bucket start for its tooltip. */
  label: (t: number) => string;
  unit: string;
  /** Formats values on the y axis and in tooltips. */
  format?: (v: number) => string;
  /** Colour class of the first series (s0…s7), so panels side by side tell series apart. */
  firstColour?: number;
}

/** Stacked bars on a time axis: each bucket drawn where and as wide as its time span. */
export function TimeBars(
  {
    domain,
    bucketMs,
    times,
    series,
    height = 140,
    label,
    unit,
    format = compact,
    firstColour = 0,
  }: TimeBarsProps,
) {
  const totals = times.map((_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const max = Math.max(0, ...totals);
  const scaleMax = max > 0 ? max : 1;
  const spans = barSpans(times, bucketMs, domain, W);
  const ticks = timeTicks(domain);
  const sum = totals.reduce((a, b) => a + b, 0);
  return (
    <figure class="chart">
      <div class="chart-y mono" aria-hidden="true">
        <span>{max > 0 ? format(max) : ""}</span>
        <span>0</span>
      </div>
      <svg
        viewBox={`0 0 ${W} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${unit}: ${round2(sum)} in ${times.length} buckets, peak ${round2(max)}`}
      >
        <TickLines domain={domain} ticks={ticks} height={height} />
        <line class="axis" x1="0" y1={height - 0.5} x2={W} y2={height - 0.5} />
        {times.map((t, i) => {
          const { x, w } = spans[i];
          if (w <= 0 || totals[i] <= 0) return null;
          const gap = w > 4 ? 1 : 0;
          let y = height;
          return (
            <g key={t}>
              <title>{`${label(t)}: ${format(totals[i])} ${unit}`}</title>
              {series.map((s, si) => {
                const v = s.values[i] ?? 0;
                if (v <= 0) return null;
                const h = v / scaleMax * (height - 2);
                y -= h;
                return (
                  <rect
                    key={s.key}
                    class={`s${(si + firstColour) % maxSeries}`}
                    x={x + gap / 2}
                    y={y}
                    width={Math.max(0.5, w - gap)}
                    height={h}
                  />
                );
              })}
            </g>
          );
        })}
      </svg>
      <TimeTicks domain={domain} ticks={ticks} />
      <figcaption class="legend">
        {series.map((s, si) => (
          <span key={s.key} class="legend-item">
            <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
              <rect class={`s${(si + firstColour) % maxSeries}`} width="10" height="10" rx="2" />
            </svg>
            {s.key}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export interface LineChartProps {
  /** [epoch ms, value] pairs, oldest first. */
  points: Array<[number, number]>;
  height?: number;
  format: (v: number) => string;
  label: string;
}

/** One filled line (e.g. cumulative tokens over a session) on a time axis. */
export function LineChart({ points, height = 120, format, label }: LineChartProps) {
  if (points.length === 0) return <p class="muted">No token usage recorded.</p>;
  const domain = { x0: points[0][0], x1: Math.max(points[0][0] + 60_000, points.at(-1)![0]) };
  const max = Math.max(1e-9, ...points.map((p) => p[1]));
  const px = timeScale(domain, W);
  const py = (v: number) => height - 1 - v / max * (height - 4);
  const pts = points.length === 1 ? [[domain.x0, 0] as [number, number], points[0]] : points;
  const line = pts.map((p, i) => `${i ? "L" : "M"}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`)
    .join("");
  const area = `${line}L${px(pts[pts.length - 1][0]).toFixed(1)},${height}L0,${height}Z`;
  const ticks = timeTicks(domain);
  return (
    <figure class="chart">
      <div class="chart-y mono" aria-hidden="true">
        <span>{format(max)}</span>
        <span>0</span>
      </div>
      <svg
        viewBox={`0 0 ${W} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label}: ${format(points[points.length - 1][1])}`}
      >
        <TickLines domain={domain} ticks={ticks} height={height} />
        <path class="area" d={area} />
        <path class="line" d={line} />
      </svg>
      <TimeTicks domain={domain} ticks={ticks} />
    </figure>
  );
}

/** A tiny trend line for table cells. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const w = 100;
  const h = 20;
  const max = Math.max(1, ...values);
  const n = values.length;
  if (n === 0) return <span class="muted">–</span>;
  const d = values.map((v, i) =>
    `${i ? "L" : "M"}${(n === 1 ? w / 2 : i / (n - 1) * w).toFixed(1)},${
      (h - 1 - v / max * (h - 3)).toFixed(1)
    }`
  ).join("");
  return (
    <svg
      class="spark"
      viewBox={`0 0 ${w} ${h}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <path class="line" d={d} />
    </svg>
  );
}

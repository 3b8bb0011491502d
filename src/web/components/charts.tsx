// Small SVG charts rendered the same on the server and in islands: no charting framework,
// no inline styles (the CSP forbids them): geometry in SVG attributes, colours in CSS classes.

import { compact } from "../../core/format.ts";

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

export interface StackedBarsProps {
  /** Bucket start times (ISO), oldest first. */
  buckets: string[];
  series: StackedSeries[];
  height?: number;
  /** Formats a bucket start for tooltips and the axis. */
  label: (iso: string) => string;
  unit: string;
}

export function StackedBars({ buckets, series, height = 140, label, unit }: StackedBarsProps) {
  const n = Math.max(1, buckets.length);
  const totals = buckets.map((_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const bw = W / n;
  const gap = bw > 4 ? 1 : 0;
  return (
    <figure class="chart">
      <div class="chart-y mono" aria-hidden="true">
        <span>{compact(max)}</span>
        <span>0</span>
      </div>
      <svg
        viewBox={`0 0 ${W} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${unit}: ${totals.reduce((a, b) => a + b, 0)} in ${n} buckets, peak ${max}`}
      >
        <line class="axis" x1="0" y1={height - 0.5} x2={W} y2={height - 0.5} />
        {buckets.map((b, i) => {
          let y = height;
          return (
            <g key={b}>
              <title>{`${label(b)}: ${totals[i]} ${unit}`}</title>
              {series.map((s, si) => {
                const v = s.values[i] ?? 0;
                if (v <= 0) return null;
                const h = v / max * (height - 2);
                y -= h;
                return (
                  <rect
                    key={s.key}
                    class={`s${si}`}
                    x={i * bw + gap / 2}
                    y={y}
                    width={Math.max(0.5, bw - gap)}
                    height={h}
                  />
                );
              })}
            </g>
          );
        })}
      </svg>
      <div class="chart-x mono" aria-hidden="true">
        <span>{buckets.length ? label(buckets[0]) : ""}</span>
        <span>{buckets.length ? label(buckets[buckets.length - 1]) : ""}</span>
      </div>
      <figcaption class="legend">
        {series.map((s, si) => (
          <span key={s.key} class="legend-item">
            <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
              <rect class={`s${si}`} width="10" height="10" rx="2" />
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
  xLabel: (ms: number) => string;
}

/** One filled line (e.g. cumulative tokens over a session). */
export function LineChart({ points, height = 120, format, label, xLabel }: LineChartProps) {
  if (points.length === 0) return <p class="muted">No token usage recorded.</p>;
  const x0 = points[0][0];
  const x1 = Math.max(x0 + 1, points[points.length - 1][0]);
  const max = Math.max(1e-9, ...points.map((p) => p[1]));
  const px = (t: number) => (t - x0) / (x1 - x0) * W;
  const py = (v: number) => height - 1 - v / max * (height - 4);
  const pts = points.length === 1 ? [[x0, 0] as [number, number], points[0]] : points;
  const line = pts.map((p, i) => `${i ? "L" : "M"}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`)
    .join("");
  const area = `${line}L${px(pts[pts.length - 1][0]).toFixed(1)},${height}L0,${height}Z`;
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
        <path class="area" d={area} />
        <path class="line" d={line} />
      </svg>
      <div class="chart-x mono" aria-hidden="true">
        <span>{xLabel(x0)}</span>
        <span>{xLabel(x1)}</span>
      </div>
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

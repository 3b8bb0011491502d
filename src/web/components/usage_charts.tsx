// The usage page's charts of one grouping (windows, days or weeks), on one time axis: input and
// output tokens, cache tokens and cost, each in its own panel, so cache reads (often 10-100× the
// rest) never flatten input and output to nothing.

import type { TokenTotals } from "../../core/types.ts";
import { usd } from "../../core/format.ts";
import { TimeBars } from "./charts.tsx";
import { chartDomain } from "./time_axis.ts";

export interface UsageChartsProps {
  /** The grouping's rows, each with the start of its bucket (epoch ms). */
  rows: Array<TokenTotals & { t: number }>;
  bucketMs: number;
  /** The page's range (since undefined: all of history). */
  since: number | undefined;
  until: number;
  /** Formats a bucket start for its tooltip. */
  label: (t: number) => string;
}

export function UsageCharts({ rows, bucketMs, since, until, label }: UsageChartsProps) {
  if (rows.length === 0) return <p class="muted">No usage in this range.</p>;
  const times = rows.map((r) => r.t);
  const domain = chartDomain(since, until, times, bucketMs);
  const unpriced = rows.some((r) => r.cost_usd === null);
  const common = { domain, bucketMs, times, label, height: 90 };
  return (
    <div class="chart-trio">
      <div>
        <h3 class="chart-title">Input and output tokens</h3>
        <TimeBars
          {...common}
          unit="input and output tokens"
          series={[
            { key: "input", values: rows.map((r) => r.input_tokens) },
            { key: "output", values: rows.map((r) => r.output_tokens) },
          ]}
        />
      </div>
      <div>
        <h3 class="chart-title">Cache tokens</h3>
        <TimeBars
          {...common}
          unit="cache tokens"
          firstColour={2}
          series={[
            { key: "cache write", values: rows.map((r) => r.cache_creation_tokens) },
            { key: "cache read", values: rows.map((r) => r.cache_read_tokens) },
          ]}
        />
      </div>
      <div>
        <h3 class="chart-title">Cost{unpriced ? " (priced models only)" : ""}</h3>
        <TimeBars
          {...common}
          unit="USD"
          firstColour={4}
          format={(v) => usd(v)}
          series={[{ key: "cost", values: rows.map((r) => r.cost_usd ?? 0) }]}
        />
      </div>
    </div>
  );
}

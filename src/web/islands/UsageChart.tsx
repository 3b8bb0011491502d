// Cumulative tokens over a session, redrawn when the live stream reports a new assistant turn.

import { LineChart } from "../components/charts.tsx";
import { compact, usd } from "../../core/format.ts";
import { useLiveData } from "../client/refetch.ts";

export interface UsageChartProps {
  sessionId: string;
  /** [ISO time, cumulative tokens, cumulative cost] */
  points: Array<[string, number, number]>;
  cost_known: boolean;
  /** Assistant messages behind the points (the points are thinned). */
  messages: number;
}

const refetchIntervalMs = 1000;

export default function UsageChart({ sessionId, points, cost_known, messages }: UsageChartProps) {
  const data = useLiveData(
    `/api/sessions/${encodeURIComponent(sessionId)}/usage`,
    { points, cost_known, messages },
    refetchIntervalMs,
    (e) => e.session_id === sessionId && e.type === "assistant",
  );
  const pts = data.value.points;
  const last = pts[pts.length - 1];
  return (
    <div id="usage-chart">
      <p class="muted">
        {last
          ? `${compact(last[1])} tokens over ${data.value.messages} assistant message${
            data.value.messages === 1 ? "" : "s"
          }, ${
            data.value.cost_known ? usd(last[2]) : `at least ${usd(last[2])} (a model is unpriced)`
          }`
          : "No assistant usage recorded for this session (hook events carry no tokens)."}
      </p>
      {pts.length
        ? (
          <LineChart
            points={pts.map((p) => [Date.parse(p[0]), p[1]])}
            format={compact}
            label="cumulative tokens"
          />
        )
        : null}
    </div>
  );
}

// The most used tools over the overview's range, with failure rate and durations.

import { compact, duration, percent } from "../../core/format.ts";
import { useLiveData } from "../client/refetch.ts";
import { col, type DroppableColumn, HiddenColumns } from "../components/columns.tsx";
import type { OverviewRange, ToolFigures } from "../../core/view_data.ts";
import { overviewRangePhrases } from "../components/ranges.ts";

const refetchMs = 3000;

/**
 * The order columns are hidden in when the panel is narrow (first hidden first; widths in
 * static/style.css, "tables that fit"). Tool, calls and failure rate always stay.
 */
const dropOrder: DroppableColumn[] = [
  { key: "p50", label: "p50" },
  { key: "p95", label: "p95" },
];

export default function TopTools(
  { initial, range }: { initial: ToolFigures[]; range: OverviewRange },
) {
  const url = `/api/overview/tools?range=${range}`;
  const rows = useLiveData(url, initial, refetchMs, (e) => !!e.tool_name).value;
  if (rows.length === 0) {
    return (
      <p class="muted" id="top-tools">
        No tool calls{range === "all"
          ? ""
          : range === "today"
          ? " today"
          : ` in the ${overviewRangePhrases[range]}`}.
      </p>
    );
  }
  return (
    <div class="table-wrap fit fit-top-tools">
      <HiddenColumns table="top-tools" columns={dropOrder} />
      <table id="top-tools">
        <thead>
          <tr>
            <th scope="col" class={col("tool")}>Tool</th>
            <th scope="col" class={col("calls", "num")}>Calls</th>
            <th scope="col" class={col("failed", "num")}>Failed</th>
            <th scope="col" class={col("p50", "num")}>p50</th>
            <th scope="col" class={col("p95", "num")}>p95</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.tool_name}>
              <td class={col("tool", "clip")}>
                <a href={`/tools?tool=${encodeURIComponent(t.tool_name)}`}>{t.tool_name}</a>
              </td>
              <td class={col("calls", "num")}>{compact(t.calls)}</td>
              <td class={col("failed", "num", t.failures > 0 && "bad")}>
                {percent(t.failure_rate)}
              </td>
              <td class={col("p50", "num")}>{duration(t.p50_ms)}</td>
              <td class={col("p95", "num")}>{duration(t.p95_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

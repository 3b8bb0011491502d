// The /tools table: per tool, calls, failure rate, p50/p95 duration and a trend line over the
// page's time range; kept current from the live stream. Each tool links to its recent calls.

import { Sparkline } from "../components/charts.tsx";
import {
  compact,
  dateTime,
  duration,
  percent,
  shortDateTime,
  withQuery,
} from "../../core/format.ts";
import { col, type DroppableColumn, HiddenColumns } from "../components/columns.tsx";
import { useLiveData } from "../client/refetch.ts";
import type { ToolsData } from "../../core/view_data.ts";

export interface ToolsTableProps {
  initial: ToolsData;
  /** The page's query string (range, tool). */
  query: string;
  selected: string | null;
}

const refetchMs = 3000;

/**
 * The order columns are hidden in on a narrow window (first hidden first; widths in
 * static/style.css, "tables that fit"). Tool, calls, failure rate and p95 always stay.
 */
const dropOrder: DroppableColumn[] = [
  { key: "trend", label: "Trend" },
  { key: "last", label: "Last call" },
  { key: "failures", label: "Failures" },
  { key: "p50", label: "p50" },
];

export default function ToolsTable({ initial, query, selected }: ToolsTableProps) {
  const data = useLiveData(`/api/tools${query}`, initial, refetchMs, (e) => !!e.tool_name);
  const rows = data.value.tools;
  if (rows.length === 0) return <p class="muted" id="no-tools">No tool calls in this range.</p>;
  return (
    <div class="table-wrap fit fit-tools">
      <HiddenColumns table="tools" columns={dropOrder} />
      <table id="tools-table">
        <thead>
          <tr>
            <th scope="col" class={col("tool")}>Tool</th>
            <th scope="col" class={col("calls", "num")}>Calls</th>
            <th scope="col" class={col("failures", "num")}>Failures</th>
            <th scope="col" class={col("rate", "num")}>Failure rate</th>
            <th scope="col" class={col("p50", "num")}>p50</th>
            <th scope="col" class={col("p95", "num")}>p95</th>
            <th scope="col" class={col("trend")}>Trend</th>
            <th scope="col" class={col("last")}>Last call (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr
              key={t.tool_name}
              data-tool={t.tool_name}
              class={t.tool_name === selected ? "selected" : undefined}
            >
              <td class={col("tool", "clip")}>
                <a
                  href={withQuery(query, { tool: t.tool_name })}
                  aria-current={t.tool_name === selected ? "true" : undefined}
                >
                  {t.tool_name}
                </a>
              </td>
              <td class={col("calls", "num")}>{compact(t.calls)}</td>
              <td class={col("failures", "num", t.failures > 0 && "bad")}>
                {compact(t.failures)}
              </td>
              <td class={col("rate", "num", t.failures > 0 && "bad")}>
                {percent(t.failure_rate)}
              </td>
              <td class={col("p50", "num")}>{duration(t.p50_ms)}</td>
              <td class={col("p95", "num")}>{duration(t.p95_ms)}</td>
              <td class={col("trend")}>
                <Sparkline values={t.trend} label={`${t.tool_name} calls over time`} />
              </td>
              <td class={col("last", "mono")} title={dateTime(t.last_ts)}>
                {shortDateTime(t.last_ts)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The /tools table: per tool, calls, failure rate, p50/p95 duration and a trend line over the
// page's time range; kept current from the live stream. Each tool links to its recent calls.

import { Sparkline } from "../components/charts.tsx";
import { compact, dateTime, duration, percent, withQuery } from "../../core/format.ts";
import { useLiveData } from "../client/refetch.ts";
import type { ToolsData } from "../../core/view_data.ts";

export interface ToolsTableProps {
  initial: ToolsData;
  /** The page's query string (range, tool). */
  query: string;
  selected: string | null;
}

const refetchMs = 3000;

export default function ToolsTable({ initial, query, selected }: ToolsTableProps) {
  const data = useLiveData(`/api/tools${query}`, initial, refetchMs, (e) => !!e.tool_name);
  const rows = data.value.tools;
  if (rows.length === 0) return <p class="muted" id="no-tools">No tool calls in this range.</p>;
  return (
    <div class="table-wrap">
      <table id="tools-table">
        <thead>
          <tr>
            <th scope="col">Tool</th>
            <th scope="col" class="num">Calls</th>
            <th scope="col" class="num">Failures</th>
            <th scope="col" class="num">Failure rate</th>
            <th scope="col" class="num">p50</th>
            <th scope="col" class="num">p95</th>
            <th scope="col">Trend</th>
            <th scope="col">Last call (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr
              key={t.tool_name}
              data-tool={t.tool_name}
              class={t.tool_name === selected ? "selected" : undefined}
            >
              <td>
                <a
                  href={withQuery(query, { tool: t.tool_name })}
                  aria-current={t.tool_name === selected ? "true" : undefined}
                >
                  {t.tool_name}
                </a>
              </td>
              <td class="num">{compact(t.calls)}</td>
              <td class={`num${t.failures ? " bad" : ""}`}>{compact(t.failures)}</td>
              <td class={`num${t.failures ? " bad" : ""}`}>{percent(t.failure_rate)}</td>
              <td class="num">{duration(t.p50_ms)}</td>
              <td class="num">{duration(t.p95_ms)}</td>
              <td>
                <Sparkline values={t.trend} label={`${t.tool_name} calls over time`} />
              </td>
              <td class="mono">{dateTime(t.last_ts)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

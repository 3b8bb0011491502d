// The most used tools (last 24 hours) on the overview, with failure rate and durations.

import { compact, duration, percent } from "../../core/format.ts";
import { useLiveData } from "../client/refetch.ts";
import type { ToolFigures } from "../../core/view_data.ts";

const refetchMs = 3000;

export default function TopTools({ initial }: { initial: ToolFigures[] }) {
  const rows = useLiveData("/api/overview/tools", initial, refetchMs, (e) => !!e.tool_name)
    .value;
  if (rows.length === 0) {
    return <p class="muted" id="top-tools">No tool calls in the last 24 hours.</p>;
  }
  return (
    <div class="table-wrap">
      <table id="top-tools">
        <thead>
          <tr>
            <th scope="col">Tool</th>
            <th scope="col" class="num">Calls</th>
            <th scope="col" class="num">Failed</th>
            <th scope="col" class="num">p50</th>
            <th scope="col" class="num">p95</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.tool_name}>
              <td>
                <a href={`/tools?tool=${encodeURIComponent(t.tool_name)}`}>{t.tool_name}</a>
              </td>
              <td class="num">{compact(t.calls)}</td>
              <td class={`num${t.failures ? " bad" : ""}`}>{percent(t.failure_rate)}</td>
              <td class="num">{duration(t.p50_ms)}</td>
              <td class="num">{duration(t.p95_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// /tools: every tool's calls, failure rate, p50/p95 duration and trend over a time range, and
// the recent calls of the tool picked (?tool=), each linked to its session.

import type { ToolsData } from "../../core/view_data.ts";
import type { ToolCallRow } from "../../core/types.ts";
import ToolsTable from "../islands/ToolsTable.tsx";
import { dateTime, duration, shortDateTime, shortId } from "../../core/format.ts";
import { Island } from "../components/island.tsx";
import { col, type DroppableColumn, HiddenColumns } from "../components/columns.tsx";
import { FilterForm, Hidden, RangeSelect } from "../components/controls.tsx";

export interface ToolsPageData {
  range: string;
  query: string;
  data: ToolsData;
  selected: string | null;
  calls: ToolCallRow[];
  callsCap: number;
}

/**
 * The order the calls table's columns are hidden in on a narrow window (first hidden first;
 * widths in static/style.css, "tables that fit"). Status, duration, input and error always stay.
 */
const callsDropOrder: DroppableColumn[] = [
  { key: "session", label: "Session" },
  { key: "started", label: "Started" },
];

export function ToolsPage({ range, query, data, selected, calls, callsCap }: ToolsPageData) {
  return (
    <>
      <h1>Tools</h1>
      <FilterForm id="tools-filters" action="/tools">
        <RangeSelect value={range} />
        <Hidden values={{ tool: selected ?? undefined }} />
      </FilterForm>
      <section class="panel" aria-label="tools">
        <Island
          name="ToolsTable"
          component={ToolsTable}
          props={{ initial: data, query, selected }}
        />
      </section>
      {selected
        ? (
          <section class="panel" aria-labelledby="calls-h" id="tool-calls">
            <h2 id="calls-h">
              Recent calls of <span class="mono">{selected}</span>
            </h2>
            <p class="muted">
              The newest {calls.length === callsCap ? callsCap : calls.length} in this range ·{" "}
              <a href={`/events?tool=${encodeURIComponent(selected)}`}>every {selected} event</a>
            </p>
            {calls.length === 0
              ? <p class="muted">No calls in this range.</p>
              : (
                <div class="table-wrap fit fit-calls">
                  <HiddenColumns table="calls" columns={callsDropOrder} />
                  <table id="calls-table">
                    <thead>
                      <tr>
                        <th scope="col" class={col("started")}>Started (UTC)</th>
                        <th scope="col" class={col("session")}>Session</th>
                        <th scope="col" class={col("status")}>Status</th>
                        <th scope="col" class={col("duration", "num")}>Duration</th>
                        <th scope="col" class={col("input")}>Input</th>
                        <th scope="col" class={col("error")}>Error</th>
                      </tr>
                    </thead>
                    <tbody>
                      {calls.map((c) => (
                        <tr class={c.status === "error" ? "is-error" : undefined}>
                          <td class={col("started", "mono")} title={dateTime(c.start_ts)}>
                            {shortDateTime(c.start_ts)}
                          </td>
                          <td class={col("session", "mono")}>
                            <a
                              href={`/sessions/${encodeURIComponent(c.session_id)}`}
                              title={c.session_id}
                            >
                              {shortId(c.session_id)}
                            </a>
                          </td>
                          <td class={col("status")}>
                            <span class={`pill tool-${c.status}`}>{c.status}</span>
                          </td>
                          <td class={col("duration", "num")}>{duration(c.duration_ms)}</td>
                          <td class={col("input", "wrap")}>{c.input_summary ?? ""}</td>
                          <td class={col("error", "wrap", "bad")}>{c.error ?? ""}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
          </section>
        )
        : null}
    </>
  );
}

// The alert history on /alerts: every alert the filters match (active, acknowledged, cleared),
// most recently seen first, with Acknowledge on active ones. Re-read from the page's twin
// (/api/alerts with the same query) whenever an alert changes live, so a row moves from active
// to acknowledged to cleared without a reload.

import { useSignal, useSignalEffect } from "@preact/signals";
import type { AlertsData } from "../../core/view_data.ts";
import type { AlertRow } from "../../core/types.ts";
import { acknowledge, actionError, alertsById } from "../client/alerts.ts";
import { dateTime, shortId } from "../../core/format.ts";
import { OffsetPager } from "../components/controls.tsx";
import { ruleLabels } from "./AlertBanner.tsx";

export interface AlertHistoryProps {
  initial: AlertsData;
  /** The page's query string ("?state=…" or ""): the twin is asked with the same one. */
  query: string;
}

/** Wait this long after an alert change before re-reading, so a burst costs one fetch. */
const refetchDelayMs = 250;

function AlertRowView({ a }: { a: AlertRow }) {
  return (
    <tr class={`alert-row state-${a.state}`} data-alert-id={a.id} data-rule={a.rule}>
      <td>
        <span class={`pill alert-state-${a.state}`}>{a.state}</span>
      </td>
      <td>{ruleLabels[a.rule] ?? a.rule}</td>
      <td class="wrap">{a.message}</td>
      <td class="mono">
        {a.session_id
          ? (
            <a href={`/sessions/${encodeURIComponent(a.session_id)}`} title={a.session_id}>
              {shortId(a.session_id)}
            </a>
          )
          : "–"}
      </td>
      <td>{a.project ?? "–"}</td>
      <td class="mono">{dateTime(a.first_ts)}</td>
      <td class="mono">{dateTime(a.last_ts)}</td>
      <td class="num" title="times new evidence was seen">{a.count}</td>
      <td>
        {a.state === "active"
          ? (
            <button type="button" class="alert-ack" onClick={() => acknowledge(a)}>
              Acknowledge
            </button>
          )
          : null}
      </td>
    </tr>
  );
}

export default function AlertHistory({ initial, query }: AlertHistoryProps) {
  const data = useSignal(initial);
  const st = useSignal({ first: true, timer: null as ReturnType<typeof setTimeout> | null });

  useSignalEffect(() => {
    // Any alert message (raised, counted, acknowledged, cleared) replaces this map.
    void alertsById.value;
    const s = st.peek();
    if (s.first) {
      s.first = false;
      return;
    }
    if (s.timer !== null) return;
    s.timer = setTimeout(async () => {
      s.timer = null;
      try {
        const res = await fetch(`/api/alerts${query}`);
        if (res.ok) data.value = await res.json();
      } catch {
        // offline: the connection badge says so; the next alert message retries
      }
    }, refetchDelayMs);
  });

  const d = data.value;
  return (
    <>
      {d.alerts.length === 0
        ? <p class="muted" id="no-alerts">No alert matches these filters.</p>
        : (
          <div class="table-wrap">
            <table id="alerts-table">
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Message</th>
                  <th scope="col">Session</th>
                  <th scope="col">Project</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Last seen</th>
                  <th scope="col" class="num">Count</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.alerts.map((a) => <AlertRowView key={a.id} a={a} />)}
              </tbody>
            </table>
          </div>
        )}
      {actionError.value ? <p class="bad" role="alert">{actionError.value}</p> : null}
      <OffsetPager
        query={query}
        offset={d.offset}
        limit={d.limit}
        total={d.total}
        noun="alerts"
      />
    </>
  );
}

// The alert banner under the header of every page: each active, non-snoozed alert with its
// message, a link to its session, and Acknowledge / Snooze 1h. Starts empty (the layout has
// no data of its own) and loads the open alerts once the live stream is up.

import { useEffect } from "preact/hooks";
import type { AlertRow } from "../../core/types.ts";
import {
  acknowledge,
  actionError,
  refreshAlerts,
  snooze,
  startAlerts,
  visibleAlerts,
} from "../client/alerts.ts";
import { connection } from "../client/live.ts";
import { clock, shortId } from "../../core/format.ts";

/** Short names of the rules, for the banner and the alert history. */
export const ruleLabels: Record<string, string> = {
  waiting: "Waiting",
  failure_streak: "Failures in a row",
  error_rate: "Error rate",
  long_tool: "Long tool call",
  session_budget: "Session budget",
  daily_budget: "Daily budget",
  window_over_limit: "5-hour window",
  hooks_silent: "Hooks silent",
  ingest_errors: "Ingest errors",
};

function AlertItem({ a }: { a: AlertRow }) {
  return (
    <li class={`alert alert-${a.rule}`} data-alert-id={a.id} data-rule={a.rule}>
      <span class="alert-rule">{ruleLabels[a.rule] ?? a.rule}</span>
      <span class="alert-msg">
        {a.message}
        {a.count > 1 ? <span class="alert-count" title="times seen">×{a.count}</span> : null}
      </span>
      <span class="alert-meta">
        since {clock(a.first_ts)} UTC
        {a.session_id
          ? (
            <>
              {" · "}
              <a href={`/sessions/${encodeURIComponent(a.session_id)}`}>
                session {shortId(a.session_id)}
              </a>
            </>
          )
          : null}
      </span>
      <span class="alert-actions">
        <button type="button" class="alert-ack" onClick={() => acknowledge(a)}>
          Acknowledge
        </button>
        <button type="button" class="alert-snooze" onClick={() => snooze(a, 60)}>
          Snooze 1h
        </button>
      </span>
    </li>
  );
}

export default function AlertBanner() {
  useEffect(() => {
    startAlerts();
    // Each time the stream is (re)connected: alerts raised or cleared meanwhile were missed.
    return connection.subscribe((state) => {
      if (state === "live") refreshAlerts();
    });
  }, []);
  const list = visibleAlerts.value;
  if (list.length === 0) return <div class="alert-banner" id="alert-banner" hidden></div>;
  return (
    <section class="alert-banner" id="alert-banner" aria-label="Alerts">
      <ul role="list" aria-live="polite">
        {list.map((a) => <AlertItem key={a.id} a={a} />)}
      </ul>
      {actionError.value ? <p class="alert-error" role="alert">{actionError.value}</p> : null}
    </section>
  );
}

// /alerts: the alert history — active, acknowledged and cleared alerts, filtered by state, rule
// and time range (all in the URL), paged on the server. The table is the AlertHistory island,
// which re-reads the page's twin /api/alerts when an alert changes live.

import type { AlertState } from "../../core/types.ts";
import type { AlertsData } from "../../core/view_data.ts";
import { alertRules } from "../../core/alert_catalog.ts";
import type { TimeRange } from "../page_params.ts";
import AlertHistory from "../islands/AlertHistory.tsx";
import { Island } from "../components/island.tsx";
import { FilterForm, Hidden, RangeSelect, Select } from "../components/controls.tsx";

/** The query state of /alerts and /api/alerts. */
export interface AlertsView {
  state?: AlertState;
  rule?: string;
  time: TimeRange;
  limit: number;
  offset: number;
}

export interface AlertsPageData {
  view: AlertsView;
  query: string;
  data: AlertsData;
}

const stateOptions: Array<[string, string]> = [
  ["active", "active (open)"],
  ["acknowledged", "acknowledged"],
  ["cleared", "cleared"],
];

export function AlertsPage({ view, query, data }: AlertsPageData) {
  const custom = view.time.range === "custom";
  const iso = (ms: number | undefined) =>
    custom && ms !== undefined ? new Date(ms).toISOString() : undefined;
  return (
    <>
      <h1>Alerts</h1>
      <FilterForm id="alerts-filters" action="/alerts">
        <Select name="state" label="State" value={view.state} options={stateOptions} />
        <Select
          name="rule"
          label="Rule"
          value={view.rule}
          options={alertRules.map((r): [string, string] => [r.id, r.label])}
        />
        <RangeSelect value={view.time.range} />
        <Hidden values={{ since: iso(view.time.since), until: iso(view.time.until) }} />
      </FilterForm>
      <section class="panel" aria-label="alerts">
        <p class="muted">
          Times in UTC · an alert clears by itself when its condition ends · rules and thresholds
          are on <a href="/settings">Settings</a>
        </p>
        <Island name="AlertHistory" component={AlertHistory} props={{ initial: data, query }} />
      </section>
    </>
  );
}

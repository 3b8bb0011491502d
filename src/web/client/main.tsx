// Browser entry: hydrates the islands the server rendered (data-island + data-props), seeds
// the live stores with the same data, then opens the live connection. Also wires the two
// page-wide behaviours that need no component: raw-JSON loading and filter auto-submit.

import { type ComponentType, h, hydrate } from "preact";
import ActivityChart from "../islands/ActivityChart.tsx";
import AlertBanner from "../islands/AlertBanner.tsx";
import AlertHistory from "../islands/AlertHistory.tsx";
import AlertToggles from "../islands/AlertToggles.tsx";
import BackfillBar from "../islands/BackfillBar.tsx";
import ConnectionBadge from "../islands/ConnectionBadge.tsx";
import HealthStats from "../islands/HealthStats.tsx";
import KpiCards from "../islands/KpiCards.tsx";
import LatestErrors from "../islands/LatestErrors.tsx";
import LiveFeed from "../islands/LiveFeed.tsx";
import LiveTail from "../islands/Timeline.tsx";
import NewEventsPill from "../islands/NewEventsPill.tsx";
import SessionBoard from "../islands/SessionBoard.tsx";
import SessionHeader from "../islands/SessionHeader.tsx";
import SessionsPill from "../islands/SessionsPill.tsx";
import SessionStatus from "../islands/SessionStatus.tsx";
import SettingsForm, { IngestActions } from "../islands/SettingsForm.tsx";
import ToolsTable from "../islands/ToolsTable.tsx";
import TopTools from "../islands/TopTools.tsx";
import UsageChart from "../islands/UsageChart.tsx";
import UsageWindow from "../islands/UsageWindow.tsx";
import { connect, feed, seedFeed, seedSessions } from "./live.ts";
import { watchRawJson } from "../islands/RawJson.tsx";
import { rememberColumns, titleClipped } from "./fit.ts";

// deno-lint-ignore no-explicit-any
const registry: Record<string, ComponentType<any>> = {
  ActivityChart,
  AlertBanner,
  AlertHistory,
  AlertToggles,
  BackfillBar,
  ConnectionBadge,
  HealthStats,
  IngestActions,
  KpiCards,
  LatestErrors,
  LiveFeed,
  LiveTail,
  NewEventsPill,
  SessionBoard,
  SessionHeader,
  SessionsPill,
  SessionStatus,
  SettingsForm,
  ToolsTable,
  TopTools,
  UsageChart,
  UsageWindow,
};

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const name = el.dataset.island ?? "";
  const props = JSON.parse(el.dataset.props ?? "{}");
  if (name === "LiveFeed") seedFeed(props.initial);
  if (name === "SessionBoard") seedSessions(props.initial);
  const component = registry[name];
  if (component) hydrate(h(component, props), el);
}

watchRawJson();
rememberColumns();
titleClipped();

// Filter menus apply at once; text fields apply on Enter or the Apply button. Empty fields
// are left out of the URL, so it names only the filters in use.
for (const form of document.querySelectorAll<HTMLFormElement>("form[data-autosubmit]")) {
  form.addEventListener("change", (e) => {
    if (e.target instanceof HTMLSelectElement) form.requestSubmit();
  });
  form.addEventListener("formdata", (e) => {
    for (const [k, v] of [...e.formData]) if (v === "") e.formData.delete(k);
  });
}

// A page opened before any data existed shows the explanation; once the first events arrive,
// load the real board instead of leaving the explanation up.
if (document.getElementById("empty-state")) {
  const stop = feed.subscribe((rows) => {
    if (rows && rows.length > 0) {
      stop();
      setTimeout(() => location.reload(), 1000);
    }
  });
}

const rendered = document.body.dataset.lastId;
connect(document.body.dataset.stream ?? "", rendered ? Number(rendered) : undefined);

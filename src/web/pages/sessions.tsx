// /sessions: every session, filtered by project, status, model and time range, sorted by any
// column, paged on the server. All state is in the URL.

import type { SessionListRow } from "../../core/types.ts";
import type { SessionsView } from "../page_params.ts";
import SessionStatus from "../islands/SessionStatus.tsx";
import SessionsPill from "../islands/SessionsPill.tsx";
import { PromptText } from "../components/text.tsx";
import {
  dateTime,
  duration,
  shortDateTime,
  shortId,
  shortModel,
  truncate,
  withQuery,
} from "../../core/format.ts";
import { ArchivedBadge, ContextBar } from "../islands/ContextBar.tsx";
import { Island } from "../components/island.tsx";
import { SessionFigureCells } from "../components/session_cells.tsx";
import { col, HiddenColumns } from "../components/columns.tsx";
import { FilterForm, Hidden, OffsetPager, RangeSelect, Select } from "../components/controls.tsx";

export interface SessionsPageData {
  view: SessionsView;
  query: string;
  total: number;
  rows: SessionListRow[];
  facets: { projects: string[]; models: string[] };
}

const statuses: Array<[string, string]> = [
  ["waiting", "waiting for input"],
  ["running", "running"],
  ["idle", "idle"],
  ["ended", "ended"],
];

export function SessionsPage({ view, query, total, rows, facets }: SessionsPageData) {
  return (
    <>
      <h1>Sessions</h1>
      <FilterForm id="sessions-filters" action="/sessions">
        <Select name="project" label="Project" value={view.project} options={facets.projects} />
        <Select name="status" label="Status" value={view.status} options={statuses} />
        <Select name="model" label="Model" value={view.model} options={facets.models} />
        <RangeSelect value={view.time.range} />
        <Hidden
          values={{
            sort: view.sort === "last" ? undefined : view.sort,
            dir: view.dir === (view.sort === "project" ? "asc" : "desc") ? undefined : view.dir,
            since: view.time.range === "custom" && view.time.since !== undefined
              ? new Date(view.time.since).toISOString()
              : undefined,
            until: view.time.range === "custom" && view.time.until !== undefined
              ? new Date(view.time.until).toISOString()
              : undefined,
          }}
        />
      </FilterForm>
      <section class="panel" aria-label="sessions">
        <div class="list-head">
          <span class="muted">Times in UTC</span>
          <Island
            name="SessionsPill"
            component={SessionsPill}
            props={{
              ids: rows.map((r) => r.session_id),
              filter: { project: view.project, model: view.model, status: view.status },
              href: query || "?",
            }}
          />
        </div>
        {rows.length === 0
          ? <p class="muted" id="no-sessions">No session matches these filters.</p>
          : <SessionsTable rows={rows} query={query} sort={view.sort} dir={view.dir} />}
        <OffsetPager
          query={query}
          offset={view.offset}
          limit={view.limit}
          total={total}
          noun="sessions"
        />
      </section>
    </>
  );
}

const columns: Array<{ key: string; label: string; num?: boolean; sort?: string }> = [
  { key: "status", label: "Status", sort: "status" },
  { key: "project", label: "Project", sort: "project" },
  { key: "prompt", label: "First prompt" },
  { key: "model", label: "Model" },
  { key: "context", label: "Context", sort: "context" },
  { key: "started", label: "Started", sort: "first" },
  { key: "duration", label: "Duration", num: true, sort: "duration" },
  { key: "events", label: "Events", num: true, sort: "events" },
  { key: "tools", label: "Tools", num: true, sort: "tools" },
  { key: "errors", label: "Errors", num: true, sort: "errors" },
  { key: "tokens", label: "Tokens", num: true, sort: "tokens" },
  { key: "cost", label: "Cost", num: true, sort: "cost" },
  { key: "last", label: "Last activity", sort: "last" },
];

/**
 * The order columns are hidden in when the table is narrower than its panel needs (first hidden
 * first; the widths are in static/style.css, "tables that fit"). Status, project, first prompt and
 * last activity (the default sort) always stay; every hidden one is listed and can be shown again.
 */
const dropOrder = [
  "tools",
  "events",
  "started",
  "duration",
  "model",
  "context",
  "tokens",
  "errors",
  "cost",
];
const droppable = dropOrder.map((key) => ({
  key,
  label: columns.find((c) => c.key === key)?.label ?? key,
}));

/** Longest first prompt shown in a row; the session page shows it whole. */
const promptChars = 100;

/**
 * Server-rendered: only each row's status pill is an island (it is what must move at once);
 * other changes are announced by the SessionsPill, so the page ships every text only once.
 */
function SessionsTable(
  { rows, query, sort, dir }: {
    rows: SessionListRow[];
    query: string;
    sort: string;
    dir: "asc" | "desc";
  },
) {
  return (
    <div class="table-wrap fit fit-sessions">
      <HiddenColumns table="sessions" columns={droppable} />
      <table class="sessions" id="sessions-table">
        <thead>
          <tr>
            {columns.map((c) => {
              const active = c.sort === sort;
              const next = active && dir === "desc" ? "asc" : "desc";
              return (
                <th
                  scope="col"
                  class={col(c.key, c.num && "num")}
                  aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}
                >
                  {c.sort
                    ? (
                      <a
                        class="sort"
                        href={withQuery(query, { sort: c.sort, dir: next, offset: null })}
                      >
                        {c.label}
                        {active ? (dir === "asc" ? " ▲" : " ▼") : ""}
                      </a>
                    )
                    : c.label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => {
            const span = s.first_ts && s.last_ts
              ? Date.parse(s.last_ts) - Date.parse(s.first_ts)
              : null;
            return (
              <tr class={`status-${s.status}`} data-session-id={s.session_id}>
                <td class={col("status")}>
                  <Island
                    name="SessionStatus"
                    component={SessionStatus}
                    props={{
                      id: s.session_id,
                      status: s.status,
                      reason: s.waiting_reason ? truncate(s.waiting_reason, 100) : null,
                    }}
                  />{" "}
                  <ArchivedBadge source={s.source} />
                </td>
                <td class={col("project", "clip")} title={s.cwd ?? s.project ?? undefined}>
                  {s.project ?? "–"}
                </td>
                <td class={col("prompt", "prompt")}>
                  <a href={`/sessions/${encodeURIComponent(s.session_id)}`}>
                    {s.first_prompt
                      ? <PromptText text={truncate(s.first_prompt, promptChars)} />
                      : shortId(s.session_id)}
                  </a>
                </td>
                <td class={col("model")} title={s.model ?? undefined}>
                  {s.model ? shortModel(s.model) : "–"}
                </td>
                <td class={col("context", "context")}>
                  <ContextBar tokens={s.context_tokens} window={s.context_window} short />
                </td>
                <td class={col("started", "mono")} title={dateTime(s.first_ts)}>
                  {shortDateTime(s.first_ts)}
                </td>
                <td class={col("duration", "num")}>{duration(span)}</td>
                <SessionFigureCells s={s} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

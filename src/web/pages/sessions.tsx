// /sessions: every session, filtered by project, status, model and time range, sorted by any
// column, paged on the server. All state is in the URL.

import type { SessionListRow } from "../../core/types.ts";
import type { SessionsView } from "../page_params.ts";
import SessionStatus from "../islands/SessionStatus.tsx";
import SessionsPill from "../islands/SessionsPill.tsx";
import {
  compact,
  dateTime,
  duration,
  shortId,
  totalTokens,
  truncate,
  usd,
  withQuery,
} from "../../core/format.ts";
import { ArchivedBadge, ContextBar } from "../islands/ContextBar.tsx";
import { Island } from "../components/island.tsx";
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

const columns: Array<{ label: string; num?: boolean; sort?: string }> = [
  { label: "Status", sort: "status" },
  { label: "Project", sort: "project" },
  { label: "First prompt" },
  { label: "Model" },
  { label: "Context", sort: "context" },
  { label: "Started", sort: "first" },
  { label: "Duration", num: true, sort: "duration" },
  { label: "Events", num: true, sort: "events" },
  { label: "Tools", num: true, sort: "tools" },
  { label: "Errors", num: true, sort: "errors" },
  { label: "Tokens", num: true, sort: "tokens" },
  { label: "Cost", num: true, sort: "cost" },
  { label: "Last activity", sort: "last" },
];

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
    <div class="table-wrap">
      <table class="sessions" id="sessions-table">
        <thead>
          <tr>
            {columns.map((c) => {
              const active = c.sort === sort;
              const next = active && dir === "desc" ? "asc" : "desc";
              return (
                <th
                  scope="col"
                  class={c.num ? "num" : undefined}
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
                <td>
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
                <td>{s.project ?? "–"}</td>
                <td class="prompt">
                  <a href={`/sessions/${encodeURIComponent(s.session_id)}`}>
                    {s.first_prompt ? truncate(s.first_prompt, promptChars) : shortId(s.session_id)}
                  </a>
                </td>
                <td>{s.model ?? "–"}</td>
                <td class="context">
                  <ContextBar tokens={s.context_tokens} window={s.context_window} />
                </td>
                <td class="mono">{dateTime(s.first_ts)}</td>
                <td class="num">{duration(span)}</td>
                <td class="num">{compact(s.events)}</td>
                <td class="num">{compact(s.tool_calls)}</td>
                <td class={`num${s.errors > 0 ? " bad" : ""}`}>{compact(s.errors)}</td>
                <td class="num">{compact(totalTokens(s))}</td>
                <td class="num">{usd(s.cost_usd)}</td>
                <td class="mono">{dateTime(s.last_ts)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

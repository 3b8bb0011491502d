// /events: the explorer over every stored event, newest first: filters (type, tool, session,
// project, time range) and full-text search, cursor paging, a live "N new events" pill that
// never moves the list, and each event's raw JSON on demand.

import type { EventDetailRow, EventRow } from "../../core/types.ts";
import { eventsPageRows, type EventsView } from "../page_params.ts";
import NewEventsPill from "../islands/NewEventsPill.tsx";
import { Highlighted } from "../islands/Highlight.tsx";
import { RawJson } from "../islands/RawJson.tsx";
import { shortId, withQuery } from "../../core/format.ts";
import { Island } from "../components/island.tsx";
import { PromptText } from "../components/text.tsx";
import { col, type DroppableColumn, HiddenColumns } from "../components/columns.tsx";
import { FilterForm, Hidden, RangeSelect, Select, TextInput } from "../components/controls.tsx";

/** A listed event: search hits carry a snippet but not the detail columns. */
export type ExplorerRow =
  & EventRow
  & Partial<Pick<EventDetailRow, "is_sidechain" | "error_kind" | "tool_use_id">>
  & { snippet?: string };

export interface EventsPageData {
  view: EventsView;
  query: string;
  rows: ExplorerRow[];
  nextCursor: string | null;
  facets: { types: string[]; tools: string[]; projects: string[] };
  maxEventId: number;
  /** Filters of the view as a query string for /api/events/newer. */
  newerFilters: string;
}

export function EventsPage(
  { view, query, rows, nextCursor, facets, maxEventId, newerFilters }: EventsPageData,
) {
  const f = view.filters;
  return (
    <>
      <h1>Events</h1>
      <FilterForm id="events-filters" action="/events">
        <TextInput
          name="q"
          label="Search"
          type="search"
          value={view.q}
          placeholder="prompts, commands, paths, errors…"
        />
        <Select name="type" label="Type" value={f.type} options={facets.types} />
        <Select name="tool" label="Tool" value={f.tool} options={facets.tools} />
        <Select name="project" label="Project" value={f.project} options={facets.projects} />
        <TextInput name="session" label="Session" value={f.session} placeholder="session id" />
        <RangeSelect value={view.time.range} />
        <Hidden
          values={{
            since: view.time.range === "custom" && f.since !== undefined
              ? new Date(f.since).toISOString()
              : undefined,
            until: view.time.range === "custom" && f.until !== undefined
              ? new Date(f.until).toISOString()
              : undefined,
            limit: view.limit === eventsPageRows ? undefined : String(view.limit),
          }}
        />
      </FilterForm>
      <section class="panel" aria-label="events">
        <div class="list-head">
          <span class="muted">
            {view.q ? "Best matches first" : view.cursor ? "Older events" : "Newest first"}{" "}
            · times in UTC · export these:{" "}
            <a
              id="events-export-csv"
              href={"/api/export" + withQuery(query, { cursor: null, limit: null, format: "csv" })}
              download
            >
              CSV
            </a>{" "}
            <a
              id="events-export-jsonl"
              href={"/api/export" +
                withQuery(query, { cursor: null, limit: null, format: "jsonl" })}
              download
            >
              JSON Lines
            </a>
          </span>
          <Island
            name="NewEventsPill"
            component={NewEventsPill}
            props={{
              afterId: maxEventId,
              filters: newerFilters,
              href: withQuery(query, { cursor: null }),
            }}
          />
        </div>
        {rows.length === 0
          ? <p class="muted" id="no-events">No event matches these filters.</p>
          : <EventsTable rows={rows} query={query} />}
        <nav class="pager" aria-label="event pages">
          {view.cursor
            ? (
              <a href={withQuery(query, { cursor: null })}>
                {view.q ? "« Best matches" : "« Newest"}
              </a>
            )
            : null}
          {nextCursor
            ? (
              <a rel="next" id="older" href={withQuery(query, { cursor: nextCursor })}>
                {view.q ? "More matches ›" : "Older ›"}
              </a>
            )
            : <span class="muted">{rows.length ? "End of the list." : ""}</span>}
        </nav>
      </section>
    </>
  );
}

/**
 * The order columns are hidden in on a narrow window (first hidden first; widths in
 * static/style.css, "tables that fit"). Time and summary always stay; the summary wraps.
 */
const dropOrder: DroppableColumn[] = [
  { key: "session", label: "Session" },
  { key: "tool", label: "Tool" },
  { key: "type", label: "Type" },
];

function EventsTable({ rows, query }: { rows: ExplorerRow[]; query: string }) {
  return (
    <div class="table-wrap fit fit-events">
      <HiddenColumns table="events" columns={dropOrder} />
      <table class="events" id="events-table">
        <thead>
          <tr>
            <th scope="col" class={col("time")}>Time</th>
            <th scope="col" class={col("type")}>Type</th>
            <th scope="col" class={col("tool")}>Tool</th>
            <th scope="col" class={col("session")}>Session</th>
            <th scope="col" class={col("summary")}>Summary</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr
              data-event-id={e.id}
              class={`${e.error_kind ? "is-error" : ""}${e.is_sidechain ? " sidechain" : ""}`}
            >
              <td class={col("time", "mono")} title={e.ts}>
                {e.ts.slice(0, 10)} {e.ts.slice(11, 19)}
              </td>
              <td class={col("type", "clip")}>
                <a
                  class={`type type-${e.type}`}
                  href={withQuery(query, { type: e.type, cursor: null })}
                >
                  {e.type}
                </a>
              </td>
              <td class={col("tool", "clip")}>
                {e.tool_name
                  ? (
                    <a href={withQuery(query, { tool: e.tool_name, cursor: null })}>
                      {e.tool_name}
                    </a>
                  )
                  : "–"}
              </td>
              <td class={col("session", "mono")}>
                <a href={`/sessions/${encodeURIComponent(e.session_id)}`} title={e.session_id}>
                  {shortId(e.session_id)}
                </a>
              </td>
              <td class={col("summary", "summary-cell")}>
                <span class="summary">
                  {e.snippet !== undefined
                    ? <Highlighted snippet={e.snippet} />
                    : <PromptText text={e.summary} />}
                </span>
                <RawJson id={e.id} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

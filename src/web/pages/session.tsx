// /sessions/:id: one session as a timeline, one row per thing that happened (the rows of the
// latest events by default, earlier ones by cursor), with its head (status, counts, cost), token
// use over time and its Discord thread.

import type { SessionSummary } from "../../core/types.ts";
import type { ThreadLink, TimelinePage } from "../../core/view_data.ts";
import LiveTail, { TimelineList } from "../islands/Timeline.tsx";
import SessionHeader from "../islands/SessionHeader.tsx";
import UsageChart from "../islands/UsageChart.tsx";
import { Island } from "../components/island.tsx";
import { PromptText } from "../components/text.tsx";
import { withQuery } from "../../core/format.ts";
import type { SessionTelemetry } from "../../store/read/otlp.ts";

export interface SessionPageData {
  session: SessionSummary;
  firstPrompt: string | null;
  timeline: TimelinePage;
  /** Whether this is the newest window of the timeline (then it grows live). */
  latest: boolean;
  maxEventId: number;
  usage: { points: Array<[string, number, number]>; cost_known: boolean; messages: number };
  thread: ThreadLink | null;
  /** What Claude Code's telemetry (OTLP in) reported for the session; null: none arrived. */
  telemetry?: SessionTelemetry | null;
}

export function SessionPage(
  { session, firstPrompt, timeline, latest, maxEventId, usage, thread, telemetry }: SessionPageData,
) {
  const id = session.session_id;
  return (
    <>
      <nav class="crumbs" aria-label="breadcrumb">
        <a href="/sessions">Sessions</a> ›{" "}
        <a href={`/sessions?project=${encodeURIComponent(session.project ?? "")}`}>
          {session.project ?? "no project"}
        </a>
      </nav>
      <h1 class="session-title">
        <span class="mono">{id}</span>
      </h1>
      {firstPrompt
        ? (
          <p class="first-prompt" id="first-prompt">
            <PromptText text={firstPrompt} />
          </p>
        )
        : null}
      <p class="muted">
        {session.cwd ? <span class="mono">{session.cwd}</span> : null}
        {thread ? <ThreadInfo thread={thread} /> : null}
        {" · "}
        <a href={`/events?session=${encodeURIComponent(id)}`}>all events in the explorer</a>
      </p>
      {telemetry ? <TelemetryLine t={telemetry} /> : null}
      <Island name="SessionHeader" component={SessionHeader} props={{ initial: session }} />
      <section class="panel usage" aria-labelledby="usage-h">
        <h2 id="usage-h">Tokens over the session</h2>
        <Island
          name="UsageChart"
          component={UsageChart}
          props={{ sessionId: id, ...usage }}
        />
      </section>
      <section class="panel" aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        {timeline.earlier
          ? (
            <p>
              <a href={withQuery("", { before: timeline.earlier })} rel="prev" id="earlier">
                ‹ Earlier events
              </a>
            </p>
          )
          : null}
        {timeline.rows.length === 0 ? <p class="muted">No events in this window.</p> : null}
        <TimelineList rows={timeline.rows} id="timeline" />
        {latest
          ? (
            <Island
              name="LiveTail"
              component={LiveTail}
              props={{
                sessionId: id,
                // Rows stored after maxEventId but already rendered must not come twice.
                afterId: Math.max(
                  maxEventId,
                  ...timeline.rows.flatMap((r) => r.sources.map((s) => s.id)),
                ),
              }}
            />
          )
          : (
            <p>
              {timeline.later
                ? (
                  <>
                    <a href={withQuery("", { after: timeline.later })} rel="next">
                      Later events ›
                    </a>
                    {" · "}
                  </>
                )
                : null}
              <a href="?">Latest events</a>
            </p>
          )}
      </section>
    </>
  );
}

function ThreadInfo({ thread }: { thread: ThreadLink }) {
  // threads.db holds the channel and thread ids but not the server (guild) id that a
  // https://discord.com/channels/<guild>/<thread> link needs, so the ids are shown as text.
  return (
    <span class="thread" id="discord-thread">
      {" · Discord thread "}
      <span class="mono">{thread.thread_id ?? "–"}</span>
      {thread.channel_id
        ? (
          <>
            {" in channel "}
            <span class="mono">{thread.channel_id}</span>
          </>
        )
        : ""}
      {thread.is_archived ? " (archived)" : ""}
    </span>
  );
}

/** One line of what Claude Code's own telemetry says about the session. */
function TelemetryLine({ t }: { t: SessionTelemetry }) {
  const c = t.code;
  return (
    <p class="muted" id="session-telemetry">
      Claude Code telemetry: {t.api_requests} API requests ({t.api_duration_ms} ms)
      {t.api_errors > 0 ? `, ${t.api_errors} API errors` : ""}
      {` · tools ${t.tool_decisions.accept} accepted, ${t.tool_decisions.reject} rejected`}
      {` · +${c.lines_added} / −${c.lines_removed} lines, ${c.commits} commits, `}
      {`${c.pull_requests} pull requests`}
    </p>
  );
}

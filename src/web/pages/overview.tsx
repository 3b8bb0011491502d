// Overview: "right now" — the figures of a range (today by default; 24 h, 7 d, 30 d or all in
// the URL), every session (waiting ones first and unmistakable), activity by type on a time
// axis, top tools, latest errors and the live feed. An empty range says when the last activity
// was and links the range that holds it.

import type {
  ActivityData,
  ErrorItem,
  KpiFigures,
  OverviewRange,
  RangeHint,
  ToolFigures,
  UsageCardData,
} from "../../core/view_data.ts";
import type { EventRow, SessionSummary } from "../../core/types.ts";
import type { CodeMetrics } from "../../core/otlp_types.ts";
import LiveFeed from "../islands/LiveFeed.tsx";
import SessionBoard from "../islands/SessionBoard.tsx";
import KpiCards from "../islands/KpiCards.tsx";
import ActivityChart from "../islands/ActivityChart.tsx";
import TopTools from "../islands/TopTools.tsx";
import LatestErrors from "../islands/LatestErrors.tsx";
import UsageWindow from "../islands/UsageWindow.tsx";
import { BackfillIsland } from "../components/backfill.tsx";
import type { BackfillProgress } from "../../core/progress.ts";
import { Island } from "../components/island.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { overviewRangeNames, overviewRangePhrases, overviewRanges } from "../components/ranges.ts";

export interface OverviewInsights {
  range: OverviewRange;
  /** Where the range starts, epoch ms (undefined: all of history). */
  since: number | undefined;
  kpis: KpiFigures;
  activity: ActivityData;
  topTools: ToolFigures[];
  errors: ErrorItem[];
  /** The active 5-hour window and the last 24 h of windows (src/usage/). */
  usage?: UsageCardData;
  /** Set when the range is empty but older data exists. */
  hint: RangeHint | null;
}

export interface OverviewData {
  /** Code written per UTC day (Claude Code's telemetry; empty without it). */
  codeByDay?: Array<{ day: string } & CodeMetrics>;
  sessions: SessionSummary[];
  totalSessions: number;
  events: EventRow[];
  claudeDir: string;
  insights: OverviewInsights;
  /** The first ingest's progress: a bar while it runs (null or done: none). */
  backfill?: BackfillProgress | null;
}

export function Overview(
  { sessions, totalSessions, events, claudeDir, insights, codeByDay = [], backfill }: OverviewData,
) {
  if (totalSessions === 0 && events.length === 0) {
    return (
      <>
        <BackfillIsland backfill={backfill} />
        <EmptyState claudeDir={claudeDir} />
      </>
    );
  }
  return (
    <>
      <h1 class="sr-only">Overview</h1>
      <BackfillIsland backfill={backfill} />
      <RangeBar range={insights.range} />
      <Island
        name="KpiCards"
        component={KpiCards}
        props={{ initial: insights.kpis, range: insights.range, hint: insights.hint }}
      />
      <div class="grid">
        <div class="stack">
          <section class="panel" aria-labelledby="sessions-h">
            <h2 id="sessions-h">Sessions</h2>
            <p class="muted">
              {totalSessions} session{totalSessions === 1 ? "" : "s"}
              {totalSessions > sessions.length
                ? `, the ${sessions.length} most recent shown (`
                : " ("}
              <a href="/sessions">all sessions</a>). Times in UTC.
            </p>
            <Island name="SessionBoard" component={SessionBoard} props={{ initial: sessions }} />
          </section>
          {insights.usage
            ? (
              <section class="panel" aria-labelledby="usage-h">
                <h2 id="usage-h">
                  5-hour window <a class="muted" href="/usage">(usage)</a>
                </h2>
                <Island name="UsageWindow" component={UsageWindow} props={insights.usage} />
              </section>
            )
            : null}
          <section class="panel" aria-labelledby="activity-h">
            <h2 id="activity-h">Activity</h2>
            <Island
              name="ActivityChart"
              component={ActivityChart}
              props={{ initial: insights.activity, range: insights.range }}
            />
          </section>
          <div class="pair">
            <section class="panel" aria-labelledby="tools-h">
              <h2 id="tools-h">
                Top tools <span class="muted">({overviewRangePhrases[insights.range]})</span>
              </h2>
              <Island
                name="TopTools"
                component={TopTools}
                props={{ initial: insights.topTools, range: insights.range }}
              />
            </section>
            <section class="panel" aria-labelledby="errors-h">
              <h2 id="errors-h">Latest errors</h2>
              <Island
                name="LatestErrors"
                component={LatestErrors}
                props={{ initial: insights.errors, range: insights.range }}
              />
            </section>
          </div>
          {codeByDay.length > 0 ? <CodeByDay days={codeByDay} /> : null}
        </div>
        <section class="panel" aria-labelledby="feed-h">
          <h2 id="feed-h">Live feed</h2>
          <Island name="LiveFeed" component={LiveFeed} props={{ initial: events }} />
        </section>
      </div>
    </>
  );
}

/** The range buttons: plain links, so each range is a URL (the chart's zoom is dropped). */
function RangeBar({ range }: { range: OverviewRange }) {
  return (
    <nav class="range-bar" aria-label="time range">
      <span class="muted">Range</span>
      <span class="seg" id="overview-range">
        {overviewRanges.map((r) => (
          <a
            key={r}
            href={r === "today" ? "/" : `/?range=${r}`}
            data-range={r}
            aria-current={r === range ? "true" : undefined}
          >
            {overviewRangeNames[r]}
          </a>
        ))}
      </span>
    </nav>
  );
}

/** Lines, commits and pull requests per UTC day, as Claude Code's telemetry reports them. */
function CodeByDay({ days }: { days: Array<{ day: string } & CodeMetrics> }) {
  return (
    <section class="panel" aria-labelledby="code-h" id="code-by-day">
      <h2 id="code-h">
        Code written <span class="muted">(Claude Code's telemetry, last 14 days, UTC)</span>
      </h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" class="num">Lines added</th>
              <th scope="col" class="num">Lines removed</th>
              <th scope="col" class="num">Commits</th>
              <th scope="col" class="num">Pull requests</th>
            </tr>
          </thead>
          <tbody>
            {[...days].reverse().map((d) => (
              <tr key={d.day}>
                <td class="mono">{d.day}</td>
                <td class="num">+{d.lines_added.toLocaleString("en-US")}</td>
                <td class="num">−{d.lines_removed.toLocaleString("en-US")}</td>
                <td class="num">{d.commits}</td>
                <td class="num">{d.pull_requests}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

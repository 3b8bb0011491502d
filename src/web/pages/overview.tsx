// Overview: "right now" — today's figures, every session (waiting ones first and
// unmistakable), activity per minute by type, top tools, latest errors and the live feed.

import type {
  ActivityData,
  ErrorItem,
  KpiFigures,
  ToolFigures,
  UsageCardData,
} from "../../core/view_data.ts";
import type { EventRow, SessionSummary } from "../../core/types.ts";
import LiveFeed from "../islands/LiveFeed.tsx";
import SessionBoard from "../islands/SessionBoard.tsx";
import KpiCards from "../islands/KpiCards.tsx";
import ActivityChart from "../islands/ActivityChart.tsx";
import TopTools from "../islands/TopTools.tsx";
import LatestErrors from "../islands/LatestErrors.tsx";
import UsageWindow from "../islands/UsageWindow.tsx";
import { Island } from "../components/island.tsx";
import { EmptyState } from "../components/empty_state.tsx";

export interface OverviewInsights {
  kpis: KpiFigures;
  todaySince: number;
  activity: ActivityData;
  topTools: ToolFigures[];
  errors: ErrorItem[];
  /** The active 5-hour window and the last 24 h of windows (src/usage/). */
  usage?: UsageCardData;
}

export interface OverviewData {
  sessions: SessionSummary[];
  totalSessions: number;
  events: EventRow[];
  claudeDir: string;
  insights: OverviewInsights;
}

export function Overview({ sessions, totalSessions, events, claudeDir, insights }: OverviewData) {
  if (totalSessions === 0 && events.length === 0) return <EmptyState claudeDir={claudeDir} />;
  return (
    <>
      <h1 class="sr-only">Overview</h1>
      <Island
        name="KpiCards"
        component={KpiCards}
        props={{ initial: insights.kpis, since: insights.todaySince }}
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
              props={{ initial: insights.activity }}
            />
          </section>
          <div class="pair">
            <section class="panel" aria-labelledby="tools-h">
              <h2 id="tools-h">
                Top tools <span class="muted">(24 h)</span>
              </h2>
              <Island
                name="TopTools"
                component={TopTools}
                props={{ initial: insights.topTools }}
              />
            </section>
            <section class="panel" aria-labelledby="errors-h">
              <h2 id="errors-h">Latest errors</h2>
              <Island
                name="LatestErrors"
                component={LatestErrors}
                props={{ initial: insights.errors }}
              />
            </section>
          </div>
        </div>
        <section class="panel" aria-labelledby="feed-h">
          <h2 id="feed-h">Live feed</h2>
          <Island name="LiveFeed" component={LiveFeed} props={{ initial: events }} />
        </section>
      </div>
    </>
  );
}

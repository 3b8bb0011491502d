// Overview page: every session (waiting ones first) and the live feed of events.

import type { EventRow, SessionSummary } from "../types.ts";
import LiveFeed from "../../islands/LiveFeed.tsx";
import SessionBoard from "../../islands/SessionBoard.tsx";
import { Island } from "./island.tsx";

export interface OverviewData {
  sessions: SessionSummary[];
  totalSessions: number;
  events: EventRow[];
  claudeDir: string;
}

export function Overview({ sessions, totalSessions, events, claudeDir }: OverviewData) {
  if (totalSessions === 0 && events.length === 0) return <EmptyState claudeDir={claudeDir} />;
  return (
    <>
      <h1>Sessions</h1>
      <p class="muted">
        {totalSessions} session{totalSessions === 1 ? "" : "s"}
        {totalSessions > sessions.length ? `, the ${sessions.length} most recent shown` : ""}. Times
        in UTC.
      </p>
      <div class="grid">
        <section class="panel" aria-labelledby="sessions-h">
          <h2 id="sessions-h">All sessions</h2>
          <Island name="SessionBoard" component={SessionBoard} props={{ initial: sessions }} />
        </section>
        <section class="panel" aria-labelledby="feed-h">
          <h2 id="feed-h">Live feed</h2>
          <Island name="LiveFeed" component={LiveFeed} props={{ initial: events }} />
        </section>
      </div>
    </>
  );
}

function EmptyState({ claudeDir }: { claudeDir: string }) {
  return (
    <section class="panel empty">
      <h1>No Claude Code activity found yet</h1>
      <p>
        claude-dash reads, and never changes, what Claude Code writes under{" "}
        <code>{claudeDir}</code>:
      </p>
      <ul>
        <li>
          <b>Session transcripts</b> in{" "}
          <code>projects/*/*.jsonl</code>: Claude Code writes these by itself. Run{" "}
          <code>claude</code> in any project and this page fills in.
        </li>
        <li>
          <b>Hook event logs</b> in{" "}
          <code>hooks/logs/raw_json/*.json</code>, one file per hook event: these show permission
          prompts and tool calls as they happen. Add a hook to <code>settings.json</code>{" "}
          that saves each payload there.
        </li>
        <li>
          <b>The notifier's thread map</b> <code>hooks/threads.db</code>, when present.
        </li>
      </ul>
      <p>This page updates by itself as soon as data appears.</p>
      <Island name="LiveFeed" component={LiveFeed} props={{ initial: [] }} />
    </section>
  );
}

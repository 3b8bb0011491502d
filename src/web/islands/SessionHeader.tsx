// The head of a session's page: status (waiting made unmistakable), counts, tokens and cost,
// context in use, cache hits and compactions, kept current from the live stream's session
// updates. An archived session (its transcripts are gone) says so.

import type { SessionSummary } from "../../core/types.ts";
import { costSourceText } from "../../core/types.ts";
import {
  compact,
  dateTime,
  duration,
  percent,
  sessionCost,
  sessionTokens,
  statusLabel,
  tokensTitle,
} from "../../core/format.ts";
import { sessionUpdates } from "../client/live.ts";
import { ArchivedBadge, ContextBar } from "./ContextBar.tsx";

export interface SessionHeaderProps {
  initial: SessionSummary;
}

export default function SessionHeader({ initial }: SessionHeaderProps) {
  const s = sessionUpdates.value.get(initial.session_id) ?? initial;
  const span = s.first_ts && s.last_ts ? Date.parse(s.last_ts) - Date.parse(s.first_ts) : null;
  return (
    <div class="session-head" id="session-head" data-status={s.status}>
      {s.status === "waiting"
        ? (
          <p class="waiting-banner" role="alert">
            <b>Waiting for input</b>
            {s.waiting_reason ? <span>{s.waiting_reason}</span> : null}
          </p>
        )
        : null}
      <dl class="stats">
        <div>
          <dt>Status</dt>
          <dd>
            <span class={`pill pill-${s.status}`} id="session-status">{statusLabel[s.status]}</span>
            {" "}
            <ArchivedBadge source={s.source} />
          </dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd>{s.model ?? "–"}</dd>
        </div>
        <div>
          <dt>Started (UTC)</dt>
          <dd class="mono">{dateTime(s.first_ts)}</dd>
        </div>
        <div>
          <dt>Last activity</dt>
          <dd class="mono">{dateTime(s.last_ts)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{duration(span)}</dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd>{compact(s.events)}</dd>
        </div>
        <div>
          <dt>Tool calls</dt>
          <dd>{compact(s.tool_calls)}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd class={s.errors > 0 ? "bad" : undefined}>{compact(s.errors)}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd title={tokensTitle(s)}>
            {sessionTokens(s)}
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd title={costSourceText[s.cost_source]}>{sessionCost(s)}</dd>
        </div>
        <div class="stat-context">
          <dt>Context</dt>
          <dd>
            <ContextBar tokens={s.context_tokens} window={s.context_window} id="session-context" />
          </dd>
        </div>
        <div>
          <dt>Cache hits</dt>
          <dd id="session-cache-hits" title="cache reads / (input + cache writes + cache reads)">
            {percent(s.cache_hit_ratio)}
          </dd>
        </div>
        <div>
          <dt>Compactions</dt>
          <dd id="session-compactions">{compact(s.compactions)}</dd>
        </div>
      </dl>
    </div>
  );
}

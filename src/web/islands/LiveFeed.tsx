import type { EventRow } from "../../core/types.ts";
import { clock, shortId } from "../../core/format.ts";
import { feed } from "../client/live.ts";
import { PromptText } from "../components/text.tsx";

export interface LiveFeedProps {
  initial: EventRow[];
}

/** The newest events, newest first, growing live without a reload. */
export default function LiveFeed({ initial }: LiveFeedProps) {
  const rows = feed.value ?? initial;
  if (rows.length === 0) {
    return <p class="muted" id="feed-empty">No events yet. New ones appear here as they happen.</p>;
  }
  return (
    <ol class="feed" id="live-feed" aria-label="live event feed">
      {rows.map((e) => (
        <li key={e.id} class={`feed-row src-${e.source}`} data-event-id={e.id}>
          <time dateTime={e.ts} class="mono">{clock(e.ts)}</time>
          <span class={`type type-${e.type}`}>{e.type}</span>
          <a
            class="session mono"
            title={e.session_id}
            href={`/sessions/${encodeURIComponent(e.session_id)}`}
          >
            {shortId(e.session_id)}
          </a>
          <span class="summary">
            {e.tool_name && !e.summary.startsWith(e.tool_name) ? <b>{e.tool_name}</b> : null}{" "}
            <PromptText text={e.summary} />
          </span>
        </li>
      ))}
    </ol>
  );
}

// The newest errors (tool failures, API errors, ingest errors) in the overview's range.

import { clock, dateTime, shortId, truncate } from "../../core/format.ts";
import { useLiveData } from "../client/refetch.ts";
import type { ErrorItem, OverviewRange } from "../../core/view_data.ts";

const refetchMs = 2000;
/** Longest error text shown in the list (the whole text is in the tooltip). */
const messageChars = 160;
const kinds: Record<string, string> = {
  tool_failure: "tool failed",
  api_error: "API error",
  ingest: "unreadable file",
};

export default function LatestErrors(
  { initial, range }: { initial: ErrorItem[]; range: OverviewRange },
) {
  const rows = useLiveData(`/api/overview/errors?range=${range}`, initial, refetchMs).value;
  if (rows.length === 0) return <p class="muted" id="latest-errors">No errors in this range.</p>;
  return (
    <ol class="errors" id="latest-errors">
      {rows.map((e, i) => (
        <li key={`${e.kind}-${e.event_id ?? e.path}-${i}`} class={`err err-${e.kind}`}>
          <time dateTime={e.ts} class="mono" title={dateTime(e.ts)}>{clock(e.ts)}</time>
          <span class="err-kind">{kinds[e.kind] ?? e.kind}</span>
          <span
            class="err-where"
            title={[e.session_id ?? e.path, e.tool_name].filter(Boolean).join(" · ")}
          >
            {e.session_id
              ? (
                <a href={`/sessions/${encodeURIComponent(e.session_id)}`} class="mono">
                  {shortId(e.session_id)}
                </a>
              )
              : e.path
              ? <a href="/health" class="mono">{e.path}</a>
              : null}
            {e.tool_name ? <b>{e.tool_name}</b> : null}
          </span>
          <span class="err-msg" title={e.message.length > messageChars ? e.message : undefined}>
            {truncate(e.message, messageChars)}
          </span>
        </li>
      ))}
    </ol>
  );
}

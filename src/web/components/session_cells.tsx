// The figure cells a session row ends with, the same on /sessions and on the overview board:
// events, tool calls, errors, tokens, cost (with where it comes from) and last activity.

import type { SessionSummary } from "../../core/types.ts";
import { costSourceText } from "../../core/types.ts";
import {
  compact,
  dateTime,
  sessionCost,
  sessionTokens,
  shortDateTime,
  tokensTitle,
} from "../../core/format.ts";
import { col } from "./columns.tsx";

/** events … last activity cells of one session row (columns keep their drop classes). */
export function SessionFigureCells({ s }: { s: SessionSummary }) {
  return (
    <>
      <td class={col("events", "num")}>{compact(s.events)}</td>
      <td class={col("tools", "num")}>{compact(s.tool_calls)}</td>
      <td class={col("errors", "num", s.errors > 0 && "bad")}>{compact(s.errors)}</td>
      <td class={col("tokens", "num")} title={tokensTitle(s)}>{sessionTokens(s)}</td>
      <td class={col("cost", "num")} title={costSourceText[s.cost_source]}>
        {sessionCost(s)}
      </td>
      <td class={col("last", "mono")} title={dateTime(s.last_ts)}>
        {shortDateTime(s.last_ts)}
      </td>
    </>
  );
}

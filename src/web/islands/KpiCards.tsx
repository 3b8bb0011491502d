// The overview range's figures (events, tool calls, errors, tokens, cost), ticking as the live
// stream brings events; while the range holds no event but older data exists, a hint says when
// the last activity was and links the range that holds it.

import { compact, usd } from "../../core/format.ts";
import { usageCostSourceText } from "../../core/types.ts";
import { useLiveData } from "../client/refetch.ts";
import type { KpiFigures, OverviewRange, RangeHint } from "../../core/view_data.ts";
import { overviewRangePhrases } from "../components/ranges.ts";

export interface KpiCardsProps {
  initial: KpiFigures;
  range: OverviewRange;
  hint: RangeHint | null;
}

const tickMs = 500;

export default function KpiCards({ initial, range, hint }: KpiCardsProps) {
  const k = useLiveData(`/api/overview/kpis?range=${range}`, initial, tickMs).value;
  const phrase = overviewRangePhrases[range];
  const during = range === "today" ? " today" : `, ${phrase}`;
  const cards: Array<[string, string, string, boolean]> = [
    ["events", `Events${during}`, compact(k.events), false],
    ["tool_calls", "Tool calls", compact(k.tool_calls), false],
    ["errors", "Errors", compact(k.errors), k.errors > 0],
    ["tokens", "Tokens", compact(k.tokens), false],
    ["cost", `Cost${during}`, usd(k.cost_usd), false],
  ];
  return (
    <>
      <ul class="kpis" id="kpis" aria-label={phrase} data-range={range}>
        {cards.map(([key, label, value, bad]) => (
          <li
            class={`kpi${bad ? " bad" : ""}`}
            data-kpi={key}
            key={key}
            title={key === "cost" && k.cost_source ? usageCostSourceText[k.cost_source] : undefined}
          >
            <span class="kpi-label">{label}</span>
            <span class="kpi-value">{value}</span>
          </li>
        ))}
      </ul>
      {hint && k.events === 0
        ? (
          <p class="range-hint" id="range-hint" role="status">
            Nothing in this range. Last activity <time dateTime={hint.last_ts}>{hint.text}</time>
            {" · "}
            <a href={hint.href} data-range={hint.range}>{hint.label}</a>
          </p>
        )
        : null}
    </>
  );
}

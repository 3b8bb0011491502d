// Today's figures on the overview (events, tool calls, errors, tokens, cost), ticking as the
// live stream brings events.

import { compact, usd } from "../../core/format.ts";
import { useLiveData } from "../client/refetch.ts";
import type { KpiFigures } from "../../core/view_data.ts";

export interface KpiCardsProps {
  initial: KpiFigures;
  /** Start of "today" (local midnight), epoch ms. */
  since: number;
}

const tickMs = 500;

export default function KpiCards({ initial, since }: KpiCardsProps) {
  const k = useLiveData(`/api/overview/kpis?since=${since}`, initial, tickMs).value;
  const cards: Array<[string, string, string, boolean]> = [
    ["events", "Events today", compact(k.events), false],
    ["tool_calls", "Tool calls", compact(k.tool_calls), false],
    ["errors", "Errors", compact(k.errors), k.errors > 0],
    ["tokens", "Tokens", compact(k.tokens), false],
    ["cost", "Cost today", usd(k.cost_usd), false],
  ];
  return (
    <ul class="kpis" id="kpis" aria-label="today so far">
      {cards.map(([key, label, value, bad]) => (
        <li class={`kpi${bad ? " bad" : ""}`} data-kpi={key} key={key}>
          <span class="kpi-label">{label}</span>
          <span class="kpi-value">{value}</span>
        </li>
      ))}
    </ul>
  );
}

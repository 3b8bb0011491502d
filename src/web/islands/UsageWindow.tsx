// The active 5-hour usage window: tokens and cost, each used, projected and against its limit
// (with where the limit comes from, and which one is over or projected over), gauges, reset
// time and burn rate, and a sparkline of the last 24 h of windows. The figures are the ones the
// window_over_limit alert quotes (core/window_figures.ts). Follows the live `usage` message;
// the minutes left tick in the browser, and a window whose end has passed is shown as over.

import { useComputed, useSignal, useSignalEffect } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { type ActiveBlock, type LimitState, usageCostSourceText } from "../../core/types.ts";
import { compact, usd } from "../../core/format.ts";
import { hhmm, type MeasureFigures, windowFigures } from "../../core/window_figures.ts";
import { usageLive } from "../client/live.ts";
import type { RecentWindow, UsageCardData } from "../../core/view_data.ts";
import {
  kindLabel,
  officialAsOfText,
  type OfficialLimits,
  type OfficialWindow,
  paceText,
  resetText,
} from "../../core/rate_limits.ts";

const tickMs = 15_000;
const minuteMs = 60_000;

function minutesText(min: number): string {
  const m = Math.max(0, Math.round(min));
  return m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} m` : `${m} min`;
}

/** The bar of one measure: used (solid), projected (lighter), limit (a tick). Colours in CSS. */
function Gauge({ m, used, projected, limit }: {
  m: MeasureFigures;
  used: number;
  projected: number;
  limit: number | null;
}) {
  const W = 300;
  const H = 12;
  const scale = Math.max(Number.MIN_VALUE, used, projected, limit ?? 0) * 1.05;
  const x = (v: number) => Math.min(W, (v / scale) * W);
  const name = m.measure === "tokens" ? "tokens" : "cost";
  return (
    <div class="usage-gauge" data-measure={m.measure}>
      <span class="muted">{name}</span>
      <svg
        class="gauge"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${name}: ${m.used} used, ${m.projected} projected${
          m.limit !== null ? `, limit ${m.limit}` : ""
        }`}
      >
        <rect class="gauge-track" x="0" y="0" width={W} height={H} rx="3" />
        <rect
          class={`gauge-projected${m.state === "projected_over" ? " over" : ""}`}
          x="0"
          y="0"
          width={x(projected)}
          height={H}
          rx="3"
        />
        <rect
          class={`gauge-used${m.state === "over" ? " over" : ""}`}
          x="0"
          y="0"
          width={x(used)}
          height={H}
          rx="3"
        />
        {limit !== null
          ? <rect class="gauge-limit" x={x(limit) - 1} y="0" width="2" height={H} />
          : null}
      </svg>
    </div>
  );
}

const stateText: Record<LimitState, string> = {
  over: "over the limit",
  projected_over: "projected over",
  under: "",
  no_limit: "",
  unknown: "",
};

/** One row of the measures table: used, projected (share of the limit), limit and its source. */
function MeasureRow(
  { m, a, provisional }: { m: MeasureFigures; a: ActiveBlock; provisional: boolean },
) {
  const tokens = m.measure === "tokens";
  const mark = stateText[m.state];
  return (
    <tr class={`usage-measure is-${m.state}`} data-measure={m.measure} data-state={m.state}>
      <th scope="row">
        {tokens ? "Tokens" : "Cost"}
        {mark
          ? (
            <span class="pill bad usage-warn">
              {mark}
              {m.eta ? ` at ${m.eta} UTC` : ""}
            </span>
          )
          : null}
      </th>
      <td
        class={`num${tokens ? " usage-used" : ""}${m.state === "over" ? " bad" : ""}`}
        data-tokens={tokens ? a.tokens : undefined}
      >
        {m.used}
        {m.state === "over" ? <span class="muted">{` (${m.usedPct}%)`}</span> : null}
      </td>
      <td
        class={`num${tokens ? " usage-projected" : ""}${
          m.state === "projected_over" ? " bad" : ""
        }`}
        data-tokens={tokens ? a.projected_tokens : undefined}
      >
        {m.projected}
        {m.projectedPct !== null && !provisional
          ? <span class="muted">{` (${m.projectedPct}%)`}</span>
          : null}
      </td>
      <td class="num usage-limit">
        {m.limit !== null
          ? (
            <>
              {m.limit} <span class="muted usage-source">{m.source}</span>
            </>
          )
          : <span class="muted">none yet</span>}
      </td>
    </tr>
  );
}

/** One of Claude's windows: its percentage (bar), the share of time gone (tick), the projection
 * to the reset (lighter bar), pace and the budget the figure implies. */
function OfficialGauge({ w }: { w: OfficialWindow }) {
  const W = 300;
  const H = 12;
  const x = (pct: number) => Math.min(W, Math.max(0, (pct / 100) * W));
  const over = !w.stale && w.projected_pct >= 100;
  return (
    <div
      class={`official-window${w.stale ? " is-stale" : ""}`}
      data-kind={w.kind}
      data-used={w.used_pct}
      data-resets={w.resets_at}
      data-projected={w.projected_pct}
    >
      <p class="official-head">
        <strong>{kindLabel[w.kind]}</strong>{" "}
        <span class="official-used">{Math.round(w.used_pct)}% used</span> · {resetText(w)}{" "}
        <span class="muted official-source">{officialAsOfText(w)}</span>
      </p>
      <svg
        class="gauge"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${kindLabel[w.kind]}: ${Math.round(w.used_pct)}% used, ${
          Math.round(w.projected_pct)
        }% projected at the reset`}
      >
        <rect class="gauge-track" x="0" y="0" width={W} height={H} rx="3" />
        {w.stale ? null : (
          <rect
            class={`gauge-projected${over ? " over" : ""}`}
            x="0"
            y="0"
            width={x(w.projected_pct)}
            height={H}
            rx="3"
          />
        )}
        <rect
          class={`gauge-used${w.used_pct >= 100 ? " over" : ""}`}
          x="0"
          y="0"
          width={x(w.used_pct)}
          height={H}
          rx="3"
        />
        <rect class="gauge-limit" x={x(w.elapsed_pct) - 1} y="0" width="2" height={H} />
      </svg>
      {w.stale
        ? <p class="muted official-stale">The window has reset since: no newer figure yet.</p>
        : (
          <p class="muted official-pace">
            Pace: {paceText(w)} · projected{" "}
            <span class={over ? "bad" : undefined}>{Math.round(w.projected_pct)}%</span>{" "}
            at the reset ({w.rate_pct_per_hour.toFixed(1)}%/h
            {w.rate_basis === "recent"
              ? ` over the last ${Math.round(w.rate_span_min)} min`
              : " on average so far"})
            {w.runout_at ? ` · runs out about ${hhmm(w.runout_at)} UTC` : ""}
            {w.implied_tokens !== null
              ? (
                <span class="official-budget">
                  {` · implied budget ${compact(w.implied_tokens)} tokens`}
                  {w.implied_cost_usd !== null ? ` (${usd(w.implied_cost_usd)})` : ""}
                </span>
              )
              : null}
          </p>
        )}
    </div>
  );
}

/** Claude's own figures when the statusline has seen them; else a line saying the window below
 * is claude-dash's own count (API-key users get no official figure). */
function Official({ official }: { official: OfficialLimits }) {
  const windows = [official.five_hour, official.seven_day].filter((w) => w !== null);
  if (windows.length === 0) {
    return (
      <p class="muted usage-computed-label" data-official="0">
        Computed by claude-dash from your transcripts: no figure from Claude yet (it comes with the
        statusline on a subscription plan).
      </p>
    );
  }
  return (
    <div class="usage-official" id="usage-official" data-official="1">
      {windows.map((w) => <OfficialGauge key={w.kind} w={w} />)}
      <p class="muted usage-computed-label">Below: claude-dash's own count of the window.</p>
    </div>
  );
}

function Spark({ recent }: { recent: RecentWindow[] }) {
  const W = 300;
  const H = 36;
  if (recent.length === 0) return null;
  const max = Math.max(1, ...recent.map((w) => w.tokens));
  const bw = W / Math.max(6, recent.length);
  return (
    <figure class="usage-spark">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`tokens of the ${recent.length} windows of the last 24 h`}
      >
        {recent.map((w, i) => {
          const h = Math.max(1, (w.tokens / max) * (H - 2));
          return (
            <rect
              key={w.start}
              class="spark-bar"
              x={i * bw + 1}
              y={H - h}
              width={bw - 2}
              height={h}
            >
              <title>{`${hhmm(w.start)} UTC: ${compact(w.tokens)} tokens`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption class="muted">windows of the last 24 h</figcaption>
    </figure>
  );
}

export default function UsageWindow({ active, recent, now, official }: UsageCardData) {
  // Server time on the first render (so hydration matches), the browser's clock after.
  const clock = useSignal(now);
  const state = useComputed(() => {
    const live = usageLive.value;
    const a = live ? live.active : active;
    let windows = recent;
    if (a) {
      const i = windows.findIndex((w) => w.start === a.start);
      windows = i >= 0
        ? windows.map((w, j) => (j === i ? { ...w, tokens: a.tokens } : w))
        : [...windows, { start: a.start, tokens: a.tokens }];
    }
    return { a, windows };
  });
  useSignalEffect(() => {
    if (usageLive.value) clock.value = Date.now();
  });
  useEffect(() => {
    const id = setInterval(() => (clock.value = Date.now()), tickMs);
    return () => clearInterval(id);
  }, []);

  const { a, windows } = state.value;
  const minutesLeft = a ? (Date.parse(a.end) - clock.value) / minuteMs : 0;
  // The same figures the window_over_limit alert's message is made of (core/window_figures.ts).
  const f = a ? windowFigures(a) : null;
  return (
    <div class="usage-window" id="usage-window" data-active={a && minutesLeft > 0 ? "1" : "0"}>
      <Official official={official} />
      {a && f && minutesLeft > 0
        ? (
          <>
            <p class="usage-head">
              <span class="usage-total">{compact(a.tokens)} tokens</span>{" "}
              <span
                class="muted usage-cost"
                data-cost-source={a.cost_source ?? "estimated"}
                title={usageCostSourceText[a.cost_source ?? "estimated"]}
              >
                {usd(a.cost_usd)} used
              </span>{" "}
              <span class="muted cost-source">
                ({usageCostSourceText[a.cost_source ?? "estimated"]})
              </span>
            </p>
            <div class="table-wrap">
              <table class="usage-measures" id="usage-measures">
                <thead>
                  <tr>
                    <th scope="col"></th>
                    <th scope="col" class="num">Used</th>
                    <th scope="col" class="num">Projected by {f.end}</th>
                    <th scope="col" class="num">Limit</th>
                  </tr>
                </thead>
                <tbody>
                  <MeasureRow m={f.tokens} a={a} provisional={f.provisional} />
                  <MeasureRow m={f.cost} a={a} provisional={f.provisional} />
                </tbody>
              </table>
            </div>
            <Gauge
              m={f.tokens}
              used={a.tokens}
              projected={a.projected_tokens}
              limit={a.limit_tokens}
            />
            {a.cost_usd !== null && a.projected_cost_usd !== null
              ? (
                <Gauge
                  m={f.cost}
                  used={a.cost_usd}
                  projected={a.projected_cost_usd}
                  limit={a.limit_cost_usd}
                />
              )
              : null}
            <p class="muted usage-basis">
              Projected at the window's rate so far, from its last message ({f.asOf}{" "}
              UTC) to its end{f.provisional
                ? (
                  <span class="usage-early">
                    {` (provisional: rate over ${Math.round(a.rate_span_min)} min)`}
                  </span>
                )
                : null}.
            </p>
            <dl class="usage-facts">
              <div>
                <dt>Resets</dt>
                <dd>
                  {hhmm(a.end)} UTC <span class="muted">({minutesText(minutesLeft)} left)</span>
                </dd>
              </div>
              <div>
                <dt>Burn rate</dt>
                <dd>
                  {compact(Math.round(a.tokens_per_min))}/min
                  {a.cost_per_hour !== null ? ` · ${usd(a.cost_per_hour)}/h` : ""}
                </dd>
              </div>
            </dl>
          </>
        )
        : (
          <p class="muted usage-none">
            No active 5-hour window: the next assistant message starts one.
          </p>
        )}
      <Spark recent={windows} />
    </div>
  );
}

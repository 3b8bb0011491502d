// The active 5-hour usage window as a gauge (used, projected, limit, reset time, minutes left,
// burn rate) with a sparkline of the last 24 h of windows. Follows the live `usage` message;
// the minutes left tick in the browser, and a window whose end has passed is shown as over.

import { useComputed, useSignal, useSignalEffect } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ActiveBlock } from "../../core/types.ts";
import { alertWindowMinRateSpanMin } from "../../core/config.ts";
import { compact, usd } from "../../core/format.ts";
import { usageLive } from "../client/live.ts";
import type { RecentWindow, UsageCardData } from "../../core/view_data.ts";

const tickMs = 15_000;
const minuteMs = 60_000;

const hhmm = (iso: string) => iso.slice(11, 16);

function minutesText(min: number): string {
  const m = Math.max(0, Math.round(min));
  return m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} m` : `${m} min`;
}

const sourceText = (s: ActiveBlock["limit_source"]) =>
  s === "setting" ? "your setting" : s === "p90" ? "p90 of your windows" : "";

/** The bar: used (solid), projected (lighter), limit (a tick). Geometry only; colours in CSS. */
function Gauge({ a }: { a: ActiveBlock }) {
  const W = 300;
  const H = 16;
  const scale = Math.max(1, a.tokens, a.projected_tokens, a.limit_tokens ?? 0) * 1.05;
  const x = (v: number) => Math.min(W, (v / scale) * W);
  const over = a.limit_tokens !== null && a.tokens >= a.limit_tokens;
  return (
    <svg
      class="gauge"
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${compact(a.tokens)} tokens used, ${compact(a.projected_tokens)} projected${
        a.limit_tokens !== null ? `, limit ${compact(a.limit_tokens)}` : ""
      }`}
    >
      <rect class="gauge-track" x="0" y="0" width={W} height={H} rx="3" />
      <rect class="gauge-projected" x="0" y="0" width={x(a.projected_tokens)} height={H} rx="3" />
      <rect
        class={`gauge-used${over ? " over" : ""}`}
        x="0"
        y="0"
        width={x(a.tokens)}
        height={H}
        rx="3"
      />
      {a.limit_tokens !== null
        ? <rect class="gauge-limit" x={x(a.limit_tokens) - 1} y="0" width="2" height={H} />
        : null}
    </svg>
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

export default function UsageWindow({ active, recent, now }: UsageCardData) {
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
  const over = a && a.limit_tokens !== null && a.tokens >= a.limit_tokens;
  // A burn rate measured over a few minutes projects wildly (two turns with large cache reads
  // make billions): until it has alertWindowMinRateSpanMin behind it, the projection is shown
  // as provisional and raises neither the warning here nor the alert.
  const early = a !== null && a.rate_span_min < alertWindowMinRateSpanMin;
  return (
    <div class="usage-window" id="usage-window" data-active={a && minutesLeft > 0 ? "1" : "0"}>
      {a && minutesLeft > 0
        ? (
          <>
            <p class="usage-head">
              <span class="usage-used" data-tokens={a.tokens}>
                {compact(a.tokens)} tokens
              </span>{" "}
              <span class="muted">{usd(a.cost_usd)} used</span>
              {over
                ? <span class="pill bad usage-warn">over the limit</span>
                : a.projected_over_limit && !early
                ? (
                  <span class="pill bad usage-warn">
                    projected over limit{a.limit_eta ? ` at ${hhmm(a.limit_eta)} UTC` : ""}
                  </span>
                )
                : null}
            </p>
            <Gauge a={a} />
            <dl class="usage-facts">
              <div>
                <dt>Projected</dt>
                <dd class="usage-projected" data-tokens={a.projected_tokens}>
                  {compact(a.projected_tokens)}
                  {a.projected_cost_usd !== null ? ` · ${usd(a.projected_cost_usd)}` : ""}
                  {early
                    ? (
                      <span class="muted usage-early">
                        {` (provisional: rate over ${Math.round(a.rate_span_min)} min)`}
                      </span>
                    )
                    : null}
                </dd>
              </div>
              <div>
                <dt>Limit</dt>
                <dd class={over ? "bad" : undefined}>
                  {a.limit_tokens !== null
                    ? (
                      <>
                        {compact(a.limit_tokens)}{" "}
                        <span class="muted">({sourceText(a.limit_source)})</span>
                      </>
                    )
                    : <span class="muted">none yet</span>}
                </dd>
              </div>
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

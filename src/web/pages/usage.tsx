// /usage: the active 5-hour window (the overview's live gauge), the limits in force, and the
// usage of a time range by window, by UTC day and by UTC week, each as charts on a time axis
// (input/output, cache, cost) and a table. An empty range links a range that holds usage.

import type { PeriodUsage, RangeHint, UsageCardData, WindowLimits } from "../../core/view_data.ts";
import { type TokenTotals, type UsageBlock, usageCostSourceText } from "../../core/types.ts";
import UsageWindow from "../islands/UsageWindow.tsx";
import { UsageCharts } from "../components/usage_charts.tsx";
import { compact, dateTime, totalTokens, usd } from "../../core/format.ts";
import { Island } from "../components/island.tsx";
import { FilterForm, RangeSelect } from "../components/controls.tsx";
import type { ClaudeWeek } from "../../core/rate_limits.ts";

export interface UsagePageData {
  range: string;
  /** The range's span (since undefined: all of history; until: now unless given). */
  since?: number;
  until: number;
  /** Set when the range holds no usage but older usage exists. */
  hint: RangeHint | null;
  card: UsageCardData;
  limits: WindowLimits;
  week: TokenTotals;
  /** Windows overlapping the range, oldest first. */
  blocks: UsageBlock[];
  days: PeriodUsage[];
  weeks: PeriodUsage[];
  /** 7-day windows aligned to Claude's weekly reset, newest first ([] without a figure). */
  claudeWeeks: ClaudeWeek[];
}

const hourMs = 3600_000;
const dayMs = 24 * hourMs;
/** A usage window's length (src/domain/usage): the width of its bar. */
const windowBarMs = 5 * hourMs;

function PeriodCharts(
  { rows, bucketMs, since, until, label }: {
    rows: PeriodUsage[];
    bucketMs: number;
    since?: number;
    until: number;
    label: (t: number) => string;
  },
) {
  return (
    <UsageCharts
      rows={rows.map((r) => ({ ...r, t: Date.parse(r.key) }))}
      bucketMs={bucketMs}
      since={since}
      until={until}
      label={label}
    />
  );
}

function UsageHint({ hint }: { hint: RangeHint | null }) {
  if (!hint) return null;
  return (
    <p class="range-hint" id="usage-hint" role="status">
      No usage in this range. Last usage <time dateTime={hint.last_ts}>{hint.text}</time>
      {" · "}
      <a href={hint.href} data-range={hint.range}>{hint.label}</a>
    </p>
  );
}

function TokenCells({ t }: { t: TokenTotals }) {
  return (
    <>
      <td class="num">{compact(t.input_tokens)}</td>
      <td class="num">{compact(t.output_tokens)}</td>
      <td class="num">{compact(t.cache_creation_tokens)}</td>
      <td class="num">{compact(t.cache_read_tokens)}</td>
      <td class="num" data-total={totalTokens(t)}>{compact(totalTokens(t))}</td>
      <CostCell t={t} />
    </>
  );
}

/** A cost, titled with where it comes from (Claude Code's report, prices, or both). */
function CostCell({ t }: { t: TokenTotals }) {
  const source = t.cost_source;
  return (
    <td
      class="num"
      data-cost-source={source}
      title={source ? usageCostSourceText[source] : undefined}
    >
      {usd(t.cost_usd)}
    </td>
  );
}

const tokenHeads = (
  <>
    <th scope="col" class="num">Input</th>
    <th scope="col" class="num">Output</th>
    <th scope="col" class="num">Cache write</th>
    <th scope="col" class="num">Cache read</th>
    <th scope="col" class="num">Tokens</th>
    <th scope="col" class="num">Cost</th>
  </>
);

function limitText(value: number | null, source: string | null, format: (n: number) => string) {
  if (value === null) return <span class="muted">none yet (no completed window)</span>;
  return (
    <>
      {format(value)} <span class="muted usage-source">({source})</span>
    </>
  );
}

/** The weekly view: Claude's 7-day windows (aligned to its resets_at) with its last figure for
 * each and the tokens claude-dash counted, per model. */
function ClaudeWeeks({ weeks }: { weeks: ClaudeWeek[] }) {
  if (weeks.length === 0) {
    return (
      <p class="muted" id="claude-weeks-none">
        No weekly figure from Claude yet: the weeks below are UTC calendar weeks. Claude's own
        weekly windows appear once the statusline (<code>claude-dash statusline</code>) runs on a
        subscription plan.
      </p>
    );
  }
  return (
    <div class="table-wrap">
      <table id="claude-weeks-table">
        <thead>
          <tr>
            <th scope="col">Window (UTC)</th>
            <th scope="col" class="num">Claude's figure</th>
            <th scope="col" class="num">Tokens</th>
            <th scope="col" class="num">Cost</th>
            <th scope="col">Per model</th>
          </tr>
        </thead>
        <tbody>
          {weeks.map((w) => (
            <tr key={w.end} data-resets={w.end} data-used={w.used_pct ?? undefined}>
              <td class="mono">{dateTime(w.start)} → {dateTime(w.end)}</td>
              <td class="num">
                {w.used_pct === null ? <span class="muted">–</span> : (
                  <>
                    {Math.round(w.used_pct)}% <span class="muted">as of {dateTime(w.as_of)}</span>
                  </>
                )}
              </td>
              <td class="num" data-total={w.tokens}>{compact(w.tokens)}</td>
              <td class="num">{usd(w.cost_usd)}</td>
              <td class="wrap">
                {w.models.map((m) => `${m.model} ${compact(m.tokens)}`).join(", ") || "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PeriodTable(
  { id, rows, head }: { id: string; rows: PeriodUsage[]; head: string },
) {
  return (
    <div class="table-wrap">
      <table id={id}>
        <thead>
          <tr>
            <th scope="col">{head}</th>
            <th scope="col" class="num">Messages</th>
            {tokenHeads}
          </tr>
        </thead>
        <tbody>
          {[...rows].reverse().map((r) => (
            <tr key={r.key}>
              <td class="mono">{r.key}</td>
              <td class="num">{r.messages}</td>
              <TokenCells t={r} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function UsagePage(
  { range, since, until, hint, card, limits, week, blocks, days, weeks, claudeWeeks }:
    UsagePageData,
) {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return (
    <>
      <h1>Usage</h1>
      <FilterForm id="usage-filters" action="/usage">
        <RangeSelect value={range} />
      </FilterForm>
      <UsageHint hint={hint} />
      <div class="stack">
        <div class="pair">
          <section class="panel" aria-labelledby="window-h">
            <h2 id="window-h">Current 5-hour window</h2>
            <Island name="UsageWindow" component={UsageWindow} props={card} />
          </section>
          <section class="panel" aria-labelledby="limits-h">
            <h2 id="limits-h">Limits and the last 7 days</h2>
            <dl class="kv" id="usage-limits">
              <dt>Tokens per window</dt>
              <dd>{limitText(limits.tokens, limits.tokens_source_text, compact)}</dd>
              <dt>Cost per window</dt>
              <dd>{limitText(limits.cost_usd, limits.cost_source_text, (n) => usd(n))}</dd>
              <dt>Last 7 days</dt>
              <dd id="usage-week" data-total={totalTokens(week)}>
                {compact(totalTokens(week))} tokens · {usd(week.cost_usd)}
                {week.cost_source
                  ? <span class="muted cost-source">({usageCostSourceText[week.cost_source]})</span>
                  : null}
              </dd>
            </dl>
            <p class="muted">
              A window starts at the full UTC hour of its first message and lasts 5 hours; the next
              message after its end starts the next one. Without a setting, a limit is the 90th
              percentile of your own completed windows, so ordinary use reaches it one window in
              ten; once the statusline has seen Claude's 5-hour figure, the limit is the budget that
              figure implies (tokens used ÷ Claude's percentage). Set fixed limits in{" "}
              <a href="/settings">settings</a>.
            </p>
          </section>
        </div>
        <section class="panel usage-windows" aria-labelledby="windows-h">
          <h2 id="windows-h">Windows</h2>
          <UsageCharts
            rows={blocks.map((b) => ({ ...b, t: Date.parse(b.start) }))}
            bucketMs={windowBarMs}
            since={since}
            until={until}
            label={(t) => `${dateTime(new Date(t).toISOString())} UTC`}
          />
          {blocks.length
            ? (
              <div class="table-wrap">
                <table id="windows-table">
                  <thead>
                    <tr>
                      <th scope="col">Start (UTC)</th>
                      <th scope="col">End</th>
                      <th scope="col">Last message</th>
                      <th scope="col" class="num">Messages</th>
                      {tokenHeads}
                      <th scope="col">Models</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...blocks].reverse().map((b) => (
                      <tr key={b.start} class={b.active ? "is-active" : undefined}>
                        <td class="mono">
                          {dateTime(b.start)}
                          {b.active ? <span class="pill pill-running">active</span> : null}
                        </td>
                        <td class="mono">{dateTime(b.end).slice(11)}</td>
                        <td class="mono">{dateTime(b.last_ts)}</td>
                        <td class="num">{b.messages}</td>
                        <TokenCells t={b} />
                        <td class="wrap">{b.models.join(", ")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
            : null}
        </section>
        <section class="panel" aria-labelledby="days-h">
          <h2 id="days-h">Days (UTC)</h2>
          <PeriodCharts rows={days} bucketMs={dayMs} since={since} until={until} label={day} />
          <PeriodTable id="days-table" rows={days} head="Day" />
        </section>
        <section class="panel" aria-labelledby="claude-weeks-h">
          <h2 id="claude-weeks-h">Claude's weekly windows</h2>
          <ClaudeWeeks weeks={claudeWeeks} />
        </section>
        <section class="panel" aria-labelledby="weeks-h">
          <h2 id="weeks-h">Weeks (UTC, from Monday)</h2>
          <PeriodCharts
            rows={weeks}
            bucketMs={7 * dayMs}
            since={since}
            until={until}
            label={(t) => `week of ${day(t)}`}
          />
          <PeriodTable id="weeks-table" rows={weeks} head="Week of" />
        </section>
      </div>
    </>
  );
}

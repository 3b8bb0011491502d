// /usage: the active 5-hour window (the overview's live gauge), the limits in force, and the
// usage of a time range by window, by UTC day and by UTC week, each as a chart and a table.

import type { PeriodUsage, UsageCardData, WindowLimits } from "../../core/view_data.ts";
import type { TokenTotals, UsageBlock } from "../../core/types.ts";
import UsageWindow from "../islands/UsageWindow.tsx";
import { StackedBars } from "../components/charts.tsx";
import { compact, dateTime, totalTokens, usd } from "../../core/format.ts";
import { Island } from "../components/island.tsx";
import { FilterForm, RangeSelect } from "../components/controls.tsx";

export interface UsagePageData {
  range: string;
  card: UsageCardData;
  limits: WindowLimits;
  week: TokenTotals;
  /** Windows overlapping the range, oldest first. */
  blocks: UsageBlock[];
  days: PeriodUsage[];
  weeks: PeriodUsage[];
}

const kinds = [
  ["input", "input_tokens"],
  ["output", "output_tokens"],
  ["cache write", "cache_creation_tokens"],
  ["cache read", "cache_read_tokens"],
] as const;

type Tokens = Pick<
  TokenTotals,
  "input_tokens" | "output_tokens" | "cache_creation_tokens" | "cache_read_tokens"
>;

function TokenChart(
  { rows, keyOf, label }: {
    rows: Tokens[];
    keyOf: (i: number) => string;
    label: (iso: string) => string;
  },
) {
  if (rows.length === 0) return <p class="muted">No usage in this range.</p>;
  return (
    <StackedBars
      buckets={rows.map((_, i) => keyOf(i))}
      series={kinds.map(([key, field]) => ({ key, values: rows.map((r) => r[field]) }))}
      label={label}
      unit="tokens"
    />
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
      <td class="num">{usd(t.cost_usd)}</td>
    </>
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
      {format(value)}{" "}
      <span class="muted">({source === "setting" ? "your setting" : "p90 of your windows"})</span>
    </>
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

export function UsagePage({ range, card, limits, week, blocks, days, weeks }: UsagePageData) {
  const hhmm = (iso: string) => `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return (
    <>
      <h1>Usage</h1>
      <FilterForm id="usage-filters" action="/usage">
        <RangeSelect value={range} />
      </FilterForm>
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
              <dd>{limitText(limits.tokens, limits.tokens_source, compact)}</dd>
              <dt>Cost per window</dt>
              <dd>{limitText(limits.cost_usd, limits.cost_source, (n) => usd(n))}</dd>
              <dt>Last 7 days</dt>
              <dd id="usage-week" data-total={totalTokens(week)}>
                {compact(totalTokens(week))} tokens · {usd(week.cost_usd)}
              </dd>
            </dl>
            <p class="muted">
              A window starts at the full UTC hour of its first message and lasts 5 hours; the next
              message after its end starts the next one. Set fixed limits in{" "}
              <a href="/settings">settings</a>.
            </p>
          </section>
        </div>
        <section class="panel usage-windows" aria-labelledby="windows-h">
          <h2 id="windows-h">Windows</h2>
          <TokenChart
            rows={blocks}
            keyOf={(i) => blocks[i].start}
            label={(iso) => `${hhmm(iso)} UTC`}
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
          <TokenChart rows={days} keyOf={(i) => days[i].key} label={(d) => d.slice(5)} />
          <PeriodTable id="days-table" rows={days} head="Day" />
        </section>
        <section class="panel" aria-labelledby="weeks-h">
          <h2 id="weeks-h">Weeks (UTC, from Monday)</h2>
          <TokenChart rows={weeks} keyOf={(i) => weeks[i].key} label={(d) => d.slice(5)} />
          <PeriodTable id="weeks-table" rows={weeks} head="Week of" />
        </section>
      </div>
    </>
  );
}

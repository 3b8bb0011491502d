// A session's timeline: one row per thing that happened — a prompt, an assistant turn, a tool
// call (call, duration bar, status, result), a compaction, a notification — with sub-agent
// (sidechain) runs nested. Expanding a row's sources shows every hook file and transcript line
// behind it with its raw JSON. TimelineList is rendered on the server for the stored rows; the
// LiveTail island merges live rows into the row already shown for the same thing (a stored line
// in common) and appends the rest below. All text is rendered as text nodes.

import { render } from "preact";
import { useSignal, useSignalEffect } from "@preact/signals";
import type { TimelineRow, TimelineSource } from "../../core/types.ts";
import { ErrorKind } from "../../core/types.ts";
import { mergeRows } from "../../core/timeline.ts";
import { clock, duration } from "../../core/format.ts";
import { displayText } from "../../core/text.ts";
import { received } from "../client/live.ts";
import { RawJson } from "./RawJson.tsx";
import { PromptText } from "../components/text.tsx";

function label(r: TimelineRow): string {
  switch (r.kind) {
    case "prompt":
      return "Prompt";
    case "assistant":
      return "Assistant";
    case "tool":
      return r.tool_name ?? "Tool";
    case "notify":
      return r.type === "PermissionRequest" ? "Permission" : "Notification";
    case "compact":
      return "Compaction";
    case "subagent":
      return r.type === "SubagentStart" ? "Sub-agent start" : "Sub-agent stop";
    case "error":
      return "Error";
    default:
      return r.type;
  }
}

/** Bar length on a log scale up to 10 minutes, so 50 ms and 5 min both read. */
const barMaxMs = 600_000;
export function barPercent(ms: number): number {
  if (ms <= 0) return 1;
  return Math.max(1, Math.min(100, Math.log10(1 + ms) / Math.log10(1 + barMaxMs) * 100));
}

function ToolOutcome({ r }: { r: TimelineRow }) {
  const status = r.tool_status;
  if (!status) return null;
  const ms = r.tool_duration_ms;
  return (
    <span class={`tl-tool tool-${status}`}>
      <svg class="bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
        <rect class="bar-track" width="100" height="6" />
        {ms !== null
          ? <rect class={`bar-fill ${status}`} width={barPercent(ms)} height="6" />
          : null}
      </svg>
      <span class="tl-dur">
        {status === "running"
          ? "running"
          : `${status === "error" ? "failed" : "ok"} · ${duration(ms)}`}
      </span>
    </span>
  );
}

/** "hook PreToolUse", with its time (to the ms) when the row has more than one line. */
function sourceLabel(s: TimelineSource, many: boolean): string {
  return many ? `${s.source} ${s.type} · ${s.ts.slice(11, 23)}` : `${s.source} ${s.type}`;
}

/** The row's stored lines; opening it opens (and loads) every line's raw JSON. */
function Sources({ r }: { r: TimelineRow }) {
  const n = r.sources.length;
  return (
    <details class="tl-sources">
      <summary>
        {n === 1 ? `${r.sources[0].source} line` : `${n} lines`}
        {n > 1 ? ` (${[...new Set(r.sources.map((s) => s.source))].join(" + ")})` : ""}
      </summary>
      <ol class="tl-src-list">
        {r.sources.map((s) => (
          <li key={s.id} class="tl-src">
            <span class="tl-src-what">{sourceLabel(s, n > 1)}</span>
            {s.file
              ? (
                <span class="mono tl-src-file">
                  {s.file}
                  {s.offset !== null ? ` @ byte ${s.offset}` : ""}
                </span>
              )
              : null}
            <RawJson id={s.id} />
          </li>
        ))}
      </ol>
    </details>
  );
}

/** A call's result in one line: the transcript's tool_result, else the hook's error. */
function ToolResult({ r, failed }: { r: TimelineRow; failed: boolean }) {
  const text = failed ? (r.result ?? r.tool_error) : r.result;
  if (!text) return null;
  return <span class={failed ? "tl-error" : "tl-result"}>{displayText(text)}</span>;
}

function TimelineItem({ r }: { r: TimelineRow }) {
  const failed = r.error_kind === ErrorKind.ToolFailed || r.tool_status === "error";
  return (
    <li
      class={`tl-row kind-${r.kind}${r.error_kind || failed ? " is-error" : ""}`}
      data-event-id={r.id}
      data-type={r.type}
      data-sources={r.sources.map((s) => s.id).join(" ")}
      data-tool-use-id={r.tool_use_id ?? undefined}
    >
      <time dateTime={r.ts} class="mono" title={r.ts}>{clock(r.ts)}</time>
      <span class="tl-label">{label(r)}</span>
      <div class="tl-body">
        <span class="tl-text">
          <PromptText text={r.summary} />
        </span>
        {r.kind === "tool" ? <ToolOutcome r={r} /> : null}
        {r.kind === "tool" ? <ToolResult r={r} failed={failed} /> : null}
        <Sources r={r} />
      </div>
    </li>
  );
}

type Group = { sidechain: false; row: TimelineRow } | { sidechain: true; rows: TimelineRow[] };

/** Consecutive sidechain rows become one nested sub-agent group. Pure. */
export function groupSidechains(rows: TimelineRow[]): Group[] {
  const out: Group[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (r.is_sidechain && last?.sidechain) last.rows.push(r);
    else if (r.is_sidechain) out.push({ sidechain: true, rows: [r] });
    else out.push({ sidechain: false, row: r });
  }
  return out;
}

export function TimelineList({ rows, id }: { rows: TimelineRow[]; id?: string }) {
  return (
    <ol class="timeline" id={id}>
      {groupSidechains(rows).map((g) =>
        g.sidechain
          ? (
            <li class="tl-sub" key={`sub-${g.rows[0].key}`} data-sidechain="true">
              <details open>
                <summary>
                  Sub-agent · {g.rows.length} step{g.rows.length === 1 ? "" : "s"}
                </summary>
                <ol>
                  {g.rows.map((r) => <TimelineItem key={r.key} r={r} />)}
                </ol>
              </details>
            </li>
          )
          : <TimelineItem key={g.row.key} r={g.row} />
      )}
    </ol>
  );
}

/**
 * The server-rendered row showing the same thing as `r`: one with a line in common (a live row
 * comes with every line of its thing, so it shares every line the page shows of it).
 */
function shownRow(r: TimelineRow): HTMLElement | null {
  const ids = new Set(r.sources.map((s) => String(s.id)));
  for (const el of document.querySelectorAll<HTMLElement>("#timeline li[data-sources]")) {
    if ((el.dataset.sources ?? "").split(" ").some((id) => ids.has(id))) return el;
  }
  return null;
}

/** Replaces a server-rendered row in place by the merged row (its sources stay open if open). */
function replaceShown(el: HTMLElement, r: TimelineRow): void {
  const box = document.createElement("ol");
  render(<TimelineItem r={r} />, box);
  const fresh = box.firstElementChild;
  if (!fresh) return;
  const open = el.querySelector(":scope > .tl-body > details.tl-sources")?.hasAttribute("open");
  el.replaceWith(fresh);
  if (open) fresh.querySelector("details.tl-sources")?.setAttribute("open", "");
}

export interface LiveTailProps {
  sessionId: string;
  /** Highest event id of this session already on the page. */
  afterId: number;
}

/**
 * Rows of a running session that change or appear while the page is open, fetched when the
 * live stream reports its events: a thing already on the page is updated where it is shown.
 */
export default function LiveTail({ sessionId, afterId }: LiveTailProps) {
  const rows = useSignal<TimelineRow[]>([]);
  const state = useSignal({ maxId: afterId, busy: false, again: false });

  const pull = async (): Promise<void> => {
    const s = state.peek();
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    try {
      do {
        s.again = false;
        const res = await fetch(
          `/api/sessions/${encodeURIComponent(sessionId)}/timeline?after_id=${s.maxId}`,
        );
        if (!res.ok) break;
        const fresh = (await res.json()).rows as TimelineRow[];
        const tail: TimelineRow[] = [];
        for (const r of fresh) {
          for (const src of r.sources) s.maxId = Math.max(s.maxId, src.id);
          const own = rows.peek().some((x) =>
            x.key === r.key || x.sources.some((a) => r.sources.some((b) => a.id === b.id))
          );
          const el = own ? null : shownRow(r);
          if (el) replaceShown(el, r);
          else tail.push(r);
        }
        if (tail.length) rows.value = mergeRows(rows.peek(), tail);
      } while (s.again);
    } catch {
      // offline: the connection badge says so; the next live event retries
    } finally {
      s.busy = false;
    }
  };

  useSignalEffect(() => {
    if (received.value.some((e) => e.session_id === sessionId)) void pull();
  });

  if (rows.value.length === 0) return <ol class="timeline" id="timeline-live"></ol>;
  return <TimelineList rows={rows.value} id="timeline-live" />;
}

// A session's timeline: prompts, assistant turns, tool calls with duration bars and outcome,
// sub-agent (sidechain) runs nested, compactions and notifications marked. TimelineList is
// rendered on the server for the stored rows; the LiveTail island appends new rows below it
// while the session runs. All text is rendered as text nodes.

import { useSignal, useSignalEffect } from "@preact/signals";
import type { TimelineRow } from "../../core/types.ts";
import { ErrorKind } from "../../core/types.ts";
import { clock, duration } from "../../core/format.ts";
import { received } from "../client/live.ts";
import { RawJson } from "./RawJson.tsx";

type Kind =
  | "prompt"
  | "assistant"
  | "tool"
  | "result"
  | "notify"
  | "compact"
  | "subagent"
  | "session"
  | "error"
  | "other";

const sessionTypes = new Set(["SessionStart", "SessionEnd", "Stop"]);

/** What a timeline row shows as, from its type and source. Pure. */
export function timelineKind(r: TimelineRow): Kind {
  if (r.error_kind === ErrorKind.ApiError) return "error";
  switch (r.type) {
    case "UserPromptSubmit":
      return "prompt";
    case "PreToolUse":
      return "tool";
    case "PostToolUse":
    case "PostToolUseFailure":
      return "result";
    case "Notification":
    case "PermissionRequest":
      return "notify";
    case "PreCompact":
    case "summary":
      return "compact";
    case "SubagentStart":
    case "SubagentStop":
      return "subagent";
    case "assistant":
      return r.tool_use_id ? "tool" : "assistant";
    case "user":
      return r.tool_use_id ? "result" : "prompt";
    case "system":
      return /compact/i.test(r.summary) ? "compact" : "other";
  }
  return sessionTypes.has(r.type) ? "session" : "other";
}

function label(r: TimelineRow, kind: Kind): string {
  switch (kind) {
    case "prompt":
      return "Prompt";
    case "assistant":
      return "Assistant";
    case "tool":
      return r.tool_name ?? "Tool";
    case "result":
      return `${failed(r) ? "✗" : "✓"} ${r.tool_name ?? "result"}`;
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

function failed(r: TimelineRow): boolean {
  return r.error_kind === ErrorKind.ToolFailed || r.type === "PostToolUseFailure";
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

function TimelineItem({ r }: { r: TimelineRow }) {
  const kind = timelineKind(r);
  const isStart = kind === "tool";
  return (
    <li
      class={`tl-row kind-${kind}${r.error_kind ? " is-error" : ""}`}
      data-event-id={r.id}
      data-type={r.type}
    >
      <time dateTime={r.ts} class="mono" title={r.ts}>{clock(r.ts)}</time>
      <span class="tl-label">{label(r, kind)}</span>
      <div class="tl-body">
        <span class="tl-text">{r.summary}</span>
        {isStart ? <ToolOutcome r={r} /> : null}
        {kind === "result" && r.tool_error ? <span class="tl-error">{r.tool_error}</span> : null}
        <RawJson id={r.id} />
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
            <li class="tl-sub" key={`sub-${g.rows[0].id}`} data-sidechain="true">
              <details open>
                <summary>
                  Sub-agent · {g.rows.length} event{g.rows.length === 1 ? "" : "s"}
                </summary>
                <ol>
                  {g.rows.map((r) => <TimelineItem key={r.id} r={r} />)}
                </ol>
              </details>
            </li>
          )
          : <TimelineItem key={g.row.id} r={g.row} />
      )}
    </ol>
  );
}

export interface LiveTailProps {
  sessionId: string;
  /** Highest event id of this session already on the page. */
  afterId: number;
}

/** New timeline rows of a running session, fetched when the live stream reports its events. */
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
        const fresh = ((await res.json()).rows as TimelineRow[]).filter((r) => r.id > s.maxId);
        if (fresh.length) {
          for (const r of fresh) s.maxId = Math.max(s.maxId, r.id);
          rows.value = [...rows.peek(), ...fresh];
        }
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

import type { SessionSummary } from "../../core/types.ts";
import { shortId, shortModel, statusLabel } from "../../core/format.ts";
import { sessions } from "../client/live.ts";
import { ArchivedBadge, ContextBar } from "./ContextBar.tsx";
import { SessionFigureCells } from "../components/session_cells.tsx";
import { col, type DroppableColumn, HiddenColumns } from "../components/columns.tsx";

export interface SessionBoardProps {
  initial: SessionSummary[];
}

const rank: Record<string, number> = { waiting: 0, running: 1, idle: 2, ended: 3 };

/** Waiting sessions first, then running, idle and ended; newest activity first within each. */
export function orderSessions(list: SessionSummary[]): SessionSummary[] {
  return [...list].sort((a, b) =>
    (rank[a.status] - rank[b.status]) || ((b.last_ts ?? "") < (a.last_ts ?? "") ? -1 : 1)
  );
}

/** Every session with its state, counts, tokens and cost; updates live. */
export default function SessionBoard({ initial }: SessionBoardProps) {
  const list = orderSessions(sessions.value ?? initial);
  if (list.length === 0) return <p class="muted">No sessions yet.</p>;
  const waiting = list.filter((s) => s.status === "waiting");
  const counts = { waiting: 0, running: 0, idle: 0, ended: 0 };
  for (const s of list) counts[s.status]++;
  return (
    <>
      <p class="board-counts" id="board-counts">
        {(["waiting", "running", "idle", "ended"] as const).map((k) => (
          <span class={`count-${k}${counts[k] ? " some" : ""}`}>
            <b>{counts[k]}</b> {statusLabel[k]}
          </span>
        ))}
      </p>
      {waiting.length
        ? (
          <div class="waiting-list" id="waiting-now" role="alert">
            <b>
              {waiting.length === 1 ? "1 session is" : `${waiting.length} sessions are`}{" "}
              waiting for you
            </b>
            <ul>
              {waiting.map((s) => (
                <li key={s.session_id}>
                  <a href={`/sessions/${encodeURIComponent(s.session_id)}`}>
                    {s.project ?? "no project"} · {shortId(s.session_id)}
                  </a>
                  {s.waiting_reason ? <span>{s.waiting_reason}</span> : null}
                </li>
              ))}
            </ul>
          </div>
        )
        : null}
      <BoardTable list={list} />
    </>
  );
}

/**
 * The order the board's columns are hidden in when its panel is narrow (first hidden first; the
 * widths are in static/style.css, "tables that fit"). Status, session and last activity always
 * stay; every hidden column is listed above the table and can be shown again.
 */
const dropOrder: DroppableColumn[] = [
  { key: "tools", label: "Tools" },
  { key: "events", label: "Events" },
  { key: "context", label: "Context" },
  { key: "tokens", label: "Tokens" },
  { key: "errors", label: "Errors" },
  { key: "cost", label: "Cost" },
];

/** Project, id and model share one cell (two lines) so the board fits beside the live feed. */
function BoardTable({ list }: { list: SessionSummary[] }) {
  return (
    <div class="table-wrap fit fit-board board">
      <HiddenColumns table="board" columns={dropOrder} />
      <table class="sessions" id="sessions">
        <thead>
          <tr>
            <th scope="col" class={col("status")}>Status</th>
            <th scope="col" class={col("session")}>Session</th>
            <th scope="col" class={col("context")}>Context</th>
            <th scope="col" class={col("events", "num")}>Events</th>
            <th scope="col" class={col("tools", "num")}>Tools</th>
            <th scope="col" class={col("errors", "num")}>Errors</th>
            <th scope="col" class={col("tokens", "num")}>Tokens</th>
            <th scope="col" class={col("cost", "num")}>Cost</th>
            <th scope="col" class={col("last")}>Last activity</th>
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr
              key={s.session_id}
              class={`status-${s.status}`}
              data-session-id={s.session_id}
              data-status={s.status}
            >
              <td class={col("status")}>
                <span
                  class={`pill pill-${s.status}`}
                  title={s.waiting_reason
                    ? `${statusLabel[s.status]}: ${s.waiting_reason}`
                    : statusLabel[s.status]}
                >
                  {s.status}
                </span>{" "}
                <ArchivedBadge source={s.source} />
              </td>
              <td class={col("session", "stack-cell")}>
                <a
                  href={`/sessions/${encodeURIComponent(s.session_id)}`}
                  title={s.cwd ?? s.project ?? s.session_id}
                >
                  {s.project ?? shortId(s.session_id)}
                </a>
                <span class="sub mono" title={`${s.session_id} · ${s.model ?? "model unknown"}`}>
                  {shortId(s.session_id)}
                  {s.model ? ` · ${shortModel(s.model)}` : ""}
                </span>
              </td>
              <td class={col("context", "context")}>
                <ContextBar tokens={s.context_tokens} window={s.context_window} short />
              </td>
              <SessionFigureCells s={s} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

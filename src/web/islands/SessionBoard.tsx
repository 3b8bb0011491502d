import type { SessionSummary } from "../../core/types.ts";
import { compact, dateTime, shortId, shortModel, statusLabel, usd } from "../../core/format.ts";
import { sessions } from "../client/live.ts";
import { ArchivedBadge, ContextBar } from "./ContextBar.tsx";

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

function BoardTable({ list }: { list: SessionSummary[] }) {
  return (
    <div class="table-wrap board">
      <table class="sessions" id="sessions">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Project</th>
            <th scope="col">Session</th>
            <th scope="col">Model</th>
            <th scope="col">Context</th>
            <th scope="col" class="num">Events</th>
            <th scope="col" class="num">Tools</th>
            <th scope="col" class="num">Errors</th>
            <th scope="col" class="num">Tokens</th>
            <th scope="col" class="num">Cost</th>
            <th scope="col">Last activity (UTC)</th>
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
              <td>
                <span class={`pill pill-${s.status}`} title={s.waiting_reason ?? undefined}>
                  {statusLabel[s.status]}
                </span>{" "}
                <ArchivedBadge source={s.source} />
              </td>
              <td title={s.cwd ?? undefined}>{s.project ?? "–"}</td>
              <td class="mono" title={s.session_id}>
                <a href={`/sessions/${encodeURIComponent(s.session_id)}`}>
                  {shortId(s.session_id)}
                </a>
              </td>
              <td title={s.model ?? undefined}>{s.model ? shortModel(s.model) : "–"}</td>
              <td class="context">
                <ContextBar tokens={s.context_tokens} window={s.context_window} short />
              </td>
              <td class="num">{compact(s.events)}</td>
              <td class="num">{compact(s.tool_calls)}</td>
              <td class={`num${s.errors > 0 ? " bad" : ""}`}>{compact(s.errors)}</td>
              <td
                class="num"
                title={`in ${s.input_tokens} · out ${s.output_tokens} · cache write ${s.cache_creation_tokens} · cache read ${s.cache_read_tokens}`}
              >
                {compact(
                  s.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens,
                )}
              </td>
              <td class="num">{usd(s.cost_usd)}</td>
              <td class="mono">{dateTime(s.last_ts)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// One session's status pill, kept current from the live stream: the part of a sessions-table
// row that must move (a session starting to wait for input shows at once).

import type { SessionStatus as Status } from "../../core/types.ts";
import { statusLabel } from "../../core/format.ts";
import { sessionUpdates } from "../client/live.ts";

export interface SessionStatusProps {
  id: string;
  status: Status;
  reason: string | null;
}

export default function SessionStatus({ id, status, reason }: SessionStatusProps) {
  const live = sessionUpdates.value.get(id);
  const s = live?.status ?? status;
  const why = live ? live.waiting_reason : reason;
  return (
    <span class={`pill pill-${s}`} data-status={s} title={why ?? undefined}>
      {statusLabel[s]}
    </span>
  );
}

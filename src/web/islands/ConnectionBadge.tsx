import { connection } from "../client/live.ts";

const labels = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  offline: "offline",
};

/** Header badge: whether live updates are flowing. */
export default function ConnectionBadge() {
  const state = connection.value;
  return (
    <span class={`badge conn conn-${state}`} role="status" aria-live="polite" data-state={state}>
      <span class="dot" aria-hidden="true"></span>
      {labels[state]}
    </span>
  );
}

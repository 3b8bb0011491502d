// "N sessions changed" on the sessions table: counts sessions on this page that changed and
// new sessions that pass the page's filters, without reshuffling the rows under the reader.

import type { SessionStatus, SessionSummary } from "../../core/types.ts";
import { sessionUpdates } from "../client/live.ts";

export interface SessionsPillProps {
  /** Session ids on this page. */
  ids: string[];
  filter: { project?: string; model?: string; status?: SessionStatus };
  /** Where "show" leads: the same view, reloaded. */
  href: string;
}

function passes(s: SessionSummary, f: SessionsPillProps["filter"]): boolean {
  return (!f.project || s.project === f.project) && (!f.model || s.model === f.model) &&
    (!f.status || s.status === f.status);
}

export default function SessionsPill({ ids, filter, href }: SessionsPillProps) {
  const onPage = new Set(ids);
  let changed = 0;
  let fresh = 0;
  for (const [id, s] of sessionUpdates.value) {
    if (onPage.has(id)) changed++;
    else if (passes(s, filter)) fresh++;
  }
  if (changed + fresh === 0) return <span hidden></span>;
  const parts = [
    fresh ? `${fresh} new session${fresh === 1 ? "" : "s"}` : "",
    changed ? `${changed} changed` : "",
  ].filter(Boolean);
  return (
    <a class="new-pill" id="sessions-changed" href={href} data-new={fresh} data-changed={changed}>
      {parts.join(", ")} · refresh
    </a>
  );
}

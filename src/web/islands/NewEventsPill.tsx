// "N new events" on the events explorer: counts events stored since the page was rendered that
// match its filters, without moving the list; following the pill shows the newest page.

import { useLiveData } from "../client/refetch.ts";

export interface NewEventsPillProps {
  /** Newest event id when the page was rendered. */
  afterId: number;
  /** The page's filters as a query string for /api/events/newer. */
  filters: string;
  /** Where "show" leads: the same filters, first page. */
  href: string;
}

const countIntervalMs = 200;

export default function NewEventsPill({ afterId, filters, href }: NewEventsPillProps) {
  const data = useLiveData(
    `/api/events/newer?after_id=${afterId}${filters ? "&" + filters : ""}`,
    { count: 0 },
    countIntervalMs,
  );
  const n = data.value.count;
  if (n === 0) return <span id="new-events-none" hidden></span>;
  return (
    <a class="new-pill" id="new-events" href={href} data-count={n}>
      {n >= 1000 ? "1000+" : n} new event{n === 1 ? "" : "s"} · show
    </a>
  );
}

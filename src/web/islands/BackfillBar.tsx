// The backfill progress bar on /health and the overview: which pass runs ("usage totals" first,
// then "events and search index"), files and MB done of the total, MB/s and time left. The
// server renders the state it has (no flash); the live `progress` message moves it, and the
// bar hides itself once the backfill is done. A total not known yet gives an indeterminate bar.

import type { BackfillPhase, BackfillProgress } from "../../core/progress.ts";
import { duration } from "../../core/format.ts";
import { progressLive } from "../client/live.ts";

const phaseText: Record<BackfillPhase, string> = {
  usage: "usage totals",
  events: "events and search index",
  done: "done",
};

const mb = (bytes: number) => bytes / 1e6;

function mbText(bytes: number): string {
  const v = mb(bytes);
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** The share done (0–1) by bytes when their total is known, else by files; null: unknown. */
export function backfillRatio(p: BackfillProgress): number | null {
  if (p.phase === "done") return 1;
  if (p.bytesTotal > 0) return Math.min(1, p.bytesDone / p.bytesTotal);
  if (p.filesTotal > 0) return Math.min(1, p.filesDone / p.filesTotal);
  return null;
}

/** One line for people and screen readers: files, MB, speed and time left. Pure. */
export function backfillText(p: BackfillProgress): string {
  const files = p.filesTotal > 0
    ? `${p.filesDone.toLocaleString("en-US")} of ${p.filesTotal.toLocaleString("en-US")} files`
    : `${p.filesDone.toLocaleString("en-US")} files`;
  const bytes = p.bytesTotal > 0
    ? `${mbText(p.bytesDone)} of ${mbText(p.bytesTotal)} MB`
    : `${mbText(p.bytesDone)} MB`;
  const rate = p.mbPerSec === null ? null : `${p.mbPerSec.toFixed(1)} MB/s`;
  const eta = p.etaSeconds === null
    ? null
    : `about ${
      p.etaSeconds < 60 ? `${Math.ceil(p.etaSeconds)} s` : duration(Math.round(p.etaSeconds) * 1000)
    } left`;
  return [files, bytes, rate, eta].filter((x) => x !== null).join(" · ");
}

/** The bar; `initial` is the server's reading when it rendered the page. */
export default function BackfillBar({ initial }: { initial: BackfillProgress }) {
  const p = progressLive.value ?? initial;
  if (p.phase === "done") return null;
  const ratio = backfillRatio(p);
  const pct = ratio === null ? null : Math.round(ratio * 1000) / 10;
  const text = backfillText(p);
  return (
    <section class="panel backfill" id="backfill-progress" data-phase={p.phase}>
      <p class="backfill-head">
        <strong>Indexing {phaseText[p.phase]}</strong>
        <span class="muted">{text}</span>
      </p>
      <div
        class={`backfill-track${pct === null ? " indeterminate" : ""}`}
        role="progressbar"
        aria-label={`Indexing ${phaseText[p.phase]}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={pct === null ? text : `${pct}%: ${text}`}
      >
        {/* SVG geometry, not a style attribute: the page's CSP allows no inline styles. */}
        <svg
          class="backfill-svg"
          viewBox="0 0 1000 10"
          preserveAspectRatio="none"
          aria-hidden="true"
        >
          <rect
            class="backfill-fill"
            x="0"
            y="0"
            height="10"
            width={pct === null ? 300 : pct * 10}
          />
        </svg>
      </div>
      <p class="muted backfill-note">
        {p.phase === "usage"
          ? "Usage and cost figures fill in first; events, tool calls and search follow."
          : "Pages show what is stored so far; they fill in as the rest is read."}
      </p>
    </section>
  );
}

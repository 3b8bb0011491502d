// The health page's figures (sources found, ingest rates, DB size, live clients), refreshed
// every few seconds from /api/health while the page is open. "waiting for data" (no source found
// yet) is its own state with its reason, never a green "ok".

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { RootStatus } from "../../core/types.ts";
import { compact } from "../../core/format.ts";
import type { HealthSnapshot } from "../../core/view_data.ts";

export interface HealthStatsProps {
  initial: HealthSnapshot;
  claudeDir: string;
  dbPath: string;
}

const pollMs = 2000;

const statusText: Record<HealthSnapshot["status"], string> = {
  ok: "ok",
  degraded: "degraded",
  waiting: "waiting for data",
};

const statusClass: Record<HealthSnapshot["status"], string> = {
  ok: "ok",
  degraded: "bad",
  waiting: "warn",
};

function rate(n: number, unit: string): string {
  if (n === 0) return `0 ${unit}/s`;
  return `${n < 10 ? n.toFixed(1) : compact(Math.round(n))} ${unit}/s`;
}

export default function HealthStats({ initial, claudeDir, dbPath }: HealthStatsProps) {
  const snap = useSignal(initial);
  useEffect(() => {
    const t = setInterval(async () => {
      if (document.hidden) return;
      try {
        const res = await fetch("/api/health");
        if (res.ok) snap.value = await res.json();
      } catch {
        // offline: the badge says so
      }
    }, pollMs);
    return () => clearInterval(t);
  }, []);
  const h = snap.value;
  const ing = h.ingest;
  return (
    <dl class="kv" id="health-stats">
      <dt>Status</dt>
      <dd>
        <span class={statusClass[h.status]} id="health-status" data-status={h.status}>
          {statusText[h.status]}
        </span>
        {h.waiting_reason
          ? <p class="muted" id="health-waiting-reason">{h.waiting_reason}</p>
          : null}
      </dd>
      <dt>Reading</dt>
      <dd class="mono">{claudeDir}</dd>
      <dt>Data sources found</dt>
      <dd id="health-sources">
        {ing
          ? `${ing.hookFiles} hook files, ${ing.transcripts} transcripts, notifier threads.db ${
            ing.threadsDb === "ok" ? "read" : ing.threadsDb
          }`
          : "–"}
      </dd>
      <dt>Folders</dt>
      <dd id="health-roots">
        <RootList roots={ing?.roots ?? []} projects={h.projects_found ?? {}} />
        {ing?.missingTranscripts
          ? (
            <p class="muted" id="health-missing">
              {ing.missingTranscripts} transcript{ing.missingTranscripts === 1 ? " is" : "s are"}
              {" "}
              gone from disk; their sessions are kept as archived.
            </p>
          )
          : null}
      </dd>
      <dt>Ingest</dt>
      <dd id="health-rates">
        {ing ? (ing.paused ? "paused" : ing.backfilled ? "live" : "backfilling…") : "–"}
        {` · ${rate(h.rates.events_per_s, "events")}, ${rate(h.rates.files_per_s, "files")}, ${
          rate(h.rates.bytes_per_s / 1024, "KB")
        } over the last ${Math.round(h.rates.window_s)} s`}
      </dd>
      <dt>Events stored</dt>
      <dd>{compact(h.events)} in {h.sessions} sessions from {h.files} files</dd>
      <dt>Database</dt>
      <dd class="mono">
        {dbPath} ({(h.db_bytes / 1024 / 1024).toFixed(1)} MB)
        {h.damaged_blocks > 0
          ? ` · ${h.damaged_blocks} payload blocks unreadable: their events show no raw JSON`
          : ""}
      </dd>
      <dt>Live clients</dt>
      <dd id="health-clients">{h.live_clients}</dd>
      <dt>Last event</dt>
      <dd class="mono">{h.last_event_ts ?? "–"}</dd>
      <dt>Ingest errors</dt>
      <dd class={h.errors ? "bad" : undefined}>{h.errors}</dd>
      <dt>Uptime</dt>
      <dd>{h.uptime_s} s</dd>
    </dl>
  );
}

const originLabel: Record<RootStatus["origin"], string> = {
  home: "~/.claude",
  xdg: "$XDG_CONFIG_HOME/claude",
  env: "CLAUDE_CONFIG_DIR",
};

/**
 * Which of the folders Claude Code may write to were found, and what was read there: a folder
 * without its projects/ folder has no transcripts to count, and says so.
 */
function RootList({ roots, projects }: { roots: RootStatus[]; projects: Record<string, boolean> }) {
  if (roots.length === 0) return <span>–</span>;
  return (
    <ul class="roots">
      {roots.map((r) => (
        <li
          data-root={r.path}
          data-origin={r.origin}
          data-found={String(r.found)}
          class={r.found && !r.same_as ? "found" : "muted"}
        >
          <span class="mono">{r.path}</span> <span class="muted">({originLabel[r.origin]})</span>
          {" · "}
          {!r.found
            ? "not found"
            : r.same_as
            ? `same folder as ${r.same_as}: read once`
            : `${
              projects[r.path] === false
                ? "found, no projects/ folder yet (no transcripts)"
                : `${r.transcripts} transcript${r.transcripts === 1 ? "" : "s"}`
            }${r.main ? "; hook logs and threads.db are read from here only" : ""}`}
        </li>
      ))}
    </ul>
  );
}

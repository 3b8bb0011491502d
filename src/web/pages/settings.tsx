// /settings: alert rules, retention, window limits and price overrides (one form, saved to the
// database), live-ingest actions, export links, and which data sources were found. The
// notifier's secrets file is reported only as configured or not: its content is never read.

import type { BuiltInPrice } from "../../core/view_data.ts";
import type { Settings } from "../../core/settings_schema.ts";
import type { AlertRuleInfo } from "../../core/alert_catalog.ts";
import SettingsForm, { IngestActions } from "../islands/SettingsForm.tsx";
import { Island } from "../components/island.tsx";
import { compact } from "../../core/format.ts";

export interface DataSources {
  hook_logs: { path: string; found: boolean; files: number | null };
  transcript_roots: Array<{
    path: string;
    origin: string;
    /** The folder itself (~/.claude, …) exists. */
    found: boolean;
    /** Its projects/ folder, where the transcripts are, exists. */
    projects_found: boolean;
    same_as: string | null;
    /** Transcript files listed there at the last scan (null: not read by this server). */
    transcripts: number | null;
  }>;
  threads_db: { path: string; found: boolean; state: string | null };
  notifier: { configured: boolean };
  database: { path: string; bytes: number };
}

export interface SettingsPageData {
  settings: Settings;
  rules: AlertRuleInfo[];
  builtIn: BuiltInPrice[];
  asOf: string;
  sources: DataSources;
  ingest: { paused: boolean; available: boolean };
}

function Found({ found, yes = "found", no = "not found" }: {
  found: boolean;
  yes?: string;
  no?: string;
}) {
  return <span class={found ? "ok" : "muted"}>{found ? yes : no}</span>;
}

export function SettingsPage(d: SettingsPageData) {
  const s = d.sources;
  return (
    <>
      <h1>Settings</h1>
      <div class="stack settings-page">
        <section class="panel" aria-label="settings">
          <Island
            name="SettingsForm"
            component={SettingsForm}
            props={{ settings: d.settings, rules: d.rules, builtIn: d.builtIn, asOf: d.asOf }}
          />
        </section>

        <div class="pair">
          <section class="panel" aria-labelledby="actions-h">
            <h2 id="actions-h">Ingest and database</h2>
            <Island name="IngestActions" component={IngestActions} props={d.ingest} />
          </section>
          <section class="panel" aria-labelledby="export-h">
            <h2 id="export-h">Export events</h2>
            <p>
              Every stored event, oldest first, streamed:{" "}
              <a id="export-csv" href="/api/export?format=csv" download>CSV</a> ·{" "}
              <a id="export-jsonl" href="/api/export?format=jsonl" download>JSON Lines</a>{" "}
              (with each event's original payload).
            </p>
            <p class="muted">
              To export only some events, filter them on the <a href="/events">Events</a>{" "}
              page and use its export links. Secrets are masked as everywhere else.
            </p>
          </section>
        </div>

        <section class="panel" aria-labelledby="sources-h">
          <h2 id="sources-h">Data sources found</h2>
          <div class="table-wrap">
            <table id="data-sources">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Where</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                <tr data-source="hook-logs">
                  <td>Hook event logs</td>
                  <td class="mono">{s.hook_logs.path}</td>
                  <td>
                    <Found found={s.hook_logs.found} />
                    {s.hook_logs.files !== null ? `, ${compact(s.hook_logs.files)} files read` : ""}
                  </td>
                </tr>
                {s.transcript_roots.map((r) => (
                  <tr
                    data-source="transcripts"
                    data-origin={r.origin}
                    data-found={String(r.projects_found)}
                  >
                    <td>Transcripts ({originLabel[r.origin] ?? r.origin})</td>
                    <td class="mono">{r.path}/projects</td>
                    <td>
                      <Found found={r.projects_found} />
                      {r.same_as
                        ? `, the same folder as ${r.same_as}`
                        : r.projects_found && r.transcripts !== null
                        ? `, ${compact(r.transcripts)} transcripts`
                        : ""}
                    </td>
                  </tr>
                ))}
                <tr data-source="threads-db">
                  <td>Notifier thread map</td>
                  <td class="mono">{s.threads_db.path}</td>
                  <td>
                    <Found found={s.threads_db.found} />
                    {s.threads_db.state === "error" ? ", unreadable (see Health)" : ""}
                  </td>
                </tr>
                <tr data-source="notifier">
                  <td>Notifier (Discord)</td>
                  <td class="mono">hooks/.env.discord</td>
                  <td id="notifier-state">
                    <Found
                      found={s.notifier.configured}
                      yes="configured"
                      no="not configured"
                    />
                  </td>
                </tr>
                <tr data-source="database">
                  <td>claude-dash's database</td>
                  <td class="mono">{s.database.path}</td>
                  <td>{(s.database.bytes / 1024 / 1024).toFixed(1)} MiB</td>
                </tr>
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </>
  );
}

const originLabel: Record<string, string> = {
  home: "~/.claude",
  xdg: "XDG config folder",
  env: "CLAUDE_CONFIG_DIR",
};

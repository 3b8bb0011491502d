// Health page: is ingest keeping up, what failed and why.

import type { HealthReport, IngestErrorRow } from "../types.ts";
import type { IngestStats } from "../ingest/ingester.ts";
import { compact } from "../../islands/format.ts";

export interface HealthData {
  report: HealthReport;
  errors: IngestErrorRow[];
  ingest: IngestStats | null;
  liveClients: number;
  claudeDir: string;
  dbPath: string;
}

export function HealthPage({ report, errors, ingest, liveClients, claudeDir, dbPath }: HealthData) {
  return (
    <>
      <h1>
        Health:{" "}
        <span class={report.status === "ok" ? "ok" : "bad"} id="health-status">
          {report.status}
        </span>
      </h1>
      <section class="panel">
        <dl class="kv">
          <dt>Reading</dt>
          <dd class="mono">{claudeDir}</dd>
          <dt>Database</dt>
          <dd class="mono">{dbPath} ({(report.db_bytes / 1024 / 1024).toFixed(1)} MB)</dd>
          <dt>Events stored</dt>
          <dd>{compact(report.events)}</dd>
          <dt>Sessions</dt>
          <dd>{report.sessions}</dd>
          <dt>Source files</dt>
          <dd>
            {report.files} tracked{ingest
              ? ` (${ingest.hookFiles} hook files, ${ingest.transcripts} transcripts)`
              : ""}
          </dd>
          <dt>Notifier threads.db</dt>
          <dd>{ingest?.threadsDb ?? "–"}</dd>
          <dt>Backfill</dt>
          <dd>{ingest ? (ingest.backfilled ? "done" : "running…") : "–"}</dd>
          <dt>Live clients</dt>
          <dd>{liveClients}</dd>
          <dt>Last event</dt>
          <dd>{report.last_event_ts ?? "–"}</dd>
          <dt>Uptime</dt>
          <dd>{report.uptime_s} s</dd>
        </dl>
      </section>
      <h2>Ingest errors ({report.errors})</h2>
      {errors.length === 0
        ? <p class="muted">None: every file read so far parsed.</p>
        : (
          <div class="table-wrap panel">
            <table id="errors">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col" class="num">Offset</th>
                  <th scope="col">Reason</th>
                  <th scope="col">When (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {errors.map((e) => (
                  <tr>
                    <td class="mono">{e.path}</td>
                    <td class="num">{e.offset ?? "file"}</td>
                    <td>{e.reason}</td>
                    <td class="mono">{e.ts.slice(0, 19).replace("T", " ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </>
  );
}

// Health page: which sources were found, is ingest keeping up, what failed and why; while
// nothing has been found yet, the next steps (demo, doctor, the hook command for this machine).

import type { HealthSnapshot, SkippedFiles, SkipReason } from "../../core/view_data.ts";
import type { IngestErrorRow } from "../../core/types.ts";
import HealthStats from "../islands/HealthStats.tsx";
import { Island } from "../components/island.tsx";
import { FirstRunGuide } from "../components/first_run.tsx";
import { DbLines } from "../components/db_notice.tsx";
import { BackfillIsland } from "../components/backfill.tsx";

export interface HealthData {
  snapshot: HealthSnapshot;
  errors: IngestErrorRow[];
  claudeDir: string;
  dbPath: string;
}

export function HealthPage({ snapshot, errors, claudeDir, dbPath }: HealthData) {
  return (
    <>
      <h1>Health</h1>
      <BackfillIsland backfill={snapshot.backfill} />
      <section class="panel">
        <Island
          name="HealthStats"
          component={HealthStats}
          props={{ initial: snapshot, claudeDir, dbPath }}
        />
      </section>
      {snapshot.db
        ? (
          <section class="panel" id="db-health" data-state={snapshot.db.state}>
            <h2>Database: {snapshot.db.state}</h2>
            <p class="mono">{snapshot.db.path}</p>
            {snapshot.db.state === "ok" && snapshot.db.incidents.length === 0
              ? <p class="muted">Writable, and no repair since start.</p>
              : <DbLines db={snapshot.db} />}
          </section>
        )
        : null}
      {snapshot.status === "waiting"
        ? (
          <section class="panel first-run-panel">
            <FirstRunGuide />
          </section>
        )
        : null}
      <SkippedList skipped={snapshot.ingest?.skipped ?? []} />
      <h2>Ingest errors ({snapshot.errors})</h2>
      {errors.length === 0
        ? <p class="muted">None: every file read so far parsed.</p>
        : (
          <div class="table-wrap panel">
            {snapshot.errors > errors.length
              ? <p class="muted">The {errors.length} most recent are listed.</p>
              : null}
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

const skipWhy: Record<SkipReason, string> = {
  symlink: "a symbolic link: not followed (it could lead out of the folder)",
  not_regular: "not a regular file (a FIFO, socket or device): never opened",
  non_utf8_name: "a name that is not UTF-8: it cannot be opened by name",
};

/** Files in the source folders left alone at the last scan, by reason (none: nothing shown). */
function SkippedList({ skipped }: { skipped: SkippedFiles[] }) {
  if (skipped.length === 0) return null;
  const total = skipped.reduce((n, s) => n + s.count, 0);
  return (
    <>
      <h2>Files left alone ({total})</h2>
      <div class="table-wrap panel">
        <table id="skipped">
          <thead>
            <tr>
              <th scope="col">Why</th>
              <th scope="col" class="num">Files</th>
              <th scope="col">For example</th>
            </tr>
          </thead>
          <tbody>
            {skipped.map((s) => (
              <tr data-reason={s.reason}>
                <td>{skipWhy[s.reason]}</td>
                <td class="num">{s.count}</td>
                <td class="mono">{s.examples.join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

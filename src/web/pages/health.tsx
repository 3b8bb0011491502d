// Health page: which sources were found, is ingest keeping up, what failed and why; while
// nothing has been found yet, the next steps (demo, doctor, the hook command for this machine).

import type { HealthSnapshot } from "../../core/view_data.ts";
import type { IngestErrorRow } from "../../core/types.ts";
import HealthStats from "../islands/HealthStats.tsx";
import { Island } from "../components/island.tsx";
import { FirstRunGuide } from "../components/first_run.tsx";

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
      <section class="panel">
        <Island
          name="HealthStats"
          component={HealthStats}
          props={{ initial: snapshot, claudeDir, dbPath }}
        />
      </section>
      {snapshot.status === "waiting"
        ? (
          <section class="panel first-run-panel">
            <FirstRunGuide />
          </section>
        )
        : null}
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

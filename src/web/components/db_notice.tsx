// The database's state in words: a banner under the header of every page while it is not ok (or
// after a repair that lost or moved something), and the same lines on the health page. Server
// rendered; a page reloads to see a change (the live feed says when ingest resumes).

import type { DbHealth, DbIncident } from "../../core/db_health.ts";

const stateWords: Record<DbHealth["state"], string> = {
  ok: "ok",
  read_only: "read-only",
  disk_full: "disk full",
  corrupt: "corrupt",
  deleted: "deleted",
  io_error: "disk errors",
  busy: "locked by another program",
  error: "refusing writes",
};

/** Whether the banner shows: a problem now, or a repair since start that the user should know. */
export function dbNoticeShown(db: DbHealth | null | undefined): db is DbHealth {
  return !!db && (db.state !== "ok" || db.incidents.length > 0);
}

function Incident({ i }: { i: DbIncident }) {
  return (
    <li class="alert db-incident">
      <span class="alert-rule">Database {stateWords[i.state]}</span>
      <span class="alert-msg">
        {i.message}
        {i.moved_to
          ? (
            <>
              . The old file is kept at <code>{i.moved_to}</code>
            </>
          )
          : null}
        {i.lost ? <>. Not recovered: {i.lost}</> : null}
      </span>
      <span class="alert-meta">{i.at.slice(0, 19).replace("T", " ")} UTC</span>
    </li>
  );
}

/** The lines themselves (state, message, fix, repairs), for the banner and the health page. */
export function DbLines({ db }: { db: DbHealth }) {
  return (
    <ul>
      {db.state !== "ok"
        ? (
          <li class="alert db-state" data-state={db.state}>
            <span class="alert-rule">Database {stateWords[db.state]}</span>
            <span class="alert-msg">
              {db.open ? null : "Nothing can be shown until it opens. "}
              {db.message}. {db.fix}
            </span>
            <span class="alert-meta">
              since {db.since.slice(0, 19).replace("T", " ")} UTC
              {db.next_retry ? `; next try ${db.next_retry.slice(11, 19)}` : ""}
            </span>
          </li>
        )
        : null}
      {db.incidents.map((i) => <Incident key={i.at + i.message} i={i} />)}
    </ul>
  );
}

/** The banner under the header (nothing when the database is fine and nothing happened). */
export function DbBanner({ db }: { db: DbHealth | null | undefined }) {
  if (!dbNoticeShown(db)) return null;
  return (
    <div class="alert-banner db-banner" id="db-banner" role="alert">
      <DbLines db={db} />
    </div>
  );
}

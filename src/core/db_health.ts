// What state claude-dash's own database is in, as /health, the page banner and doctor show it,
// and the pure rules behind it: which SQLite / file-system error means which state, what the
// user can do about each, and how long ingest waits before trying again (exponential back-off,
// so a refused write never turns into a busy loop).

/** ok, or why writes (or every query) fail now. */
export type DbState =
  | "ok"
  | "read_only"
  | "disk_full"
  | "corrupt"
  | "deleted"
  | "io_error"
  | "busy"
  | "error";

/** Something that happened to the database file and was repaired, kept for the user to read. */
export interface DbIncident {
  state: DbState;
  /** When it was noticed (ISO). */
  at: string;
  message: string;
  /** Where the damaged file was moved (never deleted), or null. */
  moved_to: string | null;
  /** What history could not be recovered, or null when nothing was lost. */
  lost: string | null;
}

/** The `db` block of /api/health. */
export interface DbHealth {
  state: DbState;
  /** Since when (ISO) the database has been in this state. */
  since: string;
  /** SQLite's (or the file system's) own words for the problem; null when ok. */
  message: string | null;
  /** What to do about it; null when ok. */
  fix: string | null;
  path: string;
  /** False while pages are served from an empty stand-in because the file could not be opened. */
  open: boolean;
  /** Failed attempts to write since the problem began. */
  retries: number;
  /** When the next attempt runs (ISO), while blocked. */
  next_retry: string | null;
  /** Repairs made since start (a corrupt file moved aside, a deleted one restored), newest last. */
  incidents: DbIncident[];
}

/** What a rebuild from the sources cannot bring back (only the old database had it). */
export const rebuildLoses = "events whose transcript or hook log Claude Code has since " +
  "deleted (archived history), saved settings, alert history and acknowledgements";

/** First wait after a refused write, and the longest. */
export const dbRetryBaseMs = 500;
export const dbRetryMaxMs = 30_000;

/** Wait before attempt number `failures + 1` (failures ≥ 1): 0.5 s, 1 s, 2 s … 30 s. Pure. */
export function dbBackoffMs(failures: number): number {
  const n = Math.max(0, Math.min(failures - 1, 16));
  return Math.min(dbRetryMaxMs, dbRetryBaseMs * 2 ** n);
}

// SQLite primary result codes (the low byte of an extended code).
const sqliteBusy = 5;
const sqliteLocked = 6;
const sqliteReadOnly = 8;
const sqliteIoErr = 10;
const sqliteCorrupt = 11;
const sqliteFull = 13;
const sqliteCantOpen = 14;
const sqliteNotADb = 26;

function errcodeOf(e: unknown): number | null {
  if (typeof e !== "object" || e === null || !("errcode" in e)) return null;
  return typeof e.errcode === "number" ? e.errcode & 0xff : null;
}

/**
 * The database state an error means: from SQLite's result code when it carries one, else from
 * its message (node:sqlite leaves the code off some errors; file-system errors have none).
 * Pure; an error that says nothing about the database is "error".
 */
export function classifyDbError(e: unknown): Exclude<DbState, "ok" | "deleted"> {
  switch (errcodeOf(e)) {
    case sqliteReadOnly:
      return "read_only";
    case sqliteFull:
      return "disk_full";
    case sqliteCorrupt:
    case sqliteNotADb:
      return "corrupt";
    case sqliteBusy:
    case sqliteLocked:
      return "busy";
    case sqliteIoErr:
    case sqliteCantOpen:
      return "io_error";
  }
  const m = e instanceof Error ? e.message : String(e);
  if (/disk is full|no space left|os error 28|quota/i.test(m)) return "disk_full";
  if (/readonly|read-only|os error 30|permission denied|os error 13/i.test(m)) return "read_only";
  if (/malformed|not a database|corrupt/i.test(m)) return "corrupt";
  if (/database is locked|busy/i.test(m)) return "busy";
  if (/disk i\/o error|unable to open database/i.test(m)) return "io_error";
  return "error";
}

/** Whether ingest retries writes itself in this state (the others need a new connection). */
export function retriesInPlace(state: DbState): boolean {
  return state === "disk_full" || state === "busy" || state === "io_error" || state === "error";
}

/** What the user can do about a state, naming the database's folder. Pure. */
export function dbFix(state: DbState, path: string): string | null {
  const dir = path.replace(/\/[^/]*$/, "") || "/";
  switch (state) {
    case "ok":
      return null;
    case "read_only":
      return `make ${dir} and the database in it writable for the user running claude-dash ` +
        "(a read-only mount, permissions or ownership); ingest resumes by itself, nothing is lost";
    case "disk_full":
      return `free space on the disk holding ${dir} (df -h ${dir}); ingest resumes by itself ` +
        "and reads everything written meanwhile";
    case "corrupt":
      return "claude-dash moves the damaged file aside (never deletes it) and rebuilds from " +
        "Claude Code's files; delete the moved file once you no longer need it";
    case "deleted":
      return "claude-dash restores the database at its path from the copy it still has open, " +
        "or rebuilds it from Claude Code's files";
    case "busy":
      return `another program holds a lock on ${path}; close it (a second claude-dash?)`;
    case "io_error":
      return `the disk holding ${dir} reports read or write errors; check it (dmesg) and ` +
        "that the folder still exists";
    case "error":
      return "see the claude-dash log for the full error; ingest keeps retrying";
  }
}

// The database's health as a state machine (src/core/db_health.ts has the states and rules):
// writes report their failures and successes here; it logs one line per change of state (never
// one per retry), says when the next write may be tried, and notices the file being deleted or
// replaced under the open connection. Also the file operations a repair needs: the start-up
// quick check, moving a damaged database aside (never deleting it), restoring a deleted one
// from the connection that still has it open, and a write probe for a fresh connection.

import { backup } from "node:sqlite";
import {
  classifyDbError,
  dbBackoffMs,
  dbFix,
  type DbHealth,
  type DbIncident,
  type DbState,
  rebuildLoses,
  retriesInPlace,
} from "../core/db_health.ts";
import { iso } from "../core/text.ts";
import { dbStartCheckMaxBytes } from "../core/config.ts";
import { log } from "../core/log.ts";
import { type Db, openDb } from "./db.ts";

/** Repairs kept for /health (the oldest dropped first). */
const maxIncidents = 20;
/** Problem lines of `PRAGMA quick_check` kept in a message. */
const quickCheckLines = 5;

/** What ingest needs of the monitor: may it write now, and how did the last write go. */
export interface WriteGate {
  ready(now: number): boolean;
  /** Milliseconds until the next write may be tried (0: now). */
  waitMs(now: number): number;
  failed(e: unknown, now: number): DbState;
  succeeded(now: number): void;
}

export class DbMonitor implements WriteGate {
  readonly path: string;
  #state: DbState = "ok";
  #since: number;
  #message: string | null = null;
  #failures = 0;
  #nextTry = 0;
  #ino: number | null = null;
  #open = false;
  #incidents: DbIncident[] = [];

  constructor(path: string, now = Date.now()) {
    this.path = path;
    this.#since = now;
  }

  get state(): DbState {
    return this.#state;
  }

  /** The /api/health block. */
  snapshot(): DbHealth {
    const blocked = this.#state !== "ok";
    return {
      state: this.#state,
      since: iso(this.#since),
      message: this.#message,
      fix: dbFix(this.#state, this.path),
      path: this.path,
      open: this.#open,
      retries: this.#failures,
      next_retry: blocked && this.#nextTry > 0 ? iso(this.#nextTry) : null,
      incidents: [...this.#incidents],
    };
  }

  ready(now: number): boolean {
    return this.#state === "ok" || (retriesInPlace(this.#state) && now >= this.#nextTry);
  }

  waitMs(now: number): number {
    return this.#state === "ok" ? 0 : Math.max(0, this.#nextTry - now);
  }

  /**
   * A write failed with `e`: the state it means, with the next try scheduled. SQLite says only
   * "disk I/O error" or "unable to open" for some causes, so then a probe write in the folder
   * asks the file system (read-only, no space left).
   */
  failed(e: unknown, now: number): DbState {
    let state = classifyDbError(e);
    let message = e instanceof Error ? e.message : String(e);
    if (state === "io_error" || state === "error") {
      const probe = probeFolder(this.path);
      const seen = probe === null ? null : classifyDbError(probe);
      if (seen === "read_only" || seen === "disk_full") {
        state = seen;
        message += ` (${probe instanceof Error ? probe.message : probe})`;
      }
    }
    this.enter(state, message, now);
    return state;
  }

  /** A read failed: only corruption is the database's state (the supervisor then repairs). */
  queryFailed(e: unknown, now = Date.now()): void {
    if (classifyDbError(e) === "corrupt") {
      this.enter("corrupt", e instanceof Error ? e.message : String(e), now);
    }
  }

  /**
   * Enters `state` (logged once when it changes) and schedules the next attempt. Failures
   * reported before that attempt is due (other queries meeting the same problem) neither count
   * nor postpone it.
   */
  enter(state: DbState, message: string, now: number): void {
    const changed = state !== this.#state;
    if (changed || now >= this.#nextTry) {
      this.#failures++;
      this.#nextTry = now + dbBackoffMs(this.#failures);
    }
    this.#message = message;
    if (!changed) return;
    this.#state = state;
    this.#since = now;
    log.error(`database ${state.replace("_", " ")}: ${message}; ${dbFix(state, this.path)}`);
  }

  succeeded(now: number): void {
    if (this.#state === "ok") {
      this.#failures = 0;
      return;
    }
    log.info(
      `database writable again after ${Math.round((now - this.#since) / 1000)} s ` +
        `(${this.#state.replace("_", " ")}); ingest resumed`,
    );
    this.#state = "ok";
    this.#since = now;
    this.#message = null;
    this.#failures = 0;
    this.#nextTry = 0;
  }

  /**
   * A new connection replaced a refusing one: writes may be tried again, but the back-off keeps
   * its length until a write actually succeeds, so a cause the new connection cannot see yet
   * costs one retry per back-off, never a loop of reconnects.
   */
  reopened(now: number): void {
    if (this.#state === "ok") return;
    log.info(`database reopened after ${this.#state.replace("_", " ")}; trying writes again`);
    this.#state = "ok";
    this.#since = now;
    this.#message = null;
  }

  /** Records a repair for /health (and logs it). */
  incident(i: Omit<DbIncident, "at">, now: number): void {
    this.#incidents.push({ ...i, at: iso(now) });
    if (this.#incidents.length > maxIncidents) this.#incidents.shift();
    const lost = i.lost ? `; not recovered: ${i.lost}` : "";
    const moved = i.moved_to ? `; the old file is kept at ${i.moved_to}` : "";
    log.error(`database ${i.state}: ${i.message}${moved}${lost}`);
  }

  /** Remembers which file the open connection uses (its inode), to notice it being deleted. */
  opened(): void {
    this.#open = true;
    try {
      this.#ino = Deno.statSync(this.path).ino;
    } catch {
      this.#ino = null;
    }
  }

  /** Pages are served from an empty stand-in: the file could not be opened. */
  standIn(): void {
    this.#open = false;
    this.#ino = null;
  }

  /** Whether the file at the path is gone or another file than the one opened. Never throws. */
  fileGone(): boolean {
    if (this.#ino === null) return false;
    try {
      return Deno.statSync(this.path).ino !== this.#ino;
    } catch (e) {
      return e instanceof Deno.errors.NotFound;
    }
  }
}

/** Writes and removes a small file beside the database: null, or the file system's error. */
function probeFolder(path: string): unknown {
  const probe = `${path}.write-probe`;
  try {
    Deno.writeFileSync(probe, new Uint8Array(4096));
    Deno.removeSync(probe);
    return null;
  } catch (e) {
    try {
      Deno.removeSync(probe);
    } catch {
      // never made
    }
    return e;
  }
}

function fileBytes(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

/** `PRAGMA quick_check`: null when the file is sound, else SQLite's first findings. */
export function quickCheck(db: Db): string | null {
  const rows = db.prepare("PRAGMA quick_check").all();
  const lines = rows.map((r) => String(Object.values(r)[0]));
  if (lines.length === 1 && lines[0] === "ok") return null;
  return lines.slice(0, quickCheckLines).join("; ");
}

/** `claude-dash.db.corrupt-20261207T001500Z` for a move at `now`. Pure. */
export function asidePath(path: string, now: number): string {
  return `${path}.corrupt-${iso(now).replace(/[-:]|\.\d+/g, "")}`;
}

/** Renames the database and its -wal / -shm aside (never deletes); returns the new name. */
export function moveAside(path: string, now: number): string {
  const to = asidePath(path, now);
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      Deno.renameSync(path + suffix, to + suffix);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return to;
}

/**
 * Writes a copy of the database `db` still has open to `path` (after the file was deleted under
 * it): everything it held is kept. SQLite's online backup, since the sandbox refuses ATTACH and
 * so VACUUM INTO. Rejects when that is impossible (then the caller rebuilds).
 */
export async function restoreTo(db: Db, path: string): Promise<void> {
  for (const suffix of ["-wal", "-shm"]) {
    try {
      Deno.removeSync(path + suffix); // strays of the deleted file would be read as its journal
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  await backup(db, path);
}

/** Opens the database at `path` and proves a write goes through (rolled back); throws if not. */
export function openWritable(path: string): Db {
  const db = openDb(path);
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec("CREATE TABLE claude_dash_write_probe(x)");
    } finally {
      db.exec("ROLLBACK");
    }
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** The start-up result: an open database, or the reason there is none. */
export type OpenResult = { db: Db } | { error: unknown };

/**
 * Opens the database for the server: a file that fails the quick check, or is not a database
 * at all, is moved aside and a fresh one opened in its place (the caller rebuilds it from the
 * sources); any other failure (read-only, disk full) comes back as `error`.
 */
export function openChecked(monitor: DbMonitor, now = Date.now()): OpenResult {
  let db: Db;
  try {
    db = openDb(monitor.path);
    const problem = fileBytes(monitor.path) <= dbStartCheckMaxBytes ? quickCheck(db) : null;
    if (problem === null) {
      monitor.opened();
      return { db };
    }
    db.close();
    return rebuildCorrupt(monitor, `quick check at start: ${problem}`, now);
  } catch (e) {
    if (classifyDbError(e) !== "corrupt") return { error: e };
    return rebuildCorrupt(monitor, e instanceof Error ? e.message : String(e), now);
  }
}

/** Moves the damaged database aside and opens a fresh one; records the incident. */
export function rebuildCorrupt(monitor: DbMonitor, message: string, now: number): OpenResult {
  let movedTo: string;
  try {
    movedTo = moveAside(monitor.path, now);
  } catch (e) {
    return { error: e };
  }
  monitor.incident({ state: "corrupt", message, moved_to: movedTo, lost: rebuildLoses }, now);
  try {
    const db = openDb(monitor.path);
    monitor.opened();
    return { db };
  } catch (e) {
    return { error: e };
  }
}

/** A placeholder database in memory, for serving pages while the real one cannot be opened. */
export function placeholderDb(): Db {
  return openDb(":memory:");
}

/** Without a monitor (tests and tools that run an Ingester alone): log, retry on the next pass. */
export const loggingGate: WriteGate = {
  ready: () => true,
  waitMs: () => 0,
  failed(e) {
    log.error(`storing a batch failed, will retry: ${e instanceof Error ? e.message : e}`);
    return classifyDbError(e);
  },
  succeeded() {},
};

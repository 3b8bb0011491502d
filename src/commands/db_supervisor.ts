// Watches claude-dash's own database while the server runs and repairs what can be repaired
// without a restart: a database deleted under the open connection is written back from that
// connection (nothing lost) — or, failing that, rebuilt from the sources; a corrupt one (found by
// a query or a write) is moved aside and rebuilt; one that could not be opened, or opened
// read-only, is tried again with back-off and taken into use once a write goes through. Every
// repair swaps in a new database through `replace` (the dashboard rebuilds what sits on it).

import { dirname } from "node:path";
import { type Db, openDb } from "../store/db.ts";
import { type DbMonitor, openWritable, rebuildCorrupt, restoreTo } from "../store/db_health.ts";
import { rebuildLoses } from "../core/db_health.ts";
import { log } from "../core/log.ts";

/** How often the database file is looked at (deleted, replaced) and repairs are considered. */
export const dbCheckIntervalMs = 1000;

export interface SupervisedDb {
  db: Db;
  /** True while pages are served from an empty in-memory database (the file could not open). */
  placeholder: boolean;
}

export interface DbSupervisorOptions {
  monitor: DbMonitor;
  current: () => SupervisedDb;
  /**
   * Stops everything built on the current database, closes it, calls `open` for the new one and
   * builds on that. `open` runs after the old connection is closed; when it throws, the caller
   * serves a stand-in (`placeholder`) and the next check tries to open the file again.
   */
  replace: (open: () => Db) => Promise<void>;
  intervalMs?: number;
}

export class DbSupervisor {
  #opts: DbSupervisorOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | null = null;

  constructor(opts: DbSupervisorOptions) {
    this.#opts = opts;
  }

  start(): void {
    this.#timer ??= setInterval(
      () => void this.check(),
      this.#opts.intervalMs ?? dbCheckIntervalMs,
    );
  }

  /** Stops the timer and waits for a repair in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One look at the database; a repair in progress is not started twice. Never throws. */
  check(now = Date.now()): Promise<void> {
    this.#running ??= this.#check(now).catch((e) => {
      log.error(`database repair failed: ${e instanceof Error ? e.message : e}`);
    }).finally(() => (this.#running = null));
    return this.#running;
  }

  async #check(now: number): Promise<void> {
    const { monitor, current } = this.#opts;
    const cur = current();
    if (!cur.placeholder && monitor.fileGone()) return await this.#deleted(cur.db, now);
    const due = monitor.waitMs(now) === 0;
    if (monitor.state === "corrupt" && !cur.placeholder && due) return await this.#corrupt(now);
    const reopen = cur.placeholder || monitor.state === "read_only";
    if (reopen && due) await this.#reopen(now);
  }

  /** The file at the path is gone (or another file): restore it from the open connection. */
  async #deleted(db: Db, now: number): Promise<void> {
    const { monitor } = this.#opts;
    const path = monitor.path;
    let replaced = false;
    try {
      Deno.statSync(path);
      replaced = true; // another database was put there: take it as it is
    } catch {
      // gone
    }
    const what = replaced ? "replaced by another file" : "deleted";
    monitor.enter("deleted", `the database file was ${what} while open`, now);
    if (replaced) {
      monitor.incident({
        state: "deleted",
        message: "the database file was replaced by another while open; the new file is used",
        moved_to: null,
        lost: null,
      }, now);
    } else {
      let lost: string | null = null;
      try {
        Deno.mkdirSync(dirname(path), { recursive: true });
        await restoreTo(db, path);
      } catch (e) {
        log.error(`restoring the deleted database failed: ${e instanceof Error ? e.message : e}`);
        lost = rebuildLoses;
      }
      monitor.incident({
        state: "deleted",
        message: lost === null
          ? "the database file was deleted while open; written back from the open connection"
          : "the database file was deleted while open; rebuilt from Claude Code's files",
        moved_to: null,
        lost,
      }, now);
    }
    await this.#opts.replace(() => {
      const fresh = openDb(path);
      monitor.opened();
      return fresh;
    });
    if (!this.#opts.current().placeholder) monitor.succeeded(Date.now());
  }

  /** A query or write found the file corrupt: move it aside and start a fresh one. */
  async #corrupt(now: number): Promise<void> {
    const { monitor } = this.#opts;
    const message = monitor.snapshot().message ?? "database disk image is malformed";
    await this.#opts.replace(() => {
      const r = rebuildCorrupt(monitor, message, now);
      if ("error" in r) throw r.error;
      return r.db;
    });
    if (!this.#opts.current().placeholder) monitor.reopened(Date.now());
  }

  /** Tries a writable connection again (read-only, or not openable at start). */
  async #reopen(now: number): Promise<void> {
    const { monitor } = this.#opts;
    let db: Db;
    try {
      db = openWritable(monitor.path);
    } catch (e) {
      monitor.failed(e, now);
      return;
    }
    monitor.opened();
    await this.#opts.replace(() => db);
    if (!this.#opts.current().placeholder) monitor.reopened(Date.now());
  }
}

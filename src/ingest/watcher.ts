// Deno.watchFs over the source folders, turned into "look at this path" hints. Only a
// hint: inotify can drop or merge events in bursts, so the reconcile scan stays the truth.
//
// The runtime runs every Deno.watchFs of a process on one thread, and that thread opens what
// appears in a watched folder: a FIFO created there blocks it for good (no watcher reports
// anything again). So the folders' mtimes are also checked every watchPollMs: a change no
// watcher reported asks for a listing at once (onMissed), and a watcher still silent a check
// later marks the runtime's watcher as blocked, after which no watcher is made or closed
// (closing one can wait on the blocked thread) and this poll alone drives live updates.

import { watchPollMs } from "../core/config.ts";
import { log } from "../core/log.ts";
import { sourceRoots } from "./sources.ts";

/** Set once the runtime's (shared) watcher thread stopped reporting: watchers are of no use. */
let runtimeWatcherBlocked = false;

/**
 * Set when the process is about to exit: its watchers are left open (the exit ends them), as
 * closing one waits on the runtime's watcher thread, which a FIFO may have blocked before the
 * poll could notice (a stop right after one appeared never ended).
 */
let processExiting = false;

/** The process is exiting: SourceWatcher.close() leaves the runtime's watchers open. */
export function leaveWatchersOpen(): void {
  processExiting = true;
}

/** Whether the runtime's file watcher was found blocked in this process. */
export function watcherBlocked(): boolean {
  return runtimeWatcherBlocked;
}

export class SourceWatcher {
  #claudeDir: string;
  #onPath: (rel: string) => void;
  #onMissed: () => void;
  #folders: readonly string[];
  #watchers = new Map<string, Deno.FsWatcher>();
  /** performance.now() of each folder's last watcher event (or of its watcher's start). */
  #heardAt = new Map<string, number>();
  /** Each folder's last seen mtimes, as one string. */
  #seen = new Map<string, string>();
  /** Subfolders of projects/ as last listed, with the projects/ mtime they were listed at. */
  #projectDirs = { mtime: "", names: [] as string[] };
  /** Folders whose watcher missed a change: since when it has been silent. */
  #missedSince = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #checking = false;
  #lastCheckAt = 0;
  #closed = false;

  /**
   * Watches `folders` of the Claude directory (default: every source folder); `onMissed` is
   * called when a folder changed without a watcher reporting it (list the sources now).
   */
  constructor(
    claudeDir: string,
    onPath: (rel: string) => void,
    folders: readonly string[] = sourceRoots,
    onMissed: () => void = () => {},
  ) {
    this.#claudeDir = claudeDir;
    this.#onPath = onPath;
    this.#folders = folders;
    this.#onMissed = onMissed;
  }

  /** Attaches a watcher to every source folder that exists and has none yet. Never throws. */
  ensure(): void {
    if (this.#closed) return;
    this.#timer ??= setInterval(() => this.#check(), watchPollMs);
    if (runtimeWatcherBlocked) return;
    for (const root of this.#folders) {
      if (this.#watchers.has(root)) continue;
      const abs = `${this.#claudeDir}/${root}`;
      let watcher: Deno.FsWatcher;
      try {
        if (!Deno.lstatSync(abs).isDirectory) continue;
        watcher = Deno.watchFs(abs, { recursive: root === "projects" });
      } catch {
        continue;
      }
      this.#watchers.set(root, watcher);
      this.#heardAt.set(root, performance.now());
      this.#pump(root, watcher);
    }
  }

  async #pump(root: string, watcher: Deno.FsWatcher): Promise<void> {
    const prefix = this.#claudeDir + "/";
    try {
      for await (const ev of watcher) {
        this.#heardAt.set(root, performance.now());
        if (ev.kind === "remove" || ev.kind === "access") continue;
        for (const p of ev.paths) if (p.startsWith(prefix)) this.#onPath(p.slice(prefix.length));
      }
    } catch {
      // The folder vanished or the watcher failed; ensure() re-attaches on the next scan.
    }
    if (this.#watchers.get(root) === watcher) this.#watchers.delete(root);
  }

  /** Compares the folders' mtimes with the last check's; see the file comment. Never throws. */
  async #check(): Promise<void> {
    if (this.#checking || this.#closed) return;
    this.#checking = true;
    // A change seen now happened after the previous check began: its event is due by now.
    const windowStart = this.#lastCheckAt;
    this.#lastCheckAt = performance.now();
    try {
      let missed = false;
      for (const root of this.#folders) {
        const now = await this.#mtimes(root);
        if (this.#closed) return;
        const before = this.#seen.get(root);
        this.#seen.set(root, now);
        const watched = !runtimeWatcherBlocked && this.#watchers.has(root);
        const heardAt = this.#heardAt.get(root) ?? -Infinity;
        const since = this.#missedSince.get(root);
        if (since !== undefined) {
          if (!watched || heardAt >= since) this.#missedSince.delete(root);
          else if (this.#lastCheckAt - since >= 2 * watchPollMs) this.#blocked(root);
        }
        if (before === undefined || before === now) continue;
        if (watched && heardAt >= windowStart) continue; // the watcher told us already
        missed = true;
        if (watched && !this.#missedSince.has(root)) this.#missedSince.set(root, windowStart);
      }
      if (runtimeWatcherBlocked) this.#watchers.clear(); // never closed: see #blocked
      if (missed) this.#onMissed();
    } catch {
      // a check that failed is simply repeated at the next tick
    } finally {
      this.#checking = false;
    }
  }

  /** One folder's mtimes (for projects/, also each project folder's), as a string. */
  async #mtimes(root: string): Promise<string> {
    const abs = `${this.#claudeDir}/${root}`;
    const own = mtimeOf(abs);
    if (root !== "projects" || own === "") return own;
    if (this.#projectDirs.mtime !== own) {
      const names: string[] = [];
      try {
        for await (const e of Deno.readDir(abs)) if (e.isDirectory) names.push(e.name);
      } catch {
        // vanished meanwhile: the next check sees it
      }
      this.#projectDirs = { mtime: own, names };
    }
    const parts = [own];
    for (const name of this.#projectDirs.names) parts.push(mtimeOf(`${abs}/${name}`));
    return parts.join(",");
  }

  #blocked(root: string): void {
    if (runtimeWatcherBlocked) return;
    runtimeWatcherBlocked = true;
    log.warn(
      `the file watcher stopped reporting changes in ${this.#claudeDir}/${root} (a FIFO, ` +
        `socket or device there?); checking the folders every ${watchPollMs} ms instead`,
    );
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    // A watcher on the blocked thread is left as it is: closing it could wait forever.
    if (!runtimeWatcherBlocked && !processExiting) {
      for (const w of this.#watchers.values()) {
        try {
          w.close();
        } catch {
          // already closed
        }
      }
    }
    this.#watchers.clear();
  }
}

/** A folder's identity and mtime as a string ("" when it is not a folder now). A blocking
 * lstat: for the ~800 project folders of a large ~/.claude, 4 times a second, it costs ~0.5 %
 * of a core where the async one cost ~4 %. */
function mtimeOf(abs: string): string {
  try {
    const st = Deno.lstatSync(abs);
    return st.isDirectory ? `${st.ino}:${st.mtime?.getTime() ?? 0}` : "";
  } catch {
    return "";
  }
}

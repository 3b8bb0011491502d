// Deno.watchFs over the source folders, turned into "look at this path" hints. Only a
// hint: inotify can drop or merge events in bursts, so the reconcile scan stays the truth.

import { sourceRoots } from "./sources.ts";

export class SourceWatcher {
  #claudeDir: string;
  #onPath: (rel: string) => void;
  #folders: readonly string[];
  #watchers = new Map<string, Deno.FsWatcher>();
  #closed = false;

  /** Watches `folders` of the Claude directory (default: every source folder). */
  constructor(
    claudeDir: string,
    onPath: (rel: string) => void,
    folders: readonly string[] = sourceRoots,
  ) {
    this.#claudeDir = claudeDir;
    this.#onPath = onPath;
    this.#folders = folders;
  }

  /** Attaches a watcher to every source folder that exists and has none yet. Never throws. */
  ensure(): void {
    if (this.#closed) return;
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
      this.#pump(root, watcher);
    }
  }

  async #pump(root: string, watcher: Deno.FsWatcher): Promise<void> {
    const prefix = this.#claudeDir + "/";
    try {
      for await (const ev of watcher) {
        if (ev.kind === "remove" || ev.kind === "access") continue;
        for (const p of ev.paths) if (p.startsWith(prefix)) this.#onPath(p.slice(prefix.length));
      }
    } catch {
      // The folder vanished or the watcher failed; ensure() re-attaches on the next scan.
    }
    if (this.#watchers.get(root) === watcher) this.#watchers.delete(root);
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#watchers.values()) {
      try {
        w.close();
      } catch {
        // already closed
      }
    }
    this.#watchers.clear();
  }
}

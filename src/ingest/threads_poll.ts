// Polls the Discord notifier's thread map (hooks/threads.db): read again when its mtime
// changes or threadsPollMs has passed, never through a symbolic link, and stored whole.

import { threadsPollMs } from "../core/config.ts";
import { log } from "../core/log.ts";
import type { Writer } from "../store/write/writer.ts";
import { readThreads } from "./read_threads.ts";

export type ThreadsDbState = "absent" | "ok" | "error";

export class ThreadsPoller {
  #path: string;
  #scratchDir: string;
  #writer: Writer;
  #mtime = -1;
  #polledAt = 0;

  constructor(claudeDir: string, scratchDir: string, writer: Writer) {
    this.#path = `${claudeDir}/hooks/threads.db`;
    this.#scratchDir = scratchDir;
    this.#writer = writer;
  }

  /** The file changed (from the watcher): read it at the next poll. */
  soon(): void {
    this.#polledAt = 0;
  }

  /** Reads and stores the thread map if due; returns its state, or null when not read now. */
  async poll(): Promise<ThreadsDbState | null> {
    const path = this.#path;
    let mtime = 0;
    try {
      mtime = (await Deno.lstat(path)).mtime?.getTime() ?? 0;
    } catch {
      return "absent";
    }
    const now = Date.now();
    if (mtime === this.#mtime && now - this.#polledAt < threadsPollMs) return null;
    this.#mtime = mtime;
    this.#polledAt = now;
    // readThreads copies the file and its -wal: never through a link out of ~/.claude.
    const linked = await isSymlink(`${path}-wal`) || await isSymlink(path);
    const result = linked
      ? { error: "threads.db or its -wal is a symbolic link: not followed" }
      : readThreads(path, this.#scratchDir);
    const state = "error" in result ? "error" : "ok";
    try {
      if ("error" in result) {
        this.#writer.recordError({ path: "hooks/threads.db", offset: null, reason: result.error });
      } else {
        this.#writer.replaceThreads(result.threads);
      }
    } catch (e) {
      log.error(`storing threads failed: ${e instanceof Error ? e.message : e}`);
    }
    return state;
  }
}

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isSymlink;
  } catch {
    return false;
  }
}

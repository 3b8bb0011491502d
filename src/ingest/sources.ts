// Which files under a Claude directory claude-dash reads, and a cheap way to list them
// again and again: directory listings are cached by the directory's mtime, and symbolic
// links are never followed (nothing outside the folder is ever read): not when listing, not
// for a watcher hint inside a linked folder, not for a file swapped between lstat and open.
// The main ~/.claude gives hook logs, threads.db and transcripts; the other folders Claude
// Code may write to (src/ingest/roots.ts) give transcripts only.

import type { SourceKind } from "../core/types.ts";

/** Classifies a path relative to the Claude directory ("/"-separated), or null to ignore it. */
export function classify(rel: string): SourceKind | null {
  const parts = rel.split("/");
  if (parts[0] === "hooks") {
    if (parts.length === 2 && parts[1] === "threads.db") return "threads";
    if (
      parts.length === 4 && parts[1] === "logs" && parts[2] === "raw_json" &&
      parts[3].endsWith(".json") && !parts[3].endsWith("_pretty.json")
    ) return "hook";
    return null;
  }
  if (parts[0] === "projects" && rel.endsWith(".jsonl")) {
    if (parts.length === 3) return "transcript";
    // projects/<slug>/<session-id>/subagents/**/<agent>.jsonl
    if (parts.length >= 5 && parts[3] === "subagents") return "transcript";
  }
  return null;
}

/** Folders watched and listed, relative to the Claude directory. */
export const sourceRoots = ["hooks/logs/raw_json", "projects", "hooks"] as const;

/** The folders of a root that only gives transcripts. */
export const transcriptRoots = ["projects"] as const;

/** Listing cost budget: how long a listing of N entries is reused at most (N × this). */
const relistMsPerEntry = 0.05;
const relistMaxMs = 30_000;

interface DirCache {
  mtimeMs: number;
  listedAt: number;
  files: string[];
  dirs: string[];
}

/** Lists source files, re-reading a directory only when its mtime says it changed. */
export class SourceLister {
  #root: string;
  #transcriptsOnly: boolean;
  #cache = new Map<string, DirCache>();

  /** `transcriptsOnly`: list projects/ only (a root other than the main ~/.claude). */
  constructor(claudeDir: string, opts: { transcriptsOnly?: boolean } = {}) {
    this.#root = claudeDir;
    this.#transcriptsOnly = opts.transcriptsOnly ?? false;
  }

  /** Every source file now present, as paths relative to the Claude directory. */
  async list(): Promise<Array<{ rel: string; kind: SourceKind }>> {
    const out: Array<{ rel: string; kind: SourceKind }> = [];
    const seen = new Set<string>();
    const visit = async (relDir: string, depth: number): Promise<void> => {
      if (seen.has(relDir) || depth > 6) return;
      seen.add(relDir);
      const listing = await this.#listDir(relDir);
      if (!listing) return;
      for (const name of listing.files) {
        const rel = `${relDir}/${name}`;
        const kind = classify(rel);
        if (kind) out.push({ rel, kind });
      }
      if (relDir === "hooks") return; // only threads.db and raw_json matter there
      for (const name of listing.dirs) await visit(`${relDir}/${name}`, depth + 1);
    };
    if (!this.#transcriptsOnly) {
      await visit("hooks", 0);
      await visit("hooks/logs/raw_json", 0);
    }
    await visit("projects", 0);
    return out;
  }

  async #listDir(relDir: string): Promise<DirCache | null> {
    const abs = `${this.#root}/${relDir}`;
    let mtimeMs: number;
    try {
      const st = await Deno.lstat(abs);
      if (!st.isDirectory) return null;
      mtimeMs = st.mtime?.getTime() ?? 0;
    } catch {
      this.#cache.delete(relDir);
      return null;
    }
    const now = Date.now();
    const cached = this.#cache.get(relDir);
    // A listing taken within a second of the directory's last change may have raced with it.
    if (cached && cached.mtimeMs === mtimeMs && cached.listedAt - mtimeMs > 1000) return cached;
    // A folder of hundreds of thousands of hook files is not listed again every second while
    // files keep arriving: the watcher reports those at once, and the listing (the safety net
    // for missed watch events) is repeated at a pace proportional to the folder's size.
    if (
      cached &&
      now - cached.listedAt < Math.min(relistMaxMs, cached.files.length * relistMsPerEntry)
    ) {
      return cached;
    }
    const files: string[] = [];
    const dirs: string[] = [];
    try {
      for await (const entry of Deno.readDir(abs)) {
        // Only the entry's type from the listing: a FIFO, socket or device is never opened
        // (opening a FIFO blocks until a writer comes), nor is a symbolic link followed.
        if (entry.isFile) files.push(entry.name);
        else if (entry.isDirectory) dirs.push(entry.name);
      }
    } catch {
      return null;
    }
    const fresh = { mtimeMs, listedAt: now, files, dirs };
    this.#cache.set(relDir, fresh);
    return fresh;
  }
}

/**
 * Whether folders (relative to the Claude directory) are really inside it: no component on
 * the way is a symbolic link. Answers are cached until `reset()` (each reconcile scan), so a
 * folder costs one realPath per scan; the runtime's read permission stays the hard boundary.
 */
export class FolderCheck {
  #root: string;
  #realRoot: string | null = null;
  #cache = new Map<string, boolean>();

  constructor(claudeDir: string) {
    this.#root = claudeDir;
  }

  reset(): void {
    this.#cache.clear();
  }

  async inside(relDir: string): Promise<boolean> {
    const hit = this.#cache.get(relDir);
    if (hit !== undefined) return hit;
    let ok = false;
    try {
      this.#realRoot ??= await Deno.realPath(this.#root);
      ok = (await Deno.realPath(`${this.#root}/${relDir}`)) === `${this.#realRoot}/${relDir}`;
    } catch {
      ok = false; // vanished or unreadable: nothing to read there now
    }
    this.#cache.set(relDir, ok);
    return ok;
  }
}

/**
 * Opens a source file for reading only if it is still the regular file `st` (from lstat)
 * described: a file replaced by a symbolic link or another file between the lstat and the
 * open is not read (null; the next scan looks again).
 */
export async function openSource(abs: string, st: Deno.FileInfo): Promise<Deno.FsFile | null> {
  const file = await Deno.open(abs, { read: true });
  try {
    const now = await file.stat();
    if (now.isFile && (st.ino === null || (now.ino === st.ino && now.dev === st.dev))) return file;
  } catch {
    // treated like a swap: not read
  }
  file.close();
  return null;
}

/** Reads a file from its position until EOF, or until more than `cap` bytes (then null). */
export async function readCapped(
  file: Deno.FsFile,
  sizeHint: number,
  cap: number,
): Promise<Uint8Array | null> {
  // One byte past the expected size, so a file read in full normally takes one read + EOF.
  let buf = new Uint8Array(Math.min(Math.max(sizeHint, 0) + 1, cap + 1));
  let got = 0;
  for (;;) {
    if (got === buf.length) {
      if (got > cap) return null;
      const bigger = new Uint8Array(Math.min(buf.length * 2, cap + 1));
      bigger.set(buf);
      buf = bigger;
    }
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got > cap ? null : buf.subarray(0, got);
}

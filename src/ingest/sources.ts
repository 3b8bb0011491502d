// Which files under a Claude directory claude-dash reads, and a cheap way to list them
// again and again: directory listings are cached by the directory's mtime, and symbolic
// links are never followed (nothing outside the folder is ever read): not when listing, not
// for a watcher hint inside a linked folder, not for a file swapped between lstat and open.
// The main ~/.claude gives hook logs, threads.db and transcripts; the other folders Claude
// Code may write to (src/ingest/roots.ts) give transcripts only.

import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import type { SourceKind } from "../core/types.ts";
import type { SkippedFiles, SkipReason } from "../core/view_data.ts";
import { maskSecrets } from "../core/secrets.ts";
import { skippedExamplesShown } from "../core/config.ts";

/** Classifies a path relative to the Claude directory ("/"-separated), or null to ignore it.
 * Called for every entry of every listing (hundreds of thousands of hook files): prefix tests,
 * no split, for the hook folder. */
export function classify(rel: string): SourceKind | null {
  if (rel.startsWith("hooks/")) {
    if (rel === "hooks/threads.db") return "threads";
    const name = rel.startsWith(hookLogPrefix) ? rel.slice(hookLogPrefix.length) : "";
    return name.endsWith(".json") && !name.endsWith("_pretty.json") && !name.includes("/")
      ? "hook"
      : null;
  }
  if (rel.startsWith("projects/") && rel.endsWith(".jsonl")) {
    const parts = rel.split("/");
    if (parts.length === 3) return "transcript";
    // projects/<slug>/<session-id>/subagents/**/<agent>.jsonl
    if (parts.length >= 5 && parts[3] === "subagents") return "transcript";
  }
  return null;
}

const hookLogDir = "hooks/logs/raw_json";
const hookLogPrefix = `${hookLogDir}/`;

/** Folders watched and listed, relative to the Claude directory. */
export const sourceRoots = [hookLogDir, "projects", "hooks"] as const;

/** The folders of a root that only gives transcripts. */
export const transcriptRoots = ["projects"] as const;

/** Listing cost budget: how long a listing of N entries is reused at most (N × this). */
const relistMsPerEntry = 0.05;
const relistMaxMs = 30_000;
/** A listing is trusted to be complete for the directory's mtime only when it started this
 * long after that mtime: a change in the same clock tick (or the same second, or two, on a file
 * system with coarse timestamps) leaves the mtime as it was, so that listing is taken again. */
export const mtimeSettledMs = 2000;

/** One folder's listing, kept between scans (plain data: it is handed between threads). */
export interface DirCache {
  mtimeMs: number;
  ino: number | null;
  dev: number;
  listedAt: number;
  /** Entries at the listing (what its cost scales with). */
  entries: number;
  /** Source files at the listing: all but the hook files already read then (see list()). */
  files: ListedFile[];
  /** Hook files at the listing, read or not. */
  hookFiles: number;
  dirs: string[];
  /** Entries left alone that would have been read: names, with why. */
  skipped: Array<{ name: string; reason: SkipReason }>;
}

/** A source file listed: its path relative to the Claude directory, and what it is. */
export interface ListedFile {
  rel: string;
  kind: SourceKind;
}

/** A folder's listing by its path relative to the Claude directory (SourceLister.listings). */
export interface FolderListing {
  relDir: string;
  listing: DirCache;
}

/** A source entry left alone at the last listing, by its path relative to the folder. */
export interface SkippedEntry {
  rel: string;
  reason: SkipReason;
}

/** How the runtime names an entry whose name is not UTF-8 (the bytes are lost: never openable). */
const lossyName = "\uFFFD";

/** Whether a name with U+FFFD (checked by the caller) was decoded lossily by the runtime: no
 * entry by that name exists. */
async function unopenableName(dir: string, name: string): Promise<boolean> {
  try {
    await Deno.lstat(`${dir}/${name}`);
    return false; // a real U+FFFD in a valid name
  } catch {
    return true;
  }
}

/** What the last scan of each root left alone (keyed as its transcripts are), summarized. */
export function skippedIn(
  roots: Iterable<{ prefix: string | null; lister: SourceLister }>,
): SkippedFiles[] {
  const all: SkippedEntry[] = [];
  for (const r of roots) {
    // A root not found now was not listed: what it had before is not counted again.
    if (r.prefix === null) continue;
    for (const s of r.lister.skipped) all.push({ ...s, rel: r.prefix + s.rel });
  }
  return summarizeSkipped(all);
}

/**
 * Skipped entries of every folder, counted by reason with the first few paths as examples:
 * control characters escaped (a name may hold any byte but "/"), secrets masked.
 */
export function summarizeSkipped(entries: Iterable<SkippedEntry>): SkippedFiles[] {
  const by = new Map<SkipReason, SkippedFiles>();
  for (const e of entries) {
    const s = by.get(e.reason) ?? { reason: e.reason, count: 0, examples: [] };
    by.set(e.reason, s);
    s.count++;
    if (s.examples.length < skippedExamplesShown) s.examples.push(shownPath(e.rel));
  }
  return [...by.values()];
}

function shownPath(path: string): string {
  const escaped = path.replace(
    /[\p{Cc}\u2028\u2029]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return maskSecrets(escaped);
}

/**
 * Lists source files, re-reading a directory only when its mtime (or inode) says it changed.
 * The names of hook files already read are not kept between listings (a folder may hold
 * hundreds of thousands): a listing keeps only those not read yet, and drops them as they are.
 */
export class SourceLister {
  #root: string;
  #transcriptsOnly: boolean;
  #blocking: boolean;
  #cache = new Map<string, DirCache>();
  /** What the last list() left alone: links, FIFOs and the like, names that are not UTF-8. */
  skipped: SkippedEntry[] = [];
  /** Hook files present at the last list(), read or not (only those not read are returned). */
  hookFiles = 0;
  /** Directories read (readDir) so far: a listing reused because nothing changed is not one. */
  dirsRead = 0;
  /** Whether the last list() used a listing that may miss a change (taken within
   * mtimeSettledMs of the folder's last change, or reused while the folder changed since): the
   * next list() should come soon. */
  unsettled = false;

  /**
   * `transcriptsOnly`: list projects/ only (a root other than the main ~/.claude). `blocking`:
   * read folders with blocking calls, for a thread that serves nothing (the backfill worker):
   * the asynchronous listing costs a round trip to the runtime's threads per entry (0.8 s of
   * waiting for 100k hook files, against 0.15 s).
   */
  constructor(claudeDir: string, opts: { transcriptsOnly?: boolean; blocking?: boolean } = {}) {
    this.#root = claudeDir;
    this.#transcriptsOnly = opts.transcriptsOnly ?? false;
    this.#blocking = opts.blocking ?? false;
  }

  /** Every source file now present, as paths relative to the Claude directory, but the hook
   * files `hookRead` says were read already (counted in `hookFiles` all the same). */
  async list(hookRead: (rel: string) => boolean = () => false): Promise<ListedFile[]> {
    const out: ListedFile[] = [];
    const skipped: SkippedEntry[] = [];
    const seen = new Set<string>();
    let hookFiles = 0;
    this.unsettled = false;
    const visit = async (relDir: string, depth: number): Promise<void> => {
      if (seen.has(relDir) || depth > 6) return;
      seen.add(relDir);
      const listed = await this.#listDir(relDir, hookRead);
      if (!listed) return;
      const { listing, fresh } = listed;
      for (const { name, reason } of listing.skipped) {
        skipped.push({ rel: `${relDir}/${name}`, reason });
      }
      hookFiles += listing.hookFiles;
      if (fresh) {
        for (const f of listing.files) out.push(f);
      } else {
        // A listing kept from an earlier scan: hook files read since are forgotten.
        let kept = 0;
        for (const f of listing.files) {
          if (f.kind === "hook" && hookRead(f.rel)) continue;
          listing.files[kept++] = f;
          out.push(f);
        }
        listing.files.length = kept;
      }
      if (relDir === "hooks") return; // only threads.db and raw_json matter there
      for (const name of listing.dirs) await visit(`${relDir}/${name}`, depth + 1);
    };
    if (!this.#transcriptsOnly) {
      await visit("hooks", 0);
      await visit(hookLogDir, 0);
    }
    await visit("projects", 0);
    this.skipped = skipped;
    this.hookFiles = hookFiles;
    return out;
  }

  /**
   * The listings kept, for another lister of the same Claude directory (the backfill worker's,
   * handed to the main thread's when its pass ends): without them the main thread would read
   * every folder again at once, 0.7 s for 100k hook files. Hook files read by then are left out.
   */
  listings(hookRead: (rel: string) => boolean): FolderListing[] {
    const out: FolderListing[] = [];
    for (const [relDir, c] of this.#cache) {
      const files = c.files.filter((f) => !(f.kind === "hook" && hookRead(f.rel)));
      out.push({ relDir, listing: { ...c, files } });
    }
    return out;
  }

  /** Keeps listings another lister of the same Claude directory took (see listings()): each is
   * reused, or not, by the same rules as this lister's own; a newer one of this lister wins. */
  adopt(listings: FolderListing[]): void {
    for (const { relDir, listing } of listings) {
      const mine = this.#cache.get(relDir);
      if (!mine || mine.listedAt < listing.listedAt) this.#cache.set(relDir, listing);
    }
  }

  /** The folder's listing, taken now (`fresh`) or kept from an earlier scan; null: not a folder. */
  async #listDir(
    relDir: string,
    hookRead: (rel: string) => boolean,
  ): Promise<{ listing: DirCache; fresh: boolean } | null> {
    const abs = `${this.#root}/${relDir}`;
    let st: Deno.FileInfo;
    try {
      // Blocking: thousands of folders a scan, ~5x cheaper than the async lstat.
      st = Deno.lstatSync(abs);
      if (!st.isDirectory) return null;
    } catch {
      this.#cache.delete(relDir);
      return null;
    }
    const mtimeMs = st.mtime?.getTime() ?? 0;
    const now = Date.now();
    const cached = this.#cache.get(relDir);
    const same = cached && cached.mtimeMs === mtimeMs && cached.ino === st.ino &&
      cached.dev === st.dev;
    // A listing taken in the same tick as the directory's last change may have raced with it.
    if (same && cached.listedAt - mtimeMs >= mtimeSettledMs) {
      return { listing: cached, fresh: false };
    }
    // A folder of hundreds of thousands of hook files is not listed again every second while
    // files keep arriving: the watcher reports those at once, and the listing (the safety net
    // for missed watch events) is repeated at a pace proportional to the folder's size.
    if (
      cached && now - cached.listedAt < Math.min(relistMaxMs, cached.entries * relistMsPerEntry)
    ) {
      this.unsettled = true; // reused while the folder changed: look again soon
      return { listing: cached, fresh: false };
    }
    // Listed in the same tick as its last change: to be listed again (see mtimeSettledMs).
    if (now - mtimeMs < mtimeSettledMs) this.unsettled = true;
    const files: ListedFile[] = [];
    const dirs: string[] = [];
    const skipped: DirCache["skipped"] = [];
    let entries = 0;
    let hookFiles = 0;
    // Folders below this one are visited everywhere but in hooks/ and the hook log folder.
    const walked = relDir !== "hooks" && relDir !== hookLogDir;
    this.dirsRead++;
    // Only the entry's type from the listing: a FIFO, socket or device is never opened
    // (opening a FIFO blocks until a writer comes), nor is a symbolic link followed.
    // What is left alone is counted when it would have been read (a source file's name,
    // or a folder where transcripts are looked for).
    const take = (entry: Deno.DirEntry, lossy: boolean) => {
      entries++;
      const rel = `${relDir}/${entry.name}`;
      const kind = classify(rel);
      const reason: SkipReason | null = lossy
        ? "non_utf8_name"
        : entry.isSymlink
        ? "symlink"
        : entry.isFile || entry.isDirectory
        ? null
        : "not_regular";
      if (reason) {
        if (kind !== null || (walked && (entry.isDirectory || entry.isSymlink))) {
          skipped.push({ name: entry.name, reason });
        }
      } else if (entry.isFile) {
        if (kind === "hook") hookFiles++;
        if (kind !== null && !(kind === "hook" && hookRead(rel))) files.push({ rel, kind });
      } else dirs.push(entry.name);
    };
    // Awaited only for a name with U+FFFD: a turn of the event loop per entry costs as much
    // as the rest of the entry's handling (100k hook files in one folder).
    const lossy = (name: string) => name.includes(lossyName);
    try {
      // Not the hook log folder: the blocking listing holds an object of ~440 B for every entry
      // at once (185 MiB of heap for 421k hook files, the whole backfill's peak), where the
      // asynchronous one streams them (45 MiB: only the names kept) at about the same speed.
      if (this.#blocking && relDir !== hookLogDir) {
        for (const e of Deno.readDirSync(abs)) {
          take(e, lossy(e.name) && await unopenableName(abs, e.name));
        }
      } else {
        for await (const e of Deno.readDir(abs)) {
          take(e, lossy(e.name) && await unopenableName(abs, e.name));
        }
      }
    } catch {
      return null;
    }
    const fresh: DirCache = {
      mtimeMs,
      ino: st.ino,
      dev: st.dev,
      listedAt: now,
      entries,
      files,
      hookFiles,
      dirs,
      skipped,
    };
    this.#cache.set(relDir, fresh);
    return { listing: fresh, fresh: true };
  }
}

/**
 * Whether folders (relative to the Claude directory) are really inside it: no component on
 * the way is a symbolic link. Each component is looked at with lstat, never the Claude
 * directory itself (the sandbox may not let the server read it, only folders inside it).
 * Answers are cached until `reset()` (each reconcile scan), so a folder costs one lstat per
 * scan; the runtime's read permission stays the hard boundary.
 */
export class FolderCheck {
  #root: string;
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
    const cut = relDir.lastIndexOf("/");
    let ok = cut < 0 || await this.inside(relDir.slice(0, cut));
    if (ok) {
      try {
        ok = (await Deno.lstat(`${this.#root}/${relDir}`)).isDirectory;
      } catch {
        ok = false; // vanished or unreadable: nothing to read there now
      }
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

/**
 * open(2) flags of openSmallSource: never through a symbolic link (ELOOP instead), and never
 * waiting for a writer (a FIFO opens at once, and its fstat says it is not a regular file).
 */
const openNoFollowNoWait = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NONBLOCK ?? 0);

/** What readOpenSource found instead of the file's bytes (and readCapped's callers). */
export type NotRead = "swapped" | "too_large";

/** What a source file's reader needs to know of it: from an fstat or an lstat. */
export type SourceStat = Pick<Deno.FileInfo, "size" | "isFile" | "isSymlink"> & {
  mtimeMs: number;
};

/** A small source file held open, described by the fstat of what was opened. */
export interface OpenSmall {
  fd: number;
  stat: SourceStat & { isSymlink: false };
}

/**
 * Opens a source file with blocking calls when it is a small regular file (at most `maxBytes`):
 * the open and one fstat of the descriptor, so what is described is what will be read. "gone":
 * it vanished; "link": a symbolic link (not followed); "large": bigger than `maxBytes` (closed
 * again: read it asynchronously). Anything else that is not a regular file (a FIFO, a device)
 * comes back open with `isFile` false, for the caller to close unread.
 */
export function openSmallSource(
  abs: string,
  maxBytes: number,
): OpenSmall | "gone" | "link" | "large" {
  let fd: number;
  try {
    fd = openSync(abs, openNoFollowNoWait);
  } catch (e) {
    const code = e instanceof Error && "code" in e ? e.code : null;
    if (code === "ENOENT") return "gone";
    if (code === "ELOOP") return "link";
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > maxBytes) {
      closeSync(fd);
      return "large";
    }
    return {
      fd,
      stat: { size: st.size, mtimeMs: st.mtimeMs, isFile: st.isFile(), isSymlink: false },
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads an open source file's `size` bytes (its fstat's; fewer if it shrank since). */
export function readOpenSource(fd: number, size: number): Uint8Array {
  const buf = new Uint8Array(Math.max(size, 0));
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, null);
    if (n === 0) break;
    got += n;
  }
  return got === buf.length ? buf : buf.subarray(0, got);
}

/** Closes what openSmallSource opened. */
export function closeSource(fd: number): void {
  closeSync(fd);
}

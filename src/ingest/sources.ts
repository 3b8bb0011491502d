// Which files under a Claude directory claude-dash reads, and a cheap way to list them
// again and again: directory listings are cached by the directory's mtime, and symbolic
// links are never followed (nothing outside the folder is ever read): not when listing, not
// for a watcher hint inside a linked folder, not for a file swapped between lstat and open.
// The main ~/.claude gives hook logs, threads.db and transcripts; the other folders Claude
// Code may write to (src/ingest/roots.ts) give transcripts only.

import type { SourceKind } from "../core/types.ts";
import type { SkippedFiles, SkipReason } from "../core/view_data.ts";
import { maskSecrets } from "../core/secrets.ts";
import { skippedExamplesShown } from "../core/config.ts";
import { collectGarbage } from "../core/gc.ts";
import {
  filterNames,
  nameAt,
  nameCount,
  NamePacker,
  noNames,
  type PackedNames,
} from "./packed_names.ts";

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
/** Hook file names forgotten at once (forgetRead) that are worth a full collection. */
const collectAfterNames = 10_000;
/** What a hook file's key is its name after. */
export const hookLogPrefix = `${hookLogDir}/`;

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
  /** Source files at the listing but hook files. */
  files: ListedFile[];
  /** Names of the hook files at the listing not read then (see list()), packed. */
  hooks: PackedNames;
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

/** What one scan of a Claude directory found to read: the hook files not read yet, by name in
 * the hook log folder (hookLogPrefix), packed; every other source file, as a ListedFile. */
export interface Listing {
  files: ListedFile[];
  hooks: PackedNames;
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

/** The names of a folder's hook files that `hookRead` does not say were read (the same object
 * when that is all of them). */
function unreadHooks(
  relDir: string,
  hooks: PackedNames,
  hookRead: (rel: string) => boolean,
): PackedNames {
  return nameCount(hooks) === 0 ? hooks : filterNames(hooks, (n) => !hookRead(`${relDir}/${n}`));
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
    const { files, hooks } = await this.scan(hookRead);
    const out: ListedFile[] = [];
    for (let i = 0; i < nameCount(hooks); i++) {
      out.push({ rel: hookLogPrefix + nameAt(hooks, i), kind: "hook" });
    }
    return [...out, ...files];
  }

  /** What list() finds, with the hook files' names packed (a folder may hold 420k). */
  async scan(hookRead: (rel: string) => boolean = () => false): Promise<Listing> {
    const out: ListedFile[] = [];
    let hooks = noNames;
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
      // A listing kept from an earlier scan: hook files read since are forgotten.
      if (!fresh) listing.hooks = unreadHooks(relDir, listing.hooks, hookRead);
      for (const f of listing.files) out.push(f);
      if (nameCount(listing.hooks) > 0) hooks = listing.hooks;
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
    return { files: out, hooks };
  }

  /** Drops from the hook folder's listing the hook files read since (a first backfill's 420k
   * names are not held through its transcripts). */
  forgetRead(hookRead: (rel: string) => boolean): void {
    const c = this.#cache.get(hookLogDir);
    if (!c) return;
    const was = nameCount(c.hooks);
    c.hooks = unreadHooks(hookLogDir, c.hooks, hookRead);
    // A first backfill's: the names and its hook files' garbage go before the transcripts come.
    if (was - nameCount(c.hooks) >= collectAfterNames) collectGarbage();
  }

  /**
   * The listings kept, for another lister of the same Claude directory (the backfill worker's,
   * handed to the main thread's when its pass ends): without them the main thread would read
   * every folder again at once, 0.7 s for 100k hook files. Hook files read by then are left out.
   */
  listings(hookRead: (rel: string) => boolean): FolderListing[] {
    const out: FolderListing[] = [];
    for (const [relDir, c] of this.#cache) {
      out.push({ relDir, listing: { ...c, hooks: unreadHooks(relDir, c.hooks, hookRead) } });
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
    const hooks = new NamePacker();
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
        if (kind === "hook") {
          hookFiles++;
          if (!hookRead(rel)) hooks.add(entry.name);
        } else if (kind !== null) files.push({ rel, kind });
      } else dirs.push(entry.name);
    };
    // Awaited only for a name with U+FFFD: a turn of the event loop per entry costs as much
    // as the rest of the entry's handling (100k hook files in one folder).
    const lossy = (name: string) => name.includes(lossyName);
    try {
      // Not the hook log folder: the blocking listing holds an object of ~440 B for every entry
      // at once (185 MiB of heap for 421k hook files, the whole backfill's peak), where the
      // asynchronous one streams them at about the same speed, each name packed as it comes.
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
      hooks: hooks.size > 0 ? hooks.done() : noNames,
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

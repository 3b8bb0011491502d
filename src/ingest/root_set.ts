// The folders the ingester reads: the main Claude directory (hook logs, threads.db,
// transcripts, stored under paths relative to it) and every other folder Claude Code may write
// transcripts to (stored under their absolute real path). Finding them, and telling which root a
// stored key belongs to and whether its file is gone.

import { FolderCheck, type FolderListing, SourceLister } from "./sources.ts";
import { type ClaudeRoot, findRoots, type RootOrigin } from "./roots.ts";
import type { SourceWatcher } from "./watcher.ts";
import type { RootStatus } from "../core/types.ts";

/** A folder being read, with its own lister, link check and watcher. */
export interface Root {
  /** The path as configured: reads go through it (it is what the read permission names). */
  dir: string;
  origin: RootOrigin;
  main: boolean;
  /** Prefix of its files' keys: "" for the main root, else its real path + "/" once found. */
  prefix: string | null;
  lister: SourceLister;
  folders: FolderCheck;
  watcher: SourceWatcher | null;
  status: RootStatus;
}

/** The roots for a main directory and the other transcript folders (the main one first; a
 * folder named twice is read once). `watch` makes a root's watcher (null: not watched);
 * `blockingList` lists folders with blocking calls (SourceLister). */
export function makeRoots(
  dir: string,
  extra: Array<string | ClaudeRoot>,
  watch: (r: Root) => SourceWatcher | null,
  blockingList = false,
): Root[] {
  const root = (dir: string, origin: RootOrigin, main: boolean): Root => {
    const r: Root = {
      dir,
      origin,
      main,
      prefix: main ? "" : null,
      lister: new SourceLister(dir, { transcriptsOnly: !main, blocking: blockingList }),
      folders: new FolderCheck(dir),
      watcher: null,
      status: { path: dir, origin, main, found: false, same_as: null, transcripts: 0 },
    };
    r.watcher = watch(r);
    return r;
  };
  const roots = [root(dir, "home", true)];
  for (const e of extra) {
    const { path, origin } = typeof e === "string" ? { path: e, origin: "env" as const } : e;
    const d = path.replace(/\/+$/, "") || "/";
    if (d === dir || roots.some((r) => r.dir === d)) continue;
    roots.push(root(d, origin, false));
  }
  return roots;
}

/** Which roots exist now, and their real paths (a folder created after start is picked up;
 * one that is the same folder as an earlier root is not read twice). Never throws. */
export async function refreshRoots(roots: Root[]): Promise<void> {
  const found = await findRoots(roots.map((r) => ({ path: r.dir, origin: r.origin })));
  found.forEach((f, i) => {
    const r = roots[i];
    r.status.found = f.found;
    r.status.same_as = f.sameAs;
    if (!r.main) r.prefix = f.found && !f.sameAs && f.realPath ? `${f.realPath}/` : null;
    if (r.prefix !== null) r.watcher?.ensure();
  });
}

/** The root a stored key belongs to and the path relative to it (null: no root read now). */
export function locate(roots: Root[], key: string): { root: Root; rel: string } | null {
  if (!key.startsWith("/")) return { root: roots[0], rel: key };
  let best: Root | null = null;
  for (const r of roots) {
    if (r.main || r.prefix === null || !key.startsWith(r.prefix)) continue;
    if (!best || r.prefix.length > best.prefix!.length) best = r;
  }
  return best ? { root: best, rel: key.slice(best.prefix!.length) } : null;
}

/** Whether a known transcript's file is gone, or out of every root read now. */
export async function vanished(roots: Root[], key: string): Promise<boolean> {
  const at = locate(roots, key);
  const abs = at ? `${at.root.dir}/${at.rel}` : key;
  try {
    // Not permitted (asked without a prompt): the folder is no longer one of the roots.
    if (Deno.permissions.querySync({ name: "read", path: abs }).state !== "granted") {
      return at === null;
    }
    await Deno.lstat(abs);
    return false;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return true;
    // Not permitted: the folder is no longer one of the roots (nothing can be read there).
    return at === null;
  }
}

/** A root's folder listings (SourceLister.listings), by the root's folder. */
export interface RootListings {
  dir: string;
  folders: FolderListing[];
}

/** Each root's folder listings as its last scan left them, hook files `hookDone` says were read
 * left out (only the main root has hook files). */
export function rootListings(roots: Root[], hookDone: (rel: string) => boolean): RootListings[] {
  return roots.map((r) => ({
    dir: r.dir,
    folders: r.lister.listings(r.main ? hookDone : () => false),
  }));
}

/** Gives each root the listings another set of the same roots made (see rootListings()). */
export function adoptRootListings(roots: Root[], all: RootListings[]): void {
  for (const { dir, folders } of all) roots.find((r) => r.dir === dir)?.lister.adopt(folders);
}

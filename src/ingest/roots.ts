// Every folder Claude Code may write transcripts to. ~/.claude is the main one (hook logs and
// the notifier's threads.db live only there); newer Claude Code versions may write under
// $XDG_CONFIG_HOME/claude (default ~/.config/claude), and CLAUDE_CONFIG_DIR (a comma-separated
// list) points it anywhere. The same folder named twice (or through a symbolic link) is read once.

import { dirname, resolve } from "node:path";

export type RootOrigin = "home" | "xdg" | "env";

export interface ClaudeRoot {
  /** Absolute path, without a trailing slash. */
  path: string;
  origin: RootOrigin;
}

export interface RootEnv {
  HOME?: string;
  XDG_CONFIG_HOME?: string;
  CLAUDE_CONFIG_DIR?: string;
}

/** The candidate folders, in priority order, deduplicated by path. Pure. */
export function rootCandidates(env: RootEnv): ClaudeRoot[] {
  const out: ClaudeRoot[] = [];
  const add = (path: string, origin: RootOrigin) => {
    const abs = resolve(path).replace(/\/+$/, "") || "/";
    if (!out.some((r) => r.path === abs)) out.push({ path: abs, origin });
  };
  const home = env.HOME?.trim();
  if (home) add(`${home}/.claude`, "home");
  const xdg = env.XDG_CONFIG_HOME?.trim() || (home ? `${home}/.config` : "");
  if (xdg) add(`${xdg}/claude`, "xdg");
  for (const part of (env.CLAUDE_CONFIG_DIR ?? "").split(",")) {
    const p = part.trim();
    if (!p) continue;
    add(p.startsWith("~/") && home ? `${home}${p.slice(1)}` : p, "env");
  }
  return out;
}

/**
 * Reads the environment variables the roots depend on; a variable not granted counts as unset
 * (asked of the permission state first, so a terminal never gets a permission prompt).
 */
export function rootEnv(): RootEnv {
  const get = (name: string): string | undefined => {
    try {
      if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
        return undefined;
      }
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  };
  return {
    HOME: get("HOME"),
    XDG_CONFIG_HOME: get("XDG_CONFIG_HOME"),
    CLAUDE_CONFIG_DIR: get("CLAUDE_CONFIG_DIR"),
  };
}

/**
 * What the server may read in the main folder (scripts/launch.ts grants exactly these): its
 * transcripts, hook logs (with threads.db and .env.discord), its own folder, and settings.json
 * for doctor. Never the folder as a whole: Claude Code keeps its login tokens there too.
 */
export const mainRootParts = ["projects", "hooks", "claude-dash", "settings.json"] as const;

/** What the server may read in every other folder: transcripts only. */
export const otherRootParts = ["projects"] as const;

/** What the process can tell about a Claude Code folder of which it may read only parts. */
export interface RootAccess {
  state: "ok" | "missing" | "not-a-folder" | "no-permission" | "unreadable";
  error?: string;
  /** Its real path (symbolic links resolved) when ok. */
  realPath: string | null;
  /** Its owner, or that of the part looked at instead, when known. */
  uid: number | null;
}

function probeFolder(path: string): RootAccess {
  const none = { realPath: null, uid: null };
  try {
    // Asked of the permission state first, so a terminal never gets a permission prompt.
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
      return { state: "no-permission", error: `Requires read access to "${path}"`, ...none };
    }
    const st = Deno.statSync(path);
    if (!st.isDirectory) return { state: "not-a-folder", ...none };
    for (const _ of Deno.readDirSync(path)) break;
    return { state: "ok", realPath: Deno.realPathSync(path), uid: st.uid };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { state: "missing", ...none };
    return { state: "unreadable", error: e instanceof Error ? e.message : String(e), ...none };
  }
}

/**
 * Whether a Claude Code folder is there and readable. Under the server's sandbox only some
 * folders inside it may be read (mainRootParts), never the folder itself: then it counts as
 * there when one of those folders is, and its real path is that folder's parent. Never throws.
 */
export function rootAccess(dir: string): RootAccess {
  const whole = probeFolder(dir);
  if (whole.state !== "no-permission") return whole;
  let missing = false;
  for (const part of mainRootParts) {
    if (part.includes(".")) continue; // a file: it says nothing about the folder's readability
    const sub = probeFolder(`${dir}/${part}`);
    if (sub.state === "ok") {
      return { ...sub, realPath: sub.realPath === null ? null : dirname(sub.realPath) };
    }
    if (sub.state === "missing") missing = true;
  }
  return missing ? { state: "missing", realPath: null, uid: null } : whole;
}

export interface FoundRoot extends ClaudeRoot {
  /** The folder exists (and is a directory). */
  found: boolean;
  /** Set when this folder is the same as an earlier root (symbolic link or repeated name). */
  sameAs: string | null;
  /** Its real path (symbolic links resolved) when found. */
  realPath: string | null;
}

/** Which candidates exist; a later root whose real path equals an earlier one is marked. */
export function findRoots(candidates: ClaudeRoot[]): Promise<FoundRoot[]> {
  const out: FoundRoot[] = [];
  const real = new Map<string, string>();
  for (const c of candidates) {
    let found = false;
    let sameAs: string | null = null;
    let realPath: string | null = null;
    // A folder the process may not read is not found (and is never prompted for).
    const access = rootAccess(c.path);
    if (access.state === "ok" && access.realPath !== null) {
      found = true;
      realPath = access.realPath;
      sameAs = real.get(realPath) ?? null;
      if (!sameAs) real.set(realPath, c.path);
    }
    out.push({ ...c, found, sameAs, realPath });
  }
  return Promise.resolve(out);
}

/**
 * The folders to read transcripts from besides `mainDir` (the one hook logs come from): every
 * candidate of the environment but `mainDir` itself. Pure.
 */
export function extraRoots(env: RootEnv, mainDir: string): ClaudeRoot[] {
  const main = resolve(mainDir).replace(/\/+$/, "") || "/";
  return rootCandidates(env).filter((r) => r.path !== main);
}

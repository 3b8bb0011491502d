// Every folder Claude Code may write transcripts to. ~/.claude is the main one (hook logs and
// the notifier's threads.db live only there); newer Claude Code versions may write under
// $XDG_CONFIG_HOME/claude (default ~/.config/claude), and CLAUDE_CONFIG_DIR (a comma-separated
// list) points it anywhere. The same folder named twice (or through a symbolic link) is read once.

import { resolve } from "node:path";

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

export interface FoundRoot extends ClaudeRoot {
  /** The folder exists (and is a directory). */
  found: boolean;
  /** Set when this folder is the same as an earlier root (symbolic link or repeated name). */
  sameAs: string | null;
  /** Its real path (symbolic links resolved) when found. */
  realPath: string | null;
}

/** Which candidates exist; a later root whose real path equals an earlier one is marked. */
export async function findRoots(candidates: ClaudeRoot[]): Promise<FoundRoot[]> {
  const out: FoundRoot[] = [];
  const real = new Map<string, string>();
  for (const c of candidates) {
    let found = false;
    let sameAs: string | null = null;
    let realPath: string | null = null;
    try {
      // A folder the process may not read is not found (and is never prompted for).
      if (Deno.permissions.querySync({ name: "read", path: c.path }).state !== "granted") {
        throw new Deno.errors.NotCapable(c.path);
      }
      const st = await Deno.stat(c.path);
      found = st.isDirectory;
      if (found) {
        realPath = await Deno.realPath(c.path);
        sameAs = real.get(realPath) ?? null;
        if (!sameAs) real.set(realPath, c.path);
      }
    } catch {
      found = false; // absent or not permitted: nothing to read there
      realPath = null;
    }
    out.push({ ...c, found, sameAs, realPath });
  }
  return out;
}

/**
 * The folders to read transcripts from besides `mainDir` (the one hook logs come from): every
 * candidate of the environment but `mainDir` itself. Pure.
 */
export function extraRoots(env: RootEnv, mainDir: string): ClaudeRoot[] {
  const main = resolve(mainDir).replace(/\/+$/, "") || "/";
  return rootCandidates(env).filter((r) => r.path !== main);
}

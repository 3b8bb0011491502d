// What `deno task start`, `dev`, `compile` and `doctor` run. A deno.json task can expand $HOME
// but not ${XDG_CONFIG_HOME:-$HOME/.config} nor split CLAUDE_CONFIG_DIR (a comma-separated
// list), so this launcher works out the folders Claude Code may write to (src/ingest/roots.ts)
// and runs `deno run main.ts` (or `deno compile`) with read access to exactly what it reads in
// them (projects/, hooks/, its own claude-dash/, settings.json; projects/ only in the others),
// never the folders as a whole (Claude Code's login tokens are there too).
// It needs no read access itself: only those three variables and running `deno`.
//
//   deno run --allow-env=HOME,XDG_CONFIG_HOME,CLAUDE_CONFIG_DIR --allow-run=deno \
//     scripts/launch.ts start|dev|compile|doctor [flags for main.ts]
//   … scripts/launch.ts --print MODE [flags]   prints that command as JSON (for tests)
//
// The server gets read access in every candidate folder, found or not: one created later is
// picked up (the server checks which exist on every scan and shows them on /health). Signals
// (SIGINT, SIGTERM) are passed on to the server, and its exit code is the launcher's.

import {
  mainRootParts,
  otherRootParts,
  rootCandidates,
  type RootEnv,
  rootEnv,
} from "../src/ingest/roots.ts";

export type LaunchMode = "start" | "dev" | "compile" | "doctor";

const modes: readonly LaunchMode[] = ["start", "dev", "compile", "doctor"];

/** The environment variables the server may read (the roots depend on them). */
export const serverEnv = ["HOME", "XDG_CONFIG_HOME", "CLAUDE_CONFIG_DIR"] as const;

/**
 * V8 flags the server runs with. The default young generation (16 MiB semi-spaces) and heap
 * growth let a backfill's short-lived strings and objects push the resident set of a 1 GiB
 * transcript to 385 MiB; with these it stays near 190 MiB at the same speed (issue 18,
 * `deno task bench --big-transcript`). No cap on the old space: a cap trades memory for a crash.
 * `--expose-gc` lets the server collect at the end of a phase that leaves tens of MiB behind
 * (src/core/gc.ts): the cold backfill of a 1M-event tree peaked 30-60 MiB lower with it.
 */
export const serverV8Flags =
  "--v8-flags=--max-semi-space-size=2,--heap-growing-percent=20,--expose-gc";

/**
 * glibc malloc settings for the server: fewer arenas, and freed memory handed back to the OS
 * soon. The backfill worker's thread and SQLite leave native memory behind that the default
 * allocator keeps: an idle server at 1M events held 160-166 MiB without these, 144-150 with
 * them (issue 18, `deno task bench --memory`). Environment only: `deno compile` cannot carry it.
 */
export const serverMallocEnv: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_TRIM_THRESHOLD_: "131072",
};

/** The server's permission flags for this environment, or an error a person can act on. Pure. */
export function serverPermissions(env: RootEnv): string[] | { error: string } {
  const home = env.HOME?.trim();
  if (!home) return { error: "HOME is not set: cannot find ~/.claude" };
  const roots = rootCandidates(env);
  const main = roots[0].path; // $HOME/.claude, always first
  const bad = roots.find((r) => r.path.includes(","));
  if (bad) return { error: `${bad.path}: a folder name with a comma cannot be a permission` };
  return sandboxPermissions({
    claudeDir: main,
    dbDir: `${main}/claude-dash`,
    otherRoots: roots.slice(1).map((r) => r.path),
  });
}

/**
 * The server's permission flags for an explicit main Claude Code folder and database folder
 * (the start task's: serverPermissions; the benches' servers: bench/procs.ts): read the
 * allow-listed parts of the folders (src/ingest/roots.ts) and the database folder, write only
 * the server's own folder (claude-dash/: its ingest secret) and the database folder, loopback
 * network, the root variables. Pure; throws when a folder holds a comma.
 */
export function sandboxPermissions(
  opts: { claudeDir: string; dbDir: string; otherRoots?: string[] },
): string[] {
  const main = opts.claudeDir.replace(/\/+$/, "");
  const dbDir = opts.dbDir.replace(/\/+$/, "");
  // An allow-list of what is read, never a whole folder: Claude Code keeps its login tokens,
  // IDE lock files (with their auth token), shell environments and prompt history beside them.
  const readable = [
    ...mainRootParts.map((part) => `${main}/${part}`),
    ...(opts.otherRoots ?? []).flatMap((r) => otherRootParts.map((part) => `${r}/${part}`)),
  ];
  const writable = [`${main}/claude-dash`];
  const inside = (list: string[]) => list.some((r) => dbDir === r || dbDir.startsWith(`${r}/`));
  if (!inside(readable)) readable.push(dbDir);
  if (!inside(writable)) writable.push(dbDir);
  const bad = readable.find((p) => p.includes(","));
  if (bad) throw new Error(`${bad}: a folder name with a comma cannot be a permission`);
  return [
    `--allow-read=${readable.join(",")}`,
    `--allow-write=${writable.join(",")}`,
    "--allow-net=127.0.0.1,localhost",
    `--allow-env=${serverEnv.join(",")}`,
  ];
}

/** The arguments of `deno` for a mode (main.ts relative to the checkout, the task's cwd). Pure. */
export function launchArgs(
  mode: LaunchMode,
  env: RootEnv,
  args: string[],
): string[] | { error: string } {
  const perms = serverPermissions(env);
  if ("error" in perms) return perms;
  switch (mode) {
    case "start":
      return ["run", serverV8Flags, ...perms, "main.ts", ...args];
    case "dev":
      return ["run", "--watch=src/,main.ts", serverV8Flags, ...perms, "main.ts", ...args];
    case "compile":
      // The binary keeps the folders found now: rebuild after changing the variables.
      return [
        "compile",
        "--exclude-unused-npm",
        "--output",
        "claude-dash",
        serverV8Flags,
        ...perms,
        "main.ts",
        ...args,
      ];
    case "doctor":
      // The server's permissions, so doctor sees every folder the server reads; --no-config:
      // doctor loads no npm package, so it needs neither the import map nor `deno task build`.
      return ["run", "--no-config", serverV8Flags, ...perms, "main.ts", "doctor", ...args];
  }
}

function isMode(v: string | undefined): v is LaunchMode {
  return modes.includes(v as LaunchMode);
}

if (import.meta.main) {
  const print = Deno.args[0] === "--print";
  const [mode, ...args] = print ? Deno.args.slice(1) : Deno.args;
  if (!isMode(mode)) {
    console.error(`claude-dash launcher: the first argument must be ${modes.join(", ")}`);
    Deno.exit(2);
  }
  const argv = launchArgs(mode, rootEnv(), args);
  if ("error" in argv) {
    console.error(`claude-dash: ${argv.error}`);
    Deno.exit(2);
  }
  if (print) {
    console.log(JSON.stringify(argv));
    Deno.exit(0);
  }
  let child: Deno.ChildProcess;
  try {
    // "deno" from PATH: --allow-run=deno names it so (Deno.execPath() may be a different,
    // resolved path that the permission would not match).
    child = new Deno.Command("deno", { args: argv, env: { ...serverMallocEnv } }).spawn();
  } catch (e) {
    console.error(`claude-dash: cannot run deno: ${e instanceof Error ? e.message : e}`);
    Deno.exit(2);
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, () => {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
      });
    } catch {
      // no such signal on this platform
    }
  }
  // (A server ended by a signal reports 128 + its number, as a shell does.)
  Deno.exit((await child.status).code);
}

// `claude-dash demo`: the dashboard on synthetic data, for a first look without any Claude Code
// history. A fresh temporary HOME gets a generated ~/.claude (a few thousand events of past
// sessions, bench/gen.ts), then the generator's live mode keeps writing events into it like
// running sessions do while the dashboard serves it on 127.0.0.1. The real ~/.claude is never
// read or written; the temporary HOME is removed on exit (Ctrl-C / SIGTERM).
//
// Where the temporary HOME goes: Deno permissions name paths before they exist, so the demo
// uses one fixed parent, /tmp/claude-dash-demo (what `deno task demo` may write), with a
// random folder per run inside it. Under a sandbox without that permission (the compiled
// binary may only write ~/.claude/claude-dash), it uses ~/.claude/claude-dash/demo instead —
// claude-dash's own folder, never Claude Code's data.

import { join } from "node:path";
import { generate, live } from "../demo/workload.ts";
import { startDashboard } from "./dashboard.ts";

/** The parent of every demo HOME when the sandbox allows it (see deno.json task "demo"). */
export const demoTmpRoot = "/tmp/claude-dash-demo";

/** Events of generated history the demo starts with. */
export const demoHistoryEvents = 4000;

/** Live events written per second while the demo runs. */
export const demoEventsPerS = 10;

export interface DemoOptions {
  port: number;
  /** Where the temporary HOME would go in turn; default [/tmp/claude-dash-demo, ~/.claude/claude-dash/demo]. */
  roots?: string[];
  historyEvents?: number;
  ratePerS?: number;
}

export interface DemoHome {
  home: string;
  claudeDir: string;
  dbPath: string;
  cleanup(): Promise<void>;
}

function denied(e: unknown): boolean {
  return e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied;
}

/**
 * A parent folder fit to hold the temporary HOME: a plain directory (not a symbolic link) that
 * nobody else may write to. (Ownership itself would need --allow-sys; a folder of another user
 * with these modes cannot be written by us, which makes the next root be tried.)
 */
function safeParent(root: string): void {
  Deno.mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = Deno.lstatSync(root);
  if (!st.isDirectory || st.isSymlink) throw new Error(`${root} is not a plain folder`);
  if (st.mode !== null && (st.mode & 0o022) !== 0) {
    throw new Error(`${root} is writable by other users`);
  }
}

function defaultRoots(): string[] {
  const roots = [demoTmpRoot];
  try {
    const home = Deno.env.get("HOME");
    if (home) roots.push(join(home, ".claude/claude-dash/demo"));
  } catch { /* no env permission: only the temp root */ }
  return roots;
}

/** Creates the temporary HOME in the first root the sandbox allows. */
export async function makeDemoHome(roots = defaultRoots()): Promise<DemoHome> {
  const problems: string[] = [];
  for (const root of roots) {
    try {
      safeParent(root);
      const home = await Deno.makeTempDir({ dir: root, prefix: "home-" });
      const claudeDir = join(home, ".claude");
      return {
        home,
        claudeDir,
        dbPath: join(claudeDir, "claude-dash/claude-dash.db"),
        async cleanup() {
          await Deno.remove(home, { recursive: true }).catch(() => {});
          // The shared parent goes too once no other demo uses it (fails harmlessly otherwise).
          await Deno.remove(root).catch(() => {});
        },
      };
    } catch (e) {
      if (!denied(e) && !(e instanceof Error && /plain folder|other users/.test(e.message))) {
        throw e;
      }
      problems.push(`${root}: ${e instanceof Error ? e.message : e}`);
    }
  }
  throw new Error(`no folder for the demo's temporary HOME: ${problems.join("; ")}`);
}

/** Runs the demo until SIGINT/SIGTERM; returns the exit code. */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const home = await makeDemoHome(opts.roots);
  const stopWriting = new AbortController();
  let dashboard: ReturnType<typeof startDashboard> | null = null;
  let writer: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | null = null;
  const stop = () =>
    stopping ??= (async () => {
      stopWriting.abort();
      await writer.catch(() => {});
      await dashboard?.stop().catch(() => {});
      await home.cleanup();
    })();
  try {
    console.log(`claude-dash demo: synthetic Claude Code data in ${home.home} (temporary HOME)`);
    await generate({
      dir: home.claudeDir,
      events: opts.historyEvents ?? demoHistoryEvents,
      seed: (Date.now() >>> 0) ^ 0xde70,
      baseTimeMs: Date.now() - 60_000,
      spanMs: 86_400_000,
    });
    dashboard = startDashboard({ claudeDir: home.claudeDir, dbPath: home.dbPath, port: opts.port });
    // The address is printed once the history is stored, so the first page already shows it.
    await dashboard.ingester.ready;
    console.log(
      `claude-dash demo serving ${dashboard.url}/  (Ctrl-C stops it and removes the data)`,
    );
    const claudeDir = home.claudeDir;
    const rate = opts.ratePerS ?? demoEventsPerS;
    writer = (async () => {
      // live() runs a fixed time; keep starting it (new sessions each time) until stopped.
      while (!stopWriting.signal.aborted) {
        await live({ dir: claudeDir, ratePerSec: rate, seconds: 600, signal: stopWriting.signal });
      }
    })().catch((e) => {
      console.error(`claude-dash demo: writing stopped: ${e instanceof Error ? e.message : e}`);
    });
  } catch (e) {
    await stop();
    if (e instanceof Deno.errors.AddrInUse) {
      console.error(`claude-dash demo: port ${opts.port} on 127.0.0.1 is in use: pass --port N`);
      return 2;
    }
    throw e;
  }
  const done = new Promise<void>((resolve) => {
    const onSignal = () => stop().then(resolve);
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      try {
        Deno.addSignalListener(sig, onSignal);
      } catch { /* not on this platform */ }
    }
  });
  await done;
  return 0;
}

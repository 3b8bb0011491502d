// Child processes of the benchmark: the claude-dash server as users start it (`deno task
// start`'s V8 flags and sandbox, scripts/launch.ts sandboxPermissions, for the bench's claude
// dir and database folder: `deno run … main.ts --claude-dir … --db … --port …`), helper
// scripts, and the peer tool, with their memory read from /proc (VmRSS now, VmHWM = peak
// resident set).

import { dirname, resolve } from "node:path";
import { sandboxPermissions, serverMallocEnv, serverV8Flags } from "../scripts/launch.ts";

const repo = new URL("../", import.meta.url).pathname;
export const mainPath = `${repo}main.ts`;

export interface ProcMemory {
  rssKb: number;
  hwmKb: number;
}

/** VmRSS and VmHWM of a live process, or null when it is gone (or not on Linux). */
export function procMemory(pid: number): ProcMemory | null {
  try {
    const s = Deno.readTextFileSync(`/proc/${pid}/status`);
    const rss = s.match(/^VmRSS:\s*(\d+) kB/m);
    const hwm = s.match(/^VmHWM:\s*(\d+) kB/m);
    if (!rss || !hwm) return null;
    return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
  } catch {
    return null;
  }
}

/** A free TCP port on 127.0.0.1 (bound, read and released). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function* textLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl).replace(/\r$/, "");
      buf = buf.slice(nl + 1);
    }
  }
  if (buf) yield buf;
}

/** Lines of a child's output, kept, with a way to wait for one matching a pattern. */
class Lines {
  readonly all: string[] = [];
  #waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>, echo: boolean) {
    this.done = (async () => {
      for await (const line of textLines(stream)) {
        this.all.push(line);
        if (this.all.length > 2000) this.all.splice(0, 1000);
        if (echo) console.log(`  | ${line}`);
        for (const w of [...this.#waiters]) {
          const m = line.match(w.re);
          if (m) {
            this.#waiters.splice(this.#waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      }
    })().catch(() => {});
  }

  wait(re: RegExp, timeoutMs: number, what: string): Promise<RegExpMatchArray> {
    for (const line of this.all) {
      const m = line.match(re);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.push({
        re,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }
}

export interface ServerProc {
  url: string;
  port: number;
  pid: number;
  spawnedAt: number;
  stdout: Lines;
  stderr: Lines;
  memory(): ProcMemory | null;
  /** Resolves with the backfill time the server printed (ms), once it has finished. */
  backfillDone(timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Where a sandboxed server may read and write: Deno asks for --allow-all for anything under
 * /dev (so /dev/shm too), /proc and /sys, which the start task's permissions rightly lack.
 * Bench data for a server lives in the temp dir instead (the page cache keeps it in RAM).
 */
export function sandboxUsable(path: string): boolean {
  return !/^\/(dev|proc|sys)(\/|$)/.test(resolve(path));
}

/** Starts the server on a free port and resolves once it printed its address. */
export async function startServer(opts: {
  claudeDir: string;
  dbPath: string;
  port?: number;
  env?: Record<string, string>;
}): Promise<ServerProc> {
  const port = opts.port ?? freePort();
  const spawnedAt = performance.now();
  // Only the start task's permissions: what the sandbox costs (workers from the embedded
  // bundle, no reads of the checkout) is in every figure.
  for (const p of [opts.claudeDir, opts.dbPath]) {
    if (!sandboxUsable(p)) {
      throw new Error(`${p}: the server's sandbox cannot use /dev, /proc or /sys (bench --dir)`);
    }
  }
  // The sandbox sees a Claude Code folder through its parts (src/ingest/roots.ts rootAccess):
  // an empty bench folder gets the projects/ every real one has.
  await Deno.mkdir(`${opts.claudeDir}/projects`, { recursive: true });
  const perms = sandboxPermissions({
    claudeDir: resolve(opts.claudeDir),
    dbDir: dirname(resolve(opts.dbPath)),
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      serverV8Flags,
      ...perms,
      mainPath,
      "--claude-dir",
      opts.claudeDir,
      "--db",
      opts.dbPath,
      "--port",
      String(port),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { ...serverMallocEnv, ...opts.env },
  }).spawn();
  const stdout = new Lines(child.stdout, false);
  const stderr = new Lines(child.stderr, false);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  try {
    await Promise.race([
      stdout.wait(/claude-dash serving (http:\/\/\S+?)\/?\s/, 120_000, "the server's address"),
      status.then((s) => {
        throw new Error(
          `server exited with ${s.code} before serving: ${stderr.all.slice(-5).join(" / ")}`,
        );
      }),
    ]);
  } catch (e) {
    if (!exited) child.kill("SIGKILL");
    throw e;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    spawnedAt,
    stdout,
    stderr,
    memory: () => procMemory(child.pid),
    async backfillDone(timeoutMs: number) {
      const m = await stdout.wait(/backfill done in ([\d.]+) s/, timeoutMs, "the backfill");
      return Number(m[1]) * 1000;
    },
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        const timer = setTimeout(() => {
          try {
            if (!exited) child.kill("SIGKILL");
          } catch { /* gone */ }
        }, 10_000);
        await status;
        clearTimeout(timer);
      }
      await Promise.all([stdout.done, stderr.done]);
    },
  };
}

/** Polls `url` until it answers 200; returns ms since `t0` (performance.now()). */
export async function waitHttp(url: string, t0: number, timeoutMs: number): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return performance.now() - t0;
    } catch { /* not listening yet */ }
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface TimedRun {
  code: number;
  wallMs: number;
  /** Peak resident set size of the process, from /usr/bin/time -v or /proc polling. */
  peakRssKb: number | null;
  stdout: string;
  stderr: string;
}

const gnuTime = "/usr/bin/time";

/** Runs a command to completion, measuring wall time and peak memory. */
export async function runTimed(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  opts: { clearEnv?: boolean } = {},
): Promise<TimedRun> {
  let useTime = false;
  try {
    useTime = Deno.statSync(gnuTime).isFile;
  } catch { /* not installed: poll /proc instead */ }
  const t0 = performance.now();
  const child = new Deno.Command(useTime ? gnuTime : cmd, {
    args: useTime ? ["-v", cmd, ...args] : args,
    env,
    clearEnv: opts.clearEnv,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let polledHwm = 0;
  const poll = useTime ? undefined : setInterval(() => {
    const m = procMemory(child.pid);
    if (m) polledHwm = Math.max(polledHwm, m.hwmKb);
  }, 20);
  const out = await child.output();
  const wallMs = performance.now() - t0;
  clearInterval(poll);
  const stdout = new TextDecoder().decode(out.stdout);
  let stderr = new TextDecoder().decode(out.stderr);
  let peak: number | null = polledHwm || null;
  if (useTime) {
    const m = stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
    peak = m ? Number(m[1]) : null;
    const cut = stderr.indexOf("\tCommand being timed:");
    if (cut >= 0) stderr = stderr.slice(0, cut);
  }
  return { code: out.code, wallMs, peakRssKb: peak, stdout, stderr };
}

/** Runs a Deno helper script of the benchmark and parses the JSON it prints last. */
export async function runDenoJson<T>(script: string, args: string[]): Promise<T & TimedRun> {
  const r = await runTimed(Deno.execPath(), ["run", "-A", serverV8Flags, script, ...args], {
    ...serverMallocEnv,
  });
  if (r.code !== 0) {
    throw new Error(`${script} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  }
  const lines = r.stdout.trim().split("\n");
  return { ...JSON.parse(lines[lines.length - 1]) as T, ...r };
}

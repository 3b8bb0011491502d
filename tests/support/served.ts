// Real servers for tests, run the way users run them: `main.ts` in a child process under exactly
// the permission flags `deno task start` gives it (scripts/launch.ts launchArgs("start", …)),
// with a test HOME. A permission the server lacks fails here as it would for a user, which an
// in-process server inside `deno test --allow-all` can never show. The test process opens the
// server's database too (WAL: the server stays the only ingest writer) for assertions.

import { launchArgs } from "../../scripts/launch.ts";
import { type Db, openDb } from "../../src/store/db.ts";
import { makeHome, type TestHome } from "./home.ts";
import { pageToken } from "./post.ts";
import { denoDir, root } from "./tasks.ts";

/** Longest a server may take to print its address and finish its first backfill. */
const startTimeoutMs = 30_000;
/** Longest settled() waits for a scan to finish. */
const settleTimeoutMs = 20_000;
/** Between two looks at /api/health (it counts against the server's per-client rate limit). */
const pollMs = 50;
/** Longest stop() waits after SIGTERM before SIGKILL. */
const killAfterMs = 5_000;

export interface Served {
  url: string; // http://127.0.0.1:PORT (no trailing slash)
  port: number;
  pid: number;
  home: TestHome;
  /** The server's own database, opened by the test process (WAL; the server stays the only ingest writer). For assertions and for test-only setup writes. Closed by stop(). */
  db: Db;
  /** /api/health as JSON. */
  health(): Promise<Record<string, unknown>>;
  /** Resolves once the server has ingested everything on disk when it was called (a full scan that started after the call has finished). */
  settled(): Promise<void>;
  /** Everything the server printed so far (stdout + stderr), for failure messages and log assertions. */
  output(): string;
  /** SIGTERM, waits for exit (SIGKILL after 5 s), closes db; returns the exit code. */
  stop(): Promise<number>;
  /** The `deno` arguments the server was started with (cwd: the checkout). */
  argv: string[];
  /** The environment the server was started with (clearEnv: nothing else is visible). */
  env: Record<string, string>;
  /** The ingester's counters from /api/health (`ingest`). */
  ingest(): Promise<IngestFigures>;
  /** Whether the process has exited. */
  exited(): boolean;
}

/** The ingest counters settled() and the tests read from /api/health. */
export interface IngestFigures {
  backfilled: boolean;
  paused: boolean;
  scans: number;
  scansDone: number;
  eventsStored: number;
  [key: string]: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function ingestOf(health: Record<string, unknown>): IngestFigures {
  const ing = health.ingest;
  if (
    !isRecord(ing) || typeof ing.scans !== "number" || typeof ing.scansDone !== "number" ||
    typeof ing.backfilled !== "boolean"
  ) {
    throw new Error(`/api/health has no ingest counters: ${JSON.stringify(health)}`);
  }
  return {
    ...ing,
    backfilled: ing.backfilled,
    paused: ing.paused === true,
    scans: ing.scans,
    scansDone: ing.scansDone,
    eventsStored: typeof ing.eventsStored === "number" ? ing.eventsStored : 0,
  };
}

/** Appends everything a stream says to `sink`, until it ends. */
async function pump(stream: ReadableStream<Uint8Array>, sink: (text: string) => void) {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
  } catch {
    // the process went away mid-read: what was read is kept
  }
}

/** The server variables the start flags let it read (others would be invisible anyway). */
function rootVars(env: Record<string, string>) {
  return { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME, CLAUDE_CONFIG_DIR: env.CLAUDE_CONFIG_DIR };
}

/** A server process that has printed its address (not yet backfilled: see serveReady). */
export interface Spawned {
  url: string;
  port: number;
  pid: number;
  argv: string[];
  env: Record<string, string>;
  output(): string;
  exited(): boolean;
  /** SIGTERM, waits for exit (SIGKILL after 5 s); returns the exit code. Safe to call twice. */
  stop(): Promise<number>;
}

export interface SpawnOptions {
  /** Extra main.ts flags (after `--port 0`). */
  args?: string[];
  /** Extra environment (only variables the start flags allow are visible to the server). */
  env?: Record<string, string>;
  /** Runs the server under `ulimit -n fdLimit` (soft and hard), through bash's exec. */
  fdLimit?: number;
}

/**
 * Spawns `main.ts start` under exactly the flags `deno task start` uses for HOME = `home`, on a
 * free port, and resolves once it prints the address it serves.
 */
export async function spawnServer(home: string, opts: SpawnOptions = {}): Promise<Spawned> {
  const extra = opts.env ?? {};
  const argv = launchArgs("start", { HOME: home, ...rootVars(extra) }, [
    "--port",
    "0",
    ...(opts.args ?? []),
  ]);
  if ("error" in argv) throw new Error(argv.error);
  const env = { ...extra, HOME: home, DENO_DIR: await denoDir(), NO_COLOR: "1" };
  // exec: the server is bash's process, so its pid is the child's and the limit is its own.
  const [cmd, args] = opts.fdLimit === undefined ? [Deno.execPath(), argv] : ["/bin/bash", [
    "-c",
    `ulimit -n ${opts.fdLimit} && exec "$@"`,
    "bash",
    Deno.execPath(),
    ...argv,
  ]];
  const child = new Deno.Command(cmd, {
    args,
    env,
    clearEnv: true,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  let exitCode: number | null = null;
  const pumps = Promise.all([
    pump(child.stdout, (t) => (text += t)),
    pump(child.stderr, (t) => (text += t)),
  ]);
  const status = child.status.then((s) => (exitCode = s.code));
  const stop = async (): Promise<number> => {
    if (exitCode === null) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, killAfterMs);
      await status;
      clearTimeout(timer);
    }
    await pumps;
    return exitCode ?? -1;
  };
  let url: string;
  try {
    url = await waitUntil(() => {
      const m = /serving (http:\/\/\S+?)\/?\s/.exec(text);
      if (m) return m[1];
      if (exitCode !== null) throw new Error(`the server exited (${exitCode}) before serving`);
      return null;
    }, "its serving line");
  } catch (e) {
    await stop();
    throw new Error(`${e instanceof Error ? e.message : e}\n--- server output ---\n${text}`);
  }
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid,
    argv,
    env,
    output: () => text,
    exited: () => exitCode !== null,
    stop,
  };
}

/**
 * Spawns `main.ts start` under exactly the flags `deno task start` uses for HOME = home.home, on
 * a free port, waits until it listens and its first backfill is done. `args` are extra main.ts
 * flags; `env` extra environment (only variables the start flags allow are visible to the server).
 */
export async function serveReady(
  home: TestHome,
  opts: { args?: string[]; env?: Record<string, string> } = {},
): Promise<Served> {
  const p = await spawnServer(home.home, opts);
  const { url } = p;
  try {
    await waitUntil(async () => ingestOf(await getHealth(url)).backfilled, "its first backfill");
  } catch (e) {
    await p.stop();
    throw new Error(`${e instanceof Error ? e.message : e}\n--- server output ---\n${p.output()}`);
  }
  let db: Db;
  try {
    db = openDb(home.dbPath);
  } catch (e) {
    await p.stop();
    throw e;
  }
  let closed = false;
  const served: Served = {
    url,
    port: p.port,
    pid: p.pid,
    home,
    db,
    argv: p.argv,
    env: p.env,
    health: () => getHealth(url),
    ingest: async () => ingestOf(await getHealth(url)),
    output: p.output,
    exited: p.exited,
    async settled() {
      const before = ingestOf(await getHealth(url));
      if (before.paused) throw new Error("settled(): live ingest is paused, no scan will run");
      // Asks for a scan now (the page's Rescan action) rather than waiting for the next
      // periodic one; if refused (rate limit), the periodic scan still settles it.
      await requestScan(url);
      await waitUntil(
        async () => ingestOf(await getHealth(url)).scansDone > before.scans,
        "a full scan that started after settled() was called",
        settleTimeoutMs,
      );
    },
    async stop() {
      if (!closed) {
        closed = true;
        db.close();
      }
      return await p.stop();
    },
  };
  return served;
}

/** makeHome + fill + serveReady + fn, cleaning up whatever happens. */
export async function withServed(
  fill: (h: TestHome) => Promise<void>,
  fn: (s: Served, h: TestHome) => Promise<void>,
  opts?: { args?: string[] },
): Promise<void> {
  const h = await makeHome();
  try {
    await fill(h);
    const s = await serveReady(h, opts);
    try {
      await fn(s, h);
    } finally {
      await s.stop();
    }
  } finally {
    await h.cleanup();
  }
}

/** /api/health; a 429 (the server's per-client rate limit, which tests share) is waited out. */
async function getHealth(url: string): Promise<Record<string, unknown>> {
  for (let attempt = 0;; attempt++) {
    const res = await fetch(`${url}/api/health`);
    if (res.status === 429 && attempt < 10) {
      await res.body?.cancel();
      const wait = Math.min(Number(res.headers.get("Retry-After")) || 1, 5);
      await new Promise((r) => setTimeout(r, wait * 1000));
      continue;
    }
    const body: unknown = await res.json();
    if (!res.ok || !isRecord(body)) throw new Error(`/api/health: ${res.status}`);
    return body;
  }
}

async function requestScan(url: string): Promise<void> {
  try {
    const res = await fetch(`${url}/api/actions/rescan`, {
      method: "POST",
      headers: { Origin: url, "X-CSRF-Token": await pageToken(url) },
    });
    await res.body?.cancel();
  } catch {
    // the periodic scan settles it
  }
}

/** Polls `check` until it returns a truthy value; throws after `timeoutMs` or if it throws. */
async function waitUntil<T>(
  check: () => T | null | false | Promise<T | null | false>,
  what: string,
  timeoutMs = startTimeoutMs,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

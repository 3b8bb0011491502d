// What the integration tests need from a spawned server beyond tests/support/served.ts: the
// alert engine's and the live bus's counters from /api/health and waits on them (only visible
// over HTTP: the server runs in its own process under the start flags), and a server started
// without a single request to it, for the tests that count requests against the rate limit.

import { launchArgs } from "../../scripts/launch.ts";
import { type Served, serveReady } from "./served.ts";
import type { TestHome } from "./home.ts";
import { denoDir, root } from "./tasks.ts";

/** Polls `check` every `everyMs` (not the 5 ms of waitFor: each check here is a request). */
export async function pollUntil<T>(
  check: () => Promise<T | null | false>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The alert engine's counters (`alerts` on /api/health). */
export interface AlertFigures {
  evaluations: number;
  errors: number;
  published: number;
}

/** The alert engine's counters as /api/health reports them. */
export async function alertStats(s: Served): Promise<AlertFigures> {
  const a = (await s.health()).alerts;
  if (typeof a !== "object" || a === null || !("evaluations" in a) || !("errors" in a)) {
    throw new Error("/api/health has no alert counters");
  }
  const { evaluations, errors, published } = a as Record<string, unknown>;
  return {
    evaluations: Number(evaluations),
    errors: Number(errors),
    published: Number(published),
  };
}

/** Waits until the alert engine has evaluated `n` more times than now. */
export async function alertTicks(s: Served, n: number): Promise<void> {
  const target = (await alertStats(s)).evaluations + n;
  await pollUntil(
    async () => (await alertStats(s)).evaluations >= target,
    n * 1500 + 1000,
    `${n} alert engine ticks`,
  );
}

/** A served server whose alert engine has run its first evaluation (it starts after backfill). */
export async function serveWithAlerts(
  h: TestHome,
  opts?: { args?: string[] },
): Promise<Served> {
  const s = await serveReady(h, opts);
  try {
    await pollUntil(
      async () => (await alertStats(s)).evaluations > 0,
      3000,
      "the alert engine to start",
    );
  } catch (e) {
    await s.stop();
    throw e;
  }
  return s;
}

/** Live clients connected now (`live_clients` on /api/health). */
export async function liveClients(s: Served): Promise<number> {
  return Number((await s.health()).live_clients);
}

/** A spawned server that no request has reached yet. */
export interface QuietServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Spawns `main.ts` under the start task's flags for `home` (as serveReady does) but waits for
 * the backfill by its log line instead of asking /api/health, so the rate limiter's bucket for
 * 127.0.0.1 is still full when the test begins.
 */
export async function serveQuiet(home: TestHome, args: string[]): Promise<QuietServer> {
  const argv = launchArgs("start", { HOME: home.home }, ["--port", "0", ...args]);
  if ("error" in argv) throw new Error(argv.error);
  const child = new Deno.Command(Deno.execPath(), {
    args: argv,
    env: { HOME: home.home, DENO_DIR: await denoDir(), NO_COLOR: "1" },
    clearEnv: true,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
  };
  let text = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => reader.cancel().catch(() => {}), 30_000);
  try {
    while (!/backfill done/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the server stopped before its backfill:\n${text}`);
      text += value;
    }
  } catch (e) {
    await stop();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  // The rest of its output is not needed, but the pipe must not fill up.
  reader.read().then(function drain(r): unknown {
    return r.done ? null : reader.read().then(drain);
  }).catch(() => {});
  const url = /serving (http:\/\/\S+?)\/?\s/.exec(text)?.[1];
  if (!url) {
    await stop();
    throw new Error(`no serving line:\n${text}`);
  }
  return { url, port: Number(new URL(url).port), stop };
}

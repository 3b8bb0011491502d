// A FIFO under projects/ or hooks/logs/raw_json/ blocks the runtime's file-watcher thread (it is
// shared by every Deno.watchFs of the process, so all live hints stop). Proven on the real
// server under the start task's exact flags: a new hook file is still served within 1 s (the
// folder poll takes over) and SIGTERM still ends the process within 2 s.

import assert from "node:assert/strict";
import { join } from "node:path";
import { makeHome, writeHook } from "../support/home.ts";
import { waitFor } from "../support/wait.ts";
import { denoDir, servingUrl, taskRunFlags } from "../support/tasks.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const opts = { sanitizeResources: false, sanitizeOps: false };

async function mkfifo(path: string): Promise<void> {
  const out = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(out.success, `mkfifo ${path}`);
}

async function served(url: string, session: string): Promise<boolean> {
  const res = await fetch(`${url}/api/events?session=${session}&limit=5`);
  return (await res.text()).includes(session);
}

/**
 * Starts the server under the start task's flags, makes a FIFO in projects/ and in raw_json/,
 * waits `settleMs`, runs `whileBlocked`, then sends SIGTERM: the process must exit within 2 s.
 */
async function fifoThenStop(
  settleMs: number,
  whileBlocked: (url: string, claudeDir: string) => Promise<void>,
): Promise<void> {
  const h = await makeHome();
  await Deno.mkdir(join(h.claudeDir, "projects/-tmp-fifo"), { recursive: true });
  const flags = await taskRunFlags("start", h.home);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, join(root, "main.ts"), "--port", "0", "--log-file"],
    env: { HOME: h.home, DENO_DIR: await denoDir(), NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  // The server's log, quoted when the stop is too slow: it says which step held it.
  const stderr = new Response(child.stderr).text();
  let exited = false;
  try {
    const url = await servingUrl(reader);
    // The watcher works before the FIFOs: a first file arrives live.
    await writeHook(h.claudeDir, { hook_event_name: "Notification", session_id: "before-1" });
    await waitFor(() => served(url, "before-1"), 3000, "hook before the FIFOs");

    await mkfifo(join(h.claudeDir, "projects/-tmp-fifo/pipe.jsonl"));
    await mkfifo(join(h.claudeDir, "hooks/logs/raw_json/20990101_000000_Stop_pipe.json"));
    await new Promise((r) => setTimeout(r, settleMs));
    await whileBlocked(url, h.claudeDir);

    const t0 = performance.now();
    child.kill("SIGTERM");
    const status = await Promise.race([
      child.status,
      new Promise<null>((r) => setTimeout(() => r(null), 2000)),
    ]);
    const took = performance.now() - t0;
    if (!status) {
      child.kill("SIGKILL");
      await child.status;
    }
    exited = true;
    // The server logs each stop step's time: printed, and quoted when the stop was slow.
    const logged = await Deno.readTextFile(
      join(h.claudeDir, "claude-dash/logs/claude-dash.log"),
    ).catch(() => "");
    const steps = logged.split("\n").filter((l) => l.includes("stopped:")).join("\n");
    console.log(`SIGTERM → exit: ${took.toFixed(0)} ms; ${steps || "no stop logged"}`);
    const why = `\nstderr:\n${await stderr}\nlog:\n${logged.slice(-4000)}`;
    assert.ok(status, `no exit within 2 s of SIGTERM${why}`);
    assert.equal(status.code, 0, why);
    assert.ok(took < 2000, `stopped in ${took.toFixed(0)} ms${why}`);
  } finally {
    reader.releaseLock();
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch { /* it had already exited: the error above says why */ }
      await child.status;
    }
    await child.stdout.cancel().catch(() => {});
    await stderr.catch(() => "");
    await h.cleanup();
  }
}

Deno.test(
  "with FIFOs created in projects/ and raw_json/ while serving, a new hook file is served within 1 s and SIGTERM exits within 2 s",
  opts,
  () =>
    fifoThenStop(300, async (url, claudeDir) => {
      // the watcher thread is blocked by now: the folder poll serves new files
      for (const session of ["after-1", "after-2"]) {
        await writeHook(claudeDir, { hook_event_name: "Notification", session_id: session });
        const t0 = performance.now();
        await waitFor(() => served(url, session), 1000, `${session} served within 1 s`);
        assert.ok(performance.now() - t0 <= 1000);
      }
      const health = await (await fetch(`${url}/api/health`)).json();
      assert.ok(health, "still answering");
    }),
);

Deno.test(
  "SIGTERM right after a FIFO appears, before the folder poll finds the watcher blocked, still exits within 2 s",
  opts,
  // Closing a watcher then waited on the blocked watcher thread: the stop never ended.
  () => fifoThenStop(50, () => Promise.resolve()),
);

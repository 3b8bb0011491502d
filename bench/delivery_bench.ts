// Issue 16's delivery costs, timed from the caller's side as Claude Code pays them: the command
// hook (`deno task hook`'s exact command line through `sh -c`, a real hook payload on stdin, one
// process per event), the HTTP hook (a POST of the same payload to the running server's /hooks
// route) and `claude-dash statusline` (a statusline payload on stdin). What is not there yet is
// reported as "not available yet" instead of failing the bench.

import { join } from "node:path";
import { type ServerProc, startServer } from "./procs.ts";
import type { Report } from "./report.ts";
import { fmt, percentiles } from "./stats.ts";

export const deliverySection = "Delivery cost per call (as Claude Code pays it)";

const repo = new URL("../", import.meta.url).pathname;
const fixtures = new URL("../tests/fixtures/", import.meta.url).pathname;

export interface DeliveryOptions {
  /** Scratch folder: a temporary HOME is made in it. */
  base: string;
  /** Timed calls per kind (after one untimed warm-up call). */
  calls: number;
  progress?: (text: string) => void;
}

/** A compact JSON text of the first of these fixture files that exists, or null. */
function recorded(...rels: string[]): string | null {
  for (const rel of rels) {
    try {
      return JSON.stringify(JSON.parse(Deno.readTextFileSync(join(fixtures, rel))));
    } catch { /* not recorded (yet) */ }
  }
  return null;
}

/** A real PreToolUse payload: recorded from Claude Code 2.1, else the older hook-log fixture. */
function hookPayload(): string {
  const cc21 = recorded("claude-code-2.1/hooks/04-PreToolUse.json");
  if (cc21 !== null) return cc21;
  const items = JSON.parse(
    Deno.readTextFileSync(join(fixtures, "hook-logs/attio-mcp-server/pre_tool_use.json")),
  ) as unknown[];
  return JSON.stringify(items[3]);
}

/** A statusline payload with rate_limits: recorded from Claude Code 2.1, else of its shape. */
function statuslinePayload(home: string): string {
  const cc21 = recorded("claude-code-2.1/statusline/subscription.json");
  if (cc21 !== null) return cc21;
  const now = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    session_id: "bench-statusline-0000",
    transcript_path: join(home, ".claude/projects/-bench/bench-statusline-0000.jsonl"),
    cwd: "/bench",
    model: { id: "claude-opus-5-5", display_name: "Opus 5.5" },
    workspace: { current_dir: "/bench", project_dir: "/bench" },
    version: "2.1.332",
    cost: { total_cost_usd: 0.42, total_duration_ms: 60_000, total_api_duration_ms: 20_000 },
    context_window: { total_input_tokens: 42_000, context_window_size: 200_000 },
    rate_limits: {
      five_hour: { used_percentage: 37, resets_at: now + 7200 },
      seven_day: { used_percentage: 12, resets_at: now + 4 * 86400 },
    },
  });
}

/** The command line of a deno.json task, or null when there is no such task. */
function taskCommand(name: string): string | null {
  const config = JSON.parse(Deno.readTextFileSync(join(repo, "deno.json"))) as {
    tasks?: Record<string, string | { command?: string }>;
  };
  const t = config.tasks?.[name];
  if (typeof t === "string") return t;
  return typeof t?.command === "string" ? t.command : null;
}

interface ShellRun {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command` through sh -c (as Claude Code runs hook and statusline commands). */
async function shell(command: string, home: string, stdin: string): Promise<ShellRun> {
  const t0 = performance.now();
  const child = new Deno.Command("sh", {
    args: ["-c", command],
    cwd: repo,
    env: { HOME: home, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const out = await child.output();
  const ms = performance.now() - t0;
  const dec = new TextDecoder();
  return { ms, code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Times `calls` runs after one warm-up; null with the reason when the first run fails. */
async function timeShell(
  command: string,
  home: string,
  stdin: string,
  calls: number,
  ok: (r: ShellRun) => string | null,
): Promise<{ ms: number[]; last: ShellRun } | { error: string }> {
  const first = await shell(command, home, stdin);
  const why = ok(first);
  if (why !== null) return { error: why };
  const ms: number[] = [];
  let last = first;
  for (let i = 0; i < calls; i++) {
    last = await shell(command, home, stdin);
    ms.push(last.ms);
  }
  return { ms, last };
}

function addP50P95(report: Report, what: string, ms: number[], note: string, p95Target?: number) {
  const p = percentiles(ms);
  report.add({ section: deliverySection, name: `${what} p50`, value: p.p50, unit: "ms", note });
  report.add({
    section: deliverySection,
    name: `${what} p95`,
    value: p.p95,
    unit: "ms",
    target: p95Target === undefined ? undefined : { op: "<", value: p95Target, source: "issue 16" },
    note: `max ${fmt(p.max)} ms over ${p.n} calls`,
  });
}

function notYet(report: Report, what: string, why: string): void {
  report.note(`${what}: not available yet (${why})`);
}

/** Runs the three measurements and adds their p50/p95 figures to the report. */
export async function deliveryPhase(report: Report, opts: DeliveryOptions): Promise<void> {
  const say = opts.progress ?? (() => {});
  // Not under /dev/shm: Deno asks for --allow-all to write anywhere under /dev, which the hook's
  // narrow permissions rightly do not have.
  const home = await Deno.makeTempDir({ prefix: "claude-dash-delivery-" });
  try {
    await measureAll(report, opts, home, say);
  } finally {
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

async function measureAll(
  report: Report,
  opts: DeliveryOptions,
  home: string,
  say: (text: string) => void,
): Promise<void> {
  const claudeDir = join(home, ".claude");
  const rawDir = join(claudeDir, "hooks/logs/raw_json");
  await Deno.mkdir(rawDir, { recursive: true });
  await Deno.mkdir(join(claudeDir, "projects"), { recursive: true });
  const payload = hookPayload();

  say(`command hook: ${opts.calls} calls of deno task hook's command line`);
  const hookTask = taskCommand("hook");
  if (hookTask === null) notYet(report, "command hook", "no hook task in deno.json");
  else {
    const files = () => [...Deno.readDirSync(rawDir)].filter((e) => e.name.endsWith(".json"));
    const r = await timeShell(
      hookTask,
      home,
      payload,
      opts.calls,
      (run) =>
        run.code !== 0 || files().length !== 1
          ? `exit ${run.code}, ${files().length} files saved: ${run.stderr.slice(-300)}`
          : null,
    );
    if ("error" in r) report.note(`command hook failed: ${r.error}`);
    else {
      addP50P95(
        report,
        "command hook (deno task hook's command, one process per event)",
        r.ms,
        `sh -c + deno run main.ts hook, ${payload.length} B recorded PreToolUse payload; ${files().length} payload files saved`,
      );
    }
  }
  await httpHook(report, opts, claudeDir, payload, say);
  await statusline(report, opts, home, say);
}

/** POST /hooks on a running server, when the route exists. */
async function httpHook(
  report: Report,
  opts: DeliveryOptions,
  claudeDir: string,
  payload: string,
  say: (text: string) => void,
): Promise<void> {
  say(`HTTP hook: ${opts.calls} POSTs to /hooks`);
  let server: ServerProc | null = null;
  try {
    server = await startServer({ claudeDir, dbPath: join(opts.base, "db/delivery.db") });
    const secret = await hookSecret(claudeDir);
    const post = async () => {
      const t0 = performance.now();
      const res = await fetch(`${server!.url}/hooks`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          ...(secret ? { Authorization: `Bearer ${secret}` } : {}),
        },
        body: payload,
      });
      const body = await res.text();
      return { ms: performance.now() - t0, status: res.status, body };
    };
    const first = await post();
    // No route yet: 404/405, or the guard against cross-site POSTs that covers every other POST.
    if (first.status === 404 || first.status === 405 || (first.status === 403 && !routeFile())) {
      notYet(report, "HTTP hook", `POST /hooks answers ${first.status} ${first.body.slice(0, 80)}`);
      return;
    }
    if (first.status >= 300) {
      report.note(`HTTP hook not measured: POST /hooks answers ${first.status} ${first.body}`);
      return;
    }
    const ms: number[] = [];
    for (let i = 0; i < opts.calls; i++) {
      const r = await post();
      if (r.status >= 300) throw new Error(`POST /hooks answered ${r.status}`);
      ms.push(r.ms);
    }
    addP50P95(
      report,
      "HTTP hook (POST /hooks, committed before the reply)",
      ms,
      "one keep-alive connection from the caller; no process per event",
    );
  } catch (e) {
    report.note(`HTTP hook not measured: ${e instanceof Error ? e.message : e}`);
  } finally {
    await server?.stop();
  }
}

/** Whether the HTTP hook route is mounted in the app (another part of issue 16 adds it). */
function routeFile(): boolean {
  try {
    return Deno.readTextFileSync(join(repo, "src/http/app.ts")).includes("ingest_hooks");
  } catch {
    return false;
  }
}

/** The shared secret the server expects on /hooks, once setup or the server has made one. */
async function hookSecret(claudeDir: string): Promise<string | null> {
  for (
    const rel of ["claude-dash/secret", "claude-dash/ingest-secret", "claude-dash/hook-secret"]
  ) {
    try {
      return (await Deno.readTextFile(join(claudeDir, rel))).trim();
    } catch { /* not there */ }
  }
  return null;
}

/** `claude-dash statusline` with a statusline payload on stdin, when the command exists. */
async function statusline(
  report: Report,
  opts: DeliveryOptions,
  home: string,
  say: (text: string) => void,
): Promise<void> {
  say(`statusline: ${opts.calls} calls`);
  const task = taskCommand("statusline");
  if (task === null) {
    notYet(report, "statusline", "no statusline task in deno.json");
    return;
  }
  const r = await timeShell(
    task,
    home,
    statuslinePayload(home),
    opts.calls,
    (run) =>
      run.code !== 0 || run.stdout.trim() === ""
        ? `exit ${run.code}, stdout ${JSON.stringify(run.stdout.slice(0, 80))}: ${
          run.stderr.slice(-300)
        }`
        : null,
  );
  if ("error" in r) {
    notYet(report, "statusline", r.error);
    return;
  }
  addP50P95(
    report,
    "statusline (deno task statusline's command)",
    r.ms,
    `sh -c + deno run main.ts statusline, recorded subscription payload (with rate_limits; ` +
      `samples thinned, so most calls only print); prints ${
        JSON.stringify(r.last.stdout.trim().slice(0, 60))
      }`,
    50,
  );
}

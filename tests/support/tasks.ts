// Runs main.ts the way a deno.json task does: the task's own `deno run` flags (permissions
// and all), with $HOME expanded to a test home, and the machine's Deno cache so a child with
// a fake HOME finds the npm packages without downloading them. The start, dev and compile
// tasks run scripts/launch.ts, which works the flags out from HOME, XDG_CONFIG_HOME and
// CLAUDE_CONFIG_DIR: their flags are asked of the real launcher, run under its own task flags.

import { join } from "node:path";
import { launchArgs, type LaunchMode } from "../../scripts/launch.ts";

export const root = new URL("../..", import.meta.url).pathname;

const launcher = "scripts/launch.ts";

/** A deno.json task's command, split into words. */
export async function taskWords(task: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  return (config.tasks[task].command as string).split(/\s+/);
}

/** The environment a task's child sees: HOME (and the roots' variables), nothing else. */
export type TaskEnv = { XDG_CONFIG_HOME?: string; CLAUDE_CONFIG_DIR?: string };

/**
 * The `deno` arguments a launcher task runs (e.g. ["run", "--allow-read=…", …, "main.ts"]),
 * as printed by the real launcher under the task's own flags with HOME=home and `env`.
 */
export async function launchedArgs(task: string, home: string, env: TaskEnv = {}) {
  const words = await taskWords(task);
  const at = words.indexOf(launcher);
  if (words[0] !== "deno" || words[1] !== "run" || at < 0) {
    throw new Error(`task ${task} does not run ${launcher}`);
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...words.slice(1, at + 1), "--print", ...words.slice(at + 1)],
    env: { HOME: home, ...env, DENO_DIR: await denoDir(), NO_COLOR: "1" },
    clearEnv: true,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout)) as string[];
}

/**
 * Every `--flag` of a deno.json task's `deno run` command, with $HOME expanded; for a task
 * that goes through the launcher, the flags the launcher gives the server.
 */
export async function taskRunFlags(task: string, home: string, env: TaskEnv = {}) {
  const words = await taskWords(task);
  if (words.includes(launcher)) {
    const args = await launchedArgs(task, home, env);
    if (args[0] !== "run") throw new Error(`task ${task} does not deno run`);
    return args.filter((w) => w.startsWith("--"));
  }
  if (words[0] !== "deno" || words[1] !== "run") throw new Error(`task ${task} is not deno run`);
  return words.filter((w) => w.startsWith("--")).map((w) => w.replaceAll("$HOME", home));
}

/** The arguments the task passes to main.ts (e.g. ["hook"]; the launcher's doctor: ["doctor"]). */
export async function taskMainArgs(task: string): Promise<string[]> {
  const words = await taskWords(task);
  if (words.includes(launcher)) {
    const at = words.indexOf(launcher);
    const argv = launchArgs(words[at + 1] as LaunchMode, { HOME: "/h" }, words.slice(at + 2));
    if ("error" in argv) throw new Error(argv.error);
    return argv.slice(argv.indexOf("main.ts") + 1);
  }
  return words.slice(words.indexOf("main.ts") + 1);
}

let cachedDenoDir: string | undefined;

/** This machine's Deno cache folder. */
export async function denoDir(): Promise<string> {
  if (cachedDenoDir) return cachedDenoDir;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  cachedDenoDir = JSON.parse(new TextDecoder().decode(out.stdout)).denoDir as string;
  return cachedDenoDir;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run <task flags> main.ts <args>` with HOME=home, an optional stdin, from `cwd`
 * (the checkout, as `deno task` does, unless a test says otherwise).
 */
export async function runTask(
  task: string,
  home: string,
  args: string[],
  stdin?: Uint8Array | string,
  cwd = root,
): Promise<RunResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...(await taskRunFlags(task, home)), join(root, "main.ts"), ...args],
    env: { HOME: home, DENO_DIR: await denoDir(), NO_COLOR: "1" },
    clearEnv: true,
    cwd,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin);
    await w.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Reads a server's stdout until its "serving http://…/" line; returns the URL. */
export async function servingUrl(reader: ReadableStreamDefaultReader<string>): Promise<string> {
  let text = "";
  for (;;) {
    const m = /serving (http:\/\/\S+)\//.exec(text);
    if (m) return m[1];
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before serving: ${text}`);
    text += value;
  }
}

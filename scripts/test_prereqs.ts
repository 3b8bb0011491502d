// Run by `deno task test` before `deno test`: installs what some tests need beyond Deno and npm
// packages (Chromium, Prometheus) when it can — running as root with apt-get — and otherwise
// prints one line per missing program naming the tests that will be skipped and the command
// that enables them. Prints nothing when everything is there. Never fails the task: the tests
// themselves are ignored when their program is missing (tests/support/prereqs.ts).
//
// Permissions (deno.json): read (to look for the programs), env PATH and the two overrides,
// sys uid (am I root?), run /usr/bin/apt-get. No write, no network of its own.

import { env, type Prereq, prereqs, skipLine } from "../tests/support/prereqs.ts";

/** Debian's, at the one path the task's --allow-run names. */
const aptGet = "/usr/bin/apt-get";

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

async function apt(args: string[]): Promise<{ ok: boolean; detail: string }> {
  try {
    const out = await new Deno.Command(aptGet, {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
    return { ok: out.success, detail: lines[lines.length - 1] ?? "" };
  } catch (e) {
    return { ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

async function install(missing: Prereq[]): Promise<string | null> {
  const packages = missing.map((p) => p.aptPackage);
  console.log(`test prerequisites: installing ${packages.join(", ")} with apt-get`);
  const update = await apt(["update", "-qq"]);
  if (!update.ok) return `apt-get update failed: ${update.detail}`;
  const done = await apt(["install", "-y", "-qq", ...packages]);
  return done.ok ? null : `apt-get install failed: ${done.detail}`;
}

// A program whose location is overridden is the caller's to provide: nothing to install.
const missing = prereqs.filter((p) => p.find() === null && env(p.override) === undefined);
if (missing.length > 0 && isRoot() && isFile(aptGet)) {
  const failure = await install(missing);
  if (failure) console.log(`test prerequisites: ${failure}`);
}
for (const p of prereqs) {
  if (p.find() === null) console.log(skipLine(p));
}

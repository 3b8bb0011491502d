// What a fresh `deno task start` downloads: only the packages the server and its bundled
// islands use. `deno task` downloads every package of deno.json's "imports" and of deno.lock
// before it runs any task, so the test and tool packages (playwright-core, typescript) are
// scoped imports (tests/, bench/, scripts/), and the tasks that run tests, checks and benchmarks
// keep their lock entries in deno.dev.lock: deno.lock holds only what the server needs.

import assert from "node:assert/strict";
import { join } from "node:path";
import { root } from "./support/tasks.ts";

/** Packages only tests, benchmarks and the architecture check use. */
const devOnly = ["playwright-core", "typescript"];

/** The server's own packages (and their dependencies), by name. */
const serverPackages = [
  "@preact/signals",
  "@preact/signals-core",
  "hono",
  "long",
  "preact",
  "preact-render-to-string",
  "protobufjs",
];

/** "npm:@preact/signals@2.11.4", "@preact/signals@2.11.4_preact@10.29.8" → "@preact/signals". */
const named = (key: string) => key.replace(/^npm:/, "").match(/^@?[^@]+/)![0];

async function deno(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("deno.lock lists only the server's packages; tests and tools lock theirs in deno.dev.lock", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  for (const p of devOnly) assert.ok(!(p in config.imports), `${p} is not in the import map`);
  for (const task of ["test", "test:unit", "check", "bench"]) {
    const runs = (config.tasks[task].command as string).match(/\bdeno (test|check|run) /g) ?? [];
    const locked = (config.tasks[task].command as string)
      .match(/\bdeno (test|check|run) --lock=deno\.dev\.lock /g) ?? [];
    assert.ok(locked.length > 0, `${task} uses deno.dev.lock`);
    assert.ok(runs.length - locked.length <= 1, task); // the test task's prerequisite check
  }
  const lock = JSON.parse(await Deno.readTextFile(join(root, "deno.lock")));
  const locked = [...Object.keys(lock.specifiers ?? {}), ...Object.keys(lock.npm ?? {})];
  assert.deepEqual(
    [...new Set(locked.map(named))].sort(),
    serverPackages,
    "deno.lock lists a package the server does not use: a test or tool was run without " +
      "--lock=deno.dev.lock; rebuild it: rm deno.lock && deno cache main.ts src/web/client/main.tsx",
  );
});

Deno.test("main.ts and the islands' module graphs include no test-only package", async () => {
  for (const entry of ["main.ts", "src/web/client/main.tsx"]) {
    const r = await deno(["info", "--json", entry]);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as {
      modules: Array<{ specifier: string }>;
      npmPackages: Record<string, unknown>;
    };
    const packages = Object.keys(info.npmPackages).map(named);
    for (const p of devOnly) {
      assert.ok(!packages.includes(p), `${entry} would install ${p}`);
      assert.ok(!info.modules.some((m) => m.specifier.includes(p)), `${entry} imports ${p}`);
    }
  }
});

Deno.test(
  "a task run with an empty Deno cache downloads only the server's packages",
  { sanitizeResources: false, sanitizeOps: false },
  async () => {
    const denoDir = await Deno.makeTempDir({ prefix: "claude-dash-denodir-" });
    const home = await Deno.makeTempDir({ prefix: "claude-dash-home-" });
    try {
      const env = { DENO_DIR: denoDir, HOME: home };
      // `deno task` installs the import map's packages before running the task (the hook task
      // itself loads none and exits 0 on empty stdin); then what start and build resolve.
      const task = await deno(["task", "hook"], env);
      assert.equal(task.code, 0, task.stderr);
      const cache = await deno(["cache", "--frozen", "main.ts", "src/web/client/main.tsx"], env);
      assert.equal(cache.code, 0, cache.stderr);
      const registry = join(denoDir, "npm/registry.npmjs.org");
      const fetched: string[] = [];
      for await (const e of Deno.readDir(registry)) {
        if (!e.name.startsWith("@")) fetched.push(e.name);
        else {for await (const s of Deno.readDir(join(registry, e.name))) {
            fetched.push(`${e.name}/${s.name}`);
          }}
      }
      // deno bundle brings its own esbuild binary; everything else is the server's.
      const packages = fetched.filter((p) => !p.startsWith("@esbuild/")).sort();
      assert.deepEqual(packages, serverPackages);
    } finally {
      await Deno.remove(denoDir, { recursive: true }).catch(() => {});
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  },
);

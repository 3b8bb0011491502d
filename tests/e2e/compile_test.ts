// The single binary. `deno compile` needs Deno's `denort` base binary, which it downloads on
// first use; this machine cannot reach the download. So the test verifies everything up to
// that step: the compile task's command line, that its permission flags are exactly start's
// and dev's, that the static assets are part of the module graph (no --include needed), and
// that `deno compile` accepts the command and embeds the program. With a real denort at hand
// (DENORT_BIN, or one cached in DENO_DIR by an earlier online build) it builds the binary and
// runs it. Running the same entry point under the same flags is tests/sandbox_test.ts.
// start, dev and compile go through scripts/launch.ts (it works out the folders to read from
// the environment): their commands are the ones the real launcher prints.

import assert from "node:assert/strict";
import { join } from "node:path";
import { makeHome, writeFixtures } from "../support/home.ts";
import { waitFor } from "../support/wait.ts";
import { launchedArgs, servingUrl } from "../support/tasks.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const opts = { sanitizeResources: false, sanitizeOps: false };

async function tasks(): Promise<Record<string, { command: string }>> {
  return JSON.parse(await Deno.readTextFile(join(root, "deno.json"))).tasks;
}

const permissionFlags = (command: string) =>
  command.split(/\s+/).filter((w) => /^(-A|--allow-|--deny-)/.test(w));

async function denoInfo(args: string[]): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** A real denort this machine already has, if any (never downloaded here). */
async function availableDenort(denoDir: string): Promise<string | null> {
  const fromEnv = Deno.env.get("DENORT_BIN");
  if (fromEnv) {
    try {
      if ((await Deno.stat(fromEnv)).isFile) return fromEnv;
    } catch {
      // not there
    }
  }
  const cached = join(
    denoDir,
    "dl/release",
    `v${Deno.version.deno}`,
    `denort-${Deno.build.target}.zip`,
  );
  try {
    await Deno.stat(cached);
    return cached;
  } catch {
    return null;
  }
}

Deno.test("the compile task bakes in exactly start's permission set, with the same entry point", async () => {
  const t = await tasks();
  const home = "/home/someone";
  const env = { XDG_CONFIG_HOME: "/xdg", CLAUDE_CONFIG_DIR: "/a,~/b" };
  const launched = async (task: string) => await launchedArgs(task, home, env);
  const compile = await launched("compile");
  assert.deepEqual(compile.slice(0, 2), ["compile", "--exclude-unused-npm"]);
  assert.equal(compile[compile.indexOf("--output") + 1], "claude-dash");
  assert.equal(compile.at(-1), "main.ts", "the entry point");
  const start = await launched("start");
  assert.equal(start[0], "run");
  assert.equal(start.at(-1), "main.ts", "start runs the same entry point");
  const dev = await launched("dev");
  const flags = (args: string[]) => permissionFlags(args.join(" "));
  assert.deepEqual(flags(compile), flags(start));
  assert.deepEqual(flags(dev), flags(start));
  assert.deepEqual(flags(start), [
    `--allow-read=${
      [
        ...["projects", "hooks", "claude-dash", "settings.json"].map((p) => `${home}/.claude/${p}`),
        ...["/xdg/claude", "/a", `${home}/b`].map((r) => `${r}/projects`),
      ].join(",")
    }`,
    `--allow-write=${home}/.claude/claude-dash`,
    "--allow-net=127.0.0.1,localhost",
    "--allow-env=HOME,XDG_CONFIG_HOME,CLAUDE_CONFIG_DIR",
  ]);
  for (const [name, words] of [["start", start], ["dev", dev], ["compile", compile]] as const) {
    for (const forbidden of ["-A", "--allow-all", "--allow-run", "--allow-ffi", "--allow-sys"]) {
      assert.ok(
        !words.some((w) => w === forbidden || w.startsWith(`${forbidden}=`)),
        `${name}: ${forbidden}`,
      );
    }
    // The launcher itself reads nothing: three variables, and running deno.
    assert.deepEqual(permissionFlags(t[name].command), [
      "--allow-env=HOME,XDG_CONFIG_HOME,CLAUDE_CONFIG_DIR",
      "--allow-run=deno",
    ]);
  }
  assert.ok(!compile.some((w) => w.startsWith("--include")), "assets are modules: no --include");
});

Deno.test("the island bundle and the stylesheet are modules of main.ts, so deno compile embeds them", async () => {
  const info = await denoInfo(["main.ts"]);
  const modules = (info.modules as Array<{ specifier: string }>).map((m) => m.specifier);
  const assetsModule = `file://${root}/src/web/assets.gen.ts`;
  assert.ok(modules.includes(assetsModule), "src/web/assets.gen.ts is in main.ts's module graph");
  const { assets } = await import("../../src/web/assets.gen.ts");
  const names = Object.keys(assets);
  assert.ok(names.some((n) => /^islands-[0-9a-f]+\.js$/.test(n)), names.join(", "));
  assert.ok(names.some((n) => /^style-[0-9a-f]+\.css$/.test(n)), names.join(", "));
  for (const n of names) assert.ok(assets[n].body.length > 1000, `${n} has its content`);
  // Nothing under static/ is read at run time: the server reads no file outside ~/.claude.
  // The worker hosts locate their worker's source, used only where it may be read (tests,
  // tools); the sandboxed server and the binary start the embedded bundle (worker_start.ts).
  const workerHosts = ["src/ingest/backfill_host.ts", "src/ingest/usage_first.ts"];
  for (const m of modules.filter((s) => s.startsWith(`file://${root}/src/`))) {
    const src = await Deno.readTextFile(new URL(m));
    if (workerHosts.some((h) => m.endsWith(`/${h}`))) {
      assert.match(src, /from "\.\/\w+_worker\.gen\.ts"/, `${m} embeds its worker's bundle`);
      assert.match(src, /startWorker\(/, `${m} starts its worker through worker_start.ts`);
      continue;
    }
    assert.ok(!/import\.meta\.(url|dirname|filename)/.test(src), `${m} locates files on disk`);
  }
});

Deno.test(
  "deno compile accepts the compile task's command line and embeds the program (and the binary runs when a denort is at hand)",
  opts,
  async () => {
    const h = await makeHome();
    const out = await Deno.makeTempDir({ prefix: "claude-dash-compile-" });
    try {
      const info = await denoInfo([]);
      const denort = await availableDenort(info.denoDir as string);
      const args = await launchedArgs("compile", h.home);
      args[args.indexOf("--output") + 1] = join(out, "claude-dash");
      // Without a real denort, Deno's own executable stands in as the base: `deno compile`
      // then does everything but fetch denort (type check, module graph, npm packages,
      // embedding, permission flags), and the file it writes is not run.
      const base = denort ?? Deno.execPath();
      const res = await new Deno.Command(Deno.execPath(), {
        args,
        cwd: root,
        env: { DENORT_BIN: base, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const log = new TextDecoder().decode(res.stdout) + new TextDecoder().decode(res.stderr);
      assert.equal(res.code, 0, log);
      assert.match(log, /Compile main\.ts to /);
      assert.match(log, /main\.ts/);
      assert.match(log, /hono/);
      assert.match(log, /preact/);
      assert.doesNotMatch(log, /playwright/, "test-only npm packages are not embedded");
      assert.doesNotMatch(log, /Download/, "nothing was downloaded");
      const size = (await Deno.stat(join(out, "claude-dash"))).size;
      assert.ok(size > 10_000_000, `binary of ${size} bytes`);
      if (!denort) {
        console.log(
          "no denort on this machine (set DENORT_BIN to run the binary): compiled with Deno itself as the base, not run",
        );
        return;
      }
      // A real denort: run the binary with a fake HOME, exactly as a user would.
      await writeFixtures(h.claudeDir);
      const child = new Deno.Command(join(out, "claude-dash"), {
        args: ["--port", "0"],
        env: { HOME: h.home },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      try {
        const url = await servingUrl(reader);
        await waitFor(
          async () => (await (await fetch(`${url}/api/health`)).json()).events > 0,
          10_000,
          "events",
        );
        const page = await fetch(`${url}/`);
        assert.equal(page.status, 200);
        const asset = /src="(\/static\/[^"]+)"/.exec(await page.text())?.[1];
        assert.ok(asset);
        assert.equal((await fetch(`${url}${asset}`)).status, 200);
      } finally {
        reader.releaseLock();
        child.kill("SIGTERM");
        await child.status;
        await child.stdout.cancel().catch(() => {});
        await child.stderr.cancel().catch(() => {});
      }
    } finally {
      await Deno.remove(out, { recursive: true });
      await h.cleanup();
    }
  },
);

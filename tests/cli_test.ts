import assert from "node:assert/strict";
import { join } from "node:path";
import { parseArgs } from "../src/commands/cli.ts";
import { makeHome, writeFixtures } from "./support/home.ts";
import { denoDir, root, servingUrl, taskRunFlags as taskFlags } from "./support/tasks.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function run(args: string[], env: Record<string, string>, flags: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, join(root, "main.ts"), ...args],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("flags parse into options, with defaults under $HOME/.claude", () => {
  assert.deepEqual(parseArgs([], "/home/u"), {
    kind: "run",
    options: {
      port: 7878,
      dbPath: "/home/u/.claude/claude-dash/claude-dash.db",
      claudeDir: "/home/u/.claude",
    },
  });
  assert.deepEqual(parseArgs(["--port", "9000", "--db=/tmp/x.db", "--claude-dir", "/c/"], "/h"), {
    kind: "run",
    options: { port: 9000, dbPath: "/tmp/x.db", claudeDir: "/c" },
  });
  assert.equal(parseArgs(["--help"], "/h").kind, "help");
  assert.equal(parseArgs(["--version"], "/h").kind, "version");
  assert.deepEqual(parseArgs(["--port", "abc"], "/h"), {
    kind: "error",
    message: '--port needs a number from 0 to 65535, got "abc"',
  });
  assert.deepEqual(parseArgs(["--nope"], "/h"), {
    kind: "error",
    message: 'unknown option "--nope" (see --help)',
  });
  assert.equal(parseArgs([], undefined).kind, "error");
});

Deno.test(
  "the start task's exact permission flags serve the dashboard from a fake HOME",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    const flags = await taskFlags("start", h.home);
    const parts = ["projects", "hooks", "claude-dash", "settings.json"];
    const readable = [
      ...parts.map((p) => `${h.claudeDir}/${p}`),
      `${h.home}/.config/claude/projects`,
    ];
    assert.ok(flags.includes(`--allow-read=${readable.join(",")}`), flags.join(" "));
    assert.ok(!flags.some((f) => f === "--allow-all" || f === "-A"));
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, join(root, "main.ts"), "--port", "0"],
      env: { HOME: h.home, DENO_DIR: await denoDir() },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      const url = await servingUrl(reader);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      let health = { events: 0 };
      for (let i = 0; i < 100 && health.events < 1638; i++) {
        health = await (await fetch(`${url}/health`)).json();
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(health.events, 1638);
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /ai-music/);
      assert.ok((await Deno.stat(h.dbPath)).isFile, "its database is under ~/.claude/claude-dash");
    } finally {
      reader.releaseLock();
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await child.stderr.cancel().catch(() => {});
      await h.cleanup();
    }
  },
);

Deno.test(
  "bad flag, port in use and unreadable folder each exit non-zero with one clear line",
  opts,
  async () => {
    const h = await makeHome();
    const flags = await taskFlags("start", h.home);
    const env = { HOME: h.home, DENO_DIR: await denoDir() };
    try {
      const help = await run(["--help"], env, flags);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /--claude-dir DIR/);
      const version = await run(["--version"], env, flags);
      assert.match(version.stdout, /^claude-dash \d+\.\d+\.\d+/);

      const bad = await run(["--bogus"], env, flags);
      assert.notEqual(bad.code, 0);
      assert.equal(bad.stderr.trim().split("\n").length, 1);
      assert.match(bad.stderr, /unknown option "--bogus"/);

      const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (busy.addr as Deno.NetAddr).port;
      const inUse = await run(["--port", String(port)], env, flags);
      busy.close();
      assert.notEqual(inUse.code, 0);
      assert.equal(inUse.stderr.trim().split("\n").length, 1, inUse.stderr);
      assert.match(inUse.stderr, new RegExp(`port ${port} .*already in use`));

      // (Inside a readable folder: whether a folder outside them exists cannot be known.)
      const missing = await run(
        ["--claude-dir", join(h.home, ".claude/projects/nope")],
        env,
        flags,
      );
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /does not exist/);

      const outside = await run(["--claude-dir", "/etc"], env, flags);
      assert.notEqual(outside.code, 0);
      assert.equal(outside.stderr.trim().split("\n").length, 1, outside.stderr);
      assert.match(outside.stderr, /cannot read \/etc/);
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test(
  "on a fresh machine without ~/.claude the start task serves the empty state and picks data up once it appears",
  opts,
  async () => {
    const home = await Deno.makeTempDir({ prefix: "claude-dash-fresh-" });
    const flags = await taskFlags("start", home);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, join(root, "main.ts"), "--port", "0"],
      env: { HOME: home, DENO_DIR: await denoDir() },
      clearEnv: true,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      const url = await servingUrl(reader);
      const page = await (await fetch(`${url}/`, { headers: { Accept: "text/html" } })).text();
      assert.match(page, /No Claude Code activity/);
      const proj = join(home, ".claude/projects/-p");
      await Deno.mkdir(proj, { recursive: true });
      await Deno.writeTextFile(
        join(proj, "fresh.jsonl"),
        JSON.stringify({
          type: "user",
          uuid: "u",
          sessionId: "fresh",
          timestamp: new Date().toISOString(),
        }) +
          "\n",
      );
      let events = 0;
      for (let i = 0; i < 60 && events === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        events = (await (await fetch(`${url}/health`)).json()).events;
      }
      assert.equal(events, 1);
    } finally {
      reader.releaseLock();
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await Deno.remove(home, { recursive: true });
    }
  },
);

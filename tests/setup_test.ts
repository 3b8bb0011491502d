// `claude-dash setup`, run exactly as `deno task setup` runs it (the task's own permissions, in
// a temporary HOME): one change however often it runs, an exact --undo, nothing of the user's
// lost, a broken settings.json left alone, the documented --http / --otel entries, no write
// outside settings.json, its backups and the secret — and the real Claude Code CLI running the
// hooks it wrote.

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCommand } from "../src/commands/cli.ts";
import { setupPaths } from "../src/commands/setup.ts";
import {
  applySetup,
  chainedStatusline,
  commandHook,
  lineDiff,
  parseSettings,
} from "../src/commands/setup/plan.ts";
import { settingsHooks } from "../src/commands/doctor/inspect.ts";
import {
  firstRunCommands,
  hookEvents,
  isClaudeDashHook,
  statuslineCommand,
  thisMachine,
} from "../src/core/first_run.ts";
import { root, runTask, taskRunFlags } from "./support/tasks.ts";
import { claudeTest, runClaude } from "./support/claude_cli.ts";
import { startFakeAnthropic } from "./support/fake_anthropic.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Home extends AsyncDisposable {
  home: string;
  settings: string;
  backups: string;
  secret: string;
}

async function tempHome(settings?: string | Uint8Array): Promise<Home> {
  const home = await Deno.makeTempDir({ prefix: "claude-dash-setup-" });
  await Deno.mkdir(join(home, ".claude"), { recursive: true });
  const p = setupPaths(home);
  if (settings !== undefined) {
    await Deno.writeFile(
      p.settings,
      typeof settings === "string" ? enc.encode(settings) : settings,
    );
  }
  return {
    home,
    ...p,
    [Symbol.asyncDispose]: () => Deno.remove(home, { recursive: true }).catch(() => {}),
  };
}

/** `deno task setup …` in HOME=home (stdin is not a terminal). */
function setup(home: string, ...args: string[]) {
  return runTask("setup", home, ["setup", ...args]);
}

/** Every file under `dir` (relative path → content and mode). */
function tree(dir: string, rel = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Deno.readDirSync(join(dir, rel))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) { for (const [k, v] of tree(dir, r)) out.set(k, v); }
    else {
      const st = Deno.statSync(join(dir, r));
      out.set(r, `${st.mode! & 0o777}:${dec.decode(Deno.readFileSync(join(dir, r)))}`);
    }
  }
  return out;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(path));
}

type Groups = Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>;

function oursOn(settings: Record<string, unknown>, event: string): Array<Record<string, unknown>> {
  const groups = (settings.hooks as Record<string, Groups>)[event] ?? [];
  return groups.flatMap((g) => g.hooks.filter((h) => isClaudeDashHook(h)));
}

/** A settings.json with things claude-dash does not own: they must all survive. */
const theirs = {
  model: "opus",
  permissions: { allow: ["Bash(git status)"], deny: [] },
  env: { ANTHROPIC_LOG: "debug" },
  someFutureKey: { nested: [1, 2, { deep: true }] },
  hooks: {
    Stop: [{ hooks: [{ type: "command", command: "notify-send done" }] }],
    PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "./guard.sh" }] }],
    TeammateIdle: [{ hooks: [{ type: "command", command: "echo idle" }] }],
  },
  statusLine: { type: "command", command: "~/bin/my-status", padding: 1 },
};

Deno.test("setup's command line: --http, --otel, --port, --yes, --undo; --undo alone", () => {
  assert.deepEqual(parseCommand(["setup"], "/h"), {
    kind: "setup",
    options: { port: 7878, yes: false, undo: false, http: false, otel: false },
  });
  assert.deepEqual(parseCommand(["setup", "--http", "--otel", "--port=9000", "-y"], "/h"), {
    kind: "setup",
    options: { port: 9000, yes: true, undo: false, http: true, otel: true },
  });
  assert.equal(parseCommand(["setup", "--help"], "/h").kind, "help");
  assert.match(
    (parseCommand(["setup", "--undo", "--http"], "/h") as { message: string }).message,
    /--undo takes no other option/,
  );
  assert.match(
    (parseCommand(["setup", "--db", "x"], "/h") as { message: string }).message,
    /unknown option "--db" for setup/,
  );
});

Deno.test("setup twice is one change: the second run writes nothing", opts, async () => {
  await using h = await tempHome(JSON.stringify(theirs, null, 2));
  const first = await setup(h.home, "--yes");
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /Written\. The previous file is kept as/);
  const once = tree(h.home);
  const second = await setup(h.home, "--yes");
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stdout, /already has everything claude-dash setup adds: nothing changed/);
  assert.deepEqual(tree(h.home), once, "no byte changed, no second backup");
  // Pure too: the plan applied to its own result changes nothing.
  const m = { hook: commandHook("x main.ts hook"), statusline: "s", env: null };
  const a = applySetup({ ...theirs }, m);
  assert.equal(a.changed, true);
  assert.equal(applySetup(a.settings, m).changed, false);
});

Deno.test(
  "--undo puts back the exact bytes and mode; a second --undo goes back one more setup",
  opts,
  async () => {
    // Tabs, no final newline, a non-ASCII value: nothing a re-serialization would keep.
    const original = enc.encode('{"model":"opus",\t"x": [1,2,{"y":"é"}]}');
    await using h = await tempHome(original);
    Deno.chmodSync(h.settings, 0o640);
    assert.equal((await setup(h.home, "--yes")).code, 0);
    const afterFirst = Deno.readFileSync(h.settings);
    assert.equal((await setup(h.home, "--http", "--yes")).code, 0);
    assert.notDeepEqual(Deno.readFileSync(h.settings), afterFirst);
    const u1 = await setup(h.home, "--undo", "--yes");
    assert.equal(u1.code, 0, u1.stdout);
    assert.deepEqual(Deno.readFileSync(h.settings), afterFirst);
    const u2 = await setup(h.home, "--undo", "--yes");
    assert.equal(u2.code, 0, u2.stdout);
    assert.deepEqual(Deno.readFileSync(h.settings), original, "byte-for-byte");
    assert.equal(Deno.statSync(h.settings).mode! & 0o777, 0o640);
    const u3 = await setup(h.home, "--undo", "--yes");
    assert.equal(u3.code, 1);
    assert.match(u3.stdout, /no setup to undo/);
  },
);

Deno.test(
  "--undo of a setup that created settings.json removes it; edits since are kept aside",
  opts,
  async () => {
    await using h = await tempHome();
    assert.equal((await setup(h.home, "--yes")).code, 0);
    Deno.writeTextFileSync(h.settings, '{"edited": true}\n');
    const u = await setup(h.home, "--undo", "--yes");
    assert.equal(u.code, 0, u.stdout);
    assert.match(u.stdout, /changed since that setup; the current file is kept too/);
    assert.throws(() => Deno.statSync(h.settings), Deno.errors.NotFound);
    const kept = [...Deno.readDirSync(h.backups)].find((e) => e.name.endsWith(".replaced.json"));
    assert.equal(Deno.readTextFileSync(join(h.backups, kept!.name)), '{"edited": true}\n');
  },
);

Deno.test(
  "unknown keys, other hooks and another statusline survive; ours is added beside them",
  opts,
  async () => {
    await using h = await tempHome(JSON.stringify(theirs, null, 4));
    const r = await setup(h.home, "--yes");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const s = readJson(h.settings);
    for (const key of ["model", "permissions", "env", "someFutureKey", "statusLine"] as const) {
      assert.deepEqual(s[key], theirs[key], key);
    }
    const hooks = s.hooks as Record<string, Groups>;
    assert.deepEqual(hooks.TeammateIdle, theirs.hooks.TeammateIdle, "an event we do not hook");
    assert.deepEqual(hooks.Stop[0], theirs.hooks.Stop[0], "their Stop hook first, as it was");
    assert.deepEqual(hooks.PreToolUse[0], theirs.hooks.PreToolUse[0]);
    assert.deepEqual(hooks.PreToolUse[1].matcher, "*", "ours matches every tool");
    const hook = firstRunCommands(thisMachine()).hook!;
    for (const e of hookEvents) {
      assert.deepEqual(oursOn(s, e), [{ type: "command", timeout: 10, command: hook }], e);
    }
    assert.ok(hook.endsWith(`${root.replace(/\/$/, "")}/main.ts hook`), hook);
    // The file keeps its indentation.
    assert.match(Deno.readTextFileSync(h.settings), /^\{\n {4}"model"/);
    // Their statusline stays; the output says how to run both.
    assert.match(r.stdout, /statusLine already runs another command; it is left as it is/);
    assert.ok(
      r.stdout.includes(
        JSON.stringify(chainedStatusline("~/bin/my-status", statuslineCommand(thisMachine())!)),
      ),
    );
  },
);

Deno.test("an older hook of ours is updated in place, never duplicated, theirs in the same group kept", () => {
  const old = {
    type: "command",
    command:
      "deno run --allow-read=$HOME/.claude/hooks/logs/raw_json /old/claude-dash/main.ts hook",
  };
  const settings = {
    hooks: {
      Stop: [{ hooks: [{ type: "command", command: "mine.sh" }, old, { ...old }] }],
      PreToolUse: [{ matcher: "Bash", hooks: [old] }],
    },
  };
  const hook = commandHook("deno run … /new/main.ts hook");
  const r = applySetup(settings, { hook, statusline: null, env: null });
  const hooks = r.settings.hooks as Record<string, Groups>;
  assert.deepEqual(hooks.Stop, [{ hooks: [{ type: "command", command: "mine.sh" }, hook] }]);
  // Ours under a "Bash" matcher covered one tool only: it moves to a "*" group.
  assert.deepEqual(hooks.PreToolUse, [{ matcher: "*", hooks: [hook] }]);
  assert.equal(r.settings.statusLine, undefined, "statusline null: left alone");
});

Deno.test(
  "a malformed settings.json is refused with a clear message and left untouched",
  opts,
  async () => {
    const cases: Array<[string | Uint8Array, RegExp]> = [
      ['{"model": "opus",', /is not valid JSON/],
      ["[1, 2]", /top level is not a JSON object/],
      ['{"hooks": []}', /"hooks" is not an object/],
      ['{"hooks": {"Stop": {"command": "x"}}}', /"hooks"\."Stop" is not a list/],
      ['{"env": "x"}', /"env" is not an object/],
      [new Uint8Array([0x7b, 0xff, 0x7d]), /not UTF-8/],
    ];
    for (const [text, reason] of cases) {
      await using h = await tempHome(text);
      const before = tree(h.home);
      const mtime = Deno.statSync(h.settings).mtime;
      const r = await setup(h.home, "--yes", "--http", "--otel");
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /settings\.json is left untouched: /);
      assert.match(r.stdout, reason);
      assert.deepEqual(tree(h.home), before, "nothing written, no backup, no secret");
      assert.deepEqual(Deno.statSync(h.settings).mtime, mtime);
    }
    assert.deepEqual(parseSettings(""), { ok: true, settings: {}, indent: "  " });
  },
);

Deno.test("without a terminal to ask on and without --yes, nothing is written", opts, async () => {
  await using h = await tempHome('{"model": "opus"}\n');
  const before = tree(h.home);
  const r = await setup(h.home);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Changes to .*settings\.json:/);
  assert.match(r.stdout, /nothing changed \(run with --yes/);
  assert.deepEqual(tree(h.home), before);
});

Deno.test(
  "--http and --otel write the documented entries with the shared secret",
  opts,
  async () => {
    await using h = await tempHome('{"env": {"KEEP": "1"}}');
    const r = await setup(h.home, "--http", "--otel", "--port", "9123", "--yes");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const secret = Deno.readTextFileSync(h.secret);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
    assert.equal(Deno.statSync(h.secret).mode! & 0o777, 0o600);
    assert.ok(!r.stdout.includes(secret), "the diff masks the secret");
    const s = readJson(h.settings);
    for (const e of hookEvents) {
      assert.deepEqual(oursOn(s, e), [{
        type: "http",
        url: "http://127.0.0.1:9123/hooks",
        headers: { Authorization: `Bearer ${secret}` },
      }], e);
    }
    assert.deepEqual(s.env, {
      KEEP: "1",
      CLAUDE_CODE_ENABLE_TELEMETRY: "1",
      OTEL_LOGS_EXPORTER: "otlp",
      OTEL_METRICS_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9123",
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${secret}`,
    });
    assert.equal(
      Deno.statSync(h.settings).mode! & 0o077,
      0,
      "a file holding the secret is private",
    );
    // A secret the server made first is used as it is; back to command hooks without --http.
    await using h2 = await tempHome();
    Deno.mkdirSync(join(h2.home, ".claude/claude-dash"));
    Deno.writeTextFileSync(h2.secret, "server-made-secret\n", { mode: 0o600 });
    assert.equal((await setup(h2.home, "--http", "--yes")).code, 0);
    assert.equal(
      (oursOn(readJson(h2.settings), "Stop")[0].headers as Record<string, string>).Authorization,
      "Bearer server-made-secret",
    );
    assert.equal((await setup(h2.home, "--yes")).code, 0);
    assert.equal(oursOn(readJson(h2.settings), "Stop")[0].type, "command", "one of ours, switched");
    assert.equal(oursOn(readJson(h2.settings), "Stop").length, 1);
  },
);

Deno.test(
  "setup writes only settings.json, its backups and the secret: the task allows nothing else",
  opts,
  async () => {
    await using h = await tempHome('{"model": "opus"}');
    const flags = await taskRunFlags("setup", h.home);
    const only = `${h.settings},${h.backups},${h.secret}`;
    assert.deepEqual(flags.sort(), [
      `--allow-env=HOME`,
      `--allow-read=${only}`,
      `--allow-write=${only}`,
      "--no-config",
    ]);
    // Other files in ~/.claude, and HOME itself, are untouched by a full --http --otel setup.
    Deno.mkdirSync(join(h.home, ".claude/projects/p"), { recursive: true });
    Deno.writeTextFileSync(join(h.home, ".claude/projects/p/s.jsonl"), "{}\n");
    Deno.writeTextFileSync(join(h.home, ".claude.json"), "{}");
    const before = tree(h.home);
    assert.equal((await setup(h.home, "--http", "--otel", "--yes")).code, 0);
    const after = tree(h.home);
    const changed = [...new Set([...before.keys(), ...after.keys()])]
      .filter((k) => before.get(k) !== after.get(k));
    for (const k of changed) {
      assert.ok(
        k === ".claude/settings.json" || k === ".claude/claude-dash/ingest-secret" ||
          k.startsWith(".claude/claude-dash/settings-backups/"),
        `setup changed ${k}`,
      );
    }
    assert.ok(changed.includes(".claude/settings.json"));
  },
);

Deno.test(
  "a settings.json that is a symbolic link is refused, the link and its target untouched",
  opts,
  async () => {
    await using h = await tempHome();
    Deno.writeTextFileSync(join(h.home, "dotfiles.json"), '{"model": "opus"}');
    Deno.symlinkSync(join(h.home, "dotfiles.json"), h.settings);
    const r = await setup(h.home, "--yes");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /is a symbolic link/);
    assert.ok(Deno.lstatSync(h.settings).isSymlink);
    assert.equal(Deno.readTextFileSync(join(h.home, "dotfiles.json")), '{"model": "opus"}');
  },
);

Deno.test("doctor counts setup's hooks, command or HTTP, as claude-dash's on every event", () => {
  for (
    const hook of [commandHook(firstRunCommands(thisMachine()).hook!), {
      type: "http" as const,
      url: "http://127.0.0.1:7878/hooks",
      headers: { Authorization: "Bearer x" },
    }]
  ) {
    const s = applySetup({}, { hook, statusline: null, env: null }).settings;
    assert.deepEqual(settingsHooks(s).claudeDashEvents, [...hookEvents], hook.type);
  }
});

Deno.test("the chained statusline shows theirs and feeds ours the same payload", opts, async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cmd = chainedStatusline(`sed 's/^/theirs:/'`, `tee ${dir}/ours.json`);
    const child = new Deno.Command("sh", {
      args: ["-c", cmd],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(enc.encode('{"session_id":"s"}'));
    await w.close();
    const out = await child.output();
    assert.equal(dec.decode(out.stdout), 'theirs:{"session_id":"s"}');
    assert.equal(Deno.readTextFileSync(`${dir}/ours.json`), '{"session_id":"s"}');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the diff shows only changed lines with a little context", () => {
  assert.deepEqual(lineDiff("a\nb\nc\nd\ne\nf\n", "a\nb\nc\nX\nd\ne\nf\n", 1), [
    "  c",
    "+ X",
    "  d",
  ]);
  assert.deepEqual(lineDiff("", "{}\n"), ["+ {}"]);
});

Deno.test("the statusline command setup writes is deno.json's statusline task with this checkout's main.ts", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const task: string | undefined = config.tasks.statusline?.command;
  assert.ok(task, "deno.json has a statusline task");
  const m = { runner: "deno" as const, denoVersion: "2.9.6", path: "/src/cd" };
  assert.equal(statuslineCommand(m), task.replace(" main.ts ", " /src/cd/main.ts "));
  assert.equal(
    statuslineCommand({ ...m, runner: "npx" }),
    `npx --yes deno@2.9.6 ${statuslineCommand(m)!.replace(/^deno /, "")}`,
  );
  assert.equal(firstRunCommands({ ...m, runner: "npx" }).setup, "npx --yes deno@2.9.6 task setup");
});

// ---- the real Claude Code CLI with a setup-made settings.json ----

/** One session: a prompt, a Bash tool call, an answer. */
const toolSession = [
  { tool: { name: "Bash", input: { command: "echo hi", description: "say hi" } } },
  { text: "Done." },
];

Deno.test(
  "the real Claude Code CLI runs the command hooks setup wrote: hook files appear",
  claudeTest,
  async () => {
    await using h = await tempHome();
    assert.equal((await setup(h.home, "--yes")).code, 0);
    await using fake = startFakeAnthropic({ script: toolSession });
    const run = await runClaude({ home: h.home, prompt: "say hi", fake });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const names = [...Deno.readDirSync(join(h.home, ".claude/hooks/logs/raw_json"))]
      .map((e) => e.name);
    const events = new Set(names.map((n) => n.split("_")[1]));
    for (const e of ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop"]) {
      assert.ok(events.has(e), `${e} in ${[...events]}`);
    }
  },
);

Deno.test(
  "the real Claude Code CLI posts the HTTP hooks and telemetry setup wrote, with the secret header",
  claudeTest,
  async () => {
    await using h = await tempHome();
    await using fake = startFakeAnthropic({ script: toolSession });
    const r = await setup(h.home, "--http", "--otel", "--port", String(fake.port), "--yes");
    assert.equal(r.code, 0, r.stdout);
    const run = await runClaude({ home: h.home, prompt: "say hi", fake });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const hooks = fake.captured.filter((c) => c.path.startsWith("/hooks"));
    const events = new Set(
      hooks.map((c) => (c.json as { hook_event_name?: string }).hook_event_name),
    );
    for (const e of ["UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop"]) {
      assert.ok(events.has(e), `${e} in ${[...events]}`);
    }
    assert.ok(hooks.every((c) => c.headers.authorization !== undefined), "Authorization sent");
    assert.ok(fake.captured.some((c) => c.path === "/v1/logs"), "telemetry logs exported");
  },
);

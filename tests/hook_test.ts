import assert from "node:assert/strict";
import { join } from "node:path";
import { checkPayload, namePart, payloadFileName, savePayload } from "../src/commands/hook.ts";
import { hookTime } from "../src/ingest/parse/hook.ts";
import { classify } from "../src/ingest/sources.ts";
import { parseCommand } from "../src/commands/cli.ts";
import { hookEvents } from "../src/core/first_run.ts";
import { openDb } from "../src/store/db.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { fixturesDir, makeHome } from "./support/home.ts";
import { denoDir, root, runTask, taskRunFlags } from "./support/tasks.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const enc = new TextEncoder();

function fixturePayload(file: string, index = 0): string {
  const items = JSON.parse(
    Deno.readTextFileSync(join(fixturesDir, "hook-logs/attio-mcp-server", file)),
  );
  return JSON.stringify(items[index], null, 2);
}

function listDir(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  } catch {
    return [];
  }
}

Deno.test("`hook` is a subcommand with only --claude-dir; the server flags stay as they were", () => {
  assert.deepEqual(parseCommand(["hook"], "/h"), { kind: "hook", claudeDir: "/h/.claude" });
  assert.deepEqual(parseCommand(["hook", "--claude-dir=/c/"], "/h"), {
    kind: "hook",
    claudeDir: "/c",
  });
  assert.equal(parseCommand(["hook", "--help"], "/h").kind, "help");
  const bad = parseCommand(["hook", "--port", "1"], "/h");
  assert.equal(bad.kind, "error");
  assert.match((bad as { message: string }).message, /unknown option "--port" for hook/);
  assert.deepEqual(parseCommand(["frobnicate"], "/h"), {
    kind: "error",
    message: 'unknown command "frobnicate" (see --help)',
  });
  assert.deepEqual(parseCommand(["--port", "9"], "/h"), {
    kind: "run",
    options: { port: 9, dbPath: "/h/.claude/claude-dash/claude-dash.db", claudeDir: "/h/.claude" },
  });
});

Deno.test("a payload file name carries a UTC stamp that the ingester reads back as the event time", () => {
  const now = Date.UTC(2025, 10, 26, 23, 4, 5, 67);
  const name = payloadFileName("PreToolUse", "c7428042-d9a9-4e9e-a71c-4433a8d202c0", now, 3);
  assert.equal(
    name,
    "20251126T230405.067003Z_PreToolUse_c7428042-d9a9-4e9e-a71c-4433a8d202c0.json",
  );
  const rel = `hooks/logs/raw_json/${name}`;
  assert.equal(classify(rel), "hook");
  // The stamp in the name wins over the file's mtime.
  assert.equal(hookTime(rel, {}, "PreToolUse", 0), now);
});

Deno.test("event and session parts of the name cannot leave the folder or break the layout", () => {
  assert.equal(namePart("../../etc/passwd"), "-etc-passwd");
  assert.equal(namePart("a_b c"), "a-b-c");
  assert.equal(namePart(""), "unknown");
  assert.equal(namePart("x".repeat(500)).length, 80);
  const name = payloadFileName("Weird/Event_", "s/../1", 0);
  assert.ok(!name.includes("/"), name);
  assert.equal(name.split("_").length, 3, name);
});

Deno.test("payload check: accepts what the ingester stores, rejects what it would reject", () => {
  const ok = checkPayload(enc.encode(fixturePayload("pre_tool_use.json")));
  assert.deepEqual(ok, {
    ok: true,
    event: "PreToolUse",
    sessionId: JSON.parse(fixturePayload("pre_tool_use.json")).session_id,
  });
  for (
    const [text, reason] of [
      ["", "empty stdin"],
      ["not json", "stdin is not JSON"],
      ["[1,2]", "stdin is not a JSON object"],
      ['{"session_id":"s"}', "no hook_event_name"],
      ['{"hook_event_name":"Stop"}', "no session_id"],
    ]
  ) {
    assert.deepEqual(checkPayload(enc.encode(text)), { ok: false, reason }, text);
  }
  assert.deepEqual(checkPayload(new Uint8Array([0xff, 0xfe, 0x7b])), {
    ok: false,
    reason: "stdin is not JSON",
  });
});

Deno.test("two payloads of one event and session in the same millisecond are both kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-hook-" });
  try {
    const now = Date.UTC(2025, 0, 2, 3, 4, 5, 6);
    const a = savePayload(dir, enc.encode('{"n":1}'), "PreToolUse", "s1", now);
    const b = savePayload(dir, enc.encode('{"n":2}'), "PreToolUse", "s1", now);
    assert.notEqual(a, b);
    assert.deepEqual(listDir(dir), [a, b].sort(), "no temporary file is left behind");
    assert.equal(await Deno.readTextFile(join(dir, a)), '{"n":1}');
    assert.equal(await Deno.readTextFile(join(dir, b)), '{"n":2}');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "the hook task saves a piped payload, silently, and the ingester then stores exactly that event",
  opts,
  async () => {
    const h = await makeHome();
    try {
      const flags = await taskRunFlags("hook", h.home);
      const rawDir = join(h.claudeDir, "hooks/logs/raw_json");
      assert.ok(flags.includes(`--allow-write=${rawDir}`), flags.join(" "));
      assert.ok(
        !flags.some((f) => f === `--allow-read=${h.claudeDir}` || f.startsWith("--allow-net")),
        `the hook may not read ~/.claude nor use the network: ${flags.join(" ")}`,
      );
      const payload = fixturePayload("post_tool_use.json", 3);
      const before = Date.now();
      // From the user's project folder, as Claude Code runs hooks: no deno.json there.
      const r = await runTask("hook", h.home, ["hook"], payload, h.home);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "", "nothing on stdout: Claude Code would read it");
      assert.equal(r.stderr, "");
      const files = listDir(rawDir);
      assert.equal(files.length, 1, files.join(" "));
      const p = JSON.parse(payload);
      assert.match(files[0], new RegExp(`_PostToolUse_${p.session_id}\\.json$`));
      assert.equal(await Deno.readTextFile(join(rawDir, files[0])), payload, "bytes kept as sent");

      const db = openDb(h.dbPath);
      const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false });
      try {
        ingester.start();
        await ingester.ready;
        const rows = db.prepare(
          "SELECT source, session_id, type, tool_name, ts, event_raw(raw, raw_block, id) AS raw FROM events",
        )
          .all() as Array<Record<string, unknown>>;
        assert.equal(rows.length, 1);
        assert.equal(rows[0].source, "hook");
        assert.equal(rows[0].session_id, p.session_id);
        assert.equal(rows[0].type, "PostToolUse");
        assert.equal(rows[0].tool_name, p.tool_name);
        assert.equal(rows[0].raw, payload);
        const ts = rows[0].ts as number;
        assert.ok(ts >= before - 1 && ts <= Date.now(), "the event time is when the hook ran");
        const errors = db.prepare("SELECT count(*) AS n FROM ingest_errors").get() as { n: number };
        assert.equal(errors.n, 0);
      } finally {
        await ingester.stop();
        db.close();
      }
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test(
  "the hook task exits 0 and writes nothing on bad stdin or bad flags",
  opts,
  async () => {
    const h = await makeHome();
    try {
      const rawDir = join(h.claudeDir, "hooks/logs/raw_json");
      for (const stdin of ["", "not json {", "[1]", '{"session_id":"s"}', "\u0000\u0001"]) {
        const r = await runTask("hook", h.home, ["hook"], stdin, h.home);
        assert.equal(r.code, 0, `stdin ${JSON.stringify(stdin)}: ${r.stderr}`);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /^claude-dash hook: .*nothing saved\n$/);
      }
      const flag = await runTask("hook", h.home, ["hook", "--bogus"], "{}", h.home);
      assert.equal(flag.code, 0, "exit code 2 would block the tool call in Claude Code");
      assert.equal(flag.stdout, "");
      assert.match(flag.stderr, /unknown option "--bogus"/);
      assert.deepEqual(listDir(rawDir), [], "no payload and no temporary file");
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test(
  "the hook task creates the raw_json folder when Claude Code's hooks folder does not exist yet",
  opts,
  async () => {
    const home = await Deno.makeTempDir({ prefix: "claude-dash-test-" });
    try {
      const payload = fixturePayload("user_prompt_submit.json");
      const r = await runTask("hook", home, ["hook"], payload, home);
      assert.equal(r.code, 0, r.stderr);
      const files = listDir(join(home, ".claude/hooks/logs/raw_json"));
      assert.equal(files.length, 1);
      assert.match(files[0], /_UserPromptSubmit_/);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);

Deno.test(
  "the hook task finishes once a whole payload has arrived, even if stdin stays open",
  opts,
  async () => {
    const h = await makeHome();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...(await taskRunFlags("hook", h.home)), join(root, "main.ts"), "hook"],
      env: { HOME: h.home, DENO_DIR: await denoDir() },
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    try {
      await writer.write(enc.encode(fixturePayload("stop.json")));
      const out = await child.output();
      assert.equal(out.code, 0);
      assert.equal(out.stdout.length, 0);
      const files = listDir(join(h.claudeDir, "hooks/logs/raw_json"));
      assert.equal(files.length, 1);
      assert.match(files[0], /_Stop_/);
    } finally {
      await writer.close().catch(() => {});
      await h.cleanup();
    }
  },
);

Deno.test("the README's settings.json snippets cover every hook event with the hook task's command", async () => {
  const readme = await Deno.readTextFile(join(root, "README.md"));
  const section = readme.slice(readme.indexOf("## Hook logging"));
  const blocks = [...section.matchAll(/```json5\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]));
  assert.equal(blocks.length, 2);
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const task: string = config.tasks.hook.command;
  const denoForm = task.replace(" main.ts ", " /path/to/claude-dash/main.ts ");
  for (
    const [block, command] of [[blocks[0], denoForm], [blocks[1], "/path/to/claude-dash-hook"]]
  ) {
    assert.deepEqual(Object.keys(block.hooks), [...hookEvents]);
    for (const [event, matchers] of Object.entries(block.hooks)) {
      const hooks = (matchers as Array<{ hooks: Array<{ command: string; timeout: number }> }>)[0]
        .hooks;
      assert.equal(hooks[0].command, command, event);
      assert.equal(hooks[0].timeout, 10, event);
    }
  }
  const flags = (cmd: string) => cmd.split(/\s+/).filter((w) => w.startsWith("--allow-"));
  assert.deepEqual(flags(config.tasks["compile-hook"].command), flags(task));
});

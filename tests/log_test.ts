import assert from "node:assert/strict";
import { join } from "node:path";
import { parseArgs } from "../src/commands/cli.ts";
import { closeLogFile, log, openLogFile, RotatingFile } from "../src/core/log.ts";
import { makeHome } from "./support/home.ts";
import { runTask } from "./support/tasks.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("--log-file is a plain switch", () => {
  const r = parseArgs(["--log-file"], "/h");
  assert.equal(r.kind === "run" && r.options.logFile, true);
  assert.equal(parseArgs(["--log-file=yes"], "/h").kind, "error");
  const plain = parseArgs([], "/h");
  assert.ok(plain.kind === "run" && !("logFile" in plain.options));
});

Deno.test("the log file rotates by size and keeps only the newest N files, in order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-log-" });
  try {
    const f = new RotatingFile(dir, "claude-dash.log", 100, 3);
    for (let i = 0; i < 40; i++) f.write(`line ${String(i).padStart(2, "0")} ${"x".repeat(10)}`);
    f.close();
    assert.deepEqual(names(dir), ["claude-dash.log", "claude-dash.log.1", "claude-dash.log.2"]);
    const read = (n: string) => Deno.readTextFileSync(join(dir, n)).trim().split("\n");
    for (const n of names(dir)) {
      assert.ok(Deno.statSync(join(dir, n)).size <= 100, `${n} is over the cap`);
    }
    // Oldest to newest: .2, .1, then the live file; together the newest lines, unbroken.
    const lines = [
      ...read("claude-dash.log.2"),
      ...read("claude-dash.log.1"),
      ...read("claude-dash.log"),
    ];
    const numbers = lines.map((l) => Number(l.split(" ")[1]));
    assert.equal(numbers[numbers.length - 1], 39);
    assert.deepEqual(numbers, numbers.map((_, i) => 40 - numbers.length + i));

    // Reopening appends to the existing file and continues rotating from its size.
    const again = new RotatingFile(dir, "claude-dash.log", 100, 3);
    again.write("line 40 after restart");
    again.close();
    assert.match(read("claude-dash.log").join("\n"), /line 40 after restart$/);
    assert.equal(names(dir).length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("info lines go to the file only; warnings and errors to stderr and the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-log-" });
  try {
    const path = openLogFile(dir);
    log.info("started");
    log.error("multi\nline");
    closeLogFile();
    log.info("after close is dropped");
    const text = await Deno.readTextFile(path);
    assert.match(text, /^\d{4}-\d\d-\d\dT[\d:.]+Z info {2}started\n/);
    assert.match(text, /Z error multi\n {2}line\n$/);
    assert.ok(!text.includes("after close"));
  } finally {
    closeLogFile();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a log file that cannot be written any more is dropped and logging goes on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-log-" });
  try {
    // A folder where the rotated file must go makes the rotation fail.
    await Deno.mkdir(join(dir, "claude-dash.log.1/blocker"), { recursive: true });
    openLogFile(dir, 30, 2);
    log.info("a".repeat(25));
    log.info("b".repeat(25)); // needs a rotation, which fails
    log.info("c".repeat(25));
    assert.equal(
      Deno.readTextFileSync(join(dir, "claude-dash.log")).trim().endsWith("a".repeat(25)),
      true,
    );
  } finally {
    closeLogFile();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "with --log-file under the start task's permissions, a failed start is in ~/.claude/claude-dash/logs",
  opts,
  async () => {
    const h = await makeHome();
    const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const port = (busy.addr as Deno.NetAddr).port;
      const r = await runTask("start", h.home, ["--log-file", "--port", String(port)]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /already in use/);
      const file = join(h.claudeDir, "claude-dash/logs/claude-dash.log");
      const text = await Deno.readTextFile(file);
      assert.match(text, new RegExp(`error port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      busy.close();
      await h.cleanup();
    }
  },
);

import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseCommand } from "../src/commands/cli.ts";
import { exitCode, formatReport } from "../src/commands/doctor.ts";
import { settingsHooks } from "../src/commands/doctor/inspect.ts";
import type { DoctorView, RootView } from "../src/commands/doctor/view.ts";
import { hookEvents } from "../src/core/first_run.ts";
import { diagnose } from "../src/commands/doctor/checks.ts";
import { migrations } from "../src/store/migrations.ts";
import { makeHome, writeFixtures } from "./support/home.ts";
import { denoDir, root, runTask, taskRunFlags, taskWords } from "./support/tasks.ts";
import { serveReady } from "./support/served.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const now = Date.UTC(2025, 10, 1, 12, 0, 0);

const noTranscripts = { count: 0, newestMs: null, newestRel: null };

function goodView(): DoctorView {
  return {
    claudeDir: "/h/.claude",
    claudeOrigin: "home",
    dbPath: "/h/.claude/claude-dash/claude-dash.db",
    port: 7878,
    now,
    claude: { state: "ok" },
    transcripts: { count: 3, newestMs: now - 60_000, newestRel: "projects/p/s.jsonl" },
    roots: [{
      path: "/h/.config/claude",
      origin: "xdg",
      state: "missing",
      sameAs: null,
      transcripts: noTranscripts,
    }],
    envDenied: [],
    hooks: { dirExists: true, count: 10, newestMs: now - 1000, recent: 4 },
    settings: { state: "ok", events: [...hookEvents], claudeDashEvents: [...hookEvents] },
    threads: { state: "absent" },
    db: { state: "ok", bytes: 2_000_000, integrity: "ok", schemaVersion: migrations.length },
    currentSchema: migrations.length,
    portState: { state: "free" },
    writable: { ownDir: true, rawJson: true },
  };
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("`doctor` takes --port, --db and --claude-dir and nothing else", () => {
  assert.deepEqual(parseCommand(["doctor", "--port", "9000", "--claude-dir", "/c/"], "/h"), {
    kind: "doctor",
    options: { port: 9000, dbPath: "/h/.claude/claude-dash/claude-dash.db", claudeDir: "/c" },
  });
  const full = parseCommand(["doctor", "--full"], "/h");
  assert.equal(full.kind === "doctor" && full.options.full, true);
  assert.equal(parseCommand(["doctor", "--help"], "/h").kind, "help");
  assert.deepEqual(parseCommand(["doctor", "--otlp-endpoint", "http://127.0.0.1:1"], "/h"), {
    kind: "error",
    message: 'unknown option "--otlp-endpoint" for doctor (see claude-dash doctor --help)',
  });
});

Deno.test("a working setup passes every check, one ✓ line each, exit code 0", () => {
  const checks = diagnose(goodView());
  assert.equal(checks.length, 9);
  assert.ok(checks.every((c) => c.ok), formatReport(checks));
  assert.equal(exitCode(checks), 0);
  const text = formatReport(checks);
  assert.equal(text.split("\n").filter((l) => l.startsWith("✓ ")).length, 9);
  assert.match(
    text,
    /✓ Claude Code folder: \/h\/\.claude \(home\) found, 3 transcripts, newest 60/,
  );
  assert.match(
    text,
    /✓ transcript folder: \/h\/\.config\/claude \(xdg\) does not exist: nothing to read\n/,
    "a missing optional folder is no problem",
  );
  assert.match(text, /transcripts: 3 in \/h\/\.claude\/projects, newest 60 s ago/);
  assert.match(text, /claude-dash hook on 12 of 12/);
  assert.match(text, /integrity ok, schema \d+ \(current\)/);
  assert.match(text, /claude-dash is ready\.$/);
});

Deno.test("what claude-dash needs fails the exit code; what only enriches it does not", () => {
  const missing = diagnose({
    ...goodView(),
    claude: { state: "missing" },
    transcripts: noTranscripts,
    hooks: { dirExists: false, count: 0, newestMs: null, recent: 0 },
    settings: { state: "missing", events: [], claudeDashEvents: [] },
  });
  assert.equal(exitCode(missing), 1);
  const text = formatReport(missing);
  assert.match(
    text,
    /✗ Claude Code folder: \/h\/\.claude does not exist\n {4}→ run Claude Code once/,
  );
  assert.match(text, /2 problems to fix/);

  const noHooks = diagnose({
    ...goodView(),
    hooks: { dirExists: true, count: 0, newestMs: null, recent: 0 },
    settings: { state: "missing", events: [], claudeDashEvents: [] },
    threads: { state: "error", error: "threads.db unreadable: file is not a database" },
  });
  assert.equal(exitCode(noHooks), 0, "transcripts alone are enough to show sessions");
  assert.match(formatReport(noHooks), /✗ hook logging \(optional\): no payloads/);
  assert.match(formatReport(noHooks), /README, "Hook logging"/);

  const stale = diagnose({
    ...goodView(),
    hooks: { dirExists: true, count: 5, newestMs: now - 3 * 3600_000, recent: 0 },
  });
  assert.match(formatReport(stale), /none in the last 5 min \(newest 3 h ago\)/);
  assert.equal(exitCode(stale), 0);

  for (
    const [view, pattern] of [
      [{ portState: { state: "busy" } }, /✗ port: 7878 on 127\.0\.0\.1 is used by another program/],
      [{ db: { state: "ok", bytes: 1, integrity: "row 3 missing", schemaVersion: 1 } }, /FAILED/],
      [
        { db: { state: "ok", bytes: 1, integrity: "ok", schemaVersion: 999 } },
        /newer than this claude-dash/,
      ],
      [{ db: { state: "error", error: "file is not a database" } }, /moves the damaged file aside/],
      [{ writable: { ownDir: false, rawJson: true } }, /claude-dash is not writable/],
    ] as Array<[Partial<DoctorView>, RegExp]>
  ) {
    const checks = diagnose({ ...goodView(), ...view });
    assert.equal(exitCode(checks), 1, JSON.stringify(view));
    assert.match(formatReport(checks), pattern);
  }
  const big = diagnose({
    ...goodView(),
    db: { state: "ok", bytes: 2e9, integrity: "ok", check: "quick_check", schemaVersion: 1 },
    currentSchema: 1,
  });
  assert.match(formatReport(big), /1907\.3 MB, quick_check \(--full for integrity_check\) ok/);
  const running = diagnose({ ...goodView(), portState: { state: "claude-dash", events: 42 } });
  assert.equal(exitCode(running), 0);
  assert.match(
    formatReport(running),
    /claude-dash already serves http:\/\/127\.0\.0\.1:7878\/ \(42/,
  );
  const older = diagnose({
    ...goodView(),
    db: { state: "ok", bytes: 1, integrity: "ok", schemaVersion: 1 },
    currentSchema: 2,
  });
  assert.equal(exitCode(older), 0);
  assert.match(formatReport(older), /schema 1 \(upgraded to 2 at next start\)/);
});

Deno.test("a claude-dash on the port that serves another Claude Code folder is named, not 'already serves'", () => {
  const other = diagnose({
    ...goodView(),
    portState: { state: "other-claude-dash", events: 9, claudeDir: "/other/home/.claude" },
  });
  assert.equal(exitCode(other), 1, "yours cannot start on that port");
  const text = formatReport(other);
  assert.match(
    text,
    /✗ port: a claude-dash on port 7878 serves \/other\/home\/\.claude, not yours \(\/h\/\.claude\)\n {4}→ stop that dashboard, or start yours with --port N/,
  );
  assert.doesNotMatch(text, /already serves/);
});

Deno.test(
  "doctor --port N, with a dashboard of another HOME on N, says whose folder it serves",
  opts,
  async () => {
    const mine = await makeHome();
    const theirs = await makeHome();
    const dash = await serveReady(theirs);
    try {
      const r = await runTask("doctor", mine.home, ["doctor", "--port", String(dash.port)]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.ok(
        r.stdout.includes(
          `✗ port: a claude-dash on port ${dash.port} serves ${theirs.claudeDir}, not yours (${mine.claudeDir})`,
        ),
        r.stdout,
      );
      assert.doesNotMatch(r.stdout, /already serves/);
      // The same dashboard, asked by its own HOME: it is this setup's.
      const own = await runTask("doctor", theirs.home, ["doctor", "--port", String(dash.port)]);
      assert.match(own.stdout, /✓ port: claude-dash already serves /);
    } finally {
      await dash.stop();
      await mine.cleanup();
      await theirs.cleanup();
    }
  },
);

Deno.test("transcripts in the other Claude Code folders are listed per folder, counted once over all, and enough without ~/.claude", () => {
  const rootView = (
    path: string,
    origin: "xdg" | "env",
    state: RootView["state"],
    count = 0,
    sameAs: string | null = null,
  ): RootView => ({
    path,
    origin,
    state,
    sameAs,
    transcripts: count > 0
      ? { count, newestMs: now - 120_000, newestRel: "projects/q/t.jsonl" }
      : noTranscripts,
  });
  const elsewhere = diagnose({
    ...goodView(),
    claude: { state: "missing" },
    transcripts: noTranscripts,
    hooks: { dirExists: false, count: 0, newestMs: null, recent: 0 },
    settings: { state: "missing", events: [], claudeDashEvents: [] },
    roots: [
      rootView("/h/.config/claude", "xdg", "found", 2),
      rootView("/c", "env", "found", 2, "/h/.config/claude"),
      rootView("/gone", "env", "missing"),
    ],
  });
  const text = formatReport(elsewhere);
  assert.equal(exitCode(elsewhere), 0, text);
  assert.match(
    text,
    /✗ Claude Code folder \(optional\): \/h\/\.claude does not exist \(only needed for hook logs/,
  );
  assert.match(
    text,
    /✓ transcript folder: \/h\/\.config\/claude \(xdg\) found, 2 transcripts, newest 2 min ago/,
  );
  assert.match(
    text,
    /✓ transcript folder: \/c \(env CLAUDE_CONFIG_DIR\) is the same folder as \/h\/\.config\/claude: read once/,
  );
  assert.match(text, /✓ transcript folder: \/gone \(env CLAUDE_CONFIG_DIR\) does not exist/);
  assert.match(
    text,
    /✓ transcripts: 2 in \/h\/\.config\/claude\/projects, newest 2 min ago \(projects\/q\/t\.jsonl\)/,
    "the folder read twice is counted once",
  );
  assert.doesNotMatch(text, /transcripts: none/);

  const both = formatReport(diagnose({
    ...goodView(),
    roots: [rootView("/h/.config/claude", "xdg", "found", 2)],
  }));
  assert.match(
    both,
    /✓ transcripts: 5 in \/h\/\.claude\/projects \(3\) and \/h\/\.config\/claude\/projects \(2\), newest 60 s ago \(\/h\/\.claude\/projects\/p\/s\.jsonl\)/,
  );

  // Run with the old flags (read ~/.claude only, env HOME only): it says what it could not see.
  const narrow = diagnose({
    ...goodView(),
    transcripts: noTranscripts,
    hooks: { dirExists: true, count: 0, newestMs: null, recent: 0 },
    roots: [rootView("/h/.config/claude", "xdg", "no-permission")],
    envDenied: ["XDG_CONFIG_HOME", "CLAUDE_CONFIG_DIR"],
  });
  const narrowText = formatReport(narrow);
  assert.equal(exitCode(narrow), 1);
  assert.match(
    narrowText,
    /✗ transcript folder \(optional\): \/h\/\.config\/claude \(xdg\) not checked: doctor has no permission to read it\n {4}→ run doctor via `deno task doctor` .*--allow-read=\/h\/\.config\/claude/,
  );
  assert.match(
    narrowText,
    /✗ transcript folders \(optional\): XDG_CONFIG_HOME, CLAUDE_CONFIG_DIR cannot be read \(no --allow-env\)/,
  );
  assert.match(
    narrowText,
    /✗ transcripts: none in \/h\/\.claude\/projects; not checked: \/h\/\.config\/claude \(no read permission\)\n {4}→ run doctor via `deno task doctor`/,
  );

  const noRead = formatReport(diagnose({ ...goodView(), claude: { state: "no-permission" } }));
  assert.match(noRead, /✗ Claude Code folder: \/h\/\.claude not checked: .*\n {4}→ run doctor via/);
});

Deno.test("without claude-dash's hooks, doctor recommends `deno task setup`", () => {
  for (
    const settings of [
      { state: "missing" as const, events: [], claudeDashEvents: [] },
      { state: "ok" as const, events: ["Stop"], claudeDashEvents: [] },
    ]
  ) {
    const text = formatReport(diagnose({
      ...goodView(),
      hooks: { dirExists: true, count: 0, newestMs: null, recent: 0 },
      settings,
    }));
    assert.match(
      text,
      /settings\.json hooks[^\n]*\n {4}→ run `deno task setup` in the claude-dash checkout/,
    );
  }
});

Deno.test("settings.json hooks are read by event name only; commands never reach the report", () => {
  const secret = "sk-ant-SECRET-123";
  const settings = {
    env: { ANTHROPIC_API_KEY: secret },
    hooks: {
      PreToolUse: [{
        matcher: "*",
        hooks: [{ type: "command", command: "claude-dash hook" }],
      }],
      Stop: [{ hooks: [{ type: "command", command: `TOKEN=${secret} notify.py` }] }],
      "Bad Key; rm -rf": [{ hooks: [{ type: "command", command: "x" }] }],
      Notification: "not a list",
    },
  };
  const parsed = settingsHooks(settings);
  assert.deepEqual(parsed, { events: ["PreToolUse", "Stop"], claudeDashEvents: ["PreToolUse"] });
  const text = formatReport(diagnose({ ...goodView(), settings: { state: "ok", ...parsed } }));
  assert.match(text, /hooks for 2 events; claude-dash hook on 1 of 12, other commands on 1/);
  assert.ok(!text.includes(secret) && !text.includes("notify.py"), text);
  assert.deepEqual(settingsHooks(null), { events: [], claudeDashEvents: [] });
  assert.deepEqual(settingsHooks({ hooks: [1] }), { events: [], claudeDashEvents: [] });
});

Deno.test(
  "doctor on an empty HOME exits non-zero and says what to do",
  opts,
  async () => {
    const home = await Deno.makeTempDir({ prefix: "claude-dash-test-" });
    try {
      const r = await runTask("doctor", home, ["doctor", "--port", String(freePort())]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /✗ Claude Code folder: .* does not exist/);
      assert.match(r.stdout, /→ run Claude Code once \(it creates ~\/\.claude\)/);
      assert.match(r.stdout, /problems to fix before claude-dash can show your sessions/);
      assert.deepEqual([...Deno.readDirSync(home)], [], "doctor created nothing");
    } finally {
      await Deno.remove(home, { recursive: true });
    }
    const h = await makeHome();
    try {
      const r = await runTask("doctor", h.home, ["doctor", "--port", String(freePort())]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /✓ Claude Code folder/);
      assert.match(r.stdout, /✗ transcripts: none in .*\n {4}→ run a Claude Code session/);
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test(
  "doctor on the fixtures exits 0 under the doctor task's permissions, changing nothing",
  opts,
  async () => {
    const h = await makeHome();
    try {
      // The launcher's doctor mode: the server's own permission flags, without the config.
      const flags = await taskRunFlags("doctor", h.home);
      assert.deepEqual(flags, ["--no-config", ...(await taskRunFlags("start", h.home))]);
      const parts = ["projects", "hooks", "claude-dash", "settings.json"];
      const readable = [
        ...parts.map((p) => `${h.claudeDir}/${p}`),
        `${h.home}/.config/claude/projects`,
      ];
      assert.ok(flags.includes(`--allow-read=${readable.join(",")}`), flags.join(" "));
      assert.ok(!flags.some((f) => f === "--allow-all" || f === "-A"));
      const layout = await writeFixtures(h.claudeDir);
      const secret = "xoxb-secret-token-value";
      await Deno.writeTextFile(
        join(h.claudeDir, "settings.json"),
        JSON.stringify({
          hooks: Object.fromEntries(
            ["PreToolUse", "Stop"].map((e) => [e, [{
              hooks: [{ type: "command", command: `SLACK=${secret} claude-dash hook` }],
            }]]),
          ),
        }),
      );
      const threads = new DatabaseSync(join(h.claudeDir, "hooks/threads.db"));
      threads.exec(`CREATE TABLE thread_mappings (session_id TEXT, channel_id TEXT,
        thread_id TEXT, created_at TEXT, is_archived INTEGER, last_used TEXT);
        INSERT INTO thread_mappings VALUES ('s1', 'c', 't', '2025-01-01', 0, NULL);`);
      threads.close();

      const port = freePort();
      const r = await runTask("doctor", h.home, ["doctor", "--port", String(port)]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const lines = r.stdout.trim().split("\n");
      assert.equal(lines[0], "claude-dash doctor");
      assert.match(r.stdout, new RegExp(`✓ transcripts: ${layout.transcripts.length} in `));
      const n = layout.hookFiles.length;
      assert.match(r.stdout, new RegExp(`✓ hook logging: ${n} payloads in .*, ${n} in the last 5`));
      assert.match(r.stdout, /settings\.json hooks.*claude-dash hook on 2 of 12/);
      assert.match(r.stdout, /✓ notifier thread DB: .* readable, 1 thread mappings/);
      assert.match(r.stdout, /✓ claude-dash database: .* not created yet/);
      assert.match(r.stdout, new RegExp(`✓ port: ${port} on 127\\.0\\.0\\.1 is free`));
      assert.match(r.stdout, /✓ permissions:/);
      assert.ok(!r.stdout.includes(secret), "settings values are never printed");
      await assert.rejects(Deno.stat(h.dbPath), Deno.errors.NotFound, "no database created");
      const hooksDir = [...Deno.readDirSync(join(h.claudeDir, "hooks"))].map((e) => e.name).sort();
      assert.deepEqual(hooksDir, ["logs", "threads.db"], "nothing written beside threads.db");

      // With its database made and claude-dash serving on the port.
      const dash = await serveReady(h);
      try {
        const r2 = await runTask("doctor", h.home, ["doctor", "--port", String(dash.port)]);
        assert.equal(r2.code, 0, r2.stdout + r2.stderr);
        assert.match(r2.stdout, /✓ claude-dash database: .*integrity ok, schema \d+ \(current\)/);
        assert.match(r2.stdout, /✓ port: claude-dash already serves .* \(1638 events\)/);
      } finally {
        await dash.stop();
      }
      const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const port3 = (busy.addr as Deno.NetAddr).port;
        const r3 = await runTask("doctor", h.home, ["doctor", "--port", String(port3)]);
        assert.equal(r3.code, 1);
        assert.match(r3.stdout, /✗ port: \d+ on 127\.0\.0\.1 is used by another program/);
      } finally {
        busy.close();
      }
    } finally {
      await h.cleanup();
    }
  },
);

/** `deno task doctor` as a person runs it: the task's words, through the real launcher. */
async function doctorTask(home: string, env: Record<string, string>, args: string[]) {
  const words = await taskWords("doctor");
  assert.deepEqual(words.slice(0, 2), ["deno", "run"]);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...words.slice(1), ...args],
    cwd: root,
    env: {
      HOME: home,
      ...env,
      DENO_DIR: await denoDir(),
      PATH: Deno.env.get("PATH") ?? "",
      NO_COLOR: "1",
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function transcriptLine(sid: string): string {
  return JSON.stringify({
    type: "user",
    sessionId: sid,
    uuid: `${sid}-u`,
    timestamp: "2025-08-01T00:00:00Z",
    message: { role: "user", content: `hello from ${sid}` },
  }) + "\n";
}

Deno.test(
  "deno task doctor finds transcripts that are only in ~/.config/claude, or only in a CLAUDE_CONFIG_DIR folder",
  opts,
  async () => {
    const h = await makeHome(); // ~/.claude with empty projects/ and raw_json/
    try {
      const xdg = join(h.home, ".config/claude");
      await Deno.mkdir(join(xdg, "projects/-p"), { recursive: true });
      await Deno.writeTextFile(join(xdg, "projects/-p/x1.jsonl"), transcriptLine("x1"));
      await Deno.writeTextFile(join(xdg, "projects/-p/x2.jsonl"), transcriptLine("x2"));
      const r = await doctorTask(h.home, {}, ["--port", String(freePort())]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /✓ Claude Code folder: .*\/\.claude \(home\) found, no transcripts/);
      assert.ok(
        r.stdout.includes(`✓ transcript folder: ${xdg} (xdg) found, 2 transcripts, newest `),
        r.stdout,
      );
      assert.ok(r.stdout.includes(`✓ transcripts: 2 in ${xdg}/projects, newest `), r.stdout);
      assert.doesNotMatch(r.stdout, /transcripts: none/);
      assert.match(r.stdout, /claude-dash is ready/);
    } finally {
      await h.cleanup();
    }

    // No ~/.claude and no ~/.config/claude: only the folder CLAUDE_CONFIG_DIR names.
    const home = await Deno.makeTempDir({ prefix: "claude-dash-test-" });
    try {
      const third = join(home, "third");
      await Deno.mkdir(join(third, "projects/-q"), { recursive: true });
      await Deno.writeTextFile(join(third, "projects/-q/e1.jsonl"), transcriptLine("e1"));
      await Deno.symlink(third, join(home, "link"));
      const r = await doctorTask(
        home,
        { CLAUDE_CONFIG_DIR: `${third},${home}/link` },
        ["--port", String(freePort())],
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /✗ Claude Code folder \(optional\): .*\/\.claude does not exist/);
      assert.ok(
        r.stdout.includes(`✓ transcript folder: ${home}/.config/claude (xdg) does not exist`),
        r.stdout,
      );
      assert.ok(
        r.stdout.includes(
          `✓ transcript folder: ${third} (env CLAUDE_CONFIG_DIR) found, 1 transcript, newest `,
        ),
        r.stdout,
      );
      assert.ok(r.stdout.includes(`${home}/link (env CLAUDE_CONFIG_DIR) is the same folder as`));
      assert.ok(r.stdout.includes(`✓ transcripts: 1 in ${third}/projects, newest `), r.stdout);
      assert.doesNotMatch(r.stdout, /transcripts: none/);
      assert.deepEqual(
        [...Deno.readDirSync(home)].map((e) => e.name).sort(),
        ["link", "third"],
        "doctor created nothing",
      );
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
);

Deno.test(
  "doctor run with read access to ~/.claude only names the folder it could not check and the fix",
  opts,
  async () => {
    const h = await makeHome();
    try {
      const xdg = join(h.home, ".config/claude");
      await Deno.mkdir(join(xdg, "projects/-p"), { recursive: true });
      await Deno.writeTextFile(join(xdg, "projects/-p/x1.jsonl"), transcriptLine("x1"));
      // The doctor task's flags before it went through the launcher.
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-config",
          `--allow-read=${h.claudeDir}`,
          `--allow-write=${h.claudeDir}/claude-dash`,
          "--allow-net=127.0.0.1,localhost",
          "--allow-env=HOME",
          join(root, "main.ts"),
          "doctor",
          "--port",
          String(freePort()),
        ],
        env: { HOME: h.home, DENO_DIR: await denoDir(), NO_COLOR: "1" },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 1, stdout);
      assert.ok(
        stdout.includes(
          `✗ transcript folder (optional): ${xdg} (xdg) not checked: doctor has no permission to read it\n    → run doctor via \`deno task doctor\``,
        ),
        stdout,
      );
      assert.ok(
        stdout.includes(`✗ transcripts: none in ${h.claudeDir}/projects; not checked: ${xdg}`),
        stdout,
      );
      assert.match(stdout, /XDG_CONFIG_HOME, CLAUDE_CONFIG_DIR cannot be read \(no --allow-env\)/);
    } finally {
      await h.cleanup();
    }
  },
);

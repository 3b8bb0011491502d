// The real Claude Code CLI (pinned in tests/support/claude_cli.ts) against the fake Messages API,
// in a temp HOME wired by the real `claude-dash setup --yes` (run as `deno task setup` runs it)
// while a claude-dash dashboard serves that HOME: three sessions — tool calls that succeed, one
// that fails, one the permission config rejects. claude-dash must then show each session with
// Claude Code's own token counts and total_cost_usd, one timeline row per tool call, no
// bookkeeping rows and no ingest error, in each of setup's three wirings: command hooks (hook
// files), `--http` (hooks POSTed to the dashboard) and `--otel` (telemetry to the dashboard:
// the tool rows carry Claude Code's decision and duration).

import assert from "node:assert/strict";
import { join } from "node:path";
import { type ClaudeResult, claudeTest, runClaude, transcriptPath } from "../support/claude_cli.ts";
import { startFakeAnthropic, type Turn } from "../support/fake_anthropic.ts";
import { runTask } from "../support/tasks.ts";
import { serveReady } from "../support/served.ts";

/** One scripted session and what Claude Code should report of each of its tool calls. */
interface Planned {
  prompt: string;
  script: Turn[];
  /** the CLI's allow-list (default Bash, Read, Write, Edit) */
  allowedTools?: string[];
  /** per tool call: the timeline outcome, Claude Code's decision and whether the tool ran OK */
  calls: Array<{ status: "ok" | "error"; decision: "accept" | "reject"; success: boolean | null }>;
}

interface Recorded {
  planned: Planned;
  result: ClaudeResult;
  toolUseIds: string[];
}

const usage = (input: number, output: number, create: number, read: number) => ({
  input_tokens: input,
  output_tokens: output,
  cache_creation_input_tokens: create,
  cache_read_input_tokens: read,
});

const sessions: Planned[] = [
  {
    prompt: "Write notes.txt, then show missing.txt",
    script: [
      {
        text: "I'll write the file.",
        tool: { name: "Write", input: { file_path: "notes.txt", content: "one\ntwo\nthree\n" } },
        usage: usage(1200, 45, 3000, 0),
      },
      {
        tool: { name: "Bash", input: { command: "cat missing.txt", description: "Show it" } },
        usage: usage(80, 30, 200, 3000),
      },
      { text: "Wrote notes.txt; missing.txt does not exist.", usage: usage(60, 12, 150, 3200) },
    ],
    calls: [
      { status: "ok", decision: "accept", success: true },
      { status: "error", decision: "accept", success: false },
    ],
  },
  {
    prompt: "Say hello with bash",
    script: [
      {
        tool: { name: "Bash", input: { command: "echo hello", description: "Say hello" } },
        usage: usage(900, 25, 1000, 0),
      },
      { text: "Said hello.", usage: usage(40, 8, 0, 1000) },
    ],
    calls: [{ status: "ok", decision: "accept", success: true }],
  },
  {
    // Write is not on this run's allow-list and -p cannot ask: the config rejects the call.
    prompt: "Write blocked.txt",
    allowedTools: ["Read"],
    script: [
      {
        tool: { name: "Write", input: { file_path: "blocked.txt", content: "no\n" } },
        usage: usage(700, 20, 500, 0),
      },
      { text: "I may not write files here.", usage: usage(30, 9, 0, 500) },
    ],
    calls: [{ status: "error", decision: "reject", success: null }],
  },
];

/** Telemetry exported quickly, so it has arrived when the CLI exits (defaults: 5 s and 60 s). */
const fastOtel = { OTEL_LOGS_EXPORT_INTERVAL: "200", OTEL_METRIC_EXPORT_INTERVAL: "200" };

/** Runs one `claude -p` session from its script; returns its result and the tool_use ids. */
async function session(home: string, planned: Planned): Promise<Recorded> {
  await using fake = startFakeAnthropic({ script: [...planned.script] });
  const run = await runClaude({
    home,
    prompt: planned.prompt,
    fake,
    allowedTools: planned.allowedTools,
    env: fastOtel,
  });
  assert.ok(run.result, `claude printed no result (exit ${run.code}): ${run.stdout}${run.stderr}`);
  assert.equal(run.result.is_error, false, run.stdout);
  assert.equal(fake.remaining(), 0, "the CLI consumed every scripted turn");
  assert.deepEqual(fake.unknown, [], "the CLI called nothing the fake does not know");
  const toolUseIds = fake.answered.flatMap((a) => a.toolUseId ? [a.toolUseId] : []);
  assert.equal(toolUseIds.length, planned.calls.length);
  return { planned, result: run.result, toolUseIds };
}

interface TimelineRow {
  kind: string;
  type: string;
  tool_use_id: string | null;
  tool_status: string | null;
  sources: Array<{ source: string; type: string; file: string | null }>;
}

interface SessionRow {
  session_id: string;
  tool_calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  cost_usd: number;
  cost_source: string;
}

interface ToolCall {
  tool_use_id: string | null;
  decision: string | null;
  decision_source: string | null;
  reported_duration_ms: number | null;
  reported_success: boolean | null;
}

/** Transcript line types that are history, not something that happened in the session. */
const bookkeeping = new Set([
  "queue-operation",
  "attachment",
  "atis-latch",
  "api-request-shape",
  "api-request-blob",
  "api-request",
  "tools-used",
  "last-prompt",
  "cost-state",
]);

async function getJson(base: string, path: string): Promise<Record<string, unknown>> {
  const r = await fetch(base + path);
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return await r.json();
}

/** Polls `check` (every 100 ms, up to `ms`) until it holds; true when it did. */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return await check();
}

type Wiring = "command" | "http" | "otel";

const hookDir = (home: string) => join(home, ".claude/hooks/logs/raw_json");

function hookFiles(home: string): string[] {
  try {
    return [...Deno.readDirSync(hookDir(home))].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/**
 * A temp HOME with a dashboard on a free port, wired by `deno task setup --yes` (with `flags`
 * and that port), the sessions run by the real CLI, then the checks every wiring shares and
 * `extra` for the wiring's own.
 */
function wiringTest(
  wiring: Wiring,
  flags: string[],
  extra: (t: Deno.TestContext, ctx: Ctx) => Promise<void>,
) {
  Deno.test({
    ...claudeTest,
    name: `real Claude Code sessions, wired by \`setup${
      flags.map((f) => ` ${f}`).join("")
    }\`, show in claude-dash as Claude Code reported them`,
    async fn(t) {
      const home = await Deno.makeTempDir({ prefix: `claude-dash-cli-${wiring}-` });
      await Deno.mkdir(join(home, ".claude"), { recursive: true });
      const cleanup = () => Deno.remove(home, { recursive: true }).catch(() => {});
      const d = await serveReady({
        home,
        claudeDir: join(home, ".claude"),
        dbPath: join(home, ".claude/claude-dash/claude-dash.db"),
        cleanup,
      }).catch(async (e) => {
        await cleanup();
        throw e;
      });
      try {
        const set = await runTask("setup", home, [
          "setup",
          "--yes",
          "--port",
          String(d.port),
          ...flags,
        ]);
        assert.equal(set.code, 0, set.stdout + set.stderr);
        const runs: Recorded[] = [];
        for (const planned of sessions) runs.push(await session(home, planned));
        await d.settled();
        const base = `http://127.0.0.1:${d.port}`;
        const ctx = await read(base, home, runs);
        await commonSteps(t, base, ctx);
        await extra(t, ctx);
      } finally {
        await d.stop();
        await cleanup();
      }
    },
  });
}

interface Ctx {
  base: string;
  home: string;
  runs: Recorded[];
  byId: Map<string, SessionRow>;
  timelines: Map<string, TimelineRow[]>;
}

async function read(base: string, home: string, runs: Recorded[]): Promise<Ctx> {
  const listed = (await getJson(base, "/api/sessions")).sessions as SessionRow[];
  const timelines = new Map<string, TimelineRow[]>();
  for (const run of runs) {
    const id = run.result.session_id;
    const tl = await getJson(base, `/api/sessions/${encodeURIComponent(id)}/timeline`);
    timelines.set(id, tl.rows as TimelineRow[]);
  }
  return { base, home, runs, byId: new Map(listed.map((s) => [s.session_id, s])), timelines };
}

const toolRows = (ctx: Ctx, run: Recorded) =>
  ctx.timelines.get(run.result.session_id)!.filter((r) => r.kind === "tool");

async function commonSteps(t: Deno.TestContext, base: string, ctx: Ctx): Promise<void> {
  await t.step("each session appears with its tool calls", () => {
    for (const run of ctx.runs) {
      const s = ctx.byId.get(run.result.session_id);
      assert.ok(s, `session ${run.result.session_id} listed`);
      assert.equal(s.tool_calls, run.toolUseIds.length);
    }
  });

  await t.step("nothing fails to ingest", async () => {
    const health = await getJson(base, "/api/health");
    assert.equal(health.errors, 0, JSON.stringify(health.recent_errors));
    assert.deepEqual(health.recent_errors, []);
  });

  await t.step("one timeline row per tool call, with its outcome", () => {
    for (const run of ctx.runs) {
      const tools = toolRows(ctx, run);
      assert.deepEqual(tools.map((r) => r.tool_use_id), run.toolUseIds);
      assert.deepEqual(tools.map((r) => r.tool_status), run.planned.calls.map((c) => c.status));
    }
  });

  await t.step("token counts are the ones Claude Code reported", () => {
    for (const run of ctx.runs) {
      const s = ctx.byId.get(run.result.session_id)!;
      const u = run.result.usage;
      assert.deepEqual(
        [s.input_tokens, s.output_tokens, s.cache_creation_tokens, s.cache_read_tokens],
        [u.input_tokens, u.output_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens],
      );
    }
  });

  await t.step("the cost is Claude Code's total_cost_usd, said to be reported", () => {
    for (const run of ctx.runs) {
      const s = ctx.byId.get(run.result.session_id)!;
      assert.ok(
        Math.abs(s.cost_usd - run.result.total_cost_usd) < 1e-9,
        `${s.cost_usd} vs ${run.result.total_cost_usd}`,
      );
      assert.equal(s.cost_source, "reported");
    }
  });

  await t.step("bookkeeping lines are not timeline rows", () => {
    for (const run of ctx.runs) {
      // Not vacuous: Claude Code did write such lines into this session's transcript.
      const written = Deno.readTextFileSync(transcriptPath(ctx.home, run.result.session_id)!)
        .split("\n").filter((l) => l !== "").map((l) => String(JSON.parse(l).type));
      assert.ok(written.some((type) => bookkeeping.has(type)), [...new Set(written)].join(","));
      const shown = ctx.timelines.get(run.result.session_id)!
        .filter((r) => bookkeeping.has(String(r.type)));
      assert.deepEqual(shown.map((r) => r.type), []);
    }
  });
}

/** The hook lines merged into each tool row (their source files). */
function hookSourcesOfTools(ctx: Ctx): Array<Array<{ type: string; file: string | null }>> {
  return ctx.runs.flatMap((run) =>
    toolRows(ctx, run).map((r) => r.sources.filter((s) => s.source === "hook"))
  );
}

wiringTest("command", [], async (t, ctx) => {
  await t.step("the command hooks wrote hook files, and each tool row holds its hooks", () => {
    const events = new Set(hookFiles(ctx.home).map((n) => n.split("_")[1]));
    for (const e of ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop"]) {
      assert.ok(events.has(e), `${e} in ${[...events]}`);
    }
    for (const hooks of hookSourcesOfTools(ctx)) {
      assert.ok(hooks.some((h) => h.type === "PreToolUse"), JSON.stringify(hooks));
      assert.ok(
        hooks.every((h) => h.file?.startsWith("hooks/logs/raw_json/")),
        String(hooks[0]?.file),
      );
    }
  });
});

wiringTest("http", ["--http"], async (t, ctx) => {
  await t.step("hooks arrived over HTTP: no hook file, each tool row holds its hooks", () => {
    assert.deepEqual(hookFiles(ctx.home), []);
    for (const hooks of hookSourcesOfTools(ctx)) {
      assert.ok(hooks.some((h) => h.type === "PreToolUse"), JSON.stringify(hooks));
      assert.ok(hooks.every((h) => h.file === "http:hooks"), String(hooks[0]?.file));
    }
  });
});

wiringTest("otel", ["--otel"], async (t, ctx) => {
  await t.step(
    "each tool call carries Claude Code's decision, its source and duration",
    async () => {
      for (const run of ctx.runs) {
        const path = `/api/sessions/${encodeURIComponent(run.result.session_id)}`;
        let calls: ToolCall[] = [];
        // The CLI exports its last batch as it exits; give the dashboard a moment to store it.
        await eventually(async () => {
          calls = (await getJson(ctx.base, path)).tool_calls as ToolCall[];
          return calls.length === run.toolUseIds.length && calls.every((c) => c.decision !== null);
        });
        const byId = new Map(calls.map((c) => [c.tool_use_id, c]));
        run.toolUseIds.forEach((id, i) => {
          const want = run.planned.calls[i];
          const c = byId.get(id);
          assert.ok(c, `tool call ${id} listed`);
          assert.equal(c.decision, want.decision, id);
          assert.equal(c.decision_source, "config", id);
          assert.equal(c.reported_success, want.success, id);
          if (want.success === null) assert.equal(c.reported_duration_ms, null, id);
          else {
            assert.equal(typeof c.reported_duration_ms, "number", id);
            assert.ok(c.reported_duration_ms! >= 0, id);
          }
        });
      }
    },
  );
  await t.step("the command hooks ran beside the telemetry: hook files appear", () => {
    assert.ok(hookFiles(ctx.home).length > 0);
  });
});

// A small, real-looking Claude home for the in-process route tests: hook payload files as a
// logging hook writes them and one transcript as Claude Code writes it, all timed in the
// last hour so the overview, the usage window and the alerts have something to show.

import { join } from "node:path";

/** Ids and names the route tests ask for. */
export const seedIds = {
  hookSession: "unit-hook-0001",
  transcriptSession: "unit-tr-0001",
  project: "demo-project",
  cwd: "/work/demo-project",
  marker: "zebrafish",
} as const;

/** Writes the hook files and the transcript into `claudeDir`; times are minutes before `now`. */
export async function writeSeed(claudeDir: string, now = Date.now()): Promise<void> {
  const at = (minAgo: number) => new Date(now - minAgo * 60_000).toISOString();
  const { hookSession: sid, cwd } = seedIds;
  const hooks: Array<Record<string, unknown>> = [
    { hook_event_name: "SessionStart", source: "startup", model: "claude-sonnet-4-5" },
    { hook_event_name: "UserPromptSubmit", prompt: `feed the ${seedIds.marker} in the tank` },
    {
      hook_event_name: "PreToolUse",
      tool_name: "Bash",
      tool_use_id: "toolu_unit_1",
      tool_input: { command: "git status" },
    },
    {
      hook_event_name: "PostToolUse",
      tool_name: "Bash",
      tool_use_id: "toolu_unit_1",
      tool_input: { command: "git status" },
      tool_response: { stdout: "nothing to commit" },
    },
    {
      hook_event_name: "PreToolUse",
      tool_name: "Read",
      tool_use_id: "toolu_unit_2",
      tool_input: { file_path: "/work/demo-project/missing.ts" },
    },
    {
      hook_event_name: "PostToolUseFailure",
      tool_name: "Read",
      tool_use_id: "toolu_unit_2",
      tool_input: { file_path: "/work/demo-project/missing.ts" },
      error: "File does not exist.",
    },
    {
      hook_event_name: "Notification",
      message: "Claude needs your permission to use Bash",
      notification_type: "permission_prompt",
    },
  ];
  const dir = join(claudeDir, "hooks/logs/raw_json");
  await Deno.mkdir(dir, { recursive: true });
  for (const [i, p] of hooks.entries()) {
    const ts = at(30 - i);
    const stamp = ts.replace(/[-:]/g, "").replace("T", "_").replace(/\.(\d{3})Z$/, "_$1000");
    const payload = { session_id: sid, cwd, timestamp: ts, ...p };
    await Deno.writeTextFile(
      join(dir, `${stamp}_${p.hook_event_name}_${sid}.json`),
      JSON.stringify(payload, null, 2),
    );
  }
  // A half-written payload: counted as an ingest error, never stored as an event.
  await Deno.writeTextFile(
    join(dir, `20250101_000000_000000_PreToolUse_${sid}.json`),
    '{"hook_event_name": "PreToolUse", "session_id": ',
  );

  const tr = seedIds.transcriptSession;
  const lines = [
    {
      type: "user",
      sessionId: tr,
      uuid: "u-unit-1",
      timestamp: at(20),
      cwd,
      message: { role: "user", content: `count the ${seedIds.marker} tests` },
    },
    {
      type: "assistant",
      sessionId: tr,
      uuid: "u-unit-2",
      requestId: "req_unit_1",
      timestamp: at(19),
      cwd,
      message: {
        id: "msg_unit_1",
        model: "claude-sonnet-4-5-20250929",
        role: "assistant",
        content: [
          { type: "text", text: "Counting them." },
          { type: "tool_use", id: "toolu_unit_3", name: "Grep", input: { pattern: "Deno.test" } },
        ],
        usage: {
          input_tokens: 1200,
          output_tokens: 300,
          cache_creation_input_tokens: 2000,
          cache_read_input_tokens: 5000,
        },
      },
    },
    {
      type: "user",
      sessionId: tr,
      uuid: "u-unit-3",
      timestamp: at(18),
      cwd,
      message: {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "toolu_unit_3", content: "42 matches" }],
      },
    },
    {
      type: "assistant",
      sessionId: tr,
      uuid: "u-unit-4",
      requestId: "req_unit_2",
      timestamp: at(5),
      cwd,
      message: {
        id: "msg_unit_2",
        model: "claude-sonnet-4-5-20250929",
        role: "assistant",
        content: [{ type: "text", text: "There are 42 tests." }],
        usage: { input_tokens: 800, output_tokens: 120, cache_read_input_tokens: 7000 },
      },
    },
  ];
  const projectDir = join(claudeDir, "projects/-work-demo-project");
  await Deno.mkdir(projectDir, { recursive: true });
  await Deno.writeTextFile(
    join(projectDir, `${tr}.jsonl`),
    lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
  );
}

// Claude Code 1.0.x wrote PreToolUse/PostToolUse hooks without a tool_use_id; the store pairs
// them by order per session and tool (tool_calls). The session timeline shows such a call like
// one that carries an id: its status and a duration bar, from the store's pairing.

import assert from "node:assert/strict";
import { join } from "node:path";
import { json, openTestApp, text } from "./support/app.ts";
import type { TimelineRow } from "../../src/core/types.ts";

const sid = "unit-idless-0001";

/** The same "now" for every payload, so the gaps between them are exact. */
const now = Date.now();

/** Writes one hook payload as the logging hook names it, `msAgo` before now. */
async function hook(claudeDir: string, msAgo: number, p: Record<string, unknown>) {
  const ts = new Date(now - msAgo).toISOString();
  const stamp = ts.replace(/[-:]/g, "").replace("T", "_").replace(/\.(\d{3})Z$/, "_$1000");
  await Deno.writeTextFile(
    join(claudeDir, `hooks/logs/raw_json/${stamp}_${p.hook_event_name}_${sid}.json`),
    JSON.stringify({ session_id: sid, cwd: "/work/legacy", timestamp: ts, ...p }),
  );
}

Deno.test("an id-less PreToolUse/PostToolUse pair gets a status and a duration bar in the session timeline", async () => {
  await using t = await openTestApp({ seed: false, live: true });
  const input = { command: "npm test" };
  await hook(t.claudeDir, 60_000, { hook_event_name: "UserPromptSubmit", prompt: "run tests" });
  await hook(t.claudeDir, 50_000, {
    hook_event_name: "PreToolUse",
    tool_name: "Bash",
    tool_input: input,
  });
  await hook(t.claudeDir, 47_500, {
    hook_event_name: "PostToolUse",
    tool_name: "Bash",
    tool_input: input,
    tool_response: { stdout: "ok" },
  });
  await hook(t.claudeDir, 40_000, {
    hook_event_name: "PreToolUse",
    tool_name: "Read",
    tool_input: { file_path: "/work/legacy/gone.ts" },
  });
  await hook(t.claudeDir, 39_750, {
    hook_event_name: "PostToolUseFailure",
    tool_name: "Read",
    tool_input: { file_path: "/work/legacy/gone.ts" },
    error: "File does not exist.",
  });
  await t.ingester.rescan();

  // The store paired them (the API has said so all along) …
  const calls = (await json(await t.get(`/api/sessions/${sid}`))).tool_calls as Array<
    { tool_use_id: string | null; tool_name: string; duration_ms: number | null }
  >;
  assert.deepEqual(
    calls.map((c) => [c.tool_use_id, c.tool_name, c.duration_ms]).sort(),
    [[null, "Bash", 2500], [null, "Read", 250]],
  );

  // … and the timeline shows each pair as a call with its outcome and duration.
  const page = await json(await t.get(`/api/sessions/${sid}/timeline`));
  const rows = page.rows as TimelineRow[];
  const tool = (name: string) => {
    const withOutcome = rows.filter((r) => r.tool_name === name && r.tool_status !== null);
    assert.equal(withOutcome.length, 1, `one ${name} row with an outcome`);
    return withOutcome[0];
  };
  assert.deepEqual(
    [tool("Bash").tool_status, tool("Bash").tool_duration_ms],
    ["ok", 2500],
  );
  assert.deepEqual([tool("Read").tool_status, tool("Read").tool_duration_ms], ["error", 250]);

  const html = await text(await t.get(`/sessions/${sid}`, "text/html"));
  assert.match(html, /<rect class="bar-fill ok" width="[\d.]+"/, "Bash's duration bar");
  assert.match(html, /<rect class="bar-fill error" width="[\d.]+"/, "Read's duration bar");
  assert.match(html, /ok · 2\.50 s/);
});

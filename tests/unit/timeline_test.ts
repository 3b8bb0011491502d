// The timeline merge (src/core/timeline.ts) over plain lines: what hooks and transcripts say of
// one tool call or one prompt becomes one row, whatever mix of them was read.

import assert from "node:assert/strict";
import {
  type IdlessCall,
  mergeRows,
  promptText,
  type TimelineEvidence,
  timelineRows,
} from "../../src/core/timeline.ts";
import { ErrorKind } from "../../src/core/types.ts";

const t0 = Date.UTC(2026, 0, 5, 10, 0, 0);
let nextId = 1;

function line(p: Partial<TimelineEvidence> & Pick<TimelineEvidence, "type">): TimelineEvidence {
  return {
    id: nextId++,
    ts: t0,
    source: "hook",
    session_id: "s1",
    tool_name: null,
    tool_use_id: null,
    summary: p.type,
    is_sidechain: false,
    error_kind: ErrorKind.None,
    file: null,
    offset: null,
    call: null,
    ...p,
  };
}

Deno.test("a call's hook Pre/Post and transcript tool_use/tool_result are one row with all four lines", () => {
  const call = { status: "ok" as const, start_ts: t0, end_ts: t0 + 1500, error: null };
  const id = "toolu_01";
  const lines = [
    line({ type: "assistant", source: "transcript", ts: t0 + 5, tool_use_id: id, call }),
    line({ type: "PreToolUse", ts: t0, tool_name: "Bash", tool_use_id: id, call }),
    line({ type: "PostToolUse", ts: t0 + 1500, tool_name: "Bash", tool_use_id: id, call }),
    line({
      type: "user",
      source: "transcript",
      ts: t0 + 1510,
      tool_use_id: id,
      summary: "result: 3 files",
      call,
    }),
  ];
  const rows = timelineRows(lines);
  assert.equal(rows.length, 1);
  const [r] = rows;
  assert.equal(r.key, `tool:${id}`);
  assert.equal(r.kind, "tool");
  assert.equal(r.tool_name, "Bash");
  assert.equal(r.type, "PreToolUse", "shown as its hook call");
  assert.equal(r.tool_status, "ok");
  assert.equal(r.tool_duration_ms, 1500);
  assert.equal(r.result, "result: 3 files");
  assert.deepEqual(r.sources.map((s) => [s.source, s.type]), [
    ["hook", "PreToolUse"],
    ["transcript", "assistant"],
    ["hook", "PostToolUse"],
    ["transcript", "user"],
  ]);
  assert.equal(r.id, lines[1].id, "a row's id is its earliest line's");
});

Deno.test("an id-less hook Pre/Post pair is one row with the duration the store paired", () => {
  const calls: IdlessCall[] = [
    { tool_name: "Read", status: "ok", start_ts: t0, end_ts: t0 + 80, error: null },
    { tool_name: "Read", status: "error", start_ts: t0 + 100, end_ts: t0 + 400, error: "gone" },
  ];
  const rows = timelineRows([
    line({ type: "PreToolUse", ts: t0, tool_name: "Read" }),
    line({ type: "PreToolUse", ts: t0 + 100, tool_name: "Read" }),
    line({ type: "PostToolUse", ts: t0 + 80, tool_name: "Read" }),
    line({
      type: "PostToolUseFailure",
      ts: t0 + 400,
      tool_name: "Read",
      error_kind: ErrorKind.ToolFailed,
    }),
  ], calls);
  assert.deepEqual(rows.map((r) => [r.kind, r.tool_status, r.tool_duration_ms, r.sources.length]), [
    ["tool", "ok", 80, 2],
    ["tool", "error", 300, 2],
  ]);
  assert.equal(rows[1].tool_error, "gone");
  assert.equal(rows[1].error_kind, ErrorKind.ToolFailed);
});

Deno.test("a prompt seen by the hook and in the transcript is one row; the same text a minute later is another", () => {
  const rows = timelineRows([
    line({ type: "UserPromptSubmit", ts: t0, summary: "fix the tests" }),
    line({ type: "user", source: "transcript", ts: t0 + 700, summary: "fix the tests" }),
    line({ type: "UserPromptSubmit", ts: t0 + 120_000, summary: "fix the tests" }),
    line({ type: "user", source: "transcript", ts: t0 + 120_300, summary: "fix the tests" }),
    line({ type: "user", source: "transcript", ts: t0 + 130_000, summary: "something else" }),
  ]);
  assert.deepEqual(rows.map((r) => [r.kind, r.type, r.sources.length]), [
    ["prompt", "UserPromptSubmit", 2],
    ["prompt", "UserPromptSubmit", 2],
    ["prompt", "user", 1],
  ]);
});

Deno.test("a slash command's hook prompt and its transcript markup are one prompt", () => {
  const markup =
    "<command-message>review is running…</command-message> <command-name>/review</command-name> <command-args>src/</command-args>";
  assert.equal(promptText(markup), "/review src/");
  const rows = timelineRows([
    line({ type: "UserPromptSubmit", ts: t0, summary: "/review src/" }),
    line({ type: "user", source: "transcript", ts: t0 + 20, summary: markup }),
  ]);
  assert.equal(rows.length, 1);
});

Deno.test("a live row for a thing already shown merges into it (by key or a line in common); a new thing is appended", () => {
  const call = { status: "running" as const, start_ts: t0, end_ts: null, error: null };
  const typed = line({ type: "user", source: "transcript", ts: t0 - 500, summary: "go" });
  const pre = line({ type: "PreToolUse", ts: t0, tool_name: "Bash", tool_use_id: "toolu_9", call });
  const shown = timelineRows([typed, pre]);
  const done = { status: "ok" as const, start_ts: t0, end_ts: t0 + 90, error: null };
  // The hook prompt arrived after the transcript line: the server sends the pair whole, under
  // the hook line's key (it is earlier), so only the line in common ties it to the row shown.
  const live = timelineRows([
    line({ type: "UserPromptSubmit", ts: t0 - 510, summary: "go" }),
    typed,
    line({
      type: "PostToolUse",
      ts: t0 + 90,
      tool_name: "Bash",
      tool_use_id: "toolu_9",
      call: done,
    }),
    line({ type: "Notification", ts: t0 + 100 }),
  ]);
  assert.notEqual(live[0].key, shown[0].key);
  const merged = mergeRows(shown, live);
  assert.deepEqual(merged.map((r) => [r.kind, r.sources.length]), [
    ["prompt", 2],
    ["tool", 2],
    ["notify", 1],
  ]);
  assert.equal(merged[1].tool_status, "ok");
  assert.equal(merged[1].tool_duration_ms, 90);
});

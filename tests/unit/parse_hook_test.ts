// The hook payload parser: one hook log file's bytes → a normalized event or a counted error.

import assert from "node:assert/strict";
import { hookTime, parseHookFile } from "../../src/ingest/parse/hook.ts";

const enc = new TextEncoder();
const mtime = Date.UTC(2025, 7, 12, 9, 0, 0);
const rel = (event: string, sid = "s-1") =>
  `hooks/logs/raw_json/20250812_143022_123456_${event}_${sid}.json`;

function parse(payload: unknown, path = rel("PreToolUse")) {
  return parseHookFile(path, enc.encode(JSON.stringify(payload)), mtime);
}

function event(payload: Record<string, unknown>, path?: string) {
  const r = parse(payload, path);
  if ("error" in r) throw new Error(`unexpected error: ${r.error.reason}`);
  return r.event;
}

function reason(r: ReturnType<typeof parseHookFile>): string {
  assert.ok("error" in r, "expected an error");
  return r.error.reason;
}

Deno.test("a PreToolUse payload becomes a hook event that starts its tool call", () => {
  const ev = event({
    session_id: "s-1",
    hook_event_name: "PreToolUse",
    cwd: "/work/app",
    tool_name: "Bash",
    tool_use_id: "toolu_1",
    tool_input: { command: "npm   test\n  --watch" },
    timestamp: "2025-08-12T14:30:22.500Z",
  });
  assert.equal(ev.source, "hook");
  assert.equal(ev.sessionId, "s-1");
  assert.equal(ev.type, "PreToolUse");
  assert.equal(ev.toolName, "Bash");
  assert.equal(ev.toolUseId, "toolu_1");
  assert.equal(ev.cwd, "/work/app");
  assert.equal(ev.summary, "Bash: npm test --watch", "whitespace collapses to one line");
  assert.equal(ev.ts, Date.UTC(2025, 7, 12, 14, 30, 22, 500));
  assert.equal(ev.errorKind, 0);
  assert.deepEqual(ev.toolEffects, [{
    phase: "start",
    toolUseId: "toolu_1",
    toolName: "Bash",
    inputSummary: "npm test --watch",
    failed: false,
    error: null,
  }]);
  assert.equal(ev.offset, null);
  assert.ok(ev.key.startsWith(`hook:${rel("PreToolUse")}:`));
});

Deno.test("a PostToolUseFailure ends its tool call as failed and counts as a tool error", () => {
  const ev = event({
    session_id: "s-1",
    hook_event_name: "PostToolUseFailure",
    tool_name: "Read",
    tool_use_id: "toolu_2",
    tool_input: { file_path: "/x/missing.ts" },
    error: "File does not exist.",
  }, rel("PostToolUseFailure"));
  assert.equal(ev.errorKind, 2);
  assert.equal(ev.summary, "Read failed: File does not exist.");
  assert.equal(ev.toolEffects.length, 1);
  assert.equal(ev.toolEffects[0].phase, "end");
  assert.equal(ev.toolEffects[0].failed, true);
  assert.equal(ev.toolEffects[0].error, "File does not exist.");
});

Deno.test("a PostToolUse ends its tool call without failure", () => {
  const ev = event({
    session_id: "s-1",
    hook_event_name: "PostToolUse",
    tool_name: "Bash",
    tool_use_id: "toolu_1",
    tool_input: { command: "ls" },
  }, rel("PostToolUse"));
  assert.equal(ev.summary, "Bash done: ls");
  assert.deepEqual(ev.toolEffects.map((e) => [e.phase, e.failed]), [["end", false]]);
  assert.equal(ev.errorKind, 0);
});

Deno.test("each non-tool hook event gets a summary a person can read", () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [
      { hook_event_name: "Notification", message: "Claude needs your permission" },
      "Claude needs your permission",
    ],
    [{ hook_event_name: "Notification", notification_type: "idle_prompt" }, "idle_prompt"],
    [{ hook_event_name: "UserPromptSubmit", prompt: "fix the tests" }, "fix the tests"],
    [{ hook_event_name: "Stop", last_assistant_message: "Done." }, "Done."],
    [{ hook_event_name: "Stop" }, "Stop"],
    [{ hook_event_name: "SubagentStop", agent_type: "Explore" }, "Explore"],
    [
      { hook_event_name: "SessionStart", source: "resume", model: "claude-opus-4-1" },
      "resume claude-opus-4-1",
    ],
    [{ hook_event_name: "SessionStart" }, "session start"],
    [{ hook_event_name: "SessionEnd", reason: "logout" }, "logout"],
    [{ hook_event_name: "PreCompact", trigger: "auto" }, "compact (auto)"],
    [{ hook_event_name: "PreCompact" }, "compact (?)"],
    [{ hook_event_name: "SomethingNew" }, "SomethingNew"],
  ];
  for (const [p, summary] of cases) {
    const type = String(p.hook_event_name);
    assert.equal(event({ session_id: "s-1", ...p }, rel(type)).summary, summary, type);
  }
});

Deno.test("a payload without hook_event_name or session_id is rejected, never guessed", () => {
  assert.equal(reason(parse({ session_id: "s-1" })), "rejected: no hook_event_name");
  assert.equal(reason(parse({ hook_event_name: "Stop" })), "rejected: no session_id");
  assert.equal(
    reason(parse({ hook_event_name: 7, session_id: "s-1" })),
    "rejected: no hook_event_name",
  );
});

Deno.test("an empty, binary, non-UTF-8 or half-written hook file is an error with a reason", () => {
  const p = rel("Stop");
  assert.match(reason(parseHookFile(p, new Uint8Array(), mtime)), /^empty file/);
  assert.match(reason(parseHookFile(p, new Uint8Array([123, 0, 125]), mtime)), /NUL bytes/);
  assert.equal(
    reason(parseHookFile(p, new Uint8Array([0xff, 0xfe, 0x41]), mtime)),
    "not UTF-8 text",
  );
  const half = parseHookFile(p, enc.encode('{"hook_event_name": "Stop", "sess'), mtime);
  assert.match(reason(half), /^invalid JSON \(half-written\? retried when it changes\)/);
  assert.ok("error" in half && half.error.path === p && half.error.offset === null);
  assert.equal(reason(parseHookFile(p, enc.encode("[1, 2]"), mtime)), "not a JSON object");
});

Deno.test("a hook payload nested deeper than the JSON depth limit is refused", () => {
  const deep = '{"hook_event_name":"Stop","session_id":"s","x":' + "[".repeat(600) +
    "]".repeat(600) + "}";
  assert.match(reason(parseHookFile(rel("Stop"), enc.encode(deep), mtime)), /nested deeper than/);
});

Deno.test("the same payload gives the same key; a changed payload a different one", () => {
  const a = event({ session_id: "s-1", hook_event_name: "Stop" }, rel("Stop"));
  const b = event({ session_id: "s-1", hook_event_name: "Stop" }, rel("Stop"));
  const c = event({ session_id: "s-1", hook_event_name: "Stop", x: 1 }, rel("Stop"));
  assert.equal(a.key, b.key);
  assert.notEqual(a.key, c.key);
});

Deno.test("unknown fields are kept: raw is the file's text exactly", () => {
  const text = '{"hook_event_name":"Stop","session_id":"s-1","future_field":{"a":[1,2]}}';
  const r = parseHookFile(rel("Stop"), enc.encode(text), mtime);
  assert.ok("event" in r);
  assert.equal(r.event.raw, text);
});

Deno.test("hook time: a zoned script timestamp wins over the file name's stamp", () => {
  const t = hookTime(rel("Stop"), { timestamp: "2025-08-12T10:00:00+02:00" }, "Stop", mtime);
  assert.equal(t, Date.UTC(2025, 7, 12, 8, 0, 0));
});

Deno.test("hook time: without a zoned timestamp the file name's stamp is used (local time)", () => {
  const t = hookTime(rel("Stop"), { timestamp: "2025-01-01 00:00:00" }, "Stop", mtime);
  assert.equal(t, new Date(2025, 7, 12, 14, 30, 22, 123).getTime());
});

Deno.test("hook time: a zoneless script stamp beats the mtime when the name has no stamp", () => {
  const path = "hooks/logs/raw_json/payload.json";
  assert.equal(
    hookTime(path, { logged_at: "2025-03-04T05:06:07" }, "Stop", mtime),
    new Date(2025, 2, 4, 5, 6, 7).getTime(),
  );
  assert.equal(hookTime(path, {}, "Stop", mtime + 0.4), mtime, "else the file's mtime, rounded");
});

// The transcript parser: a chunk of JSONL bytes from a stored offset → events, counted line
// errors and how many bytes were consumed (a line only counts with its newline).

import assert from "node:assert/strict";
import {
  parseTranscriptChunk,
  sessionIdFromPath,
  type TranscriptContext,
} from "../../src/ingest/parse/transcript.ts";

const enc = new TextEncoder();
const relPath = "projects/-work-app/sess-1.jsonl";

function ctx(over: Partial<TranscriptContext> = {}): TranscriptContext {
  return {
    relPath,
    fileSessionId: "sess-1",
    baseOffset: 0,
    mtimeMs: Date.UTC(2025, 0, 1),
    lastTs: null,
    skipToNewline: false,
    takeUnterminated: false,
    maxLineBytes: 1 << 20,
    ...over,
  };
}

const jsonl = (...lines: unknown[]) => lines.map((l) => JSON.stringify(l) + "\n").join("");

const userLine = (text: string, ts = "2025-08-12T10:00:00.000Z") => ({
  type: "user",
  sessionId: "sess-1",
  uuid: "u-1",
  timestamp: ts,
  cwd: "/work/app",
  message: { role: "user", content: text },
});

const assistantLine = {
  type: "assistant",
  sessionId: "sess-1",
  uuid: "u-2",
  requestId: "req_1",
  timestamp: "2025-08-12T10:00:05.000Z",
  message: {
    id: "msg_1",
    model: "claude-sonnet-4-5-20250929",
    role: "assistant",
    content: [
      { type: "thinking", thinking: "hmm" },
      { type: "text", text: "Running the tests." },
      { type: "tool_use", id: "toolu_9", name: "Bash", input: { command: "deno test" } },
    ],
    usage: {
      input_tokens: 10,
      output_tokens: 20,
      cache_creation_input_tokens: 30,
      cache_read_input_tokens: 40,
      cache_creation: { ephemeral_1h_input_tokens: 5 },
    },
  },
};

Deno.test("a transcript line without a trailing newline is not consumed", () => {
  const text = jsonl(userLine("first")) + JSON.stringify(userLine("second"));
  const r = parseTranscriptChunk(ctx(), enc.encode(text));
  assert.equal(r.events.length, 1);
  assert.equal(r.consumed, enc.encode(jsonl(userLine("first"))).length);
  assert.equal(r.errors.length, 0);
});

Deno.test("the final unterminated line of a quiet file is taken when it parses whole", () => {
  const text = JSON.stringify(userLine("last"));
  const r = parseTranscriptChunk(ctx({ takeUnterminated: true }), enc.encode(text));
  assert.equal(r.events.length, 1);
  assert.equal(r.consumed, enc.encode(text).length);
});

Deno.test("a half-written final line of a quiet file is left for later, not counted as bad", () => {
  const text = '{"type":"user","sessionId":"sess-1","mess';
  const r = parseTranscriptChunk(ctx({ takeUnterminated: true }), enc.encode(text));
  assert.equal(r.events.length, 0);
  assert.equal(r.errors.length, 0);
  assert.equal(r.consumed, 0);
});

Deno.test("a bad line is a counted error at its absolute offset and the lines after it still parse", () => {
  const good = jsonl(userLine("a"));
  const text = good + "{not json}\n" + "[1,2]\n" + jsonl(userLine("b"));
  const r = parseTranscriptChunk(ctx({ baseOffset: 1000 }), enc.encode(text));
  assert.equal(r.events.length, 2);
  assert.deepEqual(r.errors.map((e) => e.offset), [1000 + good.length, 1000 + good.length + 11]);
  assert.match(r.errors[0].reason, /^invalid JSON/);
  assert.equal(r.errors[1].reason, "not a JSON object (array)");
  assert.equal(r.errors[0].path, relPath);
  assert.equal(r.consumed, enc.encode(text).length);
});

Deno.test("blank lines and CRLF line ends are accepted silently", () => {
  const text = "\n   \n" + JSON.stringify(userLine("crlf")) + "\r\n";
  const r = parseTranscriptChunk(ctx(), enc.encode(text));
  assert.equal(r.errors.length, 0);
  assert.equal(r.events.length, 1);
  assert.equal(r.events[0].summary, "crlf");
});

Deno.test("a line that is not UTF-8 is an error", () => {
  const bytes = new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]);
  const r = parseTranscriptChunk(ctx(), bytes);
  assert.equal(r.errors[0].reason, "line is not UTF-8 text");
});

Deno.test("an assistant line carries model, usage, the tool call it starts and a summary", () => {
  const r = parseTranscriptChunk(ctx(), enc.encode(jsonl(assistantLine)));
  const ev = r.events[0];
  assert.equal(ev.type, "assistant");
  assert.equal(ev.model, "claude-sonnet-4-5-20250929");
  assert.equal(ev.toolName, "Bash");
  assert.equal(ev.toolUseId, "toolu_9");
  assert.equal(ev.summary, "(thinking) · Running the tests. · Bash: deno test");
  assert.deepEqual(ev.usage, {
    messageId: "msg_1",
    requestId: "req_1",
    model: "claude-sonnet-4-5-20250929",
    usage: {
      input_tokens: 10,
      output_tokens: 20,
      cache_creation_tokens: 30,
      cache_creation_1h_tokens: 5,
      cache_read_tokens: 40,
    },
  });
  assert.deepEqual(ev.toolEffects.map((e) => [e.phase, e.toolUseId, e.inputSummary]), [[
    "start",
    "toolu_9",
    "deno test",
  ]]);
  assert.equal(ev.ts, Date.UTC(2025, 7, 12, 10, 0, 5));
  assert.equal(ev.offset, 0);
});

Deno.test("a failed tool_result ends its call as failed and marks the line a tool error", () => {
  const line = {
    type: "user",
    sessionId: "sess-1",
    timestamp: "2025-08-12T10:00:06Z",
    message: {
      role: "user",
      content: [{
        type: "tool_result",
        tool_use_id: "toolu_9",
        is_error: true,
        content: [{ type: "text", text: "exit code 1" }],
      }],
    },
  };
  const ev = parseTranscriptChunk(ctx(), enc.encode(jsonl(line))).events[0];
  assert.equal(ev.errorKind, 2);
  assert.equal(ev.toolUseId, "toolu_9");
  assert.equal(ev.summary, "error: exit code 1");
  assert.deepEqual(ev.toolEffects[0], {
    phase: "end",
    toolUseId: "toolu_9",
    toolName: null,
    inputSummary: null,
    failed: true,
    error: "exit code 1",
  });
});

Deno.test("an API error message and a system error line count as API errors", () => {
  const apiError = {
    type: "assistant",
    timestamp: "2025-08-12T10:00:07Z",
    isApiErrorMessage: true,
    message: {
      model: "<synthetic>",
      role: "assistant",
      content: [{ type: "text", text: "API Error: 529" }],
    },
  };
  const system = {
    type: "system",
    timestamp: "2025-08-12T10:00:08Z",
    level: "error",
    content: "hook failed",
  };
  const [a, s] = parseTranscriptChunk(ctx(), enc.encode(jsonl(apiError, system))).events;
  assert.equal(a.errorKind, 1);
  assert.equal(s.errorKind, 1);
  assert.equal(s.summary, "hook failed");
});

Deno.test("a leading line without a time borrows the time of the next timed line", () => {
  const summary = { type: "summary", summary: "Fix the flaky test", leafUuid: "u-1" };
  const r = parseTranscriptChunk(ctx(), enc.encode(jsonl(summary, userLine("x"))));
  assert.equal(r.events[0].summary, "Fix the flaky test");
  assert.equal(r.events[0].ts, r.events[1].ts);
  assert.equal(r.events[0].sessionId, "sess-1", "a line without sessionId takes the file's");
  assert.equal(r.lastTs, Date.UTC(2025, 7, 12, 10, 0, 0));
});

Deno.test("a chunk with no timed line at all falls back to the last time, then to the mtime", () => {
  const summary = jsonl({ type: "summary", summary: "s" });
  const withLast = parseTranscriptChunk(ctx({ lastTs: 12345 }), enc.encode(summary));
  assert.equal(withLast.events[0].ts, 12345);
  const bare = parseTranscriptChunk(ctx(), enc.encode(summary));
  assert.equal(bare.events[0].ts, Date.UTC(2025, 0, 1));
});

Deno.test("a line longer than the limit is skipped with an error, and the rest of it after the next chunk boundary too", () => {
  const long = '{"type":"user","x":"' + "a".repeat(200);
  const first = parseTranscriptChunk(ctx({ maxLineBytes: 100 }), enc.encode(long));
  assert.equal(first.skipToNewline, true);
  assert.match(first.errors[0].reason, /line longer than 100 bytes: skipped/);
  assert.equal(first.consumed, long.length);
  const rest = 'aaaa"}\n' + jsonl(userLine("after"));
  const second = parseTranscriptChunk(
    ctx({ maxLineBytes: 100, skipToNewline: true, baseOffset: long.length }),
    enc.encode(rest),
  );
  assert.equal(second.skipToNewline, false);
  assert.deepEqual(second.events.map((e) => e.summary), ["after"]);
  assert.equal(second.events[0].offset, long.length + 7);
});

Deno.test("queue-operation and progress lines get short summaries", () => {
  const q = {
    type: "queue-operation",
    operation: "enqueue",
    content: "run lint",
    timestamp: "2025-08-12T10:00:00Z",
  };
  const p = {
    type: "progress",
    timestamp: "2025-08-12T10:00:00Z",
    data: { type: "hook_progress", hookEvent: "PostToolUse", command: "./log.sh" },
  };
  const [a, b] = parseTranscriptChunk(ctx(), enc.encode(jsonl(q, p))).events;
  assert.equal(a.summary, "enqueue: run lint");
  assert.equal(b.summary, "hook_progress PostToolUse ./log.sh");
});

Deno.test("a sub-agent transcript belongs to its parent session folder", () => {
  assert.equal(sessionIdFromPath("projects/-w/abc-123.jsonl"), "abc-123");
  assert.equal(sessionIdFromPath("projects/-w/abc-123/subagents/agent-7.jsonl"), "abc-123");
});

Deno.test("the same line at another offset gets another key", () => {
  const line = jsonl(userLine("same"));
  const twice = parseTranscriptChunk(ctx(), enc.encode(line + line)).events;
  assert.notEqual(twice[0].key, twice[1].key);
  assert.equal(twice[1].offset, line.length);
});

import assert from "node:assert/strict";
import { parseHookFile } from "../src/ingest/parse/hook.ts";
import {
  parseTranscriptChunk,
  sessionIdFromPath,
  type TranscriptContext,
} from "../src/ingest/parse/transcript.ts";
import { parseStamp } from "../src/ingest/parse/normalize.ts";
import { classify } from "../src/ingest/sources.ts";
import { costOf, priceOf } from "../src/core/pricing.ts";

const enc = new TextEncoder();

function ctx(over: Partial<TranscriptContext> = {}): TranscriptContext {
  return {
    relPath: "projects/p/s1.jsonl",
    fileSessionId: "s1",
    baseOffset: 0,
    mtimeMs: 1_000,
    lastTs: null,
    skipToNewline: false,
    takeUnterminated: false,
    maxLineBytes: 1024,
    ...over,
  };
}

const line = (o: unknown) => JSON.stringify(o) + "\n";

Deno.test("a hook payload becomes one event with its tool, session and a readable summary", () => {
  const payload = {
    session_id: "abc",
    hook_event_name: "PreToolUse",
    cwd: "/home/me/proj",
    tool_name: "Bash",
    tool_input: { command: "ls -la" },
    tool_use_id: "toolu_1",
  };
  const r = parseHookFile("hooks/logs/raw_json/x.json", enc.encode(JSON.stringify(payload)), 5);
  assert.ok("event" in r);
  assert.equal(r.event.type, "PreToolUse");
  assert.equal(r.event.sessionId, "abc");
  assert.equal(r.event.toolName, "Bash");
  assert.equal(r.event.summary, "Bash: ls -la");
  assert.deepEqual(r.event.toolEffects.map((t) => [t.phase, t.toolUseId]), [["start", "toolu_1"]]);
  assert.equal(r.event.ts, 5, "without any stamp the file's mtime is the time");
});

Deno.test("hook payloads without hook_event_name or session_id are rejected, not guessed", () => {
  for (
    const p of [{ test: "notification test" }, { session_id: "s", prompt: "x" }, {
      hook_event_name: "Stop",
    }]
  ) {
    const r = parseHookFile("h.json", enc.encode(JSON.stringify(p)), 0);
    assert.ok("error" in r && r.error.reason.startsWith("rejected"), JSON.stringify(p));
  }
});

Deno.test("empty, binary, non-UTF-8, half-written and non-object hook files are errors with a reason", () => {
  const cases: Array<[Uint8Array, RegExp]> = [
    [new Uint8Array(0), /empty/],
    [new Uint8Array([123, 0, 125]), /NUL/],
    [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /UTF-8/],
    [enc.encode('{"session_id": "a", "hook_event_na'), /invalid JSON/],
    [enc.encode("[1,2]"), /not a JSON object/],
  ];
  for (const [bytes, reason] of cases) {
    const r = parseHookFile("h.json", bytes, 0);
    assert.ok("error" in r);
    assert.match(r.error.reason, reason);
  }
});

Deno.test("hook time: zoned script stamp, then the file-name stamp, then mtime", () => {
  const base = { session_id: "s", hook_event_name: "Stop" };
  const zoned = parseHookFile(
    "a_Stop_s.json",
    enc.encode(JSON.stringify({ ...base, timestamp: "2025-01-02T03:04:05.5Z" })),
    9,
  );
  assert.ok("event" in zoned && zoned.event.ts === Date.UTC(2025, 0, 2, 3, 4, 5, 500));
  const named = parseHookFile(
    "hooks/logs/raw_json/2025-01-02T03:04:05Z_Stop_s.json",
    enc.encode(JSON.stringify(base)),
    9,
  );
  assert.ok("event" in named && named.event.ts === Date.UTC(2025, 0, 2, 3, 4, 5));
  const plain = parseHookFile(
    "hooks/logs/raw_json/whatever.json",
    enc.encode(JSON.stringify(base)),
    9,
  );
  assert.ok("event" in plain && plain.event.ts === 9);
});

Deno.test("loose stamps: ISO with zone, compact script stamps, epoch seconds and ms", () => {
  assert.equal(parseStamp("2025-06-12T14:30:22.123Z")?.ms, Date.UTC(2025, 5, 12, 14, 30, 22, 123));
  assert.equal(parseStamp("2025-06-12T14:30:22+02:00")?.ms, Date.UTC(2025, 5, 12, 12, 30, 22));
  assert.equal(parseStamp("20250612_143022_123456")?.zoned, false);
  assert.equal(parseStamp("1750000000")?.ms, 1_750_000_000_000);
  assert.equal(parseStamp("1750000000123")?.ms, 1_750_000_000_123);
  assert.equal(parseStamp("not a time"), null);
});

Deno.test("a half-written transcript line is not consumed until its newline arrives", () => {
  const full = line({
    type: "user",
    sessionId: "s1",
    uuid: "u1",
    timestamp: "2025-01-01T00:00:00Z",
    message: { role: "user", content: "hi" },
  });
  const partial = '{"type":"assistant","sessionId":"s1","uuid":"u2","mess';
  const bytes = enc.encode(full + partial);
  const r = parseTranscriptChunk(ctx(), bytes);
  assert.equal(r.events.length, 1);
  assert.equal(r.errors.length, 0, "an incomplete last line is not an error");
  assert.equal(r.consumed, enc.encode(full).length);
  // Even a quiet file keeps a tail that does not parse yet.
  const quiet = parseTranscriptChunk(ctx({ takeUnterminated: true }), bytes);
  assert.equal(quiet.consumed, enc.encode(full).length);
});

Deno.test("a quiet file's complete final line without newline is taken, a busy file's is not", () => {
  const text = line({ type: "user", uuid: "a", timestamp: "2025-01-01T00:00:00Z" }) +
    JSON.stringify({ type: "user", uuid: "b", timestamp: "2025-01-01T00:00:01Z" });
  const busy = parseTranscriptChunk(ctx(), enc.encode(text));
  assert.equal(busy.events.length, 1);
  const quiet = parseTranscriptChunk(ctx({ takeUnterminated: true }), enc.encode(text));
  assert.equal(quiet.events.length, 2);
  assert.equal(quiet.consumed, enc.encode(text).length);
});

Deno.test("bad transcript lines are counted with their byte offset and the good ones around them kept", () => {
  const good = line({ type: "user", uuid: "a", timestamp: "2025-01-01T00:00:00Z" });
  const text = good + "not json\n" + "42\n" + "\n" + good;
  const r = parseTranscriptChunk(ctx({ baseOffset: 100 }), enc.encode(text));
  assert.equal(r.events.length, 2);
  assert.deepEqual(r.errors.map((e) => e.offset), [100 + good.length, 100 + good.length + 9]);
  assert.equal(r.events[1].offset, 100 + good.length + 9 + 3 + 1);
});

Deno.test("an over-long transcript line is skipped as one error, up to its newline", () => {
  const long = "x".repeat(2000);
  const r1 = parseTranscriptChunk(ctx({ maxLineBytes: 1024 }), enc.encode(long.slice(0, 1500)));
  assert.equal(r1.errors.length, 1);
  assert.equal(r1.skipToNewline, true);
  assert.equal(r1.consumed, 1500);
  const rest = long.slice(1500) + "\n" +
    line({ type: "user", uuid: "z", timestamp: "2025-01-01T00:00:00Z" });
  const r2 = parseTranscriptChunk(ctx({ skipToNewline: true, baseOffset: 1500 }), enc.encode(rest));
  assert.equal(r2.events.length, 1);
  assert.equal(r2.errors.length, 0);
});

Deno.test("lines without sessionId belong to the session the file's lines name; a leading summary takes the next line's time", () => {
  const text = line({ type: "summary", summary: "Fix bug", leafUuid: "x" }) +
    line({
      type: "user",
      sessionId: "s9",
      uuid: "u",
      timestamp: "2025-03-01T00:00:00Z",
      message: { content: "go" },
    });
  const r = parseTranscriptChunk(ctx({ fileSessionId: "file-session" }), enc.encode(text));
  assert.equal(r.events[0].sessionId, "s9");
  assert.equal(r.events[0].orphan, undefined);
  assert.equal(r.events[1].sessionId, "s9");
  assert.equal(r.events[0].ts, Date.UTC(2025, 2, 1));
});

Deno.test("assistant lines yield usage keyed by message id + request id and tool_use starts", () => {
  const o = {
    type: "assistant",
    sessionId: "s",
    uuid: "u",
    requestId: "req_1",
    timestamp: "2025-01-01T00:00:00Z",
    message: {
      id: "msg_1",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "tool_use", id: "toolu_9", name: "Read", input: { file_path: "/a/b.ts" } }],
      usage: {
        input_tokens: 10,
        output_tokens: 20,
        cache_creation_input_tokens: 30,
        cache_read_input_tokens: 40,
      },
    },
  };
  const ev = parseTranscriptChunk(ctx(), enc.encode(line(o))).events[0];
  assert.equal(ev.usage?.messageId, "msg_1");
  assert.equal(ev.usage?.requestId, "req_1");
  assert.equal(ev.usage?.usage.cache_read_tokens, 40);
  assert.equal(ev.toolName, "Read");
  assert.equal(ev.summary, "Read: /a/b.ts");
  assert.deepEqual(ev.toolEffects[0], {
    phase: "start",
    toolUseId: "toolu_9",
    toolName: "Read",
    inputSummary: "/a/b.ts",
    failed: false,
    error: null,
  });
});

Deno.test("tool_result with is_error ends the call as failed", () => {
  const o = {
    type: "user",
    uuid: "u",
    timestamp: "2025-01-01T00:00:00Z",
    message: {
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "toolu_9", is_error: true, content: "boom" }],
    },
  };
  const ev = parseTranscriptChunk(ctx(), enc.encode(line(o))).events[0];
  assert.equal(ev.errorKind, 2);
  assert.deepEqual(ev.toolEffects[0].failed, true);
  assert.equal(ev.toolEffects[0].error, "boom");
});

Deno.test("source paths: raw_json hook files, transcripts and sub-agent transcripts; pretty copies skipped", () => {
  assert.equal(classify("hooks/logs/raw_json/1_Stop_s.json"), "hook");
  assert.equal(classify("hooks/logs/raw_json/1_Stop_s_pretty.json"), null);
  assert.equal(classify("projects/-a-b/s.jsonl"), "transcript");
  assert.equal(classify("projects/-a-b/s/subagents/agent-1.jsonl"), "transcript");
  assert.equal(classify("projects/-a-b/s/other/agent-1.jsonl"), null);
  assert.equal(classify("hooks/threads.db"), "threads");
  assert.equal(classify("claude-dash/claude-dash.db"), null);
  assert.equal(sessionIdFromPath("projects/-a/abc/subagents/agent-1.jsonl"), "abc");
  assert.equal(sessionIdFromPath("projects/-a/abc.jsonl"), "abc");
});

/** The path rules as first written (split on "/"), the reference the faster classify keeps. */
function classifyBySegments(rel: string): string | null {
  const parts = rel.split("/");
  if (parts[0] === "hooks") {
    if (parts.length === 2 && parts[1] === "threads.db") return "threads";
    if (
      parts.length === 4 && parts[1] === "logs" && parts[2] === "raw_json" &&
      parts[3].endsWith(".json") && !parts[3].endsWith("_pretty.json")
    ) return "hook";
    return null;
  }
  if (parts[0] === "projects" && rel.endsWith(".jsonl")) {
    if (parts.length === 3) return "transcript";
    if (parts.length >= 5 && parts[3] === "subagents") return "transcript";
  }
  return null;
}

Deno.test("source paths: classify answers as the segment-by-segment rules on every combination of parts", () => {
  const parts = [
    "",
    "hooks",
    "logs",
    "raw_json",
    "projects",
    "subagents",
    "threads.db",
    "a.json",
    "a_pretty.json",
    ".json",
    "s.jsonl",
    "x",
  ];
  let checked = 0;
  const walk = (prefix: string[], depth: number) => {
    if (prefix.length > 0) {
      const rel = prefix.join("/");
      assert.equal(classify(rel), classifyBySegments(rel), rel);
      checked++;
    }
    if (depth === 0) return;
    for (const p of parts) walk([...prefix, p], depth - 1);
  };
  walk([], 5);
  assert.ok(checked > 200_000);
});

Deno.test("prices: known families priced, provider ids normalized, unknown models cost null (never 0)", () => {
  const u = {
    input_tokens: 1_000_000,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_creation_1h_tokens: 0,
    cache_read_tokens: 0,
  };
  assert.equal(costOf("claude-sonnet-4-5-20250929", u), 3);
  assert.equal(costOf("anthropic.claude-sonnet-4-5-20250929-v1:0", u), 3);
  assert.equal(costOf("claude-opus-4-6", u), 5);
  assert.equal(costOf("claude-opus-4-1-20250805", u), 15);
  assert.equal(costOf("claude-haiku-4-5-20251001", u), 1);
  assert.equal(costOf("claude-3-sonnet-20240229", u), 3);
  assert.equal(costOf("gpt-4o", u), null);
  assert.equal(priceOf(null), null);
  const cache = {
    ...u,
    input_tokens: 0,
    cache_creation_tokens: 1_000_000,
    cache_creation_1h_tokens: 400_000,
  };
  assert.equal(costOf("claude-sonnet-4-6", cache), 0.6 * 3.75 + 0.4 * 6);
});

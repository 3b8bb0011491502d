// The usage-first scanner (src/ingest/usage_scan.ts) reads exactly the usage the full parser
// (parse/transcript.ts) reads, on tricky lines and across chunk boundaries; the dedupe
// (usage_dedupe.ts) keeps each message's largest snapshot as the writer does.

import assert from "node:assert/strict";
import { parseTranscriptChunk } from "../../src/ingest/parse/transcript.ts";
import { isoMs, scanUsageChunk, type UsageLine } from "../../src/ingest/usage_scan.ts";
import { UsageDedupe } from "../../src/ingest/usage_dedupe.ts";
import { readUsageFile } from "../../src/ingest/usage_read.ts";
import { parseStamp } from "../../src/ingest/parse/normalize.ts";

const enc = new TextEncoder();
const rel = "projects/-p/s1.jsonl";

function assistant(id: string, out: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    sessionId: "s1",
    message: {
      model: "claude-sonnet-4-5",
      id,
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: "hi" }],
      usage: { input_tokens: 3, output_tokens: out, cache_read_input_tokens: 100 },
    },
    requestId: `req_${id}`,
    type: "assistant",
    uuid: `u-${id}-${out}`,
    timestamp: "2026-11-20T10:00:00.000Z",
    ...extra,
  });
}

/** The usage lines the full reader reads from a file (chunks of maxLineBytes), in order. */
function fullParse(bytes: Uint8Array, maxLineBytes = 1 << 20): UsageLine[] {
  const out: UsageLine[] = [];
  let offset = 0;
  let skip = false;
  let lastTs: number | null = null;
  while (offset < bytes.length) {
    const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + maxLineBytes));
    const r = parseTranscriptChunk({
      relPath: rel,
      fileSessionId: "s1",
      baseOffset: offset,
      mtimeMs: 0,
      lastTs,
      skipToNewline: skip,
      takeUnterminated: offset + chunk.length >= bytes.length,
      maxLineBytes,
    }, chunk);
    for (const e of r.events) {
      if (!e.usage) continue;
      const { messageId, requestId, model, usage } = e.usage;
      out.push({ messageId, requestId, sessionId: e.sessionId, ts: e.ts, model, usage });
    }
    offset += r.consumed;
    skip = r.skipToNewline;
    lastTs = r.lastTs;
    if (r.consumed === 0) break;
  }
  return out;
}

/** The scanner over `bytes` fed in pieces of `step` bytes (what is not consumed carries over). */
function scanInPieces(bytes: Uint8Array, step: number, maxLineBytes = 1 << 20) {
  const lines: UsageLine[] = [];
  let exact = true;
  let offset = 0;
  let pending = new Uint8Array(0);
  let skip = false;
  for (let at = 0; at < bytes.length || pending.length > 0;) {
    const next = bytes.subarray(at, Math.min(bytes.length, at + step));
    at += next.length;
    const buf = new Uint8Array(pending.length + next.length);
    buf.set(pending);
    buf.set(next, pending.length);
    const r = scanUsageChunk({
      relPath: rel,
      fileSessionId: "s1",
      baseOffset: offset,
      takeUnterminated: at >= bytes.length,
      maxLineBytes,
      skipToNewline: skip,
    }, buf);
    lines.push(...r.lines);
    exact &&= r.exact;
    skip = r.skipToNewline;
    offset += r.consumed;
    pending = buf.slice(r.consumed);
    if (at >= bytes.length) break;
  }
  return { lines, exact };
}

const tricky = [
  // "usage" inside text and tool input of non-usage lines
  JSON.stringify({
    type: "user",
    sessionId: "s1",
    message: { role: "user", content: 'what is "usage"?' },
    timestamp: "2026-11-20T09:00:00.000Z",
  }),
  JSON.stringify({
    type: "assistant",
    sessionId: "s1",
    message: {
      role: "assistant",
      content: [{
        type: "tool_use",
        name: "Bash",
        input: { command: 'grep \\"usage\\" x', usage: { input_tokens: 9 } },
      }],
    },
    timestamp: "2026-11-20T09:00:01.000Z",
  }),
  // a summary line that mentions "assistant" and "usage"
  JSON.stringify({ type: "summary", summary: 'the "assistant" reported "usage"', leafUuid: "x" }),
  // streaming snapshots of one message, then a final one
  assistant("m1", 1),
  assistant("m1", 5),
  assistant("m1", 40),
  // malformed JSON mentioning usage
  '{"type":"assistant","message":{"usage":{"input_tokens":1}',
  // a message id missing: the full parser keys it by line
  assistant("", 7).replace('"id":"","', '"'),
  // CRLF line end and non-ASCII text
  assistant("m2", 9, { note: "größe 😀" }) + "\r",
  // a line that is not an object
  '["usage","assistant"]',
  // usage with pretty separators (still a usage line for the full parser)
  JSON.stringify(JSON.parse(assistant("m3", 11)), null, 0).replace('"usage":', '"usage": '),
  // another session named in the line
  assistant("m4", 2, { sessionId: "s2" }),
];

Deno.test("the scanner reads the same usage as the full parser from tricky lines, in any chunking", () => {
  const text = tricky.join("\n") + "\n" + assistant("m5", 3); // the last line unterminated
  const bytes = enc.encode(text);
  const want = fullParse(bytes);
  assert.equal(want.length, 8);
  for (const step of [bytes.length, 1, 7, 64, 333, 1000]) {
    const got = scanInPieces(bytes, step);
    assert.ok(got.exact);
    assert.deepEqual(got.lines, want, `pieces of ${step} bytes`);
  }
});

Deno.test("a line split across reads is taken once, whole, after its newline arrives", () => {
  const line = assistant("m1", 12);
  const bytes = enc.encode(line + "\n");
  const head = scanUsageChunk({
    relPath: rel,
    fileSessionId: "s1",
    baseOffset: 0,
    takeUnterminated: false,
    maxLineBytes: 1 << 20,
    skipToNewline: false,
  }, bytes.subarray(0, 50));
  assert.equal(head.consumed, 0);
  assert.equal(head.lines.length, 0);
  const whole = scanUsageChunk({
    relPath: rel,
    fileSessionId: "s1",
    baseOffset: 0,
    takeUnterminated: false,
    maxLineBytes: 1 << 20,
    skipToNewline: false,
  }, bytes);
  assert.equal(whole.consumed, bytes.length);
  assert.equal(whole.lines.length, 1);
});

Deno.test("a truncated last line is not taken; nor is an unterminated one of a busy file", () => {
  const bytes = enc.encode(assistant("m1", 1) + "\n" + assistant("m2", 2).slice(0, -9));
  const r = scanInPieces(bytes, 100);
  assert.deepEqual(r.lines.map((l) => l.messageId), ["m1"]);
  const busy = scanUsageChunk({
    relPath: rel,
    fileSessionId: "s1",
    baseOffset: 0,
    takeUnterminated: false,
    maxLineBytes: 1 << 20,
    skipToNewline: false,
  }, enc.encode(assistant("m3", 1)));
  assert.equal(busy.lines.length, 0);
  assert.equal(busy.consumed, 0);
});

Deno.test("a line longer than the cap is skipped as the full reader skips it; the next is read", () => {
  const huge = assistant("big", 1, { pad: "x".repeat(5000) });
  const text = huge + "\n" + assistant("after", 2) + "\n";
  const bytes = enc.encode(text);
  const want = fullParse(bytes, 4096);
  assert.deepEqual(want.map((l) => l.messageId), ["after"]);
  for (const step of [1000, 4096, bytes.length]) {
    const got = scanInPieces(bytes, step, 4096);
    assert.deepEqual(got.lines, want, `pieces of ${step}`);
  }
});

Deno.test("bytes that are not UTF-8 make only their own line an error, as in the full parser", () => {
  const good = enc.encode(assistant("ok", 1) + "\n");
  const bad = enc.encode(assistant("bad", 1) + "\n");
  bad[40] = 0xff;
  const bytes = new Uint8Array([...bad, ...good]);
  const want = fullParse(bytes);
  assert.deepEqual(want.map((l) => l.messageId), ["ok"]);
  assert.deepEqual(scanInPieces(bytes, bytes.length).lines, want);
});

Deno.test("a usage line without its own timestamp makes the scan inexact (the file is re-parsed)", () => {
  const line = JSON.stringify({ ...JSON.parse(assistant("m1", 1)), timestamp: undefined });
  const r = scanInPieces(enc.encode(line + "\n"), 1000);
  assert.equal(r.exact, false);
});

Deno.test("isoMs gives parseStamp's answer for Claude Code's stamps and declines the rest", () => {
  for (
    const s of ["2026-11-20T10:00:00.000Z", "2024-02-29T23:59:59.999Z", "2026-02-31T00:00:00.000Z"]
  ) {
    assert.equal(isoMs(s), parseStamp(s)?.ms);
  }
  for (
    const s of ["2026-11-20T10:00:00Z", "2026-13-20T10:00:00.000Z", "2026-11-20 10:00:00.000Z", "x"]
  ) {
    assert.equal(isoMs(s), null);
  }
});

Deno.test("the dedupe keeps one row per message: its largest snapshot, with that line's time", () => {
  const d = new UsageDedupe();
  const line = (id: string, rid: string, sid: string, out: number, ts: number): UsageLine => ({
    messageId: id,
    requestId: rid,
    sessionId: sid,
    ts,
    model: "m",
    usage: {
      input_tokens: 1,
      output_tokens: out,
      cache_creation_tokens: 0,
      cache_creation_1h_tokens: 0,
      cache_read_tokens: 0,
    },
  });
  d.add(line("a", "r", "s1", 1, 10));
  d.add(line("a", "r", "s1", 30, 20));
  d.add(line("a", "r", "s1", 5, 30));
  d.add(line("a", "r", "s2", 99, 40)); // a fork: not counted twice, not grown
  d.add(line("a", "", "s1", 50, 50)); // no request id: matches by message id
  d.add(line("a", "other", "s1", 2, 60)); // another request: its own row
  const rows = [...d.messages()];
  assert.equal(d.size, 2);
  assert.deepEqual(rows.map((r) => [r.requestId, r.ts, r.usage.output_tokens]), [["r", 50, 50], [
    "other",
    60,
    2,
  ]]);
});

Deno.test("a file with an untimed usage line is read again by the full parser, without double counting", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const timed = assistant("m1", 4) + "\n" + assistant("m1", 9) + "\n";
    const untimed = JSON.stringify({ ...JSON.parse(assistant("m2", 3)), timestamp: undefined });
    const path = `${dir}/s1.jsonl`;
    await Deno.writeTextFile(path, timed + untimed + "\n" + assistant("m3", 1) + "\n");
    const st = await Deno.stat(path);
    const d = new UsageDedupe();
    readUsageFile(
      { abs: path, key: rel, fileSessionId: "s1", size: st.size, mtimeMs: 0 },
      Date.now(),
      (lines) => lines.forEach((l) => d.add(l)),
    );
    const rows = [...d.messages()];
    assert.deepEqual(rows.map((r) => [r.messageId, r.usage.output_tokens]), [["m1", 9], ["m2", 3], [
      "m3",
      1,
    ]]);
    // The untimed line takes the time of the line before it, as the backfill stores it.
    assert.equal(rows[1].ts, Date.UTC(2026, 10, 20, 10));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// The OTLP decoder (src/ingest/parse/otlp.ts) on bodies the real Claude Code CLI 2.1.332 sent
// (tests/fixtures/claude-code-2.1/otlp: one run with http/protobuf, one with http/json).

import assert from "node:assert/strict";
import { decodeOtlp, isProtobuf, type OtlpRecord } from "../../src/ingest/parse/otlp.ts";

const dir = new URL("../fixtures/claude-code-2.1/otlp/", import.meta.url);

function decoded(name: string): OtlpRecord[] {
  const r = decodeOtlp(
    name.startsWith("logs") ? "logs" : "metrics",
    name.endsWith(".pb"),
    Deno.readFileSync(new URL(name, dir)),
  );
  if ("error" in r) throw new Error(r.error);
  assert.equal(r.rejected, 0, name);
  return r.records;
}

const names = (rs: OtlpRecord[]) => rs.map((r) => r.name).sort();

Deno.test("Claude Code's protobuf and JSON OTLP bodies decode to the same records, field for field", () => {
  for (const signal of ["logs", "metrics"]) {
    const pb = decoded(`${signal}-1.pb`);
    const js = decoded(`${signal}-1.json`);
    assert.ok(pb.length > 0);
    assert.deepEqual(names(pb), names(js), signal);
    // Same attribute names and value types per record name (the runs' values differ).
    const shape = (rs: OtlpRecord[]) =>
      [
        ...new Set(rs.map((r) =>
          `${r.name}:${Object.entries(r.attrs).map(([k, v]) => `${k}=${typeof v}`).join(",")}`
        )),
      ].sort();
    assert.deepEqual(shape(pb), shape(js), signal);
  }
});

Deno.test("a recorded tool_result carries the tool_use_id, the session and Claude Code's duration", () => {
  const r = decoded("logs-1.pb").find((x) => x.name === "tool_result")!;
  assert.match(r.toolUseId ?? "", /^toolu_/);
  assert.match(r.sessionId ?? "", /^[0-9a-f-]{36}$/);
  assert.ok(Number(r.attrs.duration_ms) >= 0);
  assert.ok(r.ts > Date.parse("2026-01-01"));
  const lines = decoded("metrics-1.pb").filter((x) => x.name === "claude_code.lines_of_code.count");
  assert.ok(lines.some((x) => x.attrs.type === "added" && (x.value ?? 0) > 0));
  assert.ok(lines.every((x) => x.temporality === 1), "Claude Code exports deltas");
});

Deno.test("a body that is not OTLP is an error, not an exception", () => {
  assert.ok("error" in decodeOtlp("logs", false, new TextEncoder().encode("{nope")));
  assert.ok("error" in decodeOtlp("logs", true, new Uint8Array([0x0a, 0xff, 0xff, 0xff])));
  assert.ok("error" in decodeOtlp("metrics", false, new TextEncoder().encode("[1]")));
});

Deno.test("only protobuf content types are read as protobuf", () => {
  assert.equal(isProtobuf("application/x-protobuf"), true);
  assert.equal(isProtobuf("application/protobuf; charset=binary"), true);
  assert.equal(isProtobuf("application/json"), false);
  assert.equal(isProtobuf(undefined), false);
});

// OTLP in and HTTP hooks against a real server: the dashboard makes its ingest secret (0600) on
// first start, and Claude Code's own recorded bodies (tests/fixtures/claude-code-2.1/otlp, the
// real CLI 2.1.332, http/protobuf and http/json) POSTed with it over a socket join the session a
// hook POST opened: its tool rows carry Claude Code's decision and duration.
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import { join } from "node:path";
import { withServed } from "./support/served.ts";
import { fixturesDir } from "./support/home.ts";
import { decodeOtlp } from "../src/ingest/parse/otlp.ts";

type Json = Record<string, unknown>;
const otlpDir = join(fixturesDir, "claude-code-2.1/otlp");

/** The session id and the tool_use_id of the first tool_decision in a recorded JSON logs body. */
function firstToolCall(body: Json): { session: string; toolUseId: string } {
  const records = (body.resourceLogs as Json[]).flatMap((rl) =>
    (rl.scopeLogs as Json[]).flatMap((sl) => sl.logRecords as Json[])
  );
  for (const r of records) {
    const a = Object.fromEntries(
      (r.attributes as Array<{ key: string; value: Json }>).map((
        kv,
      ) => [kv.key, kv.value.stringValue]),
    );
    if (a["event.name"] === "tool_decision") {
      return { session: String(a["session.id"]), toolUseId: String(a.tool_use_id) };
    }
  }
  throw new Error("no tool_decision in the recorded logs");
}

for (const encoding of ["protobuf", "json"] as const) {
  Deno.test(`recorded Claude Code OTLP (${encoding}) over a real socket joins the session and its tool rows`, async () => {
    await withServed(async () => {}, async (d, h) => {
      const secretPath = join(h.claudeDir, "claude-dash/ingest-secret");
      assert.equal((await Deno.stat(secretPath)).mode! & 0o777, 0o600);
      const secret = (await Deno.readTextFile(secretPath)).trim();
      const ext = encoding === "protobuf" ? "pb" : "json";
      const type = encoding === "protobuf" ? "application/x-protobuf" : "application/json";
      const logs = await Deno.readFile(join(otlpDir, `logs-1.${ext}`));
      const metrics = await Deno.readFile(join(otlpDir, `metrics-1.${ext}`));
      // The ids come from the JSON body of the same encoding's run (the .pb run has its own).
      const { session, toolUseId } = encoding === "json"
        ? firstToolCall(JSON.parse(new TextDecoder().decode(logs)))
        : protobufIds(logs);
      const headers = { Authorization: `Bearer ${secret}` };
      const hook = await fetch(`${d.url}/hooks`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify({
          session_id: session,
          cwd: "/tmp/claude-home/p",
          hook_event_name: "PreToolUse",
          tool_name: "Write",
          tool_input: { file_path: "notes.txt" },
          tool_use_id: toolUseId,
        }),
      });
      assert.equal(hook.status, 200);
      await hook.body?.cancel();
      for (const [path, body] of [["/v1/logs", logs], ["/v1/metrics", metrics]] as const) {
        const unauthorized = await fetch(`${d.url}${path}`, {
          method: "POST",
          headers: { "Content-Type": type },
          body,
        });
        assert.equal(unauthorized.status, 401);
        await unauthorized.body?.cancel();
        const res = await fetch(`${d.url}${path}`, {
          method: "POST",
          headers: { ...headers, "Content-Type": type },
          body,
        });
        assert.equal(res.status, 200, path);
        assert.ok(Number(res.headers.get("X-Claude-Dash-Stored")) > 0, path);
        await res.body?.cancel();
      }
      const s = await (await fetch(`${d.url}/api/sessions/${session}`)).json();
      const call = s.tool_calls.find((c: Json) => c.tool_use_id === toolUseId);
      assert.equal(call.decision, "accept");
      assert.equal(typeof call.reported_duration_ms, "number");
      assert.equal(call.reported_success, true);
      assert.ok(s.telemetry.api_requests >= 1);
      assert.ok(s.telemetry.code.lines_added > 0, "the recorded Write added lines");
    });
  });
}

/** The same ids from a protobuf body, decoded by claude-dash's own decoder. */
function protobufIds(bytes: Uint8Array): { session: string; toolUseId: string } {
  const decoded = decodeOtlp("logs", true, bytes);
  if ("error" in decoded) throw new Error(decoded.error);
  const r = decoded.records.find((x) => x.name === "tool_decision");
  if (!r?.sessionId || !r.toolUseId) throw new Error("no tool_decision in the recorded logs");
  return { session: r.sessionId, toolUseId: r.toolUseId };
}

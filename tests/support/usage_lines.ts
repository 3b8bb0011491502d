// Transcript lines with token usage, written the way Claude Code writes them (one assistant
// line per content block, each repeating the message's id, requestId and usage), for the
// usage-window tests.

import { dirname, join } from "node:path";

export interface UsageLine {
  sessionId: string;
  ts: number;
  messageId: string;
  requestId: string;
  model: string;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

let uuidN = 0;

/** One assistant transcript line (with its newline). */
export function assistantLine(l: UsageLine, text = "ok"): string {
  return JSON.stringify({
    type: "assistant",
    timestamp: new Date(l.ts).toISOString(),
    parentUuid: null,
    isSidechain: false,
    userType: "external",
    cwd: "/tmp/usage-test",
    sessionId: l.sessionId,
    version: "2.1.62",
    uuid: `u-${l.messageId}-${++uuidN}`,
    requestId: l.requestId,
    message: {
      id: l.messageId,
      type: "message",
      role: "assistant",
      model: l.model,
      content: [{ type: "text", text }],
      stop_reason: null,
      usage: {
        input_tokens: l.input,
        cache_creation_input_tokens: l.cacheCreation,
        cache_read_input_tokens: l.cacheRead,
        output_tokens: l.output,
      },
    },
  }) + "\n";
}

/** A user prompt line (carries no usage). */
export function userLine(sessionId: string, ts: number, text: string): string {
  return JSON.stringify({
    type: "user",
    timestamp: new Date(ts).toISOString(),
    parentUuid: null,
    isSidechain: false,
    userType: "external",
    cwd: "/tmp/usage-test",
    sessionId,
    version: "2.1.62",
    uuid: `u-user-${++uuidN}`,
    message: { role: "user", content: text },
  }) + "\n";
}

/** projects/-tmp-usage-test/<session>.jsonl under the Claude directory. */
export function transcriptPath(claudeDir: string, sessionId: string): string {
  return join(claudeDir, "projects/-tmp-usage-test", `${sessionId}.jsonl`);
}

/** Writes a whole transcript with an mtime in the past (so it is read as settled history). */
export async function writeTranscript(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, text);
  const past = new Date(Date.now() - 3600_000);
  await Deno.utime(path, past, past);
}

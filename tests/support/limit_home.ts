// A home whose 5-hour windows make a p90 limit and a cost-only crossing (tests/limits_test.ts
// and the usage browser test): ten completed windows heavy in cheap cache reads (so the token
// p90 is high and the cost p90 low), then an active window of costly output tokens whose
// projection passes the cost limit and stays far under the token limit.

import { assistantLine, transcriptPath, type UsageLine, writeTranscript } from "./usage_lines.ts";

const minuteMs = 60_000;
const dayMs = 86_400_000;
export const limitSession = "sess-limits";

function line(ts: number, n: number, output: number, cacheRead: number): UsageLine {
  return {
    sessionId: limitSession,
    ts,
    messageId: `msg_limits_${n}`,
    requestId: `req_limits_${n}`,
    model: "claude-sonnet-4-6",
    input: 100,
    output,
    cacheCreation: 0,
    cacheRead,
  };
}

/** The past windows (one message each, a day apart) and two messages of the active window. */
export async function writeCostOnlyCrossing(claudeDir: string, now: number): Promise<string> {
  const past = Array.from(
    { length: 10 },
    (_, i) => assistantLine(line(now - (i + 2) * dayMs, i, 40_000, 2_000_000)),
  );
  // 60 minutes apart, the last 10 minutes ago: the burn rate is trusted (≥ 15 min).
  const active = [
    assistantLine(line(now - 70 * minuteMs, 100, 20_000, 0)),
    assistantLine(line(now - 10 * minuteMs, 101, 20_000, 0)),
  ];
  const path = transcriptPath(claudeDir, limitSession);
  await writeTranscript(path, [...past, ...active].join(""));
  return path;
}

/** One more assistant message in the active window (new evidence). */
export function laterLine(ts: number, n: number): string {
  return assistantLine(line(ts, 200 + n, 20_000, 0));
}

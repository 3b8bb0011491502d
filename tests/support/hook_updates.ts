// Hook events as the parser makes them from a payload file, and the writer's FileUpdate that
// stores one file's events: for tests that drive the Writer without files on disk.

import { parseHookFile } from "../../src/ingest/parse/hook.ts";
import { blankCursor } from "../../src/ingest/read_file.ts";
import type { NormalizedEvent } from "../../src/core/types.ts";
import type { FileUpdate } from "../../src/store/write/writer.ts";

const enc = new TextEncoder();
let fileNo = 0;

/** One hook event of `type` for `session` at `ts`, parsed from a payload file of its own. */
export function parsedHook(
  session: string,
  type: string,
  payload: Record<string, unknown>,
  ts: number,
): { rel: string; event: NormalizedEvent } {
  const rel = `hooks/logs/raw_json/2026_${type}_${++fileNo}.json`;
  const parsed = parseHookFile(
    rel,
    enc.encode(JSON.stringify({
      session_id: session,
      hook_event_name: type,
      timestamp: new Date(ts).toISOString(),
      ...payload,
    })),
    ts,
  );
  if (!("event" in parsed)) throw new Error(parsed.error.reason);
  return { rel, event: parsed.event };
}

/** The update that stores `events` read from hook file `rel`. */
export function hookUpdate(rel: string, events: NormalizedEvent[]): FileUpdate {
  return {
    cursor: { ...blankCursor(rel, "hook"), size: 1 },
    events,
    errors: [],
    clearErrors: false,
    rereading: false,
  };
}

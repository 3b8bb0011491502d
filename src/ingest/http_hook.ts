// An HTTP hook (Claude Code's `{"type": "http", "url": …}`) POSTs the JSON a command hook gets on
// stdin. It is parsed by the same parser as a hook file (parse/hook.ts) and stored the same way,
// under one virtual source path. Its key is the payload's content hash and the retry window it
// arrived in: the same payload again within httpHookRetryWindowMs is the same delivery (a
// retry), so it stores nothing; one arriving later is a new event.

import { httpHookRetryWindowMs } from "../core/config.ts";
import type { FileUpdate } from "../store/write/writer.ts";
import { parseHookFile } from "./parse/hook.ts";
import { contentHash } from "./parse/normalize.ts";
import { blankCursor } from "./read_file.ts";

/** The source path HTTP hook events and errors are stored under (no file has it). */
export const httpHookPath = "http:hooks";

/** One received payload: the update to commit, and the key a retry from the last window has. */
export interface HttpHook {
  update: FileUpdate;
  /** Null when the payload did not parse (the update then carries the error). */
  key: string | null;
  /** The key the same payload got in the previous window. */
  previousKey: string | null;
  error: string | null;
}

/** The update storing the payload `bytes` received at `receivedMs` (or its parse error). */
export function httpHookUpdate(bytes: Uint8Array, receivedMs: number): HttpHook {
  const cursor = { ...blankCursor(httpHookPath, "hook"), mtimeMs: receivedMs };
  const parsed = parseHookFile(httpHookPath, bytes, receivedMs);
  if ("error" in parsed) {
    return {
      update: {
        cursor: { ...cursor, state: "error" },
        events: [],
        errors: [{ ...parsed.error, reason: `HTTP hook: ${parsed.error.reason}` }],
        clearErrors: false,
        rereading: false,
      },
      key: null,
      previousKey: null,
      error: parsed.error.reason,
    };
  }
  const hash = contentHash(parsed.event.raw);
  const window = Math.floor(receivedMs / httpHookRetryWindowMs);
  const keyIn = (w: number) => `hook:${httpHookPath}:${hash}@${w}`;
  return {
    update: {
      cursor,
      events: [{ ...parsed.event, key: keyIn(window) }],
      errors: [],
      clearErrors: false,
      rereading: false,
    },
    key: keyIn(window),
    previousKey: keyIn(window - 1),
    error: null,
  };
}

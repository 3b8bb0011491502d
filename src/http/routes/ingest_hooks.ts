// POST /hooks: Claude Code's HTTP hooks. The payload is stored exactly as a hook file's would be
// (same parser, one event, a content key so a retry stores nothing twice) and committed before
// the reply, which is an empty JSON object (Claude Code reads a hook's reply as its output, and
// claude-dash decides nothing). Authorization (the ingest secret) is checked by middleware.

import { Hono } from "hono";
import type { RouteDeps } from "../deps.ts";
import { httpHookRetryWindowMs, maxHookFileBytes } from "../../core/config.ts";
import { httpHookUpdate } from "../../ingest/http_hook.ts";
import { storedEventTs } from "../../store/read/event_keys.ts";
import { Writer } from "../../store/write/writer.ts";
import type { CommitResult, FileUpdate } from "../../store/write/writer.ts";
import { readBody } from "../machine.ts";

/** POST /hooks */
export function ingestHooks(deps: RouteDeps): Hono {
  // Without an ingester (tests of the HTTP layer alone) the payload is stored all the same.
  let writer: Writer | null = null;
  const store = (u: FileUpdate): CommitResult =>
    deps.ingester
      ? deps.ingester.storeNow(u)
      : (writer ??= new Writer(deps.db, deps.prices)).commit([u]);
  return new Hono().post("/", async (c) => {
    const bytes = await readBody(c, maxHookFileBytes);
    if (!bytes) return c.json({ error: `hook payload over ${maxHookFileBytes} bytes` }, 413);
    const now = Date.now();
    const hook = httpHookUpdate(bytes, now);
    if (hook.error !== null) {
      store(hook.update); // the error is counted on /health like a bad hook file's
      return c.json({ error: hook.error }, 400);
    }
    const earlier = hook.previousKey ? storedEventTs(deps.db, hook.previousKey) : null;
    const retry = earlier !== null && now - earlier < httpHookRetryWindowMs;
    const stored = retry ? 0 : store(hook.update).events.length;
    c.header("X-Claude-Dash-Stored", String(stored));
    return c.json({});
  });
}

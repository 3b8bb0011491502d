// `claude-dash hook`: the command Claude Code runs for every hook event. Saves the payload
// from stdin as hooks/logs/raw_json/{stamp}_{event}_{session}.json, the layout the ingester
// reads. It must never slow down or break Claude Code: it imports nothing heavy, writes
// nothing to stdout (some hooks feed stdout back into the conversation), and always exits 0;
// problems are one line on stderr. The file appears atomically: written under a temporary
// name the ingester ignores (no .json suffix), then hard-linked to its final name, which
// also refuses to overwrite a payload that got the same name in the same millisecond.

import { maxHookFileBytes } from "../core/config.ts";

/** The folder hook payloads go to, relative to the Claude directory. */
export const rawJsonRel = "hooks/logs/raw_json";

export type HookPayloadCheck =
  | { ok: true; event: string; sessionId: string }
  | { ok: false; reason: string };

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Whether the bytes are a hook payload the ingester will accept, and its event and session. */
export function checkPayload(bytes: Uint8Array): HookPayloadCheck {
  if (bytes.length === 0) return { ok: false, reason: "empty stdin" };
  if (bytes.length > maxHookFileBytes) {
    return { ok: false, reason: `payload larger than ${maxHookFileBytes} bytes` };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(fatalUtf8.decode(bytes));
  } catch {
    return { ok: false, reason: "stdin is not JSON" };
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { ok: false, reason: "stdin is not a JSON object" };
  }
  const p = payload as Record<string, unknown>;
  const event = p.hook_event_name;
  const sessionId = p.session_id;
  if (typeof event !== "string" || event === "") return { ok: false, reason: "no hook_event_name" };
  if (typeof sessionId !== "string" || sessionId === "") {
    return { ok: false, reason: "no session_id" };
  }
  return { ok: true, event, sessionId };
}

/** A name part safe in any file system: letters, digits and "-" only, at most 80 characters. */
export function namePart(text: string): string {
  return text.replace(/[^A-Za-z0-9-]+/g, "-").slice(0, 80) || "unknown";
}

/**
 * The payload's file name. The stamp is UTC, `YYYYMMDDTHHMMSS.mmmuuuZ` (`uuu` tells apart
 * files of one millisecond), which normalize.ts parseStamp reads as a zoned time; the event
 * is kept verbatim when it is already safe, so the ingester finds `_{event}_` in the name.
 */
export function payloadFileName(event: string, sessionId: string, nowMs: number, seq = 0): string {
  const iso = new Date(nowMs).toISOString(); // 2025-08-01T12:34:56.789Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${
    iso.slice(14, 16)
  }${iso.slice(17, 19)}.${iso.slice(20, 23)}${String(seq % 1000).padStart(3, "0")}Z`;
  return `${stamp}_${namePart(event)}_${namePart(sessionId)}.json`;
}

/**
 * Reads stdin until it ends, or until what was read is a whole JSON object (Claude Code
 * sends exactly one and closes stdin, but a writer that keeps the pipe open must not hang
 * the hook), or past `maxBytes`. Plain reads into a growing buffer and no timer: the stream
 * API and the first setTimeout each cost 5–20 ms per call, a large part of the budget.
 */
async function readStdin(maxBytes: number): Promise<Uint8Array> {
  let buf = new Uint8Array(64 * 1024);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > maxBytes) break;
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const got = await Deno.stdin.read(buf.subarray(n));
    if (got === null) break;
    n += got;
    if (endsWithBrace(buf, n) && checkPayload(buf.subarray(0, n)).ok) break;
  }
  return buf.subarray(0, n);
}

function endsWithBrace(buf: Uint8Array, n: number): boolean {
  let i = n - 1;
  while (i >= 0 && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i--;
  return i >= 0 && buf[i] === 0x7d;
}

/**
 * Stores one payload under `dir` (the raw_json folder) and returns the file name. Throws on
 * I/O failure; the caller turns that into a stderr line.
 */
export function savePayload(
  dir: string,
  bytes: Uint8Array,
  event: string,
  sessionId: string,
  nowMs = Date.now(),
): string {
  Deno.mkdirSync(dir, { recursive: true });
  const tmp = `${dir}/.tmp-${crypto.randomUUID()}`;
  Deno.writeFileSync(tmp, bytes, { createNew: true, mode: 0o600 });
  try {
    for (let seq = 0; seq < 1000; seq++) {
      const name = payloadFileName(event, sessionId, nowMs, seq);
      try {
        Deno.linkSync(tmp, `${dir}/${name}`);
        return name;
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists) continue;
        // No hard links on this file system: a rename is atomic too, it only may overwrite.
        Deno.renameSync(tmp, `${dir}/${name}`);
        return name;
      }
    }
    throw new Error("1000 payloads with the same name in one millisecond");
  } finally {
    try {
      Deno.removeSync(tmp);
    } catch {
      // renamed away already
    }
  }
}

/**
 * Runs the hook command; resolves to the exit code, which is always 0. A stdin that never
 * ends nor completes a JSON object is cut off by the hook's `timeout` in settings.json.
 */
export async function runHook(claudeDir: string): Promise<0> {
  const warn = (msg: string) => {
    try {
      console.error(`claude-dash hook: ${msg}`);
    } catch {
      // stderr closed: nothing left to tell
    }
  };
  try {
    if (Deno.stdin.isTerminal()) {
      warn("reads one hook payload (JSON) from stdin; Claude Code runs it, see the README");
      return 0;
    }
    const bytes = await readStdin(maxHookFileBytes);
    const check = checkPayload(bytes);
    if (!check.ok) {
      warn(`${check.reason}; nothing saved`);
      return 0;
    }
    savePayload(`${claudeDir}/${rawJsonRel}`, bytes, check.event, check.sessionId);
  } catch (e) {
    warn(`could not save the payload: ${e instanceof Error ? e.message : e}`);
  }
  return 0;
}

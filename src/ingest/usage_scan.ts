// The usage-first pass's line extraction (issue 18): from a chunk of transcript bytes, the
// assistant lines that carry usage, with exactly the values the full parser
// (parse/transcript.ts) gives them, without decoding or parsing the other lines. Pure.
// Only lines holding the text `"usage"` are parsed (in full, with JSON.parse), so a line the
// full parser would store a usage for is never missed unless its key is written with \u
// escapes; such a line is still stored by the normal backfill, which replaces every row this
// pass wrote. Each such line is decoded on its own (fatal UTF-8, as the full parser does: a
// line that is not UTF-8 is not taken). A usage line without a timestamp of its own borrows
// one from its neighbours in the full parser: the scan then says `exact: false` and the
// caller reads that file with the full parser instead.

import { maxJsonDepth } from "../core/config.ts";
import { isObject } from "../core/text.ts";
import { contentHash, nestedDeeperThan, parseStamp, str, usageOf } from "./parse/normalize.ts";
import { Buffer } from "node:buffer";
import type { ProvisionalMessage } from "../store/write/usage_first.ts";

const newline = 0x0a;
const fatalDecoder = new TextDecoder("utf-8", { fatal: true });

/** One assistant line's usage, as the full parser reads it (before deduplication): the same
 * fields as the deduplicated message the store takes. */
export type UsageLine = ProvisionalMessage;

export interface UsageScanContext {
  /** The file's stored key (relative path in the main root, absolute elsewhere). */
  relPath: string;
  /** Session of lines that name none (the file's or its parent folder's name). */
  fileSessionId: string;
  /** Absolute byte offset of the chunk's first byte in the file. */
  baseOffset: number;
  /** The chunk ends at end of file and the file is quiet: a complete final line may be taken. */
  takeUnterminated: boolean;
  /** Longest line taken, in bytes (the full reader's chunk size). */
  maxLineBytes: number;
  /** The previous chunk ended inside an over-long line: drop bytes up to the next newline. */
  skipToNewline: boolean;
}

export interface UsageScan {
  lines: UsageLine[];
  /** Bytes of the chunk consumed; the next chunk starts at baseOffset + consumed. */
  consumed: number;
  skipToNewline: boolean;
  /** False: a usage line had no timestamp of its own (read this file with the full parser). */
  exact: boolean;
}

/** The usage lines of a chunk, consumed up to its last complete line. */
export function scanUsageChunk(ctx: UsageScanContext, bytes: Uint8Array): UsageScan {
  const out: UsageScan = { lines: [], consumed: 0, skipToNewline: false, exact: true };
  let pos = 0;
  if (ctx.skipToNewline) {
    const nl = bytes.indexOf(newline);
    if (nl === -1) return { ...out, consumed: bytes.length, skipToNewline: true };
    pos = nl + 1;
  }
  const last = bytes.lastIndexOf(newline);
  if (last >= pos) {
    scanLines(ctx, bytes, pos, last, out);
    pos = last + 1;
  }
  const rest = bytes.length - pos;
  if (rest > 0) {
    if (ctx.takeUnterminated && takeLast(ctx, bytes, pos, out)) pos = bytes.length;
    else if (rest >= ctx.maxLineBytes) {
      pos = bytes.length;
      out.skipToNewline = true;
    }
  }
  out.consumed = pos;
  return out;
}

/**
 * The complete lines of bytes[from, lastNewline]. The bytes are read as Latin-1 (one character
 * per byte: a copy, 4-5 × faster than decoding UTF-8, and string positions are byte offsets);
 * an ASCII pattern cannot match inside a multi-byte UTF-8 character, so `"usage"` is found
 * exactly. Only the lines holding it are decoded as UTF-8 (fatal, as the full parser does).
 */
function scanLines(
  ctx: UsageScanContext,
  bytes: Uint8Array,
  from: number,
  lastNewline: number,
  out: UsageScan,
): void {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + from, lastNewline + 1 - from)
    .toString("latin1");
  let u = text.indexOf('"usage"');
  while (u !== -1) {
    const start = text.lastIndexOf("\n", u) + 1;
    const end = text.indexOf("\n", u);
    u = text.indexOf('"usage"', end);
    // A line longer than the cap is skipped by the full reader.
    if (end - start + 1 > ctx.maxLineBytes) continue;
    const line = decodeLine(bytes.subarray(from + start, from + end));
    if (line === null) continue; // not UTF-8: the full parser records it as an error
    if (!take(ctx, line, () => ctx.baseOffset + from + start, out)) out.exact = false;
  }
}

/** A final line without its newline: taken when it parses as a whole JSON object. */
function takeLast(ctx: UsageScanContext, bytes: Uint8Array, from: number, out: UsageScan): boolean {
  const line = decodeLine(bytes.subarray(from));
  if (line === null) return false;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return false;
  }
  if (!isObject(value)) return false;
  if (line.includes('"usage"') && !take(ctx, line, () => ctx.baseOffset + from, out)) {
    out.exact = false;
  }
  return true;
}

function decodeLine(b: Uint8Array): string | null {
  try {
    const text = fatalDecoder.decode(b);
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  } catch {
    return null;
  }
}

/**
 * Adds the usage of one line (without its newline) if the full parser would store one; false
 * when it would but the line has no timestamp of its own (the full parser borrows one).
 */
export function take(
  ctx: UsageScanContext,
  line: string,
  offset: () => number,
  out: { lines: UsageLine[] },
): boolean {
  // From the end: Claude Code writes the line's type after its message.
  if (line.lastIndexOf('"assistant"') === -1) return true;
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return true; // the full parser records it as an error
  }
  if (!isObject(o) || o.type !== "assistant" || !isObject(o.message)) return true;
  const m = o.message;
  const usage = usageOf(m.usage);
  if (!usage) return true;
  if (nestedDeeperThan(line, o, maxJsonDepth)) return true;
  const snapshot = isObject(o.snapshot) ? o.snapshot : null;
  const stamp = str(o.timestamp) ?? str(snapshot?.timestamp);
  const ts = stamp ? isoMs(stamp) ?? parseStamp(stamp)?.ms : undefined;
  if (ts === undefined) return false;
  out.lines.push({
    messageId: str(m.id) ?? `tr:${ctx.relPath}:${offset()}:${contentHash(line)}`,
    requestId: str(o.requestId) ?? "",
    sessionId: str(o.sessionId) || ctx.fileSessionId,
    ts,
    model: str(m.model),
    usage,
  });
  return true;
}

/**
 * parseStamp's answer for the stamp Claude Code writes (2026-11-20T12:00:00.000Z), without its
 * regular expression; null for any other shape (parseStamp decides then).
 */
export function isoMs(s: string): number | null {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 /* Z */) return null;
  const d = (i: number) => {
    const c = s.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : NaN;
  };
  const sep = (i: number, c: string) => s[i] === c;
  if (!sep(4, "-") || !sep(7, "-") || !sep(10, "T") || !sep(13, ":") || !sep(16, ":")) return null;
  if (!sep(19, ".")) return null;
  const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const mo = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const h = d(11) * 10 + d(12);
  const mi = d(14) * 10 + d(15);
  const sec = d(17) * 10 + d(18);
  const ms = d(20) * 100 + d(21) * 10 + d(22);
  if (Number.isNaN(y + mo + day + h + mi + sec + ms)) return null;
  if (mo < 1 || mo > 12 || day < 1 || day > 31 || h > 23 || mi > 59) return null;
  const t = Date.UTC(y, mo - 1, day, h, mi, sec, ms);
  return Number.isFinite(t) ? t : null;
}

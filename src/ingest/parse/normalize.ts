// Small pure helpers shared by the hook and transcript parsers: loose timestamp parsing,
// message text, token usage and a fast content hash for idempotency keys. One-line summaries
// (also needed by the store) live in src/core/text.ts.

import { isObject } from "../../core/text.ts";

export function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

export function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** Text of a message content value: a string, or the text parts of a list of blocks. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const parts: string[] = [];
  for (const block of content) {
    if (typeof block === "string") parts.push(block);
    else if (isObject(block) && typeof block.text === "string") parts.push(block.text);
  }
  return parts.join(" ");
}

const looseStamp =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T _-]?(\d{2})[:\-]?(\d{2})(?:[:\-]?(\d{2}))?(?:[.,_](\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses ISO-8601 and the compact stamps logging scripts write (20250612_143022_123456,
 * epoch seconds or ms). A stamp without a zone is local time, as the scripts write it.
 * Returns epoch ms and whether the zone was explicit, or null.
 */
export function parseStamp(text: string): { ms: number; zoned: boolean } | null {
  const s = text.trim();
  if (/^\d{13}$/.test(s)) return { ms: Number(s), zoned: true };
  if (/^\d{10}(\.\d+)?$/.test(s)) return { ms: Math.round(Number(s) * 1000), zoned: true };
  const m = looseStamp.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", sec = "0", frac = "0", zone] = m;
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  const parts = [
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(sec),
    ms,
  ] as const;
  if (parts[1] > 11 || parts[2] < 1 || parts[2] > 31 || parts[3] > 23 || parts[4] > 59) return null;
  if (zone === undefined) {
    const local = new Date(...parts).getTime();
    return Number.isFinite(local) ? { ms: local, zoned: false } : null;
  }
  let utc = Date.UTC(...parts);
  if (zone.toUpperCase() !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    utc -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isFinite(utc) ? { ms: utc, zoned: true } : null;
}

/**
 * Whether JSON `text`, parsed as `value`, nests objects/arrays deeper than `max` levels.
 * SQLite's JSON functions refuse text nested deeper than 1000 levels, so such a payload must
 * never reach the store. Cheap for normal input: the walk only runs when the text has more
 * than `max` opening brackets, and it recurses at most `max` frames deep.
 */
export function nestedDeeperThan(text: string, value: unknown, max: number): boolean {
  let openers = 0;
  for (let i = text.indexOf("{"); i !== -1 && openers <= max; i = text.indexOf("{", i + 1)) {
    openers++;
  }
  for (let i = text.indexOf("["); i !== -1 && openers <= max; i = text.indexOf("[", i + 1)) {
    openers++;
  }
  return openers > max && deeper(value, max);
}

function deeper(v: unknown, left: number): boolean {
  if (typeof v !== "object" || v === null) return false;
  if (left <= 0) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (deeper(v[i], left - 1)) return true;
  } else {
    for (const k in v) if (deeper((v as Record<string, unknown>)[k], left - 1)) return true;
  }
  return false;
}

/** 64-bit FNV-1a of a string's UTF-16 code units, as 16 hex digits. Not cryptographic. */
export function contentHash(text: string): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x01000193 | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h1 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

export function usageOf(v: unknown) {
  if (!isObject(v)) return null;
  const cc = isObject(v.cache_creation) ? v.cache_creation : {};
  return {
    input_tokens: num(v.input_tokens),
    output_tokens: num(v.output_tokens),
    cache_creation_tokens: num(v.cache_creation_input_tokens),
    cache_creation_1h_tokens: num(cc.ephemeral_1h_input_tokens),
    cache_read_tokens: num(v.cache_read_input_tokens),
  };
}

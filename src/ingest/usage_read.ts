// Reads one transcript for the usage-first pass: in bounded chunks (never the whole file in
// memory), through the byte scanner (usage_scan.ts); a file where that scan cannot be exact
// (a usage line without its own timestamp) is read again with the full parser, the one the
// normal backfill uses (lines passed twice are harmless: the dedupe merges equal copies).
// Synchronous reads: this runs inside a Worker (usage_worker.ts) or on the pass's thread.

import { transcriptChunkBytes, unterminatedLineQuietMs } from "../core/config.ts";
import { parseTranscriptChunk } from "./parse/transcript.ts";
import { scanUsageChunk, type UsageLine } from "./usage_scan.ts";

/** Bytes read per call (the scanner's chunk; a longer line grows it up to the line cap). */
export const usageReadBytes = 64 * 1024;

/** Reused by every file (a longer line gets a bigger buffer for its file only). */
const readBuffer = new Uint8Array(usageReadBytes);

/** A transcript to read: where it is, the key it is stored under, and what lstat said. */
export interface UsageFile {
  abs: string;
  key: string;
  fileSessionId: string;
  size: number;
  mtimeMs: number;
}

/** Reads a file's usage lines into `onLines` (per chunk); returns the bytes read. */
export function readUsageFile(
  f: UsageFile,
  nowMs: number,
  onLines: (lines: UsageLine[]) => void,
): number {
  const quiet = nowMs - f.mtimeMs >= unterminatedLineQuietMs;
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(f.abs, { read: true });
  } catch {
    return 0; // gone or unreadable: the normal backfill records why
  }
  try {
    const st = file.statSync();
    if (!st.isFile) return 0;
    const got = scanFile(file, f, quiet, onLines);
    if (got !== null) return got;
    file.seekSync(0, Deno.SeekMode.Start);
    return parseFile(file, f, quiet, onLines);
  } finally {
    file.close();
  }
}

/**
 * The byte scan; null when it could not be exact. Lines already passed on are passed again by
 * the full parser then: the same line twice changes nothing after deduplication.
 */
function scanFile(
  file: Deno.FsFile,
  f: UsageFile,
  quiet: boolean,
  onLines: (lines: UsageLine[]) => void,
): number | null {
  let buf = readBuffer;
  let have = 0;
  let offset = 0; // file offset of buf[0]
  let skip = false;
  let eof = false;
  while (!eof) {
    if (have === buf.length) {
      // One line longer than the buffer: grow (the scanner skips it past the line cap).
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const n = file.readSync(buf.subarray(have));
    if (n === null || offset + have + n >= f.size) eof = true;
    if (n !== null) have += n;
    const atEnd = eof;
    const r = scanUsageChunk({
      relPath: f.key,
      fileSessionId: f.fileSessionId,
      baseOffset: offset,
      takeUnterminated: atEnd && quiet,
      maxLineBytes: transcriptChunkBytes,
      skipToNewline: skip,
    }, buf.subarray(0, have));
    if (!r.exact) return null;
    if (r.lines.length > 0) onLines(r.lines);
    skip = r.skipToNewline;
    buf.copyWithin(0, r.consumed, have);
    have -= r.consumed;
    offset += r.consumed;
  }
  return offset + have;
}

/** The full parser over the file, as the normal backfill reads it (8 MiB chunks). */
function parseFile(
  file: Deno.FsFile,
  f: UsageFile,
  quiet: boolean,
  onLines: (lines: UsageLine[]) => void,
): number {
  const buf = new Uint8Array(transcriptChunkBytes);
  let offset = 0;
  let lastTs: number | null = null;
  let skip = false;
  while (offset < f.size) {
    file.seekSync(offset, Deno.SeekMode.Start);
    const want = Math.min(buf.length, f.size - offset);
    let n = 0;
    while (n < want) {
      const got = file.readSync(buf.subarray(n, want));
      if (got === null) break;
      n += got;
    }
    if (n === 0) break;
    const r = parseTranscriptChunk({
      relPath: f.key,
      fileSessionId: f.fileSessionId,
      baseOffset: offset,
      mtimeMs: f.mtimeMs,
      lastTs,
      skipToNewline: skip,
      takeUnterminated: offset + n >= f.size && quiet,
      maxLineBytes: transcriptChunkBytes,
    }, buf.subarray(0, n));
    const lines: UsageLine[] = [];
    for (const ev of r.events) {
      if (!ev.usage || ev.bookkeeping || ev.orphan) continue;
      const { messageId, requestId, model, usage } = ev.usage;
      lines.push({ messageId, requestId, sessionId: ev.sessionId, ts: ev.ts, model, usage });
    }
    if (lines.length > 0) onLines(lines);
    offset += r.consumed;
    skip = r.skipToNewline;
    lastTs = r.lastTs;
    if (r.consumed === 0 || n < want) break;
  }
  return offset;
}

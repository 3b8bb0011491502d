// Reads a transcript on from its cursor, in chunks, at most a per-pass byte cap at a time. A
// file that shrank or whose first bytes changed is re-read from the start (a re-read pass,
// which skips what is stored). A last line without its newline is taken only once the file
// has been quiet for a while, and tried once per file state.

import { log } from "../core/log.ts";
import { transcriptChunkBytes, unterminatedLineQuietMs } from "../core/config.ts";
import type { FileCursor } from "../store/write/writer.ts";
import { contentHash } from "./parse/normalize.ts";
import { parseTranscriptChunk, sessionIdFromPath } from "./parse/transcript.ts";
import type { FolderCheck } from "./sources.ts";
import { openSource } from "./open_source.ts";
import { blankCursor, linkedFolder, mb, parentOf, type ReadSink } from "./read_file.ts";

const headBytes = 1024;

/** Where a transcript is read from: its root folder and its path relative to it. */
export interface TranscriptPlace {
  root: { dir: string; folders: FolderCheck };
  rel: string;
}

/** Reads transcripts into a sink, remembering per file what the next pass must do. */
export class TranscriptReader {
  #sink: ReadSink;
  #bytesPerPass: number;
  #tailTried = new Map<string, string>();
  /** Transcripts whose last pass stopped at the per-pass cap: read on even if unchanged. */
  #capped = new Set<string>();
  #cappedLogged = new Set<string>();
  /** Keys of the transcripts being re-read from the start. */
  #rereading = new Set<string>();

  constructor(sink: ReadSink, bytesPerPass: number) {
    this.#sink = sink;
    this.#bytesPerPass = bytesPerPass;
  }

  /** A stored cursor says this file is in a re-read pass (from before a restart). */
  markRereading(key: string): void {
    this.#rereading.add(key);
  }

  /**
   * Reads a transcript on from its cursor; `key` is its stored path. Returns true when the
   * pass stopped at the per-pass cap: the caller queues the file again for the next pass.
   */
  async read(key: string, at: TranscriptPlace): Promise<boolean> {
    const { root, rel } = at;
    const abs = `${root.dir}/${rel}`;
    const st = await Deno.lstat(abs);
    const mtimeMs = st.mtime?.getTime() ?? 0;
    const prev = this.#sink.cursor(key);
    const cur: FileCursor = { ...(prev ?? blankCursor(key, "transcript")) };
    if (st.isSymlink) {
      if (prev?.state !== "error") this.#refuse(key, cur, "symbolic link: not followed");
      return false;
    }
    if (!st.isFile) return false;
    if (!(await root.folders.inside(parentOf(rel)))) {
      if (prev?.state !== "error") this.#refuse(key, cur, linkedFolder);
      return false;
    }
    const quiet = Date.now() - mtimeMs >= unterminatedLineQuietMs;
    const stamp = `${st.size}:${mtimeMs}`;
    const wasCapped = this.#capped.delete(key);
    if (prev && prev.size === st.size && prev.mtimeMs === mtimeMs && !wasCapped) {
      // Unchanged: only a complete-but-unterminated last line of a now quiet file is left to try.
      if (prev.offset >= st.size || !quiet || this.#tailTried.get(key) === stamp) return false;
    }
    const file = await openSource(abs, st);
    if (!file) return false; // replaced while opening: the next scan looks again
    let capped = false;
    try {
      // A re-read pass (the file shrank or its first bytes changed) skips what is already
      // stored until it reaches the end, even when it takes several passes or a restart.
      let rereading = this.#rereading.has(key);
      if (st.size < cur.offset || !(await headMatches(file, cur.headHash))) {
        cur.offset = 0;
        cur.generation++;
        cur.skipToNewline = false;
        cur.lastTs = null;
        cur.headHash = null;
        rereading = true;
        this.#rereading.add(key);
      }
      cur.size = st.size;
      cur.mtimeMs = mtimeMs;
      cur.state = "ok";
      capped = await this.#readChunks(file, key, sessionIdFromPath(rel), cur, quiet, rereading);
      this.#sink.stats.filesRead++;
      // An emptied file stays in its re-read pass until content is read to its end again.
      if (cur.offset >= st.size && st.size > 0) this.#rereading.delete(key);
      if (cur.offset < st.size && quiet && !capped) this.#tailTried.set(key, stamp);
    } finally {
      file.close();
    }
    if (capped) {
      // A huge transcript does not hold up every other file: read on in the next pass.
      this.#sink.stats.cappedReads++;
      this.#capped.add(key);
      if (!this.#cappedLogged.has(key)) {
        this.#cappedLogged.add(key);
        log.info(
          `${key}: ${mb(st.size)}; reading at most ${
            mb(this.#bytesPerPass)
          } per pass, the rest follows`,
        );
      }
    }
    return capped;
  }

  /** Records a file that is not read (a link, or inside a linked folder) as an error. */
  #refuse(key: string, cur: FileCursor, reason: string): void {
    this.#sink.add({
      cursor: { ...cur, state: "error" },
      events: [],
      errors: [{ path: key, offset: null, reason }],
      clearErrors: false,
      rereading: false,
    }, 0);
  }

  /**
   * Parses chunks from `cur.offset` (advanced as lines are consumed) to the end of the file
   * or the per-pass cap, queueing each chunk's events with the cursor after it. Returns
   * whether the cap stopped it.
   */
  async #readChunks(
    file: Deno.FsFile,
    key: string,
    fileSessionId: string,
    cur: FileCursor,
    quiet: boolean,
    rereading: boolean,
  ): Promise<boolean> {
    const size = cur.size;
    let wrote = false;
    let passBytes = 0;
    let capped = false;
    while (cur.offset < size) {
      if (passBytes >= this.#bytesPerPass) {
        capped = true;
        break;
      }
      const want = Math.min(transcriptChunkBytes, size - cur.offset);
      const buf = new Uint8Array(want);
      const n = await readAt(file, cur.offset, buf);
      if (n === 0) break;
      const bytes = buf.subarray(0, n);
      this.#sink.stats.bytesRead += n;
      passBytes += n;
      const atEnd = cur.offset + n >= size;
      const r = parseTranscriptChunk({
        relPath: key,
        fileSessionId,
        baseOffset: cur.offset,
        mtimeMs: cur.mtimeMs,
        lastTs: cur.lastTs,
        skipToNewline: cur.skipToNewline,
        takeUnterminated: atEnd && quiet,
        maxLineBytes: transcriptChunkBytes,
      }, bytes);
      cur.offset += r.consumed;
      cur.skipToNewline = r.skipToNewline;
      cur.lastTs = r.lastTs;
      if (headLength(cur.headHash) < Math.min(headBytes, cur.offset)) {
        cur.headHash = await headHash(file, Math.min(headBytes, cur.offset));
      }
      this.#sink.add({
        cursor: { ...cur },
        events: r.events,
        errors: r.errors,
        clearErrors: false,
        rereading,
      }, r.consumed);
      wrote = true;
      if (r.consumed === 0 || n < want) break;
    }
    if (!wrote) {
      this.#sink.add(
        { cursor: { ...cur }, events: [], errors: [], clearErrors: false, rereading },
        0,
      );
    }
    return capped;
  }
}

async function readAt(file: Deno.FsFile, offset: number, buf: Uint8Array): Promise<number> {
  await file.seek(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < buf.length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got;
}

function headLength(hash: string | null): number {
  return hash ? Number(hash.slice(0, hash.indexOf(":"))) : 0;
}

async function headHash(file: Deno.FsFile, length: number): Promise<string> {
  const buf = new Uint8Array(length);
  const n = await readAt(file, 0, buf);
  return `${n}:${contentHash(new TextDecoder().decode(buf.subarray(0, n)))}`;
}

/** Whether the file still starts with the bytes it had when the cursor was stored. */
async function headMatches(file: Deno.FsFile, stored: string | null): Promise<boolean> {
  if (!stored) return true;
  return (await headHash(file, headLength(stored))) === stored;
}

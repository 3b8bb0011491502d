// Reads one hook log file (one JSON event per file, written once): whole, up to
// maxHookFileBytes, never through a symbolic link. A file unchanged since its cursor is skipped.

import { maxHookFileBytes, syncHookReadMaxBytes } from "../core/config.ts";
import type { FileCursor } from "../store/write/writer.ts";
import { parseHookFile } from "./parse/hook.ts";
import {
  closeSource,
  type FolderCheck,
  type NotRead,
  openSmallSource,
  openSource,
  readCapped,
  readOpenSource,
} from "./sources.ts";
import { blankCursor, linkedFolder, mb, parentOf, type ReadSink } from "./read_file.ts";

/** Reads the hook file `rel` of the main Claude directory `dir` into `sink`. */
export async function readHook(
  sink: ReadSink,
  dir: string,
  folders: FolderCheck,
  rel: string,
): Promise<void> {
  const abs = `${dir}/${rel}`;
  // Almost every hook file is small: opened first and described by one fstat of what was
  // opened (blocking calls of microseconds; no lstat before, so nothing can be swapped in
  // between). A larger one is read as before, without blocking the event loop.
  const small = openSmallSource(abs, syncHookReadMaxBytes);
  if (small === "gone") return; // vanished: keep what was stored
  const st: SourceStat = small === "link" || small === "large" ? Deno.lstatSync(abs) : small.stat;
  const fd = typeof small === "object" ? small.fd : null;
  try {
    await readDescribed(sink, folders, rel, abs, st, fd);
  } finally {
    if (fd !== null) closeSource(fd);
  }
}

/** What readHook needs of a file's lstat or fstat. */
type SourceStat = Pick<Deno.FileInfo, "size" | "isFile" | "isSymlink"> & {
  mtime?: Date | null;
  mtimeMs?: number;
};

/** Reads a hook file `st` describes: `fd` is its open descriptor when it is small. */
async function readDescribed(
  sink: ReadSink,
  folders: FolderCheck,
  rel: string,
  abs: string,
  st: SourceStat,
  fd: number | null,
): Promise<void> {
  const mtimeMs = st.mtimeMs ?? st.mtime?.getTime() ?? 0;
  const prev = sink.cursor(rel);
  if (prev && prev.size === st.size && prev.mtimeMs === mtimeMs) return;
  const cursor: FileCursor = {
    ...(prev ?? blankCursor(rel, "hook")),
    size: st.size,
    mtimeMs,
    offset: st.size,
  };
  const fail = (reason: string) =>
    sink.add({
      cursor: { ...cursor, state: "error" },
      events: [],
      errors: [{ path: rel, offset: null, reason }],
      clearErrors: true,
      rereading: false,
    }, 0);
  if (st.isSymlink) return fail("symbolic link: not followed");
  if (!st.isFile) return;
  if (!(await folders.inside(parentOf(rel)))) return fail(linkedFolder);
  const tooLarge = (size: number) =>
    fail(`file too large: ${mb(size)} (limit ${mb(maxHookFileBytes)}); not read`);
  if (st.size > maxHookFileBytes) return tooLarge(st.size);
  const bytes = fd !== null ? readOpenSource(fd, st.size) : await readWhole(abs, st);
  if (bytes === "swapped") return; // replaced while opening: the next scan looks again
  if (bytes === "too_large") return tooLarge(maxHookFileBytes + 1);
  sink.stats.filesRead++;
  sink.stats.bytesRead += bytes.length;
  const parsed = parseHookFile(rel, bytes, mtimeMs);
  if ("error" in parsed) return fail(parsed.error.reason);
  sink.add({
    cursor: { ...cursor, size: bytes.length, offset: bytes.length, state: "ok" },
    events: [parsed.event],
    errors: [],
    clearErrors: true,
    rereading: false,
  }, bytes.length);
}

/** A larger hook file's bytes, read without blocking the event loop. */
async function readWhole(abs: string, st: SourceStat): Promise<Uint8Array | NotRead> {
  const file = await openSource(abs, st as Deno.FileInfo);
  if (!file) return "swapped";
  try {
    return await readCapped(file, st.size, maxHookFileBytes) ?? "too_large";
  } finally {
    file.close();
  }
}

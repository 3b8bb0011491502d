// Reads one hook log file (one JSON event per file, written once): whole, up to
// maxHookFileBytes, never through a symbolic link. A file unchanged since its cursor is skipped.

import { maxHookFileBytes, syncHookReadMaxBytes } from "../core/config.ts";
import type { FileCursor } from "../store/write/writer.ts";
import { parseHookFile } from "./parse/hook.ts";
import type { FolderCheck } from "./sources.ts";
import {
  closeSource,
  type NotRead,
  openSmallSource,
  openSource,
  readCapped,
  readOpenSource,
  type SourceStat,
} from "./open_source.ts";
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
  if (typeof small === "object") {
    try {
      return await readDescribed(
        sink,
        folders,
        rel,
        small.stat,
        () => readOpenSource(small.fd, small.stat.size),
      );
    } finally {
      closeSource(small.fd);
    }
  }
  const info = Deno.lstatSync(abs);
  const { size, isFile, isSymlink } = info;
  const st = { size, isFile, isSymlink, mtimeMs: info.mtime?.getTime() ?? 0 };
  await readDescribed(sink, folders, rel, st, () => readWhole(abs, info));
}

/** Reads the hook file `st` describes, its bytes from `read` (once the checks pass). */
async function readDescribed(
  sink: ReadSink,
  folders: FolderCheck,
  rel: string,
  st: SourceStat,
  read: () => Uint8Array | NotRead | Promise<Uint8Array | NotRead>,
): Promise<void> {
  const { mtimeMs } = st;
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
  const bytes = await read();
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
async function readWhole(abs: string, st: Deno.FileInfo): Promise<Uint8Array | NotRead> {
  const file = await openSource(abs, st);
  if (!file) return "swapped";
  try {
    return await readCapped(file, st.size, maxHookFileBytes) ?? "too_large";
  } finally {
    file.close();
  }
}

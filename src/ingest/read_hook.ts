// Reads one hook log file (one JSON event per file, written once): whole, up to
// maxHookFileBytes, never through a symbolic link. A file unchanged since its cursor is skipped.

import { maxHookFileBytes, syncHookReadMaxBytes } from "../core/config.ts";
import type { FileCursor } from "../store/write/writer.ts";
import { parseHookFile } from "./parse/hook.ts";
import {
  type FolderCheck,
  type NotRead,
  openSource,
  readCapped,
  readSourceSync,
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
  // Sync: a microsecond's call, where an awaited one costs a round trip to the runtime's threads.
  const st = Deno.lstatSync(abs);
  const mtimeMs = st.mtime?.getTime() ?? 0;
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
  const bytes = await readWhole(abs, st);
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

/** A hook file's bytes: small ones read at once, larger ones without blocking the event loop. */
async function readWhole(abs: string, st: Deno.FileInfo): Promise<Uint8Array | NotRead> {
  if (st.size <= syncHookReadMaxBytes) return readSourceSync(abs, st, maxHookFileBytes);
  const file = await openSource(abs, st);
  if (!file) return "swapped";
  try {
    return await readCapped(file, st.size, maxHookFileBytes) ?? "too_large";
  } finally {
    file.close();
  }
}

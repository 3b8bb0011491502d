// Opening and reading one source file safely: never through a symbolic link, never waiting on
// a FIFO, and only the file that was described (a file swapped between a listing and the open
// is not read). The blocking calls are for small hook files, read by the thousand.

import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/**
 * Opens a source file for reading only if it is still the regular file `st` (from lstat)
 * described: a file replaced by a symbolic link or another file between the lstat and the
 * open is not read (null; the next scan looks again).
 */
export async function openSource(abs: string, st: Deno.FileInfo): Promise<Deno.FsFile | null> {
  const file = await Deno.open(abs, { read: true });
  try {
    const now = await file.stat();
    if (now.isFile && (st.ino === null || (now.ino === st.ino && now.dev === st.dev))) return file;
  } catch {
    // treated like a swap: not read
  }
  file.close();
  return null;
}

/** Reads a file from its position until EOF, or until more than `cap` bytes (then null). */
export async function readCapped(
  file: Deno.FsFile,
  sizeHint: number,
  cap: number,
): Promise<Uint8Array | null> {
  // One byte past the expected size, so a file read in full normally takes one read + EOF.
  let buf = new Uint8Array(Math.min(Math.max(sizeHint, 0) + 1, cap + 1));
  let got = 0;
  for (;;) {
    if (got === buf.length) {
      if (got > cap) return null;
      const bigger = new Uint8Array(Math.min(buf.length * 2, cap + 1));
      bigger.set(buf);
      buf = bigger;
    }
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got > cap ? null : buf.subarray(0, got);
}

/**
 * open(2) flags of openSmallSource: never through a symbolic link (ELOOP instead), and never
 * waiting for a writer (a FIFO opens at once, and its fstat says it is not a regular file).
 */
const openNoFollowNoWait = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NONBLOCK ?? 0);

/** What readOpenSource found instead of the file's bytes (and readCapped's callers). */
export type NotRead = "swapped" | "too_large";

/** What a source file's reader needs to know of it: from an fstat or an lstat. */
export type SourceStat = Pick<Deno.FileInfo, "size" | "isFile" | "isSymlink"> & {
  mtimeMs: number;
};

/** A small source file held open, described by the fstat of what was opened. */
export interface OpenSmall {
  fd: number;
  stat: SourceStat & { isSymlink: false };
}

/**
 * Opens a source file with blocking calls when it is a small regular file (at most `maxBytes`):
 * the open and one fstat of the descriptor, so what is described is what will be read. "gone":
 * it vanished; "link": a symbolic link (not followed); "large": bigger than `maxBytes` (closed
 * again: read it asynchronously). Anything else that is not a regular file (a FIFO, a device)
 * comes back open with `isFile` false, for the caller to close unread.
 */
export function openSmallSource(
  abs: string,
  maxBytes: number,
): OpenSmall | "gone" | "link" | "large" {
  let fd: number;
  try {
    fd = openSync(abs, openNoFollowNoWait);
  } catch (e) {
    const code = e instanceof Error && "code" in e ? e.code : null;
    if (code === "ENOENT") return "gone";
    if (code === "ELOOP") return "link";
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > maxBytes) {
      closeSync(fd);
      return "large";
    }
    return {
      fd,
      stat: { size: st.size, mtimeMs: st.mtimeMs, isFile: st.isFile(), isSymlink: false },
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads an open source file's `size` bytes (its fstat's; fewer if it shrank since). */
export function readOpenSource(fd: number, size: number): Uint8Array {
  const buf = new Uint8Array(Math.max(size, 0));
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, null);
    if (n === 0) break;
    got += n;
  }
  return got === buf.length ? buf : buf.subarray(0, got);
}

/** Closes what openSmallSource opened. */
export function closeSource(fd: number): void {
  closeSync(fd);
}

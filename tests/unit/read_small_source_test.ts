// openSmallSource + readOpenSource read small hook files with blocking calls: what is opened is
// what its fstat describes and what is read, so a FIFO never blocks, a link is never followed,
// and a file swapped after the open cannot be misread.

import assert from "node:assert/strict";
import { join } from "node:path";
import { closeSource, openSmallSource, readOpenSource } from "../../src/ingest/open_source.ts";

async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "read-small-source-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

function mkfifo(path: string): void {
  const out = new Deno.Command("mkfifo", { args: [path] }).outputSync();
  assert.ok(out.success, `mkfifo ${path}`);
}

/** Opens, reads and closes `path` as readHook does; the result's kind when not read. */
function readSmall(path: string, maxBytes = 1024): string {
  const open = openSmallSource(path, maxBytes);
  if (typeof open === "string") return open;
  try {
    if (!open.stat.isFile) return "not a file";
    const bytes = readOpenSource(open.fd, open.stat.size);
    assert.equal(bytes.length, open.stat.size);
    return new TextDecoder().decode(bytes);
  } finally {
    closeSource(open.fd);
  }
}

Deno.test("a small file is read whole, described by the fstat of what was opened", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  await Deno.writeTextFile(file, '{"a":1,"b":2}');
  const open = openSmallSource(file, 1024);
  assert.ok(typeof open === "object");
  const st = await Deno.lstat(file);
  assert.equal(open.stat.size, st.size);
  assert.equal(open.stat.mtimeMs, st.mtime?.getTime(), "the same mtime as a lstat's");
  closeSource(open.fd);
  assert.equal(readSmall(file), '{"a":1,"b":2}');
});

Deno.test("a FIFO opens at once, is not a regular file, and is never read", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  mkfifo(file);
  assert.equal(readSmall(file), "not a file");
});

Deno.test("a symbolic link is not followed", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  const target = join(dir.path, "target.json");
  await Deno.writeTextFile(target, '{"secret":1}');
  await Deno.symlink(target, file);
  assert.equal(readSmall(file), "link");
});

Deno.test("a file gone is said so; a file over the limit is left for the asynchronous read", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  assert.equal(readSmall(file), "gone");
  await Deno.writeTextFile(file, "x".repeat(5000));
  assert.equal(readSmall(file, 4096), "large");
  assert.equal(readSmall(file, 5000).length, 5000);
});

Deno.test("a file replaced after the open is not misread: the opened one is read", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  await Deno.writeTextFile(file, '{"first":1}');
  const open = openSmallSource(file, 1024);
  assert.ok(typeof open === "object");
  const other = join(dir.path, "b.json");
  await Deno.writeTextFile(other, '{"other":"longer"}');
  await Deno.rename(other, file);
  try {
    const bytes = readOpenSource(open.fd, open.stat.size);
    assert.equal(new TextDecoder().decode(bytes), '{"first":1}');
  } finally {
    closeSource(open.fd);
  }
});

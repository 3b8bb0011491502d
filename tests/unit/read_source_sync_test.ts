// readSourceSync reads small hook files with blocking calls on the main thread, so a file
// swapped after its lstat must never block it (a FIFO), be followed (a link) or be misread.

import assert from "node:assert/strict";
import { join } from "node:path";
import { readSourceSync } from "../../src/ingest/sources.ts";

async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "read-source-sync-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

function mkfifo(path: string): void {
  const out = new Deno.Command("mkfifo", { args: [path] }).outputSync();
  assert.ok(out.success, `mkfifo ${path}`);
}

Deno.test("a small hook file is read whole, even when it grew since its lstat", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  await Deno.writeTextFile(file, '{"a":1}');
  const st = await Deno.lstat(file);
  await Deno.writeTextFile(file, '{"a":1,"b":2}');
  const bytes = readSourceSync(file, st, 1024);
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(bytes), '{"a":1,"b":2}');
});

Deno.test("a file swapped for a FIFO after its lstat is not read and does not block", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  await Deno.writeTextFile(file, "{}");
  const st = await Deno.lstat(file);
  await Deno.remove(file);
  mkfifo(file);
  assert.equal(readSourceSync(file, st, 1024), "swapped");
});

Deno.test("a file swapped for a symbolic link after its lstat is not followed", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  const target = join(dir.path, "target.json");
  await Deno.writeTextFile(file, "{}");
  await Deno.writeTextFile(target, '{"secret":1}');
  const st = await Deno.lstat(file);
  await Deno.remove(file);
  await Deno.symlink(target, file);
  assert.equal(readSourceSync(file, st, 1024), "swapped");
});

Deno.test("a file replaced by another one or gone after its lstat is not read", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  await Deno.writeTextFile(file, "{}");
  const st = await Deno.lstat(file);
  const other = join(dir.path, "b.json");
  await Deno.writeTextFile(other, '{"other":1}');
  await Deno.rename(other, file);
  assert.equal(readSourceSync(file, st, 1024), "swapped");
  await Deno.remove(file);
  assert.equal(readSourceSync(file, st, 1024), "swapped");
});

Deno.test("a file that grew past the cap since its lstat is too large, not cut", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "a.json");
  await Deno.writeTextFile(file, "{}");
  const st = await Deno.lstat(file);
  await Deno.writeTextFile(file, "x".repeat(5000));
  assert.equal(readSourceSync(file, st, 4096), "too_large");
  const whole = readSourceSync(file, st, 5000);
  assert.ok(whole instanceof Uint8Array && whole.length === 5000);
});

// The main thread reads the backfill worker's next hook files for it (src/ingest/read_ahead.ts):
// only small regular files, with readHook's own checks, and the worker takes each one once.
// Hostile entries (a link to a decoy, a FIFO) live only inside the test's temp folder.

import assert from "node:assert/strict";
import { join } from "node:path";
import { syncHookReadMaxBytes } from "../../src/core/config.ts";
import {
  type ReadAhead,
  ReadAheadBuffer,
  readAheadFiles,
  transferList,
} from "../../src/ingest/read_ahead.ts";

Deno.test("reading ahead returns small regular files with their lstat, and leaves links, FIFOs, folders, large and missing files to the worker", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const hooks = join(dir, "hooks");
    await Deno.mkdir(hooks);
    await Deno.writeTextFile(join(hooks, "a.json"), '{"a":1}');
    await Deno.writeTextFile(join(dir, "decoy.json"), '{"secret":1}');
    await Deno.symlink(join(dir, "decoy.json"), join(hooks, "link.json"));
    const fifo = new Deno.Command("mkfifo", { args: [join(hooks, "fifo.json")] }).outputSync();
    assert.ok(fifo.success);
    await Deno.mkdir(join(hooks, "dir.json"));
    await Deno.writeFile(join(hooks, "big.json"), new Uint8Array(syncHookReadMaxBytes + 1));
    const rels = ["a.json", "link.json", "fifo.json", "dir.json", "big.json", "gone.json"]
      .map((f) => `hooks/${f}`);
    const files = await readAheadFiles(dir, rels);
    assert.deepEqual(files.map((f) => f.rel), ["hooks/a.json"]);
    const st = await Deno.lstat(join(hooks, "a.json"));
    assert.equal(files[0].size, st.size);
    assert.equal(files[0].mtimeMs, st.mtime?.getTime());
    assert.equal(new TextDecoder().decode(files[0].bytes), '{"a":1}');
    assert.equal(transferList(files).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reading ahead many files lets a waiting timer run in between", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rels: string[] = [];
    for (let i = 0; i < 3000; i++) {
      await Deno.writeTextFile(join(dir, `${i}.json`), `{"i":${i}}`);
      rels.push(`${i}.json`);
    }
    let done = false;
    let ranWhileReading = false;
    setTimeout(() => (ranWhileReading = !done), 0);
    // 3,000 files take far longer than one 10 ms slice: the timer runs before reading ends only
    // if the reader hands the loop over while it reads.
    const files = await readAheadFiles(dir, rels);
    done = true;
    assert.equal(files.length, 3000);
    assert.ok(ranWhileReading, "the timer ran while reading");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the worker asks for each file once and takes each file read ahead once; late or unasked files are dropped", () => {
  const asked: string[][] = [];
  const buf = new ReadAheadBuffer((rels) => asked.push(rels));
  const file = (rel: string): ReadAhead => ({ rel, size: 1, mtimeMs: 2, bytes: new Uint8Array(1) });
  buf.request(["a", "b"]);
  buf.request(["b", "c"]);
  buf.request(["a"]);
  assert.deepEqual(asked, [["a", "b"], ["c"]]);
  assert.equal(buf.pending, 3);
  buf.deliver([file("a"), file("x")]);
  assert.equal(buf.take("a")?.rel, "a");
  assert.equal(buf.take("a"), undefined, "once");
  assert.equal(buf.take("x"), undefined, "never asked for");
  // "b" was read by the worker itself before its bytes came: they are not kept.
  assert.equal(buf.take("b"), undefined);
  buf.deliver([file("b")]);
  assert.equal(buf.take("b"), undefined);
  assert.equal(buf.pending, 1, "only c is still awaited");
});

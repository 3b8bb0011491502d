// The ingester's own backfill progress (src/ingest/backfill_progress.ts): files and bytes of the
// first pass, hook bytes estimated from the mean size read so far, figures taken whole from the
// worker, and "done" once the pass is over.

import assert from "node:assert/strict";
import { ProgressTracker } from "../../src/ingest/backfill_progress.ts";

Deno.test("progress counts planned files once, estimates hook bytes from those read, then is done", () => {
  const t = new ProgressTracker();
  assert.equal(t.snapshot(0, 0), null);
  t.begin(1_000, 500);
  t.plan("hooks/a.json", "hook");
  t.plan("hooks/b.json", "hook");
  t.plan("hooks/a.json", "hook"); // listed again: counted once
  t.plan("/p/s.jsonl", "transcript", 10_000);
  t.added("hook", 300);
  t.settled("hooks/a.json");
  t.settled("not/planned.json");
  const p = t.snapshot(3_000, 500 + 300);
  assert.ok(p);
  assert.equal(p.phase, "events");
  assert.deepEqual([p.filesDone, p.filesTotal], [1, 3]);
  // 2 hook files at the 300-byte mean of the one read, plus the transcript's bytes left.
  assert.deepEqual([p.bytesDone, p.bytesTotal], [300, 10_600]);
  assert.equal(p.mbPerSec, 300 / 2 / 1e6);
  t.added("hook", 500);
  t.settled("hooks/b.json");
  t.settled("/p/s.jsonl");
  t.finish(5_000, 500 + 10_800);
  const done = t.snapshot(9_000, 500 + 10_800);
  assert.ok(done);
  assert.equal(done.phase, "done");
  assert.deepEqual([done.filesDone, done.filesTotal, done.bytesDone, done.bytesTotal], [
    3,
    3,
    10_800,
    10_800,
  ]);
  assert.equal(done.finishedAtMs, 5_000);
  assert.equal(done.etaSeconds, 0);
});

Deno.test("progress taken from the worker is shown as it is, and done only when finished here", () => {
  const t = new ProgressTracker();
  t.begin(0, 0);
  t.adopt({
    phase: "done",
    filesDone: 10,
    filesTotal: 10,
    bytesDone: 2e6,
    bytesTotal: 2e6,
    mbPerSec: 1,
    etaSeconds: 0,
    startedAtMs: 100,
    finishedAtMs: 2_100,
  });
  t.plan("hooks/late.json", "hook"); // the main thread's catch-up does not count on top
  const p = t.snapshot(4_100, 0);
  assert.ok(p);
  assert.equal(p.phase, "events"); // the catch-up after the worker is still running
  assert.deepEqual([p.filesDone, p.filesTotal, p.bytesDone], [10, 10, 2e6]);
  t.finish(5_100, 0);
  assert.equal(t.snapshot(6_000, 0)?.phase, "done");
  assert.equal(t.snapshot(6_000, 0)?.finishedAtMs, 5_100);
});

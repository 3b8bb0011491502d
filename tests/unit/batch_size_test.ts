// The ingester's batches are sized by time: a write transaction should fit ingestCommitBudgetMs
// so HTTP requests (same thread) wait at most about that long during a backfill.

import assert from "node:assert/strict";
import {
  backfillLimits,
  BatchSizer,
  readsAtOnce,
  servingLimits,
} from "../../src/ingest/batch_size.ts";
import {
  backfillBatchFiles,
  backfillBatchRawBytes,
  backfillCommitBudgetMs,
  ingestBatchFiles,
  ingestCommitBudgetMs,
} from "../../src/core/config.ts";

Deno.test("a commit slower than the time budget shrinks the next batch so it fits the budget", () => {
  const s = new BatchSizer();
  assert.equal(s.files, ingestBatchFiles);
  // 400 files took 4 budgets: the next batch is well under a quarter of that.
  s.observe(ingestBatchFiles, ingestCommitBudgetMs * 4);
  assert.ok(s.files < ingestBatchFiles / 4, `${s.files} files`);
  const msPerFile = (ingestCommitBudgetMs * 4) / ingestBatchFiles;
  assert.ok(s.files * msPerFile <= ingestCommitBudgetMs, "the next commit fits the budget");
});

Deno.test("fast commits grow batches back, never past ingestBatchFiles, and a batch is never empty", () => {
  const s = new BatchSizer();
  s.observe(100, 1000);
  const small = s.files;
  assert.ok(small >= 1 && small < 100);
  for (let i = 0; i < 50; i++) s.observe(s.files, 0.01);
  assert.equal(s.files, ingestBatchFiles);
  s.observe(10, 1e6);
  assert.ok(s.files >= 1);
  s.observe(0, 5); // nothing committed: nothing learned
  assert.ok(s.files >= 1);
});

Deno.test("reading a batch with blocking reads lets a waiting timer run before it ends and in between", async () => {
  const s = new BatchSizer();
  const busy = (ms: number) => {
    const t0 = performance.now();
    while (performance.now() - t0 < ms) { /* a blocking read of small files */ }
  };
  let readsWhenTimerRan = -1;
  let reads = 0;
  setTimeout(() => readsWhenTimerRan = reads, 0);
  await s.readAll(Array.from({ length: 8 }, (_, i) => i), 2, () => {
    busy(4);
    reads++;
    return Promise.resolve();
  });
  // 16 ms of reads per pair of groups: the timer got in long before the last read.
  assert.ok(readsWhenTimerRan > 0 && readsWhenTimerRan < 8, `timer ran after ${readsWhenTimerRan}`);
});

Deno.test("the backfill worker, which serves no request, takes larger batches under a longer budget", () => {
  const worker = new BatchSizer(backfillLimits);
  const serving = new BatchSizer(servingLimits);
  assert.ok(backfillBatchFiles > ingestBatchFiles && backfillCommitBudgetMs > ingestCommitBudgetMs);
  assert.equal(worker.files, backfillBatchFiles);
  assert.equal(worker.maxFiles, backfillBatchFiles);
  // The same cost per file (0.2 ms): the worker's batch fits its own budget, ten times larger.
  worker.observe(100, 20);
  serving.observe(100, 20);
  assert.equal(serving.files, Math.floor((ingestCommitBudgetMs / 2) / 0.2));
  assert.equal(
    worker.files,
    Math.min(backfillBatchFiles, Math.floor(backfillCommitBudgetMs / 2 / 0.2)),
  );
  assert.ok(worker.files > serving.files);
});

Deno.test("a worker batch is committed once it holds backfillBatchRawBytes of source, however few files", () => {
  const worker = new BatchSizer(backfillLimits);
  assert.equal(worker.full(1, backfillBatchRawBytes - 1), false);
  assert.equal(worker.full(1, backfillBatchRawBytes), true, "one big transcript chunk");
  assert.equal(worker.full(backfillBatchFiles * 2, 0), true, "many empty files");
  // The main thread keeps its larger byte cap: its batches are already cut by time.
  const serving = new BatchSizer(servingLimits);
  assert.equal(serving.full(1, backfillBatchRawBytes), false);
  assert.ok(servingLimits.maxRawBytes > backfillLimits.maxRawBytes);
});

Deno.test("hook files are read 32 at once, transcripts 8 (their parsing is the bound, and each read holds its chunk)", () => {
  assert.equal(
    readsAtOnce([["hooks/logs/raw_json/a.json", "hook"], ["projects/p/s.jsonl", "transcript"]]),
    32,
  );
  assert.equal(
    readsAtOnce([["projects/p/s.jsonl", "transcript"], ["projects/p/t.jsonl", "transcript"]]),
    8,
  );
});

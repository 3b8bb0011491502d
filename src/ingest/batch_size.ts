// How many files the ingester takes into one write transaction: as many as fit the commit time
// budget (ingestCommitBudgetMs), learned from the cost per file of the commits so far, never
// more than ingestBatchFiles. Between commits it yields to the event loop, so HTTP requests
// (same thread, synchronous SQLite) wait at most about one budget during a backfill.

import { ingestBatchFiles, ingestCommitBudgetMs } from "../core/config.ts";

/** Aim below the budget: commits of the same size vary (load, checkpoints, transcript lines). */
const targetShare = 0.5;
const minBatchFiles = 8;
/**
 * Small hook files are read with blocking calls: reading a batch hands the event loop over at
 * least this often, and once more before its commit, so a request waits for one piece, not both.
 */
const readSliceMs = 10;

function yieldToLoop(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 0));
}

export class BatchSizer {
  #files = ingestBatchFiles;
  #msPerFile: number | null = null;
  #sliceMs: number;
  /** Yields only once a slice has passed (not after every read and commit). */
  #lazy: boolean;
  #since = performance.now();

  /** `sliceMs` longer than readSliceMs: a thread that serves nothing (the backfill worker). */
  constructor(sliceMs = readSliceMs) {
    this.#sliceMs = sliceMs;
    this.#lazy = sliceMs > readSliceMs;
  }

  /** Hands the event loop over when a slice has passed (always, unless lazy and `always`). */
  async #turn(always: boolean): Promise<void> {
    if ((always && !this.#lazy) || performance.now() - this.#since >= this.#sliceMs) {
      await yieldToLoop();
      this.#since = performance.now();
    }
  }

  /** Files per batch now. */
  get files(): number {
    return this.#files;
  }

  /** The first entries of `dirty`, as many as the next batch takes (left in the map). */
  take<K, V>(dirty: Map<K, V>): Array<[K, V]> {
    const batch: Array<[K, V]> = [];
    for (const entry of dirty) {
      if (batch.length >= this.#files) break;
      batch.push(entry);
    }
    return batch;
  }

  /** Reads a batch's entries `parallel` at a time, letting other tasks run in between. */
  async readAll<T>(batch: T[], parallel: number, read: (entry: T) => Promise<void>): Promise<void> {
    if (!this.#lazy) this.#since = performance.now();
    for (let i = 0; i < batch.length; i += parallel) {
      await Promise.all(batch.slice(i, i + parallel).map(read));
      await this.#turn(false);
    }
    await this.#turn(true);
  }

  /** Runs the commit of a batch of `files`, learns its cost, then lets other tasks run. */
  async timed(files: number, commit: () => void): Promise<void> {
    const t0 = performance.now();
    commit();
    this.observe(files, performance.now() - t0);
    await this.#turn(true);
  }

  /** Learns from one commit of `files` files that took `ms` (pure; tests call it directly). */
  observe(files: number, ms: number): void {
    if (files <= 0) return;
    const perFile = ms / files;
    // Quick to shrink after a slow commit, slow to grow back.
    const prev = this.#msPerFile;
    this.#msPerFile = prev === null || perFile > prev ? perFile : prev * 0.8 + perFile * 0.2;
    const fit = Math.floor((ingestCommitBudgetMs * targetShare) / Math.max(this.#msPerFile, 1e-3));
    this.#files = Math.max(minBatchFiles, Math.min(ingestBatchFiles, fit));
  }
}

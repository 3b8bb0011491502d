// How many files the ingester takes into one write transaction: as many as fit the commit time
// budget (ingestCommitBudgetMs), learned from the cost per file of the commits so far, never
// more than ingestBatchFiles. Between commits it yields to the event loop, so HTTP requests
// (same thread, synchronous SQLite) wait at most about one budget during a backfill. The
// backfill worker serves no requests and passes its own, larger limits (backfillLimits).

import {
  backfillBatchFiles,
  backfillBatchRawBytes,
  backfillCommitBudgetMs,
  backfillSliceMs,
  ingestBatchFiles,
  ingestCommitBudgetMs,
} from "../core/config.ts";
import type { SourceKind } from "../core/types.ts";

/** Aim below the budget: commits of the same size vary (load, checkpoints, transcript lines). */
const targetShare = 0.5;
const minBatchFiles = 8;
/**
 * Small hook files are read with blocking calls: reading a batch hands the event loop over at
 * least this often, and once more before its commit, so a request waits for one piece, not both.
 */
const readSliceMs = 10;

/**
 * Files of a batch read at once. Hook files are small and read by the thousand: their opens and
 * reads overlap. A transcript's parsing is the bound, on this thread whatever the count, and
 * each read in flight holds its chunk and parsed lines. The 256 MiB tree's backfill in the
 * worker, alternating: 32 at once 12.0-14.5 s and 205-210 MiB at its peak, 8 at once 12.1-14.1 s
 * and 176-180 MiB (4: 172-173 MiB, 12.0-17.0 s).
 */
export function readsAtOnce(batch: Array<[string, SourceKind]>): number {
  return batch.some(([, kind]) => kind === "hook") ? 32 : 8;
}

function yieldToLoop(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** How a sizer bounds batches: its yield slice, its commit budget and its largest batch. */
export interface BatchLimits {
  /** Longer than readSliceMs: a thread that serves nothing (the backfill worker). */
  sliceMs: number;
  budgetMs: number;
  maxFiles: number;
  /** Source bytes read before a commit, whatever the file count: bounds the memory a batch
   * holds (parsed lines are several times their bytes). */
  maxRawBytes: number;
}

/** The main thread's limits: it answers HTTP requests between batches. */
export const servingLimits: BatchLimits = {
  sliceMs: readSliceMs,
  budgetMs: ingestCommitBudgetMs,
  maxFiles: ingestBatchFiles,
  maxRawBytes: 16 * 1024 * 1024,
};

/** The backfill worker's limits (config.ts says why they are larger). */
export const backfillLimits: BatchLimits = {
  sliceMs: backfillSliceMs,
  budgetMs: backfillCommitBudgetMs,
  maxFiles: backfillBatchFiles,
  maxRawBytes: backfillBatchRawBytes,
};

export class BatchSizer {
  #limits: BatchLimits;
  #files: number;
  #msPerFile: number | null = null;
  /** Yields only once a slice has passed (not after every read and commit). */
  #lazy: boolean;
  #since = performance.now();

  constructor(limits: BatchLimits = servingLimits) {
    this.#limits = limits;
    this.#files = limits.maxFiles;
    this.#lazy = limits.sliceMs > readSliceMs;
  }

  /** Hands the event loop over when a slice has passed, or now if `now`. */
  async #turn(now: boolean): Promise<void> {
    if (now || performance.now() - this.#since >= this.#limits.sliceMs) {
      await yieldToLoop();
      this.#since = performance.now();
    }
  }

  /** Files per batch now. */
  get files(): number {
    return this.#files;
  }

  /** The most files a batch may ever take. */
  get maxFiles(): number {
    return this.#limits.maxFiles;
  }

  /** Whether updates read so far (`files`, `rawBytes`) are to be committed before reading on. */
  full(files: number, rawBytes: number): boolean {
    return rawBytes >= this.#limits.maxRawBytes || files >= this.#limits.maxFiles * 2;
  }

  /** Reads a batch's entries `parallel` at a time, letting other tasks run in between. */
  async readAll<T>(batch: T[], parallel: number, read: (entry: T) => Promise<void>): Promise<void> {
    if (!this.#lazy) this.#since = performance.now();
    for (let i = 0; i < batch.length; i += parallel) {
      await Promise.all(batch.slice(i, i + parallel).map(read));
      await this.#turn(false);
    }
    await this.#turn(!this.#lazy);
  }

  /** Runs the commit of a batch of `files`, learns its cost, then lets other tasks run (in the
   * worker too: a stop or pause lands between two batches, whatever their size). */
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
    const { budgetMs, maxFiles } = this.#limits;
    const fit = Math.floor((budgetMs * targetShare) / Math.max(this.#msPerFile, 1e-3));
    this.#files = Math.max(minBatchFiles, Math.min(maxFiles, fit));
  }
}

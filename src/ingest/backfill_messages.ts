// What the ingester and its backfill worker say to each other (backfill_host.ts starts the
// worker on the main thread, backfill_worker.ts is the worker): plain structured-clonable data.

import type { CommitResult } from "../store/write/writer.ts";
import type { WriteGate } from "../store/db_health.ts";
import type { BackfillProgress } from "../core/progress.ts";
import type { ClaudeRoot } from "./roots.ts";
import type { RootListings } from "./root_set.ts";
import type { KeySetState } from "./key_set.ts";
import type { IngestStats } from "./stats.ts";

/** What the worker is started with. */
export interface WorkerStart {
  claudeDir: string;
  dbPath: string;
  transcriptRoots: Array<string | ClaudeRoot>;
  transcriptBytesPerPass: number;
  paused: boolean;
}

/** A stored batch (null: counters only), the worker's counters and its progress; with the
 * last report, its folder listings (the main thread's first scan reads only what changed) and
 * the hook files it knows were read (the main thread need not load them from the database). */
export interface WorkerReport {
  result: CommitResult | null;
  stats: IngestStats;
  progress: BackfillProgress | null;
  listings?: RootListings[];
  hookKeys?: KeySetState;
}

export type ToWorker =
  | ({ type: "start" } & WorkerStart)
  | { type: "stop" }
  | { type: "pause"; paused: boolean }
  /** The hook reader the worker asked for (hook_reader.ts): its end of their channel. */
  | { type: "reader"; port: MessagePort }
  /** The hook reader failed: the worker reads its hook files itself again. */
  | { type: "reader_failed" };

export type FromWorker =
  | ({ type: "report" } & WorkerReport)
  | { type: "failed"; message: string; errcode: number | null }
  | { type: "succeeded" }
  /** A batch of many hook files is coming: start a hook reader (hook_reader.ts). */
  | { type: "reader" }
  /** No hook files are left to read: end the hook reader. */
  | { type: "reader_done" }
  /** The worker closed its connection; `complete`: its pass read everything it listed. */
  | ({ type: "done"; complete: boolean } & WorkerReport)
  | { type: "error"; message: string };

export interface WorkerHandlers {
  report(r: WorkerReport): void;
  /** The database's health: the worker's refused writes are counted here. */
  gate: WriteGate;
}

/** The worker's counters onto the main ingester's (which owns scans, pause and the rest): what
 * the worker counted since its report `seen` is added (this thread stores HTTP hooks meanwhile);
 * what it found at its listing replaces this thread's. */
export function addWorkerStats(to: IngestStats, from: IngestStats, seen: IngestStats): void {
  to.filesRead += from.filesRead - seen.filesRead;
  to.filesReadAhead += from.filesReadAhead - seen.filesReadAhead;
  to.bytesRead += from.bytesRead - seen.bytesRead;
  to.cappedReads += from.cappedReads - seen.cappedReads;
  to.commits += from.commits - seen.commits;
  to.eventsStored += from.eventsStored - seen.eventsStored;
  to.lastCommitMs = from.lastCommitMs ?? to.lastCommitMs;
  to.pendingSinceMs = from.pendingSinceMs;
  to.hookFiles = from.hookFiles;
  to.transcripts = from.transcripts;
  to.skipped = from.skipped;
  to.missingTranscripts = from.missingTranscripts;
  to.roots.forEach((r, i) => (r.transcripts = from.roots[i]?.transcripts ?? r.transcripts));
}

/** A running backfill worker, as the ingester sees it. */
export interface BackfillRunner {
  /** Resolves when the worker has ended: true if its pass read everything it listed. */
  readonly finished: Promise<boolean>;
  pause(paused: boolean): void;
  /** Asks the worker to end after the batch it is storing; resolves once it has. */
  stop(): Promise<void>;
}

export type StartBackfill = (start: WorkerStart, h: WorkerHandlers) => BackfillRunner;

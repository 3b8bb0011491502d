// The ingester's counters, shown on /health and exported on /metrics.

import type { RootStatus } from "../core/types.ts";

export interface IngestStats {
  backfilled: boolean;
  paused: boolean;
  scans: number;
  commits: number;
  filesRead: number;
  bytesRead: number;
  eventsStored: number;
  lastCommitMs: number | null;
  hookFiles: number;
  transcripts: number;
  threadsDb: "absent" | "ok" | "error";
  /** When the oldest change noticed but not yet stored was noticed (null: caught up). */
  pendingSinceMs: number | null;
  /** Transcript reads stopped at maxTranscriptBytesPerPass (the rest follows next pass). */
  cappedReads: number;
  /** Transcripts known whose file is gone (their data is kept). */
  missingTranscripts: number;
  /** Every folder transcripts are read from, the main one first. */
  roots: RootStatus[];
}

/** Counters of an ingester that has done nothing yet. */
export function initialStats(): IngestStats {
  return {
    backfilled: false,
    paused: false,
    scans: 0,
    commits: 0,
    filesRead: 0,
    bytesRead: 0,
    eventsStored: 0,
    lastCommitMs: null,
    hookFiles: 0,
    transcripts: 0,
    threadsDb: "absent",
    pendingSinceMs: null,
    cappedReads: 0,
    missingTranscripts: 0,
    roots: [],
  };
}

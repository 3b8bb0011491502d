// The ingester's counters, shown on /health and exported on /metrics.

import type { RootStatus } from "../core/types.ts";
import type { SkippedFiles } from "../core/view_data.ts";
import type { SecretFileState } from "../core/secrets.ts";

export interface IngestStats {
  backfilled: boolean;
  paused: boolean;
  /** Scans started (listing begins). */
  scans: number;
  /** Scans finished (listed and everything found stored): a scan that started after a moment
   * has finished once scansDone passes that moment's `scans` (tests wait on this). */
  scansDone: number;
  commits: number;
  filesRead: number;
  /** Of those, hook files the first backfill's hook reader read on a thread of its own. */
  filesReadAhead: number;
  bytesRead: number;
  eventsStored: number;
  lastCommitMs: number | null;
  hookFiles: number;
  transcripts: number;
  threadsDb: "absent" | "ok" | "error";
  /** What the last look at hooks/.env.discord found ("unreadable": its values cannot mask). */
  secretsFile: SecretFileState;
  /** When the oldest change noticed but not yet stored was noticed (null: caught up). */
  pendingSinceMs: number | null;
  /** Transcript reads stopped at maxTranscriptBytesPerPass (the rest follows next pass). */
  cappedReads: number;
  /** Transcripts known whose file is gone (their data is kept). */
  missingTranscripts: number;
  /** Every folder transcripts are read from, the main one first. */
  roots: RootStatus[];
  /** Files left alone at the last scan (links, FIFOs and the like, names not UTF-8), by reason. */
  skipped: SkippedFiles[];
}

/** Counters of an ingester that has done nothing yet. */
export function initialStats(): IngestStats {
  return {
    backfilled: false,
    paused: false,
    scans: 0,
    scansDone: 0,
    commits: 0,
    filesRead: 0,
    filesReadAhead: 0,
    bytesRead: 0,
    eventsStored: 0,
    lastCommitMs: null,
    hookFiles: 0,
    transcripts: 0,
    threadsDb: "absent",
    secretsFile: "absent",
    pendingSinceMs: null,
    cappedReads: 0,
    missingTranscripts: 0,
    roots: [],
    skipped: [],
  };
}

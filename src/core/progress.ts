// How far the first ingest (backfill) has come, for the progress bar on /health and the
// overview and for /api/health. The ingest side fills it; pages and the live stream read it.

/** "usage": the usage-first pass (messages and sessions, so usage answers are right early);
 * "events": everything else (events, search index, tool calls); "done": caught up. */
export type BackfillPhase = "usage" | "events" | "done";

export interface BackfillProgress {
  phase: BackfillPhase;
  /** Files of this phase finished, and how many it will read in all (known after listing). */
  filesDone: number;
  filesTotal: number;
  /** Bytes of this phase read, and the total size of its files. */
  bytesDone: number;
  bytesTotal: number;
  /** Read speed of this phase so far, MB/s (10^6 bytes), and seconds left at that speed
   * (null until enough has been read to tell). */
  mbPerSec: number | null;
  etaSeconds: number | null;
  /** When this phase started and (phase "done") when the backfill ended, ms since the epoch. */
  startedAtMs: number;
  finishedAtMs: number | null;
}

/** Speed and time left from what is done so far. Pure. */
export function withRate(
  p: Omit<BackfillProgress, "mbPerSec" | "etaSeconds">,
  nowMs: number,
): BackfillProgress {
  const seconds = (nowMs - p.startedAtMs) / 1000;
  if (seconds < 0.2 || p.bytesDone <= 0) return { ...p, mbPerSec: null, etaSeconds: null };
  const bytesPerSec = p.bytesDone / seconds;
  const left = Math.max(0, p.bytesTotal - p.bytesDone);
  return {
    ...p,
    mbPerSec: bytesPerSec / 1e6,
    etaSeconds: p.phase === "done" ? 0 : left / bytesPerSec,
  };
}

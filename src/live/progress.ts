// The backfill progress bar's source and its live message. The ingester reports its progress
// when it knows how (`progress()`); one that does not gets figures from its counters
// (IngestStats): files and bytes read so far, the file total once the first listing is done,
// the byte total unknown (0). The publisher sends `{type: "progress"}` on the bus at most every
// progressPublishMs while a backfill runs, and once more when it is done.

import { type BackfillProgress, withRate } from "../core/progress.ts";
import { progressPublishMs } from "../core/config.ts";
import type { IngestStats } from "../ingest/stats.ts";
import type { LiveBus } from "./bus.ts";

/** What progress is read from: an Ingester (its `progress()` once it has one, else its stats). */
export interface ProgressInput {
  readonly stats: IngestStats;
  progress?: () => BackfillProgress | null;
}

/** Progress from the counters alone. `startedAtMs`: when the ingest started. Pure. */
export function progressFromStats(
  stats: IngestStats,
  startedAtMs: number,
  finishedAtMs: number | null,
  nowMs: number,
): BackfillProgress {
  const listed = stats.scans > 0 &&
    (stats.hookFiles + stats.transcripts > 0 || stats.scansDone > 0);
  const filesTotal = listed ? Math.max(stats.hookFiles + stats.transcripts, stats.filesRead) : 0;
  const p = withRate({
    phase: stats.backfilled ? "done" : "events",
    filesDone: stats.backfilled ? Math.max(stats.filesRead, filesTotal) : stats.filesRead,
    filesTotal,
    bytesDone: stats.bytesRead,
    bytesTotal: stats.backfilled ? stats.bytesRead : 0,
    startedAtMs,
    finishedAtMs: stats.backfilled ? finishedAtMs ?? nowMs : null,
  }, finishedAtMs ?? nowMs);
  if (p.phase === "done" || p.bytesTotal > 0) return p;
  // Bytes left are unknown: time left from the files left at the files' rate.
  const seconds = (nowMs - startedAtMs) / 1000;
  const eta = filesTotal > 0 && p.filesDone > 0 && seconds >= 0.2
    ? (filesTotal - Math.min(filesTotal, p.filesDone)) * (seconds / p.filesDone)
    : null;
  return { ...p, etaSeconds: eta };
}

/** A provider for the HTTP app and the publisher: the ingester's own figures, else its stats. */
export function progressSource(
  input: ProgressInput | null,
  startedAtMs: number,
  now: () => number = Date.now,
): () => BackfillProgress | null {
  let finishedAt: number | null = null;
  return () => {
    if (input === null) return null;
    // An ingester that reports its own progress is trusted, null (not started) included.
    if (input.progress) return input.progress();
    if (input.stats.backfilled && finishedAt === null) finishedAt = now();
    return progressFromStats(input.stats, startedAtMs, finishedAt, now());
  };
}

/** Whether two readings differ in what the bar shows. */
function changed(a: BackfillProgress | null, b: BackfillProgress): boolean {
  return a === null || a.phase !== b.phase || a.filesDone !== b.filesDone ||
    a.bytesDone !== b.bytesDone || a.filesTotal !== b.filesTotal || a.bytesTotal !== b.bytesTotal;
}

/**
 * Publishes `{type: "progress"}` while a backfill runs (when it moved since the last one) and
 * once when it is done, then stops. Returns the stop function.
 */
export function startProgressPublisher(
  bus: LiveBus,
  source: () => BackfillProgress | null,
  everyMs = progressPublishMs,
): () => void {
  let last: BackfillProgress | null = null;
  const tick = () => {
    const p = source();
    if (p === null) return;
    if (changed(last, p)) {
      last = p;
      bus.publish([{ type: "progress", progress: p }]);
    }
    if (p.phase === "done") clearInterval(timer);
  };
  const timer = setInterval(tick, everyMs);
  return () => clearInterval(timer);
}

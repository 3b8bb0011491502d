// The backfill progress bar's live message: the publisher sends `{type: "progress"}` on the bus
// at most every progressPublishMs while a backfill runs, and once more when it is done. The
// figures come from the usage-first pass and the ingester (`progress()`; db_stack.ts).

import type { BackfillProgress } from "../core/progress.ts";
import { progressPublishMs } from "../core/config.ts";
import type { LiveBus } from "./bus.ts";

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

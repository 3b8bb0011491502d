// The usage-first pass's Worker (issue 18): reads its share of the transcripts
// (usage_read.ts) and posts their usage lines back in compact batches, with progress after
// each file. Runs with the server's permissions; the spawning side is usage_first.ts.

/// <reference lib="deno.worker" />

import { readUsageFile, type UsageFile } from "./usage_read.ts";
import { packLines, type UsageFromWorker } from "./usage_wire.ts";
import type { UsageLine } from "./usage_scan.ts";

/** Lines per message posted back. */
const linesPerPost = 4096;

self.onmessage = (e: MessageEvent<{ files: UsageFile[]; nowMs: number }>) => {
  const post = (m: UsageFromWorker) => self.postMessage(m);
  try {
    let pending: UsageLine[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      post({ type: "lines", packed: packLines(pending) });
      pending = [];
    };
    for (const f of e.data.files) {
      const bytes = readUsageFile(f, e.data.nowMs, (lines) => {
        for (const l of lines) pending.push(l);
        if (pending.length >= linesPerPost) flush();
      });
      flush();
      post({ type: "file", bytes: Math.max(bytes, f.size) });
    }
    post({ type: "done" });
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};

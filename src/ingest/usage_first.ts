// The usage-first pass (issue 18): on a cold database (no transcript stored yet), before the
// normal backfill, every transcript of every root the Ingester reads is scanned for usage
// lines only (usage_scan.ts) by this thread and a Worker taking files from one queue, the
// lines are deduplicated as the writer would (usage_dedupe.ts) and stored as provisional
// messages with their rollup (src/store/write/usage_first.ts), so /api/usage answers in full
// about a second after start. The normal backfill then re-reads everything and replaces each
// provisional row as it stores the same message; settle() drops any it never reached, once it
// has caught up. progress() feeds /api/health's progress bar (phase "usage").

import { transcriptChunkBytes } from "../core/config.ts";
import { type BackfillProgress, withRate } from "../core/progress.ts";
import type { PriceTable } from "../core/pricing.ts";
import type { Db } from "../store/db.ts";
import {
  hasTranscriptCursors,
  repairPendingRollup,
  settleProvisional,
  storeProvisional,
} from "../store/write/usage_first.ts";
import { sessionIdFromPath } from "./parse/transcript.ts";
import type { ClaudeRoot } from "./roots.ts";
import { makeRoots, refreshRoots } from "./root_set.ts";
import { firstBackfillDone } from "../store/write/first_backfill.ts";
import { SourceLister } from "./sources.ts";
import { UsageDedupe } from "./usage_dedupe.ts";
import { readUsageFile, type UsageFile } from "./usage_read.ts";
import { unpackLines, type UsageFromWorker } from "./usage_wire.ts";
import { usageWorkerScript } from "./usage_worker.gen.ts";
import { type StartedWorker, startWorker } from "./worker_start.ts";

/** Below this many transcript bytes the pass reads on this thread (a Worker costs more). */
export const usageWorkerMinBytes = 16 * 1024 * 1024;
/** Workers of the pass besides this thread, which reads a share too (each Worker costs
 * ~20 MiB of memory: one plus this thread use both cores of a small machine). */
export const usageWorkers = 1;
/** Between two checks whether the backfill has caught up (settle()), ms. */
export const usageSettleRetryMs = 10_000;
/** Bytes of files handed to a Worker at a time. */
export const usageBatchBytes = 4 * 1024 * 1024;
/** This thread's share yields to requests after reading this long, ms. */
export const usageSliceMs = 20;

export interface UsageFirstOptions {
  db: Db;
  prices: PriceTable;
  claudeDir: string;
  /** The Ingester's other transcript roots (same form as IngesterOptions.transcriptRoots). */
  transcriptRoots?: Array<string | ClaudeRoot>;
  /** Workers besides this thread (default usageWorkers; 0: this thread reads everything). */
  workers?: number;
  /** Fewer transcript bytes are read on this thread (default usageWorkerMinBytes). */
  minWorkerBytes?: number;
}

export interface UsageFirstResult {
  files: number;
  bytes: number;
  /** Usage lines read and messages stored. */
  lines: number;
  messages: number;
  ms: number;
  /** Workers used besides this thread (0: this thread read everything). */
  workers: number;
  /** They ran the embedded bundle (the server may not read its checkout: worker_start.ts). */
  fromBundle: boolean;
}

export class UsageFirst {
  #opts: UsageFirstOptions;
  #p: Omit<BackfillProgress, "mbPerSec" | "etaSeconds">;
  #stopped = false;
  #started = false;
  /** Resolves when stop() is called (a terminated Worker never answers). */
  #stopping: Promise<void>;
  #stop!: () => void;
  #settleTimer: ReturnType<typeof setTimeout> | undefined;
  #workers: StartedWorker[] = [];

  constructor(opts: UsageFirstOptions) {
    this.#opts = opts;
    this.#stopping = new Promise((resolve) => (this.#stop = resolve));
    this.#p = {
      phase: "usage",
      filesDone: 0,
      filesTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      startedAtMs: Date.now(),
      finishedAtMs: null,
    };
  }

  /** How far the pass has come (finishedAtMs set once it has stored its rows, or skipped). */
  progress(): BackfillProgress {
    return withRate(this.#p, Date.now());
  }

  /** stop() was called: nothing may start after the pass. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The pass has started and not yet finished (nor been skipped on a warm database). */
  get running(): boolean {
    return this.#started && this.#p.finishedAtMs === null;
  }

  /**
   * Runs the pass on a cold database; resolves with what it stored, or null when it did not
   * run (warm database, or stopped). Never rejects: a failure leaves the backfill to do it all.
   */
  async run(): Promise<UsageFirstResult | null> {
    const t0 = performance.now();
    this.#started = true;
    this.#p.startedAtMs = Date.now();
    try {
      // Even on a warm database: a pass that stopped between its two steps is repaired first.
      repairPendingRollup(this.#opts.db);
      // Once a first backfill completed, later transcripts are the backfill's (and the scan of
      // stored files for a transcript cost 0.15 s at each start with 420k hook files).
      if (firstBackfillDone(this.#opts.db) || hasTranscriptCursors(this.#opts.db)) return null;
      const files = await this.#list();
      const tList = performance.now();
      this.#p.filesTotal = files.length;
      this.#p.bytesTotal = files.reduce((s, f) => s + f.size, 0);
      if (this.#stopped) return null;
      const dedupe = new UsageDedupe();
      let lines = 0;
      const add = (packed: Array<string | number | null>) => {
        for (const l of unpackLines(packed)) {
          dedupe.add(l);
          lines++;
        }
      };
      const small = this.#p.bytesTotal < (this.#opts.minWorkerBytes ?? usageWorkerMinBytes);
      const workers = small ? [] : this.#spawn(this.#opts.workers ?? usageWorkers);
      // One queue, largest files first: the Workers take batches from its front (one ahead),
      // this thread (in slices, between requests) small files from its end (with no Worker,
      // everything), until it is empty, so all end together.
      const queue = [...files].sort((a, b) => b.size - a.size);
      const used = workers.length;
      const take = used > 0 ? () => queue.pop() : () => queue.shift();
      await Promise.race([
        Promise.all([
          this.#here(take, dedupe, () => lines++),
          ...workers.map((w) => this.#inWorker(w, queue, add)),
        ]),
        this.#stopping,
      ]);
      if (this.#stopped) return null;
      const fromBundle = this.#workers.some((w) => w.fromBundle);
      // The Workers' memory goes back before the store needs its own.
      this.#endWorkers();
      const tScan = performance.now();
      const ms = (a: number, b: number) => (b - a).toFixed(0);
      // Usage answers are complete once the hourly sums are in (the rows follow; a range's
      // partial hours at its edges read them). The bench (cold_daily_bench.ts) waits for it.
      const ready = (n: number) => {
        const t = performance.now();
        console.log(
          `claude-dash usage ready in ${((t - t0) / 1000).toFixed(2)} s: ${n} messages ` +
            `from ${files.length} transcripts (${(this.#p.bytesTotal / 1e6).toFixed(0)} MB; ` +
            `list ${ms(t0, tList)} ms, scan ${ms(tList, tScan)} ms in ${used} workers` +
            `${fromBundle ? " (bundled)" : ""}, store ${ms(tScan, t)} ms)`,
        );
      };
      const messages = await storeProvisional(
        this.#opts.db,
        this.#opts.prices,
        () => dedupe.messages(),
        ready,
        () => this.#stopped,
      );
      const tEnd = performance.now();
      console.log(`claude-dash usage rows stored: ${messages} messages in ${ms(tScan, tEnd)} ms`);
      return {
        files: files.length,
        bytes: this.#p.bytesTotal,
        lines,
        messages,
        ms: tEnd - t0,
        workers: used,
        fromBundle,
      };
    } catch (e) {
      console.error(`claude-dash: usage-first pass failed (the backfill reads everything): ${e}`);
      return null;
    } finally {
      this.#endWorkers();
      this.#p.finishedAtMs = Date.now();
    }
  }

  /** Ends a running pass early (its workers are terminated; nothing is stored). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#settleTimer);
    this.#endWorkers();
    this.#stop();
  }

  #endWorkers(): void {
    for (const w of this.#workers) w.end();
    this.#workers = [];
  }

  /**
   * Drops the provisional rows the backfill never replaced, once it has caught up (call when
   * it is ready; tries again every usageSettleRetryMs while a transcript is still behind).
   * Never throws.
   */
  settle(): void {
    const attempt = () => {
      if (this.#stopped) return;
      try {
        if (settleProvisional(this.#opts.db, transcriptChunkBytes) === null) {
          this.#settleTimer = setTimeout(attempt, usageSettleRetryMs);
        }
      } catch (e) {
        console.error(`claude-dash: dropping usage-first rows failed: ${e}`);
      }
    };
    attempt();
  }

  /** Every transcript of every root, as the Ingester keys them. */
  async #list(): Promise<UsageFile[]> {
    // The Ingester's own roots and keys (root_set.ts); transcripts only, hooks are not needed.
    const main = this.#opts.claudeDir.replace(/\/+$/, "");
    const roots = makeRoots(main, this.#opts.transcriptRoots ?? [], () => null);
    await refreshRoots(roots);
    const out: UsageFile[] = [];
    for (const r of roots) {
      if (r.prefix === null) continue;
      const prefix = r.prefix;
      const listed = await new SourceLister(r.dir, { transcriptsOnly: true }).list();
      for (const { rel, kind } of listed) {
        if (kind !== "transcript") continue;
        const abs = `${r.dir}/${rel}`;
        try {
          const st = Deno.lstatSync(abs);
          if (!st.isFile) continue;
          out.push({
            abs,
            key: prefix + rel,
            fileSessionId: sessionIdFromPath(rel),
            size: st.size,
            mtimeMs: st.mtime?.getTime() ?? 0,
          });
        } catch { /* gone: the backfill notices */ }
      }
    }
    return out;
  }

  /** Reads files on this thread, yielding to requests every usageSliceMs. */
  async #here(
    take: () => UsageFile | undefined,
    dedupe: UsageDedupe,
    counted: () => void,
  ): Promise<void> {
    const now = Date.now();
    let slice = performance.now();
    for (let f = take(); f; f = take()) {
      if (this.#stopped) return;
      if (performance.now() - slice > usageSliceMs) {
        await new Promise((r) => setTimeout(r, 0));
        slice = performance.now();
      }
      const bytes = readUsageFile(f, now, (lines) => {
        for (const l of lines) {
          dedupe.add(l);
          counted();
        }
      });
      this.#p.filesDone++;
      this.#p.bytesDone += Math.max(bytes, f.size);
    }
  }

  /** Starts `n` Workers (from the embedded bundle when the server may not read their source,
   * as under the start task's sandbox: worker_start.ts). */
  #spawn(n: number): Worker[] {
    const src = new URL("./usage_worker.ts", import.meta.url);
    for (let i = 0; i < n; i++) {
      this.#workers.push(startWorker(src, usageWorkerScript, "usage-first"));
    }
    return this.#workers.map((w) => w.worker);
  }

  /** Feeds a Worker batches of files from the queue (two in flight) until it is empty. */
  #inWorker(
    w: Worker,
    queue: UsageFile[],
    add: (packed: Array<string | number | null>) => void,
  ): Promise<void> {
    const now = Date.now();
    let inFlight = 0;
    return new Promise<void>((resolve, reject) => {
      const send = () => {
        const files = takeBatch(queue, usageBatchBytes);
        if (files.length === 0) return;
        inFlight++;
        w.postMessage({ files, nowMs: now });
      };
      w.onmessage = (e: MessageEvent<UsageFromWorker>) => {
        const m = e.data;
        if (m.type === "lines") add(m.packed);
        else if (m.type === "file") {
          this.#p.filesDone++;
          this.#p.bytesDone += m.bytes;
        } else if (m.type === "done") {
          inFlight--;
          if (this.#stopped) return resolve();
          send();
          if (inFlight === 0) resolve();
        } else reject(new Error(m.message));
      };
      w.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
      send();
      send();
      if (inFlight === 0) resolve();
    });
  }
}

/** Takes files from the front of the queue until they hold `bytes` (at least one). */
export function takeBatch(queue: UsageFile[], bytes: number): UsageFile[] {
  const out: UsageFile[] = [];
  let sum = 0;
  while (queue.length > 0 && (out.length === 0 || sum < bytes)) {
    const f = queue.shift()!;
    out.push(f);
    sum += f.size;
  }
  return out;
}

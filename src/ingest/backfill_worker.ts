// The backfill worker: the first pass of ingest on a thread of its own, started by
// backfill_host.ts. Same ingester, own connection to the same database file (WAL: the main
// thread keeps reading; SQLite's lock serialises the two writers), no watcher and few turns for
// other tasks since it serves nothing. Reports each stored batch, its counters and progress, and
// each refused write; closes its connection before saying it is done.

import { openDb } from "../store/db.ts";
import { readSettings } from "../store/settings.ts";
import type { WriteGate } from "../store/db_health.ts";
import { classifyDbError, type DbState } from "../core/db_health.ts";
import { PriceTable } from "../core/pricing.ts";
import { backfillCacheKiB, backfillWalPages } from "../core/config.ts";
import { Ingester } from "./ingester.ts";
import { HookReaderClient } from "./hook_reader.ts";
import { initialStats } from "./stats.ts";
import type { FromWorker, ToWorker, WorkerStart } from "./backfill_messages.ts";

const firstBackoffMs = 500;
const maxBackoffMs = 30_000;

let ingester: Ingester | null = null;
let stopAsked = false;
/** Hook files read on another thread while this one commits, once the host started it. */
const hookReader = new HookReaderClient(
  () => post({ type: "reader" }),
  () => post({ type: "reader_done" }),
);

function post(m: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(m, { transfer });
}

/** Refused writes go to the main thread's health monitor; this thread waits its own back-off. */
class RelayGate implements WriteGate {
  #until = 0;
  #failures = 0;
  ready(now: number): boolean {
    return now >= this.#until;
  }
  waitMs(now: number): number {
    return Math.max(0, this.#until - now);
  }
  failed(e: unknown, now: number): Exclude<DbState, "ok" | "deleted"> {
    const errcode = typeof e === "object" && e !== null && "errcode" in e &&
        typeof e.errcode === "number"
      ? e.errcode
      : null;
    post({ type: "failed", message: e instanceof Error ? e.message : String(e), errcode });
    this.#failures++;
    this.#until = now + Math.min(maxBackoffMs, firstBackoffMs * 2 ** (this.#failures - 1));
    return classifyDbError(e);
  }
  succeeded(): void {
    if (this.#failures === 0) return;
    this.#failures = 0;
    this.#until = 0;
    post({ type: "succeeded" });
  }
}

async function run(m: WorkerStart): Promise<void> {
  const db = openDb(m.dbPath);
  db.exec(`PRAGMA cache_size = -${backfillCacheKiB}`);
  db.exec(`PRAGMA wal_autocheckpoint = ${backfillWalPages}`);
  try {
    const ing: Ingester = new Ingester({
      claudeDir: m.claudeDir,
      db,
      watch: false,
      backfillOnly: true,
      transcriptRoots: m.transcriptRoots,
      transcriptBytesPerPass: m.transcriptBytesPerPass,
      prices: new PriceTable(readSettings(db).prices),
      gate: new RelayGate(),
      hookReader,
      onStored: (result) =>
        post({ type: "report", result, stats: ing.stats, progress: ing.progress() }),
    });
    ingester = ing;
    if (m.paused) ing.setPaused(true);
    if (stopAsked) return;
    ing.start();
    await ing.ready;
    await ing.stop();
  } finally {
    hookReader.close();
    // The WAL grew to about backfillWalPages: copy it in and give its disk space back (a reader
    // still in it makes this a partial checkpoint, which the main connection finishes).
    try {
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch { /* a busy or failing database is the main thread's to report */ }
    db.close();
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "start") {
    run(m).then(
      () => {
        const complete = !stopAsked && ingester !== null && ingester.stats.backfilled;
        const handed = ingester?.handOver();
        // The hook keys' table is moved, not copied: this thread ends now.
        post({
          type: "done",
          complete,
          result: null,
          stats: ingester?.stats ?? initialStats(),
          progress: ingester?.progress() ?? null,
          ...handed,
        }, handed ? [handed.hookKeys.slots.buffer] : []);
      },
      (err) => post({ type: "error", message: err instanceof Error ? err.message : String(err) }),
    );
  } else if (m.type === "stop") {
    stopAsked = true;
    void ingester?.stop();
  } else if (m.type === "reader") hookReader.connect(m.port);
  else if (m.type === "reader_failed") hookReader.fail();
  else ingester?.setPaused(m.paused);
};

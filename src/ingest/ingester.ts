// Drives ingest: a backfill scan at start, then watcher hints plus a periodic reconcile scan.
// Reads each changed source file from its stored cursor, parses it, and commits events and
// cursors together in batched transactions. Nothing here throws out of the loop: a file that
// cannot be read or parsed becomes a counted IngestError and is retried when it changes.
// Reading one file is read_hook.ts / read_transcript.ts; the notifier's threads.db is
// threads_poll.ts; the stored cursors load through cursors.ts.
//
// Roots: the main Claude directory gives hook logs, threads.db and transcripts, stored under
// paths relative to it; every other folder Claude Code may write transcripts to (roots.ts)
// gives transcripts only, stored under their absolute (real) path, which never collides with
// a relative one. A folder that is the same as an earlier one (a link) is read once. A
// transcript that disappears keeps everything stored from it: it is only marked missing.

import { maxTranscriptBytesPerPass, reconcileIntervalMs, watchDebounceMs } from "../core/config.ts";
import { checkpointsElsewhere, type Db } from "../store/db.ts";
import { type CommitResult, type FileUpdate, Writer } from "../store/write/writer.ts";
import { firstBackfillDone, markFirstBackfillDone } from "../store/write/first_backfill.ts";
import type { SourceKind } from "../core/types.ts";
import type { PriceTable } from "../core/pricing.ts";
import type { BackfillProgress } from "../core/progress.ts";
import { classify, skippedIn, sourceRoots, transcriptRoots } from "./sources.ts";
import type { ClaudeRoot } from "./roots.ts";
import {
  adoptRootListings,
  locate,
  makeRoots,
  refreshRoots,
  type Root,
  type RootListings,
  rootListings,
} from "./root_set.ts";
import { TranscriptPresence } from "./presence.ts";
import { SecretFile } from "../core/secrets.ts";
import { SourceWatcher } from "./watcher.ts";
import { log } from "../core/log.ts";
import { type IngestStats, initialStats } from "./stats.ts";
import { FileCursors, loadCursorsInto } from "./cursors.ts";
import type { KeySetState } from "./key_set.ts";
import { byKey, listRoots, reconcilePauseMs } from "./reconcile.ts";
import { readGuarded, type ReadSink } from "./read_file.ts";
import type { HookReaderClient, TakenBatch } from "./hook_reader.ts";
import { readHook } from "./read_hook.ts";
import { TranscriptReader } from "./read_transcript.ts";
import { ThreadsPoller } from "./threads_poll.ts";
import { RateLimitPoller } from "./read_rate_limits.ts";
import { loggingGate, type WriteGate } from "../store/db_health.ts";
import { backfillLimits, BatchSizer, readsAtOnce } from "./batch_size.ts";
import { planFirstPass, ProgressTracker } from "./backfill_progress.ts";
import { DirtyFiles } from "./dirty_files.ts";
import {
  addWorkerStats,
  type BackfillRunner,
  type StartBackfill,
  type WorkerReport,
} from "./backfill_messages.ts";

export interface IngesterOptions {
  claudeDir: string;
  db: Db;
  onCommit?: (result: CommitResult) => void;
  /** Watch the file system (default true); tests of the reconcile path turn it off. */
  watch?: boolean;
  /** claude-dash's own folder for temporary copies (default: beside nothing, a temp dir). */
  scratchDir?: string;
  /** Transcript bytes read per file per pass, in whole chunks (default maxTranscriptBytesPerPass). */
  transcriptBytesPerPass?: number;
  /** Other folders to read transcripts from (absolute; roots.ts finds them from the environment). */
  transcriptRoots?: Array<string | ClaudeRoot>;
  /** Prices for stored usage (default: the built-in table, no overrides). */
  prices?: PriceTable;
  /** The database's health: a refused batch waits its back-off instead of retrying at once. */
  gate?: WriteGate;
  /** Runs the first backfill in a Worker on its own connection to the database file `dbPath`,
   * which exits when done (its memory goes back to the OS); `start` is backfill_host.ts's
   * startBackfillWorker (passed in: the worker's own bundle leaves it out). Absent: all here. */
  backfillWorker?: { dbPath: string; start: StartBackfill };
  /** Only the first pass, as fast as it goes (few turns for other tasks), then the loop ends
   * and nothing is watched: what the backfill worker runs (backfill_worker.ts). */
  backfillOnly?: boolean;
  /** Called after every stored batch, empty ones too (the backfill worker reports each). */
  onStored?: (result: CommitResult) => void;
  /** Reads batches of hook files on another thread while this one commits (hook_reader.ts):
   * the backfill worker's. */
  hookReader?: HookReaderClient;
}

export class Ingester {
  readonly stats: IngestStats = initialStats();
  readonly ready: Promise<void>;

  #dir: string;
  #db: Db;
  #writer: Writer;
  #onCommit: (r: CommitResult) => void;
  #files: FileCursors;
  /** The backfill worker handed over its hook files read (not loaded from the database). */
  #hookKeysAdopted = false;
  #dirty = new DirtyFiles();
  #roots: Root[];
  #main: Root;
  #extraRoots: Array<string | ClaudeRoot>;
  #bytesPerPass: number;
  #presence: TranscriptPresence;
  #pending: FileUpdate[] = [];
  #sizer = new BatchSizer();
  #pendingBytes = 0;
  #stopped = false;
  #wake: (() => void) | null = null;
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;
  #scanRequested = true;
  #dirtySince: number | null = null;
  #loopDone: Promise<void> | null = null;
  #resolveReady!: () => void;
  #secrets: SecretFile;
  /** What the file readers see of this ingester. */
  #sink: ReadSink;
  #transcripts: TranscriptReader;
  #threads: ThreadsPoller;
  /** Claude's official rate-limit samples left by the statusline (main root only). */
  #rateLimits: RateLimitPoller;
  #gate: WriteGate;
  #backfillWorker: { dbPath: string; start: StartBackfill } | undefined;
  #backfillOnly: boolean;
  #onStored: (r: CommitResult) => void;
  #hookReader: HookReaderClient | null;
  #progress = new ProgressTracker();
  /** The first backfill's worker while it runs. */
  #worker: BackfillRunner | null = null;

  constructor(opts: IngesterOptions) {
    this.#dir = opts.claudeDir.replace(/\/+$/, "");
    this.#db = opts.db;
    this.#writer = new Writer(opts.db, opts.prices);
    this.#files = new FileCursors(opts.db);
    this.#presence = new TranscriptPresence(this.#writer, this.stats, (r) => this.#deliver(r));
    this.#onCommit = opts.onCommit ?? (() => {});
    this.#gate = opts.gate ?? loggingGate;
    this.#backfillWorker = opts.backfillWorker;
    this.#backfillOnly = opts.backfillOnly === true;
    this.#onStored = opts.onStored ?? (() => {});
    this.#hookReader = opts.hookReader ?? null;
    if (this.#backfillOnly) this.#sizer = new BatchSizer(backfillLimits);
    this.#sink = {
      stats: this.stats,
      cursor: (key) => this.#files.get(key),
      add: (update, rawBytes) => this.#add(update, rawBytes),
    };
    this.#bytesPerPass = opts.transcriptBytesPerPass ?? maxTranscriptBytesPerPass;
    this.#transcripts = new TranscriptReader(this.#sink, this.#bytesPerPass);
    this.#threads = new ThreadsPoller(
      this.#dir,
      opts.scratchDir ?? `${this.#dir}/claude-dash/scratch`,
      this.#writer,
    );
    this.#rateLimits = new RateLimitPoller(this.#dir, this.#db, this.#writer);
    this.#extraRoots = opts.transcriptRoots ?? [];
    const watch = opts.watch !== false && !this.#backfillOnly;
    const missed = () => void this.rescan(); // a change the watcher missed: list now
    this.#roots = makeRoots(this.#dir, this.#extraRoots, (r) => {
      if (!watch) return null;
      return r.main
        ? new SourceWatcher(r.dir, (rel) => this.hint(rel), sourceRoots, missed)
        : new SourceWatcher(r.dir, (rel) => this.#hintIn(r, rel), transcriptRoots, missed);
    }, this.#backfillOnly);
    this.#main = this.#roots[0];
    this.stats.roots = this.#roots.map((r) => r.status);
    this.ready = new Promise((resolve) => (this.#resolveReady = resolve));
    // Learn the notifier's secret values before anything is served (kept in memory only).
    this.#secrets = new SecretFile(this.#dir, this.stats);
    this.#secrets.refresh();
  }

  /** Starts backfill and live ingest; `ready` resolves when the backfill has been stored. */
  start(): void {
    this.#loopDone ??= this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const r of this.#roots) r.watcher?.close();
    this.#wake?.();
    await this.#worker?.stop();
    await this.#loopDone;
  }

  /** How far the first ingest has come (phase "events"; "done" once caught up); null before
   * it starts. */
  progress(): BackfillProgress | null {
    return this.#progress.snapshot(Date.now(), this.stats.bytesRead);
  }

  /** What the backfill worker hands the main thread's ingester with its last report: each root's
   * folder listings as its last scan left them, and the hook files read without error (given
   * away: once, at the end). */
  handOver(): { listings: RootListings[]; hookKeys: KeySetState } {
    const listings = rootListings(this.#roots, (rel) => this.#files.hookDone(rel));
    return { listings, hookKeys: this.#files.handOffHookKeys() };
  }

  /** A path changed (from the watcher): read it soon. Relative to the main Claude directory, or
   * absolute inside one of the other roots. */
  hint(path: string): void {
    if (!path.startsWith("/")) return this.#hintIn(this.#main, path);
    for (const r of this.#roots) {
      if (!r.main && path.startsWith(r.dir + "/")) this.#hintIn(r, path.slice(r.dir.length + 1));
    }
  }

  /** A path of a root changed: read it soon (other roots give transcripts only). */
  #hintIn(root: Root, rel: string): void {
    const kind = classify(rel);
    if (root.prefix === null || (!root.main && kind !== "transcript")) return;
    if (kind === "threads") this.#threads.soon();
    else if (kind) {
      this.#dirty.set(root.prefix + rel, kind);
      this.#noticed();
    } else return;
    if (this.#wakeTimer === undefined) {
      this.#wakeTimer = setTimeout(() => {
        this.#wakeTimer = undefined;
        this.#wake?.();
      }, watchDebounceMs);
    }
  }

  /** Lists every source now and ingests what changed; resolves when done. */
  async rescan(): Promise<void> {
    this.#scanRequested = true;
    this.#wake?.();
    await new Promise((r) => setTimeout(r, 0));
    while (this.#scanRequested && !this.#stopped) await new Promise((r) => setTimeout(r, 10));
  }

  setPaused(paused: boolean): void {
    this.stats.paused = paused;
    this.#worker?.pause(paused);
    if (!paused) this.#wake?.();
  }

  /** Loads the stored cursors (in chunks: requests are answered meanwhile). */
  async #loadCursors(): Promise<void> {
    const hooksDone = !this.#hookKeysAdopted;
    await loadCursorsInto(this.#db, this.#files, hooksDone, (cursor, missing, rereading) => {
      this.#presence.known(cursor.path, missing);
      if (rereading) this.#transcripts.markRereading(cursor.path);
    });
  }

  async #loop(): Promise<void> {
    this.#progress.begin(Date.now(), this.stats.bytesRead);
    const w = firstBackfillDone(this.#db) ? undefined : this.#backfillWorker;
    if (w && w.dbPath !== ":memory:") {
      await this.#backfillInWorker(w);
      if (this.#stopped) return this.#resolveReady();
    }
    await this.#loadCursors();
    await refreshRoots(this.#roots);
    let lastScan = 0;
    let pauseMs = reconcileIntervalMs; // grows with what a scan costs (reconcile.ts)
    while (!this.#stopped) {
      // While the database refuses writes nothing is read either: the pass waits its back-off.
      const blocked = !this.#gate.ready(Date.now());
      if (blocked) this.#scanRequested = false;
      if (!this.stats.paused && !blocked) {
        const now = Date.now();
        if (this.#scanRequested || now - lastScan >= pauseMs) {
          lastScan = now;
          const requested = this.#scanRequested;
          const unsettled = await this.#reconcile();
          await this.#drain(); // every listed transcript is looked at: part of the scan's cost
          pauseMs = reconcilePauseMs(Date.now() - now, unsettled);
          this.stats.scansDone++;
          if (requested) this.#scanRequested = false;
          if (!this.stats.backfilled) {
            this.stats.backfilled = true;
            if (this.#dirty.size === 0) markFirstBackfillDone(this.#db);
            this.#progress.finish(Date.now(), this.stats.bytesRead);
            this.#resolveReady();
            if (this.#backfillOnly) break;
          }
        } else {
          await this.#drain();
        }
      }
      if (this.#stopped) break;
      // A listing asked for while this pass ran (a change the watcher missed) starts at once.
      if (this.#scanRequested && !this.stats.paused) continue;
      const t = Date.now();
      const dueMs = this.stats.paused ? reconcileIntervalMs : lastScan + pauseMs - t;
      const waitMs = Math.max(dueMs, this.#gate.waitMs(t), 0);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = null;
    }
    this.#resolveReady();
  }

  /** The first backfill, in a Worker with its own connection (backfill_host.ts): its commits
   * are delivered here as they land; then this ingester loads the cursors it stored and goes on
   * (a file written meanwhile is found by the next listing). A failed worker leaves the rest to
   * this thread. */
  async #backfillInWorker(w: { dbPath: string; start: StartBackfill }): Promise<void> {
    if (this.#stopped) return;
    await refreshRoots(this.#roots); // the roots' status for /health meanwhile
    if (this.#stopped) return;
    let seen = initialStats();
    const worker = w.start({
      claudeDir: this.#dir,
      dbPath: w.dbPath,
      transcriptRoots: this.#extraRoots,
      transcriptBytesPerPass: this.#bytesPerPass,
      paused: this.stats.paused,
    }, {
      report: (r) => {
        addWorkerStats(this.stats, r.stats, seen);
        seen = r.stats;
        this.#fromWorker(r);
      },
      gate: this.#gate,
    });
    this.#worker = worker;
    const complete = await checkpointsElsewhere(this.#db, () => worker.finished);
    this.#worker = null;
    if (!complete && !this.#stopped) log.warn("the backfill worker stopped early; going on here");
  }

  /** Progress and stored batches from the backfill worker, and its listings at the end. */
  #fromWorker({ progress, result, listings, hookKeys }: WorkerReport): void {
    if (progress) this.#progress.adopt(progress);
    if (result) this.#deliver(result);
    if (listings) adoptRootListings(this.#roots, listings);
    if (hookKeys) {
      this.#files.adoptHookKeys(hookKeys);
      this.#hookKeysAdopted = true;
    }
  }

  /** One reconcile scan; whether a folder changed while it was listed (list again soon). */
  async #reconcile(): Promise<boolean> {
    this.stats.scans++;
    await refreshRoots(this.#roots);
    if (this.#secrets.refresh()) this.#writer.syncMasking(); // new values: re-index now
    const found = await listRoots(this.#roots, this.#files, this.#dirty);
    this.stats.hookFiles = found.hooks;
    this.stats.transcripts = found.transcripts;
    this.stats.skipped = skippedIn(this.#roots);
    await this.#presence.check(this.#roots, found.transcriptKeys);
    if (this.#dirty.size > 0) this.#noticed();
    if (this.#progress.counting) {
      planFirstPass(this.#progress, this.#dirty, this.#roots, (k) => this.#files.get(k)?.offset);
    }
    if (this.#backfillOnly) return found.unsettled; // the notifier's map and rate limits: the main thread's
    if (found.threadsSeen) {
      this.stats.threadsDb = await this.#threads.poll() ?? this.stats.threadsDb;
    } else this.stats.threadsDb = "absent";
    await this.#rateLimits.poll();
    return found.unsettled;
  }

  async #drain(): Promise<void> {
    // With a hook reader, the next batch's hook files are being read while this one commits.
    let ahead: TakenBatch | null = null;
    while (this.#dirty.size > 0 || ahead) {
      if (this.#stopped || this.stats.paused || !this.#gate.ready(Date.now())) break;
      const batch: TakenBatch = ahead ?? this.#take();
      ahead = null;
      const { entries } = batch;
      const reply = batch.remote ? await batch.remote : null;
      const local = reply ? entries.filter(([, kind]) => kind !== "hook") : entries;
      if (reply) {
        this.stats.filesRead += reply.filesRead;
        this.stats.filesReadAhead += reply.filesRead;
        this.stats.bytesRead += reply.bytesRead;
        for (const u of reply.updates) this.#add(u.update, u.bytes);
      }
      const n = readsAtOnce(local);
      await this.#sizer.readAll(local, n, ([rel, kind]) => this.#readSafely(rel, kind));
      if (this.#hookReader && this.#dirty.size > 0) ahead = this.#take();
      await this.#sizer.timed(entries.length, () => this.#flush());
      if (this.#progress.counting) {
        for (const [key] of entries) if (!this.#dirty.has(key)) this.#progress.settled(key);
      }
      // The batch is stored (or back in #dirty after a refused commit): what waits now is
      // whatever was noticed meanwhile, or nothing (a batch taken ahead emptied #dirty before).
      const waiting = this.#dirty.size > 0 || ahead;
      this.#dirtySince = waiting ? this.#dirtySince ?? batch.since ?? Date.now() : null;
      this.stats.pendingSinceMs = this.#dirtySince;
    }
    // Stopped, paused or refused with a batch taken ahead: its files are read again later.
    if (ahead) {
      for (const [rel, kind] of ahead.entries) this.#dirty.set(rel, kind);
      this.#dirtySince ??= ahead.since ?? Date.now();
    }
  }

  /** The next batch of dirty files, in name order (a burst of hook files is stored in the order
   * it was written); its hook files go to the hook reader when there is one. */
  #take(): TakenBatch {
    const entries = this.#dirty.take(this.#sizer.files);
    const since = this.#dirtySince;
    if (this.#dirty.size === 0) this.#dirtySince = null;
    entries.sort(byKey);
    const hooks = entries.filter(([, kind]) => kind === "hook");
    if (hooks.length === 0) {
      // None after (the listing's order): the reader's thread goes, and the names read with it.
      this.#hookReader?.release();
      if (this.#dirty.drained()) this.#main.lister.forgetRead((r) => this.#files.hookDone(r));
    }
    const remote = this.#hookReader?.read(
      hooks.map(([rel]) => ({ rel, prev: this.#files.get(rel) ?? null })),
    ) ?? null;
    return { entries, remote, since };
  }

  /** Something was marked to read: the ingest lag clock starts if it was not running. */
  #noticed(): void {
    this.#dirtySince ??= Date.now();
    this.stats.pendingSinceMs ??= this.#dirtySince;
  }

  #readSafely(key: string, kind: SourceKind): Promise<void> {
    return readGuarded(this.#sink, key, kind, async () => {
      if (kind === "hook") await readHook(this.#sink, this.#dir, this.#main.folders, key);
      else if (kind === "transcript") await this.#readTranscript(key);
    });
  }

  /** Reads a transcript on from its cursor; `key` is its stored path (see #locate). */
  async #readTranscript(key: string): Promise<void> {
    const at = locate(this.#roots, key);
    if (!at) return; // its root is not read now (gone, or the same folder as another)
    if (await this.#transcripts.read(key, at)) this.#dirty.set(key, "transcript");
  }

  /** Stores an update that arrived outside the watched files (an HTTP hook) at once, in its own
   * transaction, with the same live delivery as a batch; throws when the database refuses it. */
  storeNow(update: FileUpdate): CommitResult {
    const result = this.#writer.commit([update]);
    this.#committed(result);
    return result;
  }

  /** Counts a stored batch and hands it to live delivery (a delivery failure is only logged). */
  #committed(result: CommitResult): void {
    this.stats.commits++;
    this.stats.eventsStored += result.events.length;
    this.stats.lastCommitMs = Date.now();
    this.#onStored(result);
    this.#deliver(result);
  }

  /** Hands stored rows to live delivery (a delivery failure is only logged). */
  #deliver(result: CommitResult): void {
    if (result.events.length === 0 && result.sessions.length === 0) return;
    try {
      this.#onCommit(result);
    } catch (e) {
      log.error(`live delivery failed: ${e instanceof Error ? e.message : e}`);
    }
  }

  #add(update: FileUpdate, rawBytes: number): void {
    this.#progress.added(update.cursor.kind, rawBytes);
    this.#pending.push(update);
    this.#pendingBytes += rawBytes;
    if (this.#sizer.full(this.#pending.length, this.#pendingBytes)) {
      this.#flush();
    }
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const updates = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    let result: CommitResult;
    try {
      result = this.#writer.commit(updates);
    } catch (e) {
      // The database refused the batch (disk full, locked …): nothing of it was stored, so
      // forget the cursors' progress and read these files again after the gate's back-off.
      this.#gate.failed(e, Date.now());
      for (const u of updates) this.#dirty.set(u.cursor.path, u.cursor.kind);
      return;
    }
    this.#gate.succeeded(Date.now());
    for (const u of updates) {
      this.#files.set(u.cursor);
      if (u.cursor.kind === "transcript") this.#presence.known(u.cursor.path);
    }
    this.#committed(result);
  }
}

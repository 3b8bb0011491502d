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

import {
  ingestBatchFiles,
  maxTranscriptBytesPerPass,
  reconcileIntervalMs,
  watchDebounceMs,
} from "../core/config.ts";
import type { Db } from "../store/db.ts";
import {
  type CommitResult,
  type FileCursor,
  type FileUpdate,
  Writer,
} from "../store/write/writer.ts";
import type { RootStatus, SourceKind } from "../core/types.ts";
import type { PriceTable } from "../core/pricing.ts";
import { classify, FolderCheck, SourceLister, sourceRoots, transcriptRoots } from "./sources.ts";
import { skippedIn } from "./sources.ts";
import { type ClaudeRoot, findRoots, type RootOrigin } from "./roots.ts";
import { SecretFile } from "../core/secrets.ts";
import { SourceWatcher } from "./watcher.ts";
import { log } from "../core/log.ts";
import { type IngestStats, initialStats } from "./stats.ts";
import { loadCursors } from "./cursors.ts";
import { blankCursor, type ReadSink } from "./read_file.ts";
import { readHook } from "./read_hook.ts";
import { TranscriptReader } from "./read_transcript.ts";
import { ThreadsPoller } from "./threads_poll.ts";
import { RateLimitPoller } from "./read_rate_limits.ts";
import { loggingGate, type WriteGate } from "../store/db_health.ts";
import { BatchSizer } from "./batch_size.ts";

const batchRawBytes = 16 * 1024 * 1024;
const parallelReads = 32;

/** A folder being read, with its own lister, link check and watcher. */
interface Root {
  /** The path as configured: reads go through it (it is what the read permission names). */
  dir: string;
  origin: RootOrigin;
  main: boolean;
  /** Prefix of its files' keys: "" for the main root, else its real path + "/" once found. */
  prefix: string | null;
  lister: SourceLister;
  folders: FolderCheck;
  watcher: SourceWatcher | null;
  status: RootStatus;
}

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
}

export class Ingester {
  readonly stats: IngestStats = initialStats();
  readonly ready: Promise<void>;

  #dir: string;
  #db: Db;
  #writer: Writer;
  #onCommit: (r: CommitResult) => void;
  #files = new Map<string, FileCursor>();
  #dirty = new Map<string, SourceKind>();
  #roots: Root[];
  #main: Root;
  /** Keys of every transcript with a stored cursor, and of those whose file is gone. */
  #transcriptKeys = new Set<string>();
  #missing = new Set<string>();
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

  constructor(opts: IngesterOptions) {
    this.#dir = opts.claudeDir.replace(/\/+$/, "");
    this.#db = opts.db;
    this.#writer = new Writer(opts.db, opts.prices);
    this.#onCommit = opts.onCommit ?? (() => {});
    this.#gate = opts.gate ?? loggingGate;
    this.#sink = {
      stats: this.stats,
      cursor: (key) => this.#files.get(key),
      add: (update, rawBytes) => this.#add(update, rawBytes),
    };
    this.#transcripts = new TranscriptReader(
      this.#sink,
      opts.transcriptBytesPerPass ?? maxTranscriptBytesPerPass,
    );
    this.#threads = new ThreadsPoller(
      this.#dir,
      opts.scratchDir ?? `${this.#dir}/claude-dash/scratch`,
      this.#writer,
    );
    this.#rateLimits = new RateLimitPoller(this.#dir, this.#db, this.#writer);
    const watch = opts.watch !== false;
    const root = (dir: string, origin: RootOrigin, main: boolean): Root => {
      const r: Root = {
        dir,
        origin,
        main,
        prefix: main ? "" : null,
        lister: new SourceLister(dir, { transcriptsOnly: !main }),
        folders: new FolderCheck(dir),
        watcher: null,
        status: { path: dir, origin, main, found: false, same_as: null, transcripts: 0 },
      };
      if (watch) {
        const missed = () => void this.rescan(); // a change the watcher missed: list now
        r.watcher = main
          ? new SourceWatcher(dir, (rel) => this.hint(rel), sourceRoots, missed)
          : new SourceWatcher(dir, (rel) => this.#hintIn(r, rel), transcriptRoots, missed);
      }
      return r;
    };
    this.#main = root(this.#dir, "home", true);
    this.#roots = [this.#main];
    for (const extra of opts.transcriptRoots ?? []) {
      const { path, origin } = typeof extra === "string"
        ? { path: extra, origin: "env" as const }
        : extra;
      const dir = path.replace(/\/+$/, "") || "/";
      if (dir === this.#dir || this.#roots.some((r) => r.dir === dir)) continue;
      this.#roots.push(root(dir, origin, false));
    }
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
    await this.#loopDone;
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
    if (!paused) this.#wake?.();
  }

  /** Loads the stored cursors (in chunks: requests are answered meanwhile). */
  async #loadCursors(): Promise<void> {
    for await (const chunk of loadCursors(this.#db)) {
      for (const { cursor, missing, rereading } of chunk) {
        this.#files.set(cursor.path, cursor);
        if (cursor.kind !== "transcript") continue;
        this.#transcriptKeys.add(cursor.path);
        if (missing) this.#missing.add(cursor.path);
        if (rereading) this.#transcripts.markRereading(cursor.path);
      }
      this.stats.missingTranscripts = this.#missing.size;
    }
  }

  async #loop(): Promise<void> {
    await this.#loadCursors();
    await this.#findRoots();
    let lastScan = 0;
    while (!this.#stopped) {
      // While the database refuses writes nothing is read either: the pass waits its back-off.
      const blocked = !this.#gate.ready(Date.now());
      if (blocked) this.#scanRequested = false;
      if (!this.stats.paused && !blocked) {
        const now = Date.now();
        if (this.#scanRequested || now - lastScan >= reconcileIntervalMs) {
          lastScan = now;
          const requested = this.#scanRequested;
          await this.#reconcile();
          await this.#drain();
          this.stats.scansDone++;
          if (requested) this.#scanRequested = false;
          if (!this.stats.backfilled) {
            this.stats.backfilled = true;
            this.#resolveReady();
          }
        } else {
          await this.#drain();
        }
      }
      if (this.#stopped) break;
      // A listing asked for while this pass ran (a change the watcher missed) starts at once.
      if (this.#scanRequested && !this.stats.paused) continue;
      const waitMs = Math.max(reconcileIntervalMs, this.#gate.waitMs(Date.now()));
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

  /** Which roots exist now, and their real paths (a folder created after start is picked up;
   * one that is the same folder as an earlier root is not read twice). Never throws. */
  async #findRoots(): Promise<void> {
    const found = await findRoots(this.#roots.map((r) => ({ path: r.dir, origin: r.origin })));
    found.forEach((f, i) => {
      const r = this.#roots[i];
      r.status.found = f.found;
      r.status.same_as = f.sameAs;
      if (!r.main) r.prefix = f.found && !f.sameAs && f.realPath ? `${f.realPath}/` : null;
      if (r.prefix !== null) r.watcher?.ensure();
    });
  }

  async #reconcile(): Promise<void> {
    this.stats.scans++;
    await this.#findRoots();
    if (this.#secrets.refresh()) this.#writer.syncMasking(); // new values: re-index now
    let hooks = 0;
    let transcripts = 0;
    let threadsSeen = false;
    const listed = new Set<string>();
    for (const root of this.#roots) {
      root.status.transcripts = 0;
      if (root.prefix === null) continue;
      root.folders.reset();
      for (const { rel, kind } of await root.lister.list()) {
        const key = root.prefix + rel;
        if (kind === "transcript") {
          transcripts++;
          root.status.transcripts++;
          listed.add(key);
          this.#dirty.set(key, kind);
        } else if (!root.main) continue;
        else if (kind === "hook") {
          hooks++;
          const known = this.#files.get(rel);
          if (!known || known.state === "error") this.#dirty.set(rel, kind);
        } else threadsSeen = true;
      }
    }
    this.stats.hookFiles = hooks;
    this.stats.transcripts = transcripts;
    this.stats.skipped = skippedIn(this.#roots);
    await this.#checkMissing(listed);
    if (this.#dirty.size > 0) this.#noticed();
    if (threadsSeen) this.stats.threadsDb = await this.#threads.poll() ?? this.stats.threadsDb;
    else this.stats.threadsDb = "absent";
    await this.#rateLimits.poll();
  }

  /** Marks known transcripts whose file is gone (not listed, and lstat agrees) as missing, and
   * missing ones listed again as back. Their stored data stays either way; the sessions they
   * fed are published again (their `source` may have changed). */
  async #checkMissing(listed: Set<string>): Promise<void> {
    const gone: string[] = [];
    const back: string[] = [];
    for (const key of this.#transcriptKeys) {
      const missing = this.#missing.has(key);
      if (listed.has(key)) {
        if (missing) back.push(key);
      } else if (!missing && await this.#vanished(key)) gone.push(key);
    }
    if (gone.length === 0 && back.length === 0) return;
    let sessions: string[];
    try {
      sessions = [
        ...this.#writer.setMissing(gone, Date.now()),
        ...this.#writer.setMissing(back, null),
      ];
    } catch (e) {
      log.error(`marking missing transcripts failed: ${e instanceof Error ? e.message : e}`);
      return;
    }
    for (const key of gone) this.#missing.add(key);
    for (const key of back) this.#missing.delete(key);
    this.stats.missingTranscripts = this.#missing.size;
    if (gone.length > 0) {
      log.info(`${gone.length} transcript(s) gone from disk; their data is kept`);
    }
    try {
      if (sessions.length > 0) this.#onCommit({ events: [], sessions: [...new Set(sessions)] });
    } catch (e) {
      log.error(`live delivery failed: ${e instanceof Error ? e.message : e}`);
    }
  }

  /** Whether a known transcript's file is gone, or out of every root read now. */
  async #vanished(key: string): Promise<boolean> {
    const at = this.#locate(key);
    const abs = at ? `${at.root.dir}/${at.rel}` : key;
    try {
      // Not permitted (asked without a prompt): the folder is no longer one of the roots.
      if (Deno.permissions.querySync({ name: "read", path: abs }).state !== "granted") {
        return at === null;
      }
      await Deno.lstat(abs);
      return false;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return true;
      // Not permitted: the folder is no longer one of the roots (nothing can be read there).
      return at === null;
    }
  }

  /** The root a stored key belongs to and the path relative to it (null: no root read now). */
  #locate(key: string): { root: Root; rel: string } | null {
    if (!key.startsWith("/")) return { root: this.#main, rel: key };
    let best: Root | null = null;
    for (const r of this.#roots) {
      if (r.main || r.prefix === null || !key.startsWith(r.prefix)) continue;
      if (!best || r.prefix.length > best.prefix!.length) best = r;
    }
    return best ? { root: best, rel: key.slice(best.prefix!.length) } : null;
  }

  async #drain(): Promise<void> {
    while (this.#dirty.size > 0 && !this.#stopped && !this.stats.paused) {
      if (!this.#gate.ready(Date.now())) break;
      const batch = this.#sizer.take(this.#dirty);
      for (const [rel] of batch) this.#dirty.delete(rel);
      const batchSince = this.#dirtySince;
      if (this.#dirty.size === 0) this.#dirtySince = null;
      // Hook files in name order so a burst is stored in the order it was written.
      batch.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      await this.#sizer.readAll(batch, parallelReads, ([rel, kind]) => this.#readSafely(rel, kind));
      await this.#sizer.timed(batch.length, () => this.#flush());
      // The batch is stored (or back in #dirty after a refused commit): what waits now is
      // whatever was noticed meanwhile.
      if (this.#dirty.size > 0) this.#dirtySince ??= batchSince ?? Date.now();
      this.stats.pendingSinceMs = this.#dirtySince;
    }
  }

  /** Something was marked to read: the ingest lag clock starts if it was not running. */
  #noticed(): void {
    this.#dirtySince ??= Date.now();
    this.stats.pendingSinceMs ??= this.#dirtySince;
  }

  async #readSafely(key: string, kind: SourceKind): Promise<void> {
    try {
      if (kind === "hook") await readHook(this.#sink, this.#dir, this.#main.folders, key);
      else if (kind === "transcript") await this.#readTranscript(key);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return; // vanished: keep what was stored
      const reason = `cannot read: ${e instanceof Error ? e.message : String(e)}`;
      const prev = this.#files.get(key);
      this.#add({
        cursor: { ...(prev ?? blankCursor(key, kind)), state: "error" },
        events: [],
        errors: [{ path: key, offset: null, reason }],
        clearErrors: false,
        rereading: false,
      }, 0);
    }
  }

  /** Reads a transcript on from its cursor; `key` is its stored path (see #locate). */
  async #readTranscript(key: string): Promise<void> {
    const at = this.#locate(key);
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
    if (result.events.length > 0 || result.sessions.length > 0) {
      try {
        this.#onCommit(result);
      } catch (e) {
        log.error(`live delivery failed: ${e instanceof Error ? e.message : e}`);
      }
    }
  }

  #add(update: FileUpdate, rawBytes: number): void {
    this.#pending.push(update);
    this.#pendingBytes += rawBytes;
    if (this.#pendingBytes >= batchRawBytes || this.#pending.length >= ingestBatchFiles * 2) {
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
      this.#files.set(u.cursor.path, u.cursor);
      if (u.cursor.kind === "transcript") this.#transcriptKeys.add(u.cursor.path);
    }
    this.#committed(result);
  }
}

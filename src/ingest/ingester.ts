// Drives ingest: a backfill scan at start, then watcher hints plus a periodic reconcile scan.
// Reads each changed source file from its stored cursor, parses it, and commits events and
// cursors together in batched transactions. Nothing here throws out of the loop: a file that
// cannot be read or parsed becomes a counted IngestError and is retried when it changes.
//
// Roots: the main Claude directory gives hook logs, threads.db and transcripts, stored under
// paths relative to it; every other folder Claude Code may write transcripts to (roots.ts)
// gives transcripts only, stored under their absolute (real) path, which never collides with
// a relative one. A folder that is the same as an earlier one (a link) is read once. A
// transcript that disappears keeps everything stored from it: it is only marked missing.

import {
  ingestBatchFiles,
  maxHookFileBytes,
  maxTranscriptBytesPerPass,
  reconcileIntervalMs,
  threadsPollMs,
  transcriptChunkBytes,
  unterminatedLineQuietMs,
  watchDebounceMs,
} from "../core/config.ts";
import type { Db } from "../store/db.ts";
import { type CommitResult, type FileCursor, type FileUpdate, Writer } from "../store/writes.ts";
import type { RootStatus, SourceKind } from "../core/types.ts";
import { contentHash } from "./parse/normalize.ts";
import { parseHookFile } from "./parse/hook.ts";
import { parseTranscriptChunk, sessionIdFromPath } from "./parse/transcript.ts";
import {
  classify,
  FolderCheck,
  openSource,
  readCapped,
  SourceLister,
  transcriptRoots,
} from "./sources.ts";
import { type ClaudeRoot, findRoots, type RootOrigin } from "./roots.ts";
import { SecretFile } from "../core/secrets.ts";
import { SourceWatcher } from "./watcher.ts";
import { readThreads } from "./read_threads.ts";
import { log } from "../core/log.ts";

const headBytes = 1024;
const cursorLoadChunkRows = 20_000;
const batchRawBytes = 16 * 1024 * 1024;
const parallelReads = 32;

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
}

export class Ingester {
  readonly stats: IngestStats = {
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
  readonly ready: Promise<void>;

  #dir: string;
  #db: Db;
  #writer: Writer;
  #onCommit: (r: CommitResult) => void;
  #files = new Map<string, FileCursor>();
  #dirty = new Map<string, SourceKind>();
  #tailTried = new Map<string, string>();
  #roots: Root[];
  #main: Root;
  /** Keys of every transcript with a stored cursor, of those whose file is gone, and of those
   * being re-read from the start. */
  #transcriptKeys = new Set<string>();
  #missing = new Set<string>();
  #rereading = new Set<string>();
  #pending: FileUpdate[] = [];
  #pendingBytes = 0;
  #stopped = false;
  #wake: (() => void) | null = null;
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;
  #scanRequested = true;
  #dirtySince: number | null = null;
  #threadsMtime = -1;
  #threadsPolledAt = 0;
  #loopDone: Promise<void> | null = null;
  #resolveReady!: () => void;
  #scratchDir: string;
  #secrets: SecretFile;
  /** Transcripts whose last pass stopped at the per-pass cap: read on even if unchanged. */
  #capped = new Set<string>();
  #cappedLogged = new Set<string>();
  #bytesPerPass: number;

  constructor(opts: IngesterOptions) {
    this.#dir = opts.claudeDir.replace(/\/+$/, "");
    this.#db = opts.db;
    this.#writer = new Writer(opts.db);
    this.#onCommit = opts.onCommit ?? (() => {});
    this.#scratchDir = opts.scratchDir ?? `${this.#dir}/claude-dash/scratch`;
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
        r.watcher = main
          ? new SourceWatcher(dir, (rel) => this.hint(rel))
          : new SourceWatcher(dir, (rel) => this.#hintIn(r, rel), transcriptRoots);
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
    this.#bytesPerPass = opts.transcriptBytesPerPass ?? maxTranscriptBytesPerPass;
    // Learn the notifier's secret values before anything is served (kept in memory only).
    this.#secrets = new SecretFile(this.#dir);
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

  /**
   * A path changed (from the watcher): read it soon. Relative to the main Claude directory, or
   * absolute inside one of the other roots.
   */
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
    if (kind === "threads") this.#threadsPolledAt = 0;
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

  /**
   * Loads the stored cursors in chunks, yielding between them, so a server over a large
   * database answers requests while they load (hundreds of thousands of hook files).
   */
  async #loadCursors(): Promise<void> {
    const chunk = this.#db.prepare(
      `SELECT id, path, kind, size, mtime_ms, offset, head_hash, generation, skip_to_newline, last_ts, state,
         missing_ms, rereading
       FROM files WHERE id > ? ORDER BY id LIMIT ${cursorLoadChunkRows}`,
    );
    let after = 0;
    for (;;) {
      const rows = chunk.all(after) as Array<Record<string, unknown>>;
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id as number;
      this.#setCursors(rows);
      await new Promise((r) => setTimeout(r, 0));
    }
  }

  #setCursors(rows: Array<Record<string, unknown>>): void {
    for (const r of rows) {
      this.#files.set(r.path as string, {
        path: r.path as string,
        kind: r.kind as SourceKind,
        size: r.size as number,
        mtimeMs: r.mtime_ms as number,
        offset: r.offset as number,
        headHash: r.head_hash as string | null,
        generation: r.generation as number,
        skipToNewline: r.skip_to_newline === 1,
        lastTs: r.last_ts as number | null,
        state: r.state as "ok" | "error",
      });
      if (r.kind === "transcript") {
        this.#transcriptKeys.add(r.path as string);
        if (r.missing_ms !== null) this.#missing.add(r.path as string);
        if (r.rereading === 1) this.#rereading.add(r.path as string);
      }
    }
    this.stats.missingTranscripts = this.#missing.size;
  }

  async #loop(): Promise<void> {
    await this.#loadCursors();
    await this.#findRoots();
    let lastScan = 0;
    while (!this.#stopped) {
      if (!this.stats.paused) {
        const now = Date.now();
        if (this.#scanRequested || now - lastScan >= reconcileIntervalMs) {
          lastScan = now;
          const requested = this.#scanRequested;
          await this.#reconcile();
          await this.#drain();
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
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, reconcileIntervalMs);
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

  /**
   * Which roots exist now, and their real paths (a folder created after start is picked up;
   * one that is the same folder as an earlier root is not read twice). Never throws.
   */
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
    this.#secrets.refresh();
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
    await this.#checkMissing(listed);
    if (this.#dirty.size > 0) this.#noticed();
    if (threadsSeen) await this.#pollThreads();
    else this.stats.threadsDb = "absent";
  }

  /**
   * Marks known transcripts whose file is gone (not listed, and lstat agrees) as missing, and
   * missing ones listed again as back. Their stored data stays either way; the sessions they
   * fed are published again (their `source` may have changed).
   */
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
      const batch: Array<[string, SourceKind]> = [];
      for (const entry of this.#dirty) {
        batch.push(entry);
        if (batch.length >= ingestBatchFiles) break;
      }
      for (const [rel] of batch) this.#dirty.delete(rel);
      const batchSince = this.#dirtySince;
      if (this.#dirty.size === 0) this.#dirtySince = null;
      // Hook files in name order so a burst is stored in the order it was written.
      batch.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (let i = 0; i < batch.length; i += parallelReads) {
        const group = batch.slice(i, i + parallelReads);
        await Promise.all(group.map(([rel, kind]) => this.#readSafely(rel, kind)));
      }
      this.#flush();
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
      if (kind === "hook") await this.#readHook(key);
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

  async #readHook(rel: string): Promise<void> {
    const abs = `${this.#dir}/${rel}`;
    const st = await Deno.lstat(abs);
    const mtimeMs = st.mtime?.getTime() ?? 0;
    const prev = this.#files.get(rel);
    if (prev && prev.size === st.size && prev.mtimeMs === mtimeMs) return;
    const cursor: FileCursor = {
      ...(prev ?? blankCursor(rel, "hook")),
      size: st.size,
      mtimeMs,
      offset: st.size,
    };
    const fail = (reason: string) =>
      this.#add({
        cursor: { ...cursor, state: "error" },
        events: [],
        errors: [{ path: rel, offset: null, reason }],
        clearErrors: true,
        rereading: false,
      }, 0);
    if (st.isSymlink) return fail("symbolic link: not followed");
    if (!st.isFile) return;
    if (!(await this.#main.folders.inside(parentOf(rel)))) return fail(linkedFolder);
    const tooLarge = (size: number) =>
      fail(`file too large: ${mb(size)} (limit ${mb(maxHookFileBytes)}); not read`);
    if (st.size > maxHookFileBytes) return tooLarge(st.size);
    const file = await openSource(abs, st);
    if (!file) return; // replaced while opening: the next scan looks again
    let bytes: Uint8Array | null;
    try {
      bytes = await readCapped(file, st.size, maxHookFileBytes);
    } finally {
      file.close();
    }
    if (!bytes) return tooLarge(maxHookFileBytes + 1);
    this.stats.filesRead++;
    this.stats.bytesRead += bytes.length;
    const parsed = parseHookFile(rel, bytes, mtimeMs);
    if ("error" in parsed) return fail(parsed.error.reason);
    this.#add({
      cursor: { ...cursor, size: bytes.length, offset: bytes.length, state: "ok" },
      events: [parsed.event],
      errors: [],
      clearErrors: true,
      rereading: false,
    }, bytes.length);
  }

  /** Reads a transcript on from its cursor; `key` is its stored path (see #locate). */
  async #readTranscript(key: string): Promise<void> {
    const at = this.#locate(key);
    if (!at) return; // its root is not read now (gone, or the same folder as another)
    const { root, rel } = at;
    const abs = `${root.dir}/${rel}`;
    const st = await Deno.lstat(abs);
    const mtimeMs = st.mtime?.getTime() ?? 0;
    const prev = this.#files.get(key);
    const cur: FileCursor = { ...(prev ?? blankCursor(key, "transcript")) };
    if (st.isSymlink) {
      if (prev?.state === "error") return;
      this.#add({
        cursor: { ...cur, state: "error" },
        events: [],
        errors: [{ path: key, offset: null, reason: "symbolic link: not followed" }],
        clearErrors: false,
        rereading: false,
      }, 0);
      return;
    }
    if (!st.isFile) return;
    if (!(await root.folders.inside(parentOf(rel)))) {
      if (prev?.state === "error") return;
      this.#add({
        cursor: { ...cur, state: "error" },
        events: [],
        errors: [{ path: key, offset: null, reason: linkedFolder }],
        clearErrors: false,
        rereading: false,
      }, 0);
      return;
    }
    const quiet = Date.now() - mtimeMs >= unterminatedLineQuietMs;
    const stamp = `${st.size}:${mtimeMs}`;
    const wasCapped = this.#capped.delete(key);
    if (prev && prev.size === st.size && prev.mtimeMs === mtimeMs && !wasCapped) {
      // Unchanged: only a complete-but-unterminated last line of a now quiet file is left to try.
      if (prev.offset >= st.size || !quiet || this.#tailTried.get(key) === stamp) return;
    }
    const file = await openSource(abs, st);
    if (!file) return; // replaced while opening: the next scan looks again
    let capped = false;
    try {
      // A re-read pass (the file shrank or its first bytes changed) skips what is already
      // stored until it reaches the end, even when it takes several passes or a restart.
      let rereading = this.#rereading.has(key);
      if (st.size < cur.offset || !(await headMatches(file, cur.headHash))) {
        cur.offset = 0;
        cur.generation++;
        cur.skipToNewline = false;
        cur.lastTs = null;
        cur.headHash = null;
        rereading = true;
        this.#rereading.add(key);
      }
      cur.size = st.size;
      cur.mtimeMs = mtimeMs;
      cur.state = "ok";
      const fileSessionId = sessionIdFromPath(rel);
      let wrote = false;
      let passBytes = 0;
      while (cur.offset < st.size) {
        if (passBytes >= this.#bytesPerPass) {
          capped = true;
          break;
        }
        const want = Math.min(transcriptChunkBytes, st.size - cur.offset);
        const buf = new Uint8Array(want);
        const n = await readAt(file, cur.offset, buf);
        if (n === 0) break;
        const bytes = buf.subarray(0, n);
        this.stats.bytesRead += n;
        passBytes += n;
        const atEnd = cur.offset + n >= st.size;
        const r = parseTranscriptChunk({
          relPath: key,
          fileSessionId,
          baseOffset: cur.offset,
          mtimeMs,
          lastTs: cur.lastTs,
          skipToNewline: cur.skipToNewline,
          takeUnterminated: atEnd && quiet,
          maxLineBytes: transcriptChunkBytes,
        }, bytes);
        cur.offset += r.consumed;
        cur.skipToNewline = r.skipToNewline;
        cur.lastTs = r.lastTs;
        if (headLength(cur.headHash) < Math.min(headBytes, cur.offset)) {
          cur.headHash = await headHash(file, Math.min(headBytes, cur.offset));
        }
        this.#add({
          cursor: { ...cur },
          events: r.events,
          errors: r.errors,
          clearErrors: false,
          rereading,
        }, r.consumed);
        wrote = true;
        if (r.consumed === 0 || n < want) break;
      }
      this.stats.filesRead++;
      if (!wrote) {
        this.#add({ cursor: { ...cur }, events: [], errors: [], clearErrors: false, rereading }, 0);
      }
      // An emptied file stays in its re-read pass until content is read to its end again.
      if (cur.offset >= st.size && st.size > 0) this.#rereading.delete(key);
      if (cur.offset < st.size && quiet && !capped) this.#tailTried.set(key, stamp);
    } finally {
      file.close();
    }
    if (capped) {
      // A huge transcript does not hold up every other file: read on in the next pass.
      this.stats.cappedReads++;
      this.#capped.add(key);
      this.#dirty.set(key, "transcript");
      if (!this.#cappedLogged.has(key)) {
        this.#cappedLogged.add(key);
        log.info(
          `${key}: ${mb(st.size)}; reading at most ${
            mb(this.#bytesPerPass)
          } per pass, the rest follows`,
        );
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
      // forget the cursors' progress and read these files again on the next pass.
      log.error(`storing a batch failed, will retry: ${e instanceof Error ? e.message : e}`);
      for (const u of updates) this.#dirty.set(u.cursor.path, u.cursor.kind);
      return;
    }
    for (const u of updates) {
      this.#files.set(u.cursor.path, u.cursor);
      if (u.cursor.kind === "transcript") this.#transcriptKeys.add(u.cursor.path);
    }
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

  async #pollThreads(): Promise<void> {
    const path = `${this.#dir}/hooks/threads.db`;
    let mtime = 0;
    try {
      mtime = (await Deno.lstat(path)).mtime?.getTime() ?? 0;
    } catch {
      this.stats.threadsDb = "absent";
      return;
    }
    const now = Date.now();
    if (mtime === this.#threadsMtime && now - this.#threadsPolledAt < threadsPollMs) return;
    this.#threadsMtime = mtime;
    this.#threadsPolledAt = now;
    // readThreads copies the file and its -wal: never through a link out of ~/.claude.
    const linked = await isSymlink(`${path}-wal`) || await isSymlink(path);
    const result = linked
      ? { error: "threads.db or its -wal is a symbolic link: not followed" }
      : readThreads(path, this.#scratchDir);
    try {
      if ("error" in result) {
        this.stats.threadsDb = "error";
        this.#writer.recordError({ path: "hooks/threads.db", offset: null, reason: result.error });
      } else {
        this.stats.threadsDb = "ok";
        this.#writer.replaceThreads(result.threads);
      }
    } catch (e) {
      log.error(`storing threads failed: ${e instanceof Error ? e.message : e}`);
    }
  }
}

function blankCursor(rel: string, kind: SourceKind): FileCursor {
  return {
    path: rel,
    kind,
    size: 0,
    mtimeMs: 0,
    offset: 0,
    headHash: null,
    generation: 0,
    skipToNewline: false,
    lastTs: null,
    state: "ok",
  };
}

const linkedFolder = "inside a symbolically linked folder: not followed";

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isSymlink;
  } catch {
    return false;
  }
}

/** The folder part of a "/"-separated relative path. */
function parentOf(rel: string): string {
  return rel.slice(0, rel.lastIndexOf("/"));
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function readAt(file: Deno.FsFile, offset: number, buf: Uint8Array): Promise<number> {
  await file.seek(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < buf.length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got;
}

function headLength(hash: string | null): number {
  return hash ? Number(hash.slice(0, hash.indexOf(":"))) : 0;
}

async function headHash(file: Deno.FsFile, length: number): Promise<string> {
  const buf = new Uint8Array(length);
  const n = await readAt(file, 0, buf);
  return `${n}:${contentHash(new TextDecoder().decode(buf.subarray(0, n)))}`;
}

/** Whether the file still starts with the bytes it had when the cursor was stored. */
async function headMatches(file: Deno.FsFile, stored: string | null): Promise<boolean> {
  if (!stored) return true;
  return (await headHash(file, headLength(stored))) === stored;
}

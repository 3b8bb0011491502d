// Hook files read on a thread of their own while the backfill worker commits (issue 18): the
// worker is CPU-bound on one core, and reading and parsing a hook file is about 40 % of its
// cost there. The backfill worker sends each batch's hook files to the reader before it commits
// the batch before (a pipeline one batch deep) and queues what comes back as if it had read it.
// The reader runs readHook itself, so what is read is the same; a reader that fails or goes
// quiet is left, and the worker reads on by itself.

import type { NormalizedEvent, SourceKind } from "../core/types.ts";
import { rawBlockTargetChars } from "../core/config.ts";
import { packPayloads } from "../store/raw_blocks.ts";
import type { FileCursor, FileUpdate } from "../store/write/writer.ts";
import { readHook } from "./read_hook.ts";
import { readGuarded, type ReadSink } from "./read_file.ts";
import type { FolderCheck } from "./sources.ts";
import { initialStats } from "./stats.ts";

/** A batch's hook files, with the cursor stored for each (null: never read). */
export interface HookReadRequest {
  id: number;
  files: Array<{ rel: string; prev: FileCursor | null }>;
}

/** What reading them queued, in order, with what readHook counted. */
export interface HookReadReply {
  id: number;
  updates: Array<{ update: FileUpdate; bytes: number }>;
  filesRead: number;
  bytesRead: number;
}

/** Reads a batch of hook files of the Claude directory `dir` as the ingester would (readHook
 * under readGuarded). */
export async function readHookBatch(
  dir: string,
  folders: FolderCheck,
  req: HookReadRequest,
): Promise<HookReadReply> {
  const stats = initialStats();
  const cursors = new Map<string, FileCursor>();
  for (const f of req.files) if (f.prev) cursors.set(f.rel, f.prev);
  const updates: HookReadReply["updates"] = [];
  const sink: ReadSink = {
    stats,
    cursor: (key) => cursors.get(key),
    add: (update, bytes) => void updates.push({ update, bytes }),
  };
  // A folder's link check holds for one batch, as for one scan of the ingester's.
  folders.reset();
  for (const { rel } of req.files) {
    await readGuarded(sink, rel, "hook", () => readHook(sink, dir, folders, rel));
  }
  packAhead(updates.map((u) => u.update));
  return { id: req.id, updates, filesRead: stats.filesRead, bytesRead: stats.bytesRead };
}

/**
 * Compresses the payloads of the updates' events here, in groups of about a block, so that the
 * backfill worker (the one SQLite writer, the bound of a hook backfill) only writes them: zstd
 * was a tenth of its time. A group's events share one PackedPayloads (a structured clone keeps
 * that), the writer's BlockWriter puts them in one block if it stores them in this order.
 */
export function packAhead(updates: FileUpdate[]): void {
  let group: NormalizedEvent[] = [];
  let chars = 0;
  const close = () => {
    const payloads = packPayloads(group.map((ev) => ev.raw));
    group.forEach((ev, index) => (ev.packed = { payloads, index }));
    group = [];
    chars = 0;
  };
  for (const u of updates) {
    for (const ev of u.events) {
      group.push(ev);
      chars += ev.raw.length;
      if (chars >= rawBlockTargetChars) close();
    }
  }
  if (group.length > 0) close();
}

/** A batch the ingester took from its dirty files; its hook files may be read elsewhere. */
export interface TakenBatch {
  entries: Array<[string, SourceKind]>;
  /** The hook reader's answer for the batch's hook files (null: read by the ingester). */
  remote: Promise<HookReadReply | null> | null;
  /** When the oldest of these files was noticed (the ingest lag clock). */
  since: number | null;
}

/** Fewer hook files than this in a batch are read by the backfill worker itself. */
export const remoteReadMinFiles = 200;
/** A reply later than this means the reader is stuck: the worker reads on by itself. */
const replyTimeoutMs = 30_000;

/**
 * The backfill worker's side: sends batches to the reader once it has one (`connect`), and
 * answers null whenever the batch is to be read locally (no reader yet, a small batch, or a
 * reader that failed).
 */
export class HookReaderClient {
  #port: MessagePort | null = null;
  #dead = false;
  #next = 0;
  #waiting = new Map<number, (reply: HookReadReply | null) => void>();
  /** Asked once, when the first batch large enough comes (the host starts the reader). */
  #ask: () => void;
  #asked = false;
  /** Says the reader is no longer needed (the host ends it), once, if it was asked for. */
  #release: () => void;

  constructor(ask: () => void, release: () => void = () => {}) {
    this.#ask = ask;
    this.#release = release;
  }

  connect(port: MessagePort): void {
    if (this.#dead) return port.close();
    this.#port = port;
    port.onmessage = (e: MessageEvent<HookReadReply>) => {
      const done = this.#waiting.get(e.data.id);
      this.#waiting.delete(e.data.id);
      done?.(e.data);
    };
  }

  /** The reader failed: what it was reading is read locally, and so is everything after. */
  fail(): void {
    this.#dead = true;
    this.#port?.close();
    this.#port = null;
    for (const done of this.#waiting.values()) done(null);
    this.#waiting.clear();
  }

  /**
   * No hook files are left to read (the listing puts them before the transcripts): the reader's
   * thread and heap are given back for the rest of the backfill.
   */
  release(): void {
    if (this.#dead) return;
    this.fail();
    if (this.#asked) this.#release();
  }

  /** Sends the batch's hook files to the reader; null: read them here. */
  read(files: HookReadRequest["files"]): Promise<HookReadReply | null> | null {
    if (this.#dead || files.length < remoteReadMinFiles) return null;
    if (!this.#port) {
      if (!this.#asked) {
        this.#asked = true;
        this.#ask();
      }
      return null;
    }
    const id = ++this.#next;
    const port = this.#port;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (!this.#waiting.has(id)) return;
        this.fail();
      }, replyTimeoutMs);
      this.#waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      port.postMessage({ id, files } satisfies HookReadRequest);
    });
  }

  close(): void {
    this.fail();
  }
}

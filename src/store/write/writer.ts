// The only code that writes ingested data to the database: one transaction per ingest batch.
// Each batch stores file cursors together with the events read under them, so a crash or
// restart resumes exactly where the last commit stopped. Keys make every insert idempotent.
// The tables' own statements live beside this file (sessions, messages, tool calls, errors).

import {
  type CostState,
  ErrorKind,
  type EventRow,
  type IngestError,
  type NormalizedEvent,
  type SourceKind,
  type ThreadMapping,
} from "../../core/types.ts";
import { PriceTable } from "../../core/pricing.ts";
import { iso } from "../../core/text.ts";
import { log } from "../../core/log.ts";
import { type Db, inTransaction } from "../db.ts";
import { DerivedTables } from "./derived.ts";
import {
  applyEvent,
  clampFuture,
  deltaFor,
  maybeCompaction,
  type SessionDelta,
} from "./session_delta.ts";
import { SessionWrites } from "./sessions.ts";
import { MessageWrites } from "./messages.ts";
import { ReportedCostWrites } from "./reported_costs.ts";
import { CallMerge, type IdlessGroup, ToolCallWrites } from "./tool_calls.ts";
import { IngestErrorWrites } from "./ingest_errors.ts";
import { RereadFilter } from "./reread.ts";
import { replaceThreads } from "./threads.ts";
import { type Leaf, noSession, OrphanWrites } from "./orphans.ts";
import { maskedForStore, syncMasking, syncMaskingNow } from "./masking.ts";
import { BlockWriter } from "../raw_blocks.ts";
import { rawBlockMinBatchChars } from "../../core/config.ts";
import { searchTextOfRaw } from "../../core/search_text.ts";
import { maskSecrets } from "../../core/secrets.ts";

/** Where ingest stands in one source file. */
export interface FileCursor {
  path: string;
  kind: SourceKind;
  size: number;
  mtimeMs: number;
  /** Transcripts: bytes consumed so far. */
  offset: number;
  /** Hash of the file's first bytes, to notice a file replaced under the same name. */
  headHash: string | null;
  /** Incremented each time the file is re-read from the start. */
  generation: number;
  skipToNewline: boolean;
  lastTs: number | null;
  state: "ok" | "error";
}

/** What one read of one file produced, committed atomically with its cursor. */
export interface FileUpdate {
  cursor: FileCursor;
  events: NormalizedEvent[];
  errors: IngestError[];
  /** The whole file now parses: drop the errors recorded for it earlier. */
  clearErrors: boolean;
  /**
   * The file is being re-read from the start (truncated or replaced): skip lines whose uuid is
   * already stored for it, and lines without a uuid whose exact text is. Stored with the cursor
   * while the pass has not reached the end, so it survives a restart mid-way.
   */
  rereading: boolean;
}

export interface CommitResult {
  events: EventRow[];
  sessions: string[];
  /** Earliest time of a stored message whose cost a cost-state changed (absent: none). */
  costsFrom?: number;
}

/** What one batch touched so far, settled per session once every file is stored. */
interface Batch {
  now: number;
  rows: EventRow[];
  deltas: Map<string, SessionDelta>;
  toolSessions: Set<string>;
  /**
   * Session + tool groups with calls lacking a tool_use_id, to re-pair by order from the
   * earliest time this batch added to each, with the events it added (tool_calls.ts).
   */
  unpaired: Map<string, IdlessGroup>;
  compactSessions: Set<string>;
  linkedSessions: Set<string>;
  /** Messages of this batch by uuid, for summary lines that name one (orphans.ts). */
  leaves: Map<string, Leaf>;
  /** Files that gained a session in this batch: file id → that session and its first time. */
  fileSessions: Map<number, Leaf>;
  /** Events stored, including those that belong to no session (not in `rows`). */
  stored: number;
  /** The highest event id before this batch (rows above it are this batch's). */
  start: number;
  /** The latest cost-state line of each session in this batch. */
  costStates: Map<string, { ts: number; state: CostState }>;
  /** Payloads go to compressed blocks (a large batch) rather than inline (raw_blocks.ts). */
  pack: boolean;
  /** Effects on calls with a tool_use_id, stored merged once the events are (tool_calls.ts). */
  idCalls: CallMerge;
  /** Search index rows of the events stored (id, masked text, kind), added at the batch's end. */
  search: Array<[number, string | null, string]>;
}

/** Payload characters in a batch, to choose between blocks and inline payloads. */
function payloadChars(updates: FileUpdate[]): number {
  let n = 0;
  for (const u of updates) for (const ev of u.events) n += ev.raw.length;
  return n;
}

/** A stored event's search index row: its id, masked search text and kind (as the view's). */
function searchRow(id: number, ev: NormalizedEvent): [number, string | null, string] {
  const text = ev.searchText !== undefined
    ? ev.searchText
    : searchTextOfRaw(ev.raw, ev.source, ev.type);
  const kind = ev.toolName === null ? ev.type : `${ev.type} ${ev.toolName}`;
  return [id, text === null ? null : maskSecrets(text), kind];
}

export class Writer {
  #db: Db;
  #insertFile;
  #updateFile;
  #insertEvent;
  #insertSearch;
  #fileEvents;
  #linkFile;
  #fileMissing;
  #sessionsOfFile;
  #derived;
  #sessions;
  #messages;
  #reported;
  #toolCalls;
  #errors;
  #reread;
  #orphans;
  #blocks;

  /** `prices` prices stored usage (default: the built-in table, no overrides). */
  constructor(db: Db, prices: PriceTable = new PriceTable()) {
    this.#db = db;
    // A file's cursor: inserted when new (run(): its id is the last insert rowid, with no
    // RETURNING rows buffered), else updated by path.
    this.#insertFile = db.prepare(`
      INSERT OR IGNORE INTO files(path, kind, size, mtime_ms, offset, head_hash, generation,
        skip_to_newline, last_ts, state, updated_ms, rereading, events)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`);
    this.#updateFile = db.prepare(`
      UPDATE files SET kind = ?2, size = ?3, mtime_ms = ?4, offset = ?5, head_hash = ?6,
        generation = ?7, skip_to_newline = ?8, last_ts = ?9, state = ?10, updated_ms = ?11,
        rereading = ?12, events = events + ?13
      WHERE path = ?1 RETURNING id`);
    this.#insertEvent = db.prepare(`
      INSERT OR IGNORE INTO events(key, source, session_id, ts, type, tool_name, tool_use_id, summary, cwd, uuid,
        is_sidechain, error_kind, file_id, offset, raw, raw_block, bookkeeping)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
    // The search index's row of each new event: its view (events_search_text) computes the
    // same text from the stored payload for snippets and deletes (core/search_text.ts).
    this.#insertSearch = db.prepare("INSERT INTO events_fts(rowid, text, kind) VALUES (?, ?, ?)");
    this.#fileEvents = db.prepare("UPDATE files SET events = events + ? WHERE id = ?");
    this.#linkFile = db.prepare(
      "INSERT OR IGNORE INTO session_files(session_id, file_id) VALUES (?, ?)",
    );
    this.#fileMissing = db.prepare("UPDATE files SET missing_ms = ? WHERE path = ? RETURNING id");
    this.#sessionsOfFile = db.prepare("SELECT session_id FROM session_files WHERE file_id = ?");
    this.#derived = new DerivedTables(db);
    this.#sessions = new SessionWrites(db);
    this.#messages = new MessageWrites(db, prices);
    this.#reported = new ReportedCostWrites(db);
    this.#toolCalls = new ToolCallWrites(db);
    this.#errors = new IngestErrorWrites(db);
    this.#reread = new RereadFilter(db);
    this.#orphans = new OrphanWrites(db);
    this.#blocks = new BlockWriter(db);
  }

  /** Stores a batch of file updates in one transaction; returns what became new. */
  commit(updates: FileUpdate[]): CommitResult {
    try {
      return inTransaction(this.#db, () => this.#commit(updates));
    } finally {
      this.#blocks.end();
    }
  }

  #commit(updates: FileUpdate[]): CommitResult {
    // The index must be masked with the current .env.discord values before it changes.
    syncMasking(this.#db);
    this.#errors.begin();
    this.#messages.begin();
    const lastIdBefore = this.#derived.mark();
    const batch: Batch = {
      now: Date.now(),
      rows: [],
      deltas: new Map(),
      toolSessions: new Set(),
      unpaired: new Map(),
      compactSessions: new Set(),
      linkedSessions: new Set(),
      leaves: new Map(),
      fileSessions: new Map(),
      stored: 0,
      start: lastIdBefore,
      costStates: new Map(),
      pack: payloadChars(updates) >= rawBlockMinBatchChars,
      idCalls: new CallMerge(),
      search: [],
    };
    for (const u of updates) {
      for (const ev of u.events) {
        if (ev.uuid && !ev.orphan) {
          batch.leaves.set(ev.uuid, { sessionId: ev.sessionId, ts: ev.ts });
        }
      }
    }
    for (const u of updates) this.#storeFile(u, batch);
    // Lines stored earlier with no session whose file or leaf message arrived now.
    for (const m of this.#orphans.reattach(lastIdBefore, batch.fileSessions, batch.leaves)) {
      this.#storeEvent(m.event, m.fileId, batch);
    }
    this.#messages.flush();
    this.#toolCalls.apply(batch.idCalls);
    const { rows, deltas } = batch;
    for (const [sessionId, d] of deltas) this.#sessions.upsert(sessionId, d);
    const reported: string[] = [];
    for (const [sessionId, c] of batch.costStates) {
      if (this.#reported.store(sessionId, c.ts, c.state)) reported.push(sessionId);
    }
    for (const sessionId of batch.compactSessions) this.#sessions.recountCompactions(sessionId);
    // A session seen in a new transcript file: that file is present, so it is not archived.
    for (const sessionId of batch.linkedSessions) this.#sessions.rederiveArchived(sessionId);
    for (const g of batch.unpaired.values()) {
      this.#toolCalls.repair(g.sessionId, g.toolName, g.fromTs, {
        events: g.added,
        upTo: lastIdBefore,
      });
    }
    for (const sessionId of batch.toolSessions) this.#sessions.recount(sessionId);
    // The search index and rollups of what this batch stored (derived.ts). The index rows go
    // in last: FTS5 writes out its pending rows at every statement savepoint (a RETURNING
    // insert opens one), so rows added while the batch goes on were flushed in small pieces.
    for (const r of batch.search) this.#insertSearch.run(...r);
    if (batch.stored > 0) this.#derived.update(lastIdBefore);
    // Claude Code's reported cost onto its messages and their rollup (after the rollup has them).
    const costsFrom = this.#reported.spread(reported, lastIdBefore);
    this.#blocks.flush();
    // A cost-state line changes its session's reported figures without being an event.
    const touched = new Set([...deltas.keys(), ...batch.costStates.keys()]);
    return {
      events: rows,
      sessions: [...touched],
      ...(costsFrom === null ? {} : { costsFrom }),
    };
  }

  /** Stores one file's cursor, errors and new events, noting what they touch in `batch`. */
  #storeFile(u: FileUpdate, batch: Batch): void {
    const c = u.cursor;
    // The file's event count is raised by what is expected to be new (a hook file's one event)
    // in its upsert, and corrected after in the rare case another count was stored.
    const expected = c.kind === "hook" ? u.events.length : 0;
    const values = [
      c.path,
      c.kind,
      c.size,
      Math.round(c.mtimeMs),
      c.offset,
      c.headHash,
      c.generation,
      c.skipToNewline ? 1 : 0,
      c.lastTs,
      c.state,
      batch.now,
      u.rereading && (c.offset < c.size || c.size === 0) ? 1 : 0,
      expected,
    ] as const;
    const added = this.#insertFile.run(...values);
    const fileId = added.changes > 0
      ? Number(added.lastInsertRowid)
      : (this.#updateFile.get(...values) as { id: number }).id;
    if (u.clearErrors) this.#errors.clear(c.path);
    this.#errors.store(c.path, u.errors, batch.now);
    let inserted = 0;
    const hashes = u.rereading ? this.#reread.storedHashes(fileId, c.path) : null;
    if (!u.rereading) this.#reread.end(fileId);
    const linked = new Map<string, number>();
    for (const ev of u.events) {
      if (hashes && ev.source === "transcript" && this.#reread.alreadyStored(fileId, hashes, ev)) {
        continue;
      }
      const ownFile = ev.orphan ? this.#orphans.place(ev, fileId, c.path, batch.leaves) : true;
      const id = this.#storeEvent(ev, fileId, batch);
      if (id === null) continue;
      inserted++;
      if (hashes) this.#reread.stored(hashes, ev);
      if (ev.source === "transcript" && ownFile) {
        linked.set(ev.sessionId, Math.min(ev.ts, linked.get(ev.sessionId) ?? ev.ts));
      }
    }
    if (inserted !== expected) this.#fileEvents.run(inserted - expected, fileId);
    for (const [sessionId, ts] of linked) {
      if (this.#linkFile.run(sessionId, fileId).changes > 0) batch.linkedSessions.add(sessionId);
      batch.fileSessions.set(fileId, { sessionId, ts });
    }
  }

  /** Inserts one event (null: already stored) and folds it into its session's delta. */
  #storeEvent(event: NormalizedEvent, fileId: number, batch: Batch): number | null {
    // Display text is stored masked (summary, tool input and error, waiting reason).
    const ev = maskedForStore(event);
    // A line with no session stays inline: orphans.ts reads its leaf through an index on `raw`.
    const packed = batch.pack && ev.sessionId !== noSession;
    // run(), not RETURNING: SQLite buffers returned rows in a table of their own first; the new
    // row's id is the connection's last insert rowid (no trigger inserts on events).
    const stored = this.#insertEvent.run(
      ev.key,
      ev.source,
      ev.sessionId,
      ev.ts,
      ev.type,
      ev.toolName,
      ev.toolUseId,
      ev.summary,
      ev.cwd,
      ev.uuid,
      ev.isSidechain ? 1 : 0,
      ev.errorKind,
      fileId,
      ev.offset,
      packed ? "" : ev.raw,
      packed ? this.#blocks.current(ev.packed) : null,
      ev.bookkeeping ? 1 : 0,
    );
    if (stored.changes === 0) return null; // stored before (the same line, read again)
    const row = { id: Number(stored.lastInsertRowid) };
    if (packed) this.#blocks.add(row.id, ev.raw, ev.packed);
    batch.search.push(searchRow(row.id, ev));
    batch.stored++;
    // A line that belongs to no session is kept as history: no session row, no live row.
    if (ev.sessionId === noSession) return row.id;
    // Claude Code's bookkeeping is history too: not an event of its session, not live; a
    // cost-state line reports the session's running totals (the latest wins).
    if (ev.bookkeeping) {
      const seen = batch.costStates.get(ev.sessionId);
      if (ev.costState && (!seen || ev.ts >= seen.ts)) {
        batch.costStates.set(ev.sessionId, { ts: ev.ts, state: ev.costState });
      }
      return row.id;
    }
    if (maybeCompaction(ev)) batch.compactSessions.add(ev.sessionId);
    batch.rows.push({
      id: row.id,
      ts: iso(ev.ts),
      source: ev.source,
      session_id: ev.sessionId,
      type: ev.type,
      tool_name: ev.toolName,
      summary: ev.summary,
    });
    const forSession = clampFuture(ev, batch.now);
    const d = deltaFor(batch.deltas, forSession);
    applyEvent(d, forSession);
    if (ev.usage) this.#messages.store(d, ev, row.id, batch.start);
    if (ev.toolEffects.length > 0) {
      batch.toolSessions.add(ev.sessionId);
      for (const effect of ev.toolEffects) {
        if (effect.toolUseId) batch.idCalls.add(ev, effect);
        else {
          const group = `${ev.sessionId}\u0000${effect.toolName}`;
          const seen = batch.unpaired.get(group);
          if (seen) {
            seen.fromTs = Math.min(seen.fromTs, ev.ts);
            if (seen.added.at(-1) !== ev) seen.added.push(ev);
          } else {
            const toolName = effect.toolName ?? "?";
            batch.unpaired.set(group, {
              sessionId: ev.sessionId,
              toolName,
              fromTs: ev.ts,
              added: [ev],
            });
          }
        }
      }
    }
    if (ev.errorKind !== ErrorKind.None) batch.toolSessions.add(ev.sessionId);
    return row.id;
  }

  /**
   * Marks source files as gone (`missingMs`, when the reconcile scan noticed) or back (null),
   * and re-derives the archived flag of every session that came from them. Stored data is
   * never deleted. Returns those sessions.
   */
  setMissing(paths: string[], missingMs: number | null): string[] {
    if (paths.length === 0) return [];
    return inTransaction(this.#db, () => {
      const sessions = new Set<string>();
      for (const path of paths) {
        const row = this.#fileMissing.get(missingMs, path) as { id: number } | undefined;
        if (!row) continue;
        for (const r of this.#sessionsOfFile.all(row.id) as Array<{ session_id: string }>) {
          sessions.add(r.session_id);
        }
      }
      for (const sessionId of sessions) this.#sessions.rederiveArchived(sessionId);
      return [...sessions];
    });
  }

  /** Records one error outside a file batch (e.g. the notifier's database). */
  recordError(e: IngestError): void {
    this.#errors.record(e);
  }

  /** Re-indexes when the .env.discord values changed since the last write (masking.ts). */
  syncMasking(): void {
    try {
      syncMaskingNow(this.#db);
    } catch (e) {
      // The next batch tries again (it syncs first, in its own transaction).
      log.error(`re-indexing for new secret values failed: ${e instanceof Error ? e.message : e}`);
    }
  }

  /** Replaces the stored copy of the notifier's thread map. */
  replaceThreads(threads: ThreadMapping[]): void {
    replaceThreads(this.#db, threads);
  }
}

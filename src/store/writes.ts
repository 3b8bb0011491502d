// The only code that writes to the database: one transaction per ingest batch. Each batch
// stores file cursors together with the events read under them, so a crash or restart
// resumes exactly where the last commit stopped. Keys make every insert idempotent.

import type {
  EventRow,
  IngestError,
  NormalizedEvent,
  SourceKind,
  ToolEffect,
} from "../core/types.ts";
import { costOf } from "../core/pricing.ts";
import { oneLine, projectOf, toolInputSummary } from "../ingest/parse/normalize.ts";
import { compactionPairSlackMs, compactionPairWindowMs, maxErrorsPerFile } from "../core/config.ts";
import { type Db, inTransaction } from "./db.ts";
import type { ThreadMapping } from "../ingest/read_threads.ts";
import { DerivedTables } from "./derived.ts";

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
}

interface SessionDelta {
  first: number;
  last: number;
  events: number;
  cwd: string | null;
  cwdIsMain: boolean;
  model: string | null;
  modelTs: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  cost: number;
  unpriced: number;
  /** Latest main-thread assistant message's context (input + cache) tokens, and its time. */
  contextTokens: number | null;
  contextTs: number;
  activity: number;
  waiting: number;
  waitingReason: string | null;
  stop: number;
  end: number;
}

const waitingTypes = new Set(["Notification", "PermissionRequest"]);
const transcriptActivity = new Set(["user", "assistant", "system"]);

/** Whether an event shows the session doing something (which ends a wait). */
export function isActivity(ev: Pick<NormalizedEvent, "source" | "type">): boolean {
  if (ev.source === "transcript") return transcriptActivity.has(ev.type);
  return !waitingTypes.has(ev.type) && ev.type !== "SessionEnd";
}

/**
 * Whether an event may be a compaction: a PreCompact hook or a transcript system line that
 * mentions a compact boundary (a cheap superset; the recount in SQL is exact).
 */
export function maybeCompaction(ev: Pick<NormalizedEvent, "source" | "type" | "raw">): boolean {
  if (ev.source === "hook") return ev.type === "PreCompact";
  return ev.type === "system" && ev.raw.includes("compact_boundary");
}

/** The content hash at the end of a transcript event's key (`tr:<path>:<offset>:<hash>`). */
function lineHash(key: string): string {
  return key.slice(key.lastIndexOf(":") + 1);
}

/** Re-read passes whose stored line hashes are kept in memory at once (normally one). */
const maxRereadSets = 4;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class Writer {
  #db: Db;
  #upsertFile;
  #insertEvent;
  #uuidSeen;
  #insertMessage;
  #upsertSession;
  #recount;
  #insertError;
  #countErrors;
  #clearErrors;
  #fileEvents;
  #startById;
  #endById;
  #noIdEvents;
  #clearNoId;
  #insertPaired;
  #derived;
  #linkFile;
  #archived;
  #compactions;
  #fileMissing;
  #sessionsOfFile;
  #fileKeys;
  /** Hashes of the uuid-less lines stored for files in a re-read pass, by file id. */
  #rereadHashes = new Map<number, Set<string>>();

  constructor(db: Db) {
    this.#db = db;
    this.#upsertFile = db.prepare(`
      INSERT INTO files(path, kind, size, mtime_ms, offset, head_hash, generation, skip_to_newline, last_ts, state, updated_ms, rereading)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
      ON CONFLICT(path) DO UPDATE SET kind=excluded.kind, size=excluded.size, mtime_ms=excluded.mtime_ms,
        offset=excluded.offset, head_hash=excluded.head_hash, generation=excluded.generation,
        skip_to_newline=excluded.skip_to_newline, last_ts=excluded.last_ts, state=excluded.state,
        updated_ms=excluded.updated_ms, rereading=excluded.rereading
      RETURNING id`);
    this.#insertEvent = db.prepare(`
      INSERT OR IGNORE INTO events(key, source, session_id, ts, type, tool_name, tool_use_id, summary, cwd, uuid,
        is_sidechain, error_kind, file_id, offset, raw)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`);
    this.#uuidSeen = db.prepare("SELECT 1 AS x FROM events WHERE file_id = ? AND uuid = ? LIMIT 1");
    this.#insertMessage = db.prepare(`
      INSERT OR IGNORE INTO messages(message_id, request_id, session_id, ts, model, input_tokens, output_tokens,
        cache_creation_tokens, cache_creation_1h_tokens, cache_read_tokens, cost_usd, event_id)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`);
    this.#upsertSession = db.prepare(`
      INSERT INTO sessions(session_id, project, cwd, cwd_main, first_ts, last_ts, events, model, model_ts, input_tokens,
        output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, unpriced_messages, activity_ts,
        waiting_ts, waiting_reason, stop_ts, end_ts, context_tokens, context_ts)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
      ON CONFLICT(session_id) DO UPDATE SET
        project = CASE WHEN excluded.cwd IS NOT NULL AND (sessions.cwd IS NULL OR excluded.cwd_main > sessions.cwd_main)
                       THEN excluded.project ELSE sessions.project END,
        cwd = CASE WHEN excluded.cwd IS NOT NULL AND (sessions.cwd IS NULL OR excluded.cwd_main > sessions.cwd_main)
                   THEN excluded.cwd ELSE sessions.cwd END,
        cwd_main = CASE WHEN excluded.cwd IS NOT NULL AND (sessions.cwd IS NULL OR excluded.cwd_main > sessions.cwd_main)
                   THEN excluded.cwd_main ELSE sessions.cwd_main END,
        first_ts = MIN(sessions.first_ts, excluded.first_ts),
        last_ts = MAX(sessions.last_ts, excluded.last_ts),
        events = sessions.events + excluded.events,
        model = CASE WHEN excluded.model IS NOT NULL AND excluded.model_ts >= sessions.model_ts THEN excluded.model ELSE sessions.model END,
        model_ts = MAX(sessions.model_ts, excluded.model_ts),
        input_tokens = sessions.input_tokens + excluded.input_tokens,
        output_tokens = sessions.output_tokens + excluded.output_tokens,
        cache_creation_tokens = sessions.cache_creation_tokens + excluded.cache_creation_tokens,
        cache_read_tokens = sessions.cache_read_tokens + excluded.cache_read_tokens,
        cost_usd = sessions.cost_usd + excluded.cost_usd,
        unpriced_messages = sessions.unpriced_messages + excluded.unpriced_messages,
        activity_ts = MAX(sessions.activity_ts, excluded.activity_ts),
        waiting_reason = CASE WHEN excluded.waiting_ts > sessions.waiting_ts THEN excluded.waiting_reason ELSE sessions.waiting_reason END,
        waiting_ts = MAX(sessions.waiting_ts, excluded.waiting_ts),
        stop_ts = MAX(sessions.stop_ts, excluded.stop_ts),
        end_ts = MAX(sessions.end_ts, excluded.end_ts),
        context_tokens = CASE WHEN excluded.context_tokens IS NOT NULL AND excluded.context_ts >= sessions.context_ts
                              THEN excluded.context_tokens ELSE sessions.context_tokens END,
        context_ts = CASE WHEN excluded.context_tokens IS NOT NULL AND excluded.context_ts >= sessions.context_ts
                          THEN excluded.context_ts ELSE sessions.context_ts END`);
    this.#recount = db.prepare(`
      UPDATE sessions SET
        tool_calls = (SELECT count(*) FROM tool_calls WHERE session_id = ?1),
        errors = (SELECT count(*) FROM tool_calls WHERE session_id = ?1 AND status = 'error')
               + (SELECT count(*) FROM events WHERE session_id = ?1 AND error_kind = 1)
      WHERE session_id = ?1`);
    this.#insertError = db.prepare(`
      INSERT INTO ingest_errors(path, offset, reason, ts) VALUES (?,?,?,?)
      ON CONFLICT(path, offset) DO UPDATE SET reason = excluded.reason, ts = excluded.ts`);
    this.#countErrors = db.prepare("SELECT count(*) AS n FROM ingest_errors WHERE path = ?");
    this.#clearErrors = db.prepare("DELETE FROM ingest_errors WHERE path = ?");
    this.#fileEvents = db.prepare("UPDATE files SET events = events + ? WHERE id = ?");
    this.#startById = db.prepare(`
      INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, start_ts, input_summary)
      VALUES (?,?,?,'running',?,?)
      ON CONFLICT(tool_use_id) WHERE tool_use_id IS NOT NULL DO UPDATE SET
        start_ts = CASE WHEN tool_calls.start_ts IS NULL OR excluded.start_ts < tool_calls.start_ts
                        THEN excluded.start_ts ELSE tool_calls.start_ts END,
        tool_name = CASE WHEN tool_calls.tool_name = '?' THEN excluded.tool_name ELSE tool_calls.tool_name END,
        input_summary = COALESCE(tool_calls.input_summary, excluded.input_summary)`);
    this.#endById = db.prepare(`
      INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, end_ts, error)
      VALUES (?,?,?,?,?,?)
      ON CONFLICT(tool_use_id) WHERE tool_use_id IS NOT NULL DO UPDATE SET
        end_ts = CASE WHEN tool_calls.end_ts IS NULL OR excluded.end_ts < tool_calls.end_ts
                      THEN excluded.end_ts ELSE tool_calls.end_ts END,
        status = CASE WHEN tool_calls.status = 'error' OR excluded.status = 'error' THEN 'error' ELSE 'ok' END,
        error = COALESCE(tool_calls.error, excluded.error),
        tool_name = CASE WHEN tool_calls.tool_name = '?' THEN excluded.tool_name ELSE tool_calls.tool_name END`);
    this.#noIdEvents = db.prepare(`
      SELECT ts, type, json_extract(raw, '$.tool_input') AS input, json_extract(raw, '$.error') AS error
      FROM events WHERE session_id = ? AND tool_name = ? AND tool_use_id IS NULL AND source = 'hook'
        AND type IN ('PreToolUse', 'PostToolUse', 'PostToolUseFailure')
      ORDER BY ts, key`);
    this.#clearNoId = db.prepare(
      "DELETE FROM tool_calls WHERE session_id = ? AND tool_name = ? AND tool_use_id IS NULL",
    );
    this.#insertPaired = db.prepare(`
      INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, start_ts, end_ts, input_summary, error)
      VALUES (?, NULL, ?, ?, ?, ?, ?, ?)`);
    this.#derived = new DerivedTables(db);
    this.#linkFile = db.prepare(
      "INSERT OR IGNORE INTO session_files(session_id, file_id) VALUES (?, ?)",
    );
    // Archived: transcript data, and every file it came from gone (migration 5).
    this.#archived = db.prepare(`
      UPDATE sessions SET archived = (
        EXISTS (SELECT 1 FROM session_files WHERE session_id = ?1)
        AND NOT EXISTS (SELECT 1 FROM session_files sf JOIN files f ON f.id = sf.file_id
                        WHERE sf.session_id = ?1 AND f.missing_ms IS NULL))
      WHERE session_id = ?1`);
    // Compactions: every compact boundary, plus each PreCompact hook that no boundary (of the
    // same trigger, when both name one) follows within the pairing window: one compaction
    // seen by both the hook and the transcript counts once, one seen by either counts too.
    // Recomputed from the session's stored rows, so the order files are read in never matters.
    this.#compactions = db.prepare(`
      WITH c AS MATERIALIZED (
        SELECT ts, type, CASE WHEN json_valid(raw) THEN CASE type
          WHEN 'PreCompact' THEN raw ->> '$.trigger' ELSE raw ->> '$.compactMetadata.trigger' END
          END AS trig
        FROM events
        WHERE session_id = :sid AND type IN ('system', 'PreCompact') AND CASE
          WHEN type = 'PreCompact' THEN source = 'hook'
          WHEN source = 'transcript' AND json_valid(raw) THEN (raw ->> '$.subtype') = 'compact_boundary'
          ELSE 0 END
      )
      UPDATE sessions SET compactions = (
        SELECT count(*) FROM c h WHERE h.type = 'system' OR NOT EXISTS (
          SELECT 1 FROM c b WHERE b.type = 'system'
            AND b.ts BETWEEN h.ts - ${compactionPairSlackMs} AND h.ts + ${compactionPairWindowMs}
            AND (h.trig IS NULL OR b.trig IS NULL OR h.trig = b.trig)))
      WHERE session_id = :sid`);
    this.#fileMissing = db.prepare("UPDATE files SET missing_ms = ? WHERE path = ? RETURNING id");
    this.#sessionsOfFile = db.prepare("SELECT session_id FROM session_files WHERE file_id = ?");
    // A file's events by the prefix of their key (the unique key index answers the range).
    this.#fileKeys = db.prepare(
      "SELECT key FROM events WHERE key >= ? AND key < ? AND file_id = ? AND uuid IS NULL",
    );
  }

  /** Stores a batch of file updates in one transaction; returns what became new. */
  commit(updates: FileUpdate[]): CommitResult {
    return inTransaction(this.#db, () => this.#commit(updates));
  }

  #commit(updates: FileUpdate[]): CommitResult {
    const now = Date.now();
    const lastIdBefore = this.#derived.mark();
    const rows: EventRow[] = [];
    const deltas = new Map<string, SessionDelta>();
    const toolSessions = new Set<string>();
    const unpaired = new Map<string, [string, string]>();
    const compactSessions = new Set<string>();
    const linkedSessions = new Set<string>();
    for (const u of updates) {
      const c = u.cursor;
      const { id: fileId } = this.#upsertFile.get(
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
        now,
        u.rereading && (c.offset < c.size || c.size === 0) ? 1 : 0,
      ) as { id: number };
      if (u.clearErrors) this.#clearErrors.run(c.path);
      this.#storeErrors(c.path, u.errors, now);
      let inserted = 0;
      const hashes = u.rereading ? this.#storedHashes(fileId, c.path) : null;
      if (!u.rereading) this.#rereadHashes.delete(fileId);
      const linked = new Set<string>();
      for (const ev of u.events) {
        if (hashes && ev.source === "transcript") {
          if (ev.uuid ? this.#uuidSeen.get(fileId, ev.uuid) : hashes.has(lineHash(ev.key))) {
            continue;
          }
        }
        const row = this.#insertEvent.get(
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
          ev.raw,
        ) as { id: number } | undefined;
        if (!row) continue;
        inserted++;
        if (hashes && !ev.uuid) hashes.add(lineHash(ev.key));
        if (ev.source === "transcript") linked.add(ev.sessionId);
        if (maybeCompaction(ev)) compactSessions.add(ev.sessionId);
        rows.push({
          id: row.id,
          ts: iso(ev.ts),
          source: ev.source,
          session_id: ev.sessionId,
          type: ev.type,
          tool_name: ev.toolName,
          summary: ev.summary,
        });
        const d = deltaFor(deltas, ev);
        applyEvent(d, ev);
        if (ev.usage) this.#storeUsage(d, ev, row.id);
        if (ev.toolEffects.length > 0) {
          toolSessions.add(ev.sessionId);
          for (const effect of ev.toolEffects) {
            if (effect.toolUseId) this.#applyTool(ev, effect);
            else {unpaired.set(`${ev.sessionId}\u0000${effect.toolName}`, [
                ev.sessionId,
                effect.toolName ?? "?",
              ]);}
          }
        }
        if (ev.errorKind !== 0) toolSessions.add(ev.sessionId);
      }
      if (inserted > 0) this.#fileEvents.run(inserted, fileId);
      for (const sessionId of linked) {
        if (this.#linkFile.run(sessionId, fileId).changes > 0) linkedSessions.add(sessionId);
      }
    }
    for (const [sessionId, d] of deltas) {
      this.#upsertSession.run(
        sessionId,
        projectOf(d.cwd),
        d.cwd,
        d.cwdIsMain ? 1 : 0,
        d.first,
        d.last,
        d.events,
        d.model,
        d.modelTs,
        d.input,
        d.output,
        d.cacheCreation,
        d.cacheRead,
        d.cost,
        d.unpriced,
        d.activity,
        d.waiting,
        d.waitingReason,
        d.stop,
        d.end,
        d.contextTokens,
        d.contextTs,
      );
    }
    for (const sessionId of compactSessions) this.#compactions.run({ sid: sessionId });
    // A session seen in a new transcript file: that file is present, so it is not archived.
    for (const sessionId of linkedSessions) this.#archived.run(sessionId);
    for (const [sessionId, toolName] of unpaired.values()) this.#repair(sessionId, toolName);
    for (const sessionId of toolSessions) this.#recount.run(sessionId);
    // Search index and rollups of what this batch stored (src/store/derived.ts).
    if (rows.length > 0) this.#derived.update(lastIdBefore);
    return { events: rows, sessions: [...deltas.keys()] };
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
      for (const sessionId of sessions) this.#archived.run(sessionId);
      return [...sessions];
    });
  }

  /**
   * Content hashes of the uuid-less transcript lines stored for a file, loaded once per re-read
   * pass: a summary or snapshot line moved to another offset by a rewrite is not stored again.
   */
  #storedHashes(fileId: number, path: string): Set<string> {
    let set = this.#rereadHashes.get(fileId);
    if (set) return set;
    if (this.#rereadHashes.size >= maxRereadSets) this.#rereadHashes.clear();
    set = new Set<string>();
    const rows = this.#fileKeys.all(`tr:${path}:`, `tr:${path};`, fileId) as Array<{ key: string }>;
    for (const r of rows) set.add(lineHash(r.key));
    this.#rereadHashes.set(fileId, set);
    return set;
  }

  /** Records one error outside a file batch (e.g. the notifier's database). */
  recordError(e: IngestError): void {
    this.#insertError.run(e.path, e.offset ?? -1, e.reason, Date.now());
  }

  /** Replaces the stored copy of the notifier's thread map. */
  replaceThreads(threads: ThreadMapping[]): void {
    inTransaction(this.#db, () => {
      this.#db.exec("DELETE FROM threads");
      const ins = this.#db.prepare(
        "INSERT OR REPLACE INTO threads(session_id, channel_id, thread_id, created_at, is_archived, last_used) VALUES (?,?,?,?,?,?)",
      );
      for (const t of threads) {
        ins.run(t.session_id, t.channel_id, t.thread_id, t.created_at, t.is_archived, t.last_used);
      }
      this.#clearErrors.run("hooks/threads.db");
    });
  }

  #storeErrors(path: string, errors: IngestError[], now: number): void {
    if (errors.length === 0) return;
    let stored = (this.#countErrors.get(path) as { n: number }).n;
    let notListed = 0;
    for (const e of errors) {
      if (stored >= maxErrorsPerFile) {
        notListed++;
        continue;
      }
      this.#insertError.run(path, e.offset ?? -1, e.reason, now);
      stored++;
    }
    if (notListed > 0) {
      // The summary row keeps a running total across reads of the same file.
      const earlier = this.#db.prepare(
        "SELECT reason FROM ingest_errors WHERE path = ? AND offset = -2",
      ).get(path) as { reason: string } | undefined;
      const total = notListed + (earlier ? parseInt(earlier.reason, 10) || 0 : 0);
      this.#insertError.run(path, -2, `${total}+ more bad lines in this file, not listed`, now);
    }
  }

  #storeUsage(d: SessionDelta, ev: NormalizedEvent, eventId: number): void {
    const rec = ev.usage!;
    const u = rec.usage;
    const cost = costOf(rec.model, u);
    const res = this.#insertMessage.run(
      rec.messageId,
      rec.requestId,
      ev.sessionId,
      ev.ts,
      rec.model,
      u.input_tokens,
      u.output_tokens,
      u.cache_creation_tokens,
      u.cache_creation_1h_tokens,
      u.cache_read_tokens,
      cost,
      eventId,
    );
    if (res.changes === 0) return;
    // Context: what the latest main-thread turn sent (sub-agents have their own context;
    // Claude Code's synthetic error messages carry no usage).
    const context = u.input_tokens + u.cache_creation_tokens + u.cache_read_tokens;
    if (!ev.isSidechain && context > 0 && rec.model !== "<synthetic>" && ev.ts >= d.contextTs) {
      d.contextTokens = context;
      d.contextTs = ev.ts;
    }
    d.input += u.input_tokens;
    d.output += u.output_tokens;
    d.cacheCreation += u.cache_creation_tokens;
    d.cacheRead += u.cache_read_tokens;
    if (cost === null) d.unpriced++;
    else d.cost += cost;
  }

  /** Pre/Post pairing by tool_use_id, merging what hooks and transcripts say of one call. */
  #applyTool(ev: NormalizedEvent, t: ToolEffect): void {
    const name = t.toolName ?? "?";
    if (t.phase === "start") {
      this.#startById.run(ev.sessionId, t.toolUseId, name, ev.ts, t.inputSummary);
    } else {
      this.#endById.run(ev.sessionId, t.toolUseId, name, t.failed ? "error" : "ok", ev.ts, t.error);
    }
  }

  /**
   * Hooks of older Claude Code versions carry no tool_use_id: their calls are paired by order
   * within session + tool, recomputed from all stored events of that group so the result
   * never depends on the order files were read in.
   */
  #repair(sessionId: string, toolName: string): void {
    const rows = this.#noIdEvents.all(sessionId, toolName) as Array<
      { ts: number; type: string; input: string | null; error: string | null }
    >;
    this.#clearNoId.run(sessionId, toolName);
    for (const call of pairByOrder(rows)) {
      this.#insertPaired.run(
        sessionId,
        toolName,
        call.status,
        call.start,
        call.end,
        call.input === null ? null : toolInputSummary(toolName, safeJson(call.input)),
        call.error === null ? null : oneLine(call.error, 500),
      );
    }
  }
}

export interface PairedCall {
  status: "running" | "ok" | "error";
  start: number | null;
  end: number | null;
  input: string | null;
  error: string | null;
}

/** FIFO pairing: each Post ends the oldest still-open Pre; a Post with none open stands alone. Pure. */
export function pairByOrder(
  rows: Array<{ ts: number; type: string; input: string | null; error: string | null }>,
): PairedCall[] {
  const calls: PairedCall[] = [];
  const open: PairedCall[] = [];
  for (const r of rows) {
    if (r.type === "PreToolUse") {
      const call: PairedCall = {
        status: "running",
        start: r.ts,
        end: null,
        input: r.input,
        error: null,
      };
      calls.push(call);
      open.push(call);
      continue;
    }
    const failed = r.type === "PostToolUseFailure";
    const call = open.shift() ??
      { status: "running", start: null, end: null, input: r.input, error: null };
    if (call.start === null) calls.push(call);
    call.end = r.ts;
    call.status = failed ? "error" : "ok";
    call.error = failed ? (r.error ?? "failed") : null;
  }
  return calls;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function deltaFor(deltas: Map<string, SessionDelta>, ev: NormalizedEvent): SessionDelta {
  let d = deltas.get(ev.sessionId);
  if (!d) {
    d = {
      first: ev.ts,
      last: ev.ts,
      events: 0,
      cwd: null,
      cwdIsMain: false,
      model: null,
      modelTs: 0,
      input: 0,
      output: 0,
      cacheCreation: 0,
      cacheRead: 0,
      cost: 0,
      unpriced: 0,
      contextTokens: null,
      contextTs: 0,
      activity: 0,
      waiting: 0,
      waitingReason: null,
      stop: 0,
      end: 0,
    };
    deltas.set(ev.sessionId, d);
  }
  return d;
}

/** Folds one event into its session's pending summary change. Pure. */
export function applyEvent(d: SessionDelta, ev: NormalizedEvent): void {
  d.events++;
  if (ev.ts < d.first) d.first = ev.ts;
  if (ev.ts > d.last) d.last = ev.ts;
  if (ev.cwd && !d.cwdIsMain) {
    if (!ev.isSidechain) {
      d.cwd = ev.cwd;
      d.cwdIsMain = true;
    } else d.cwd ??= ev.cwd;
  }
  if (ev.model && ev.model !== "<synthetic>" && ev.ts >= d.modelTs) {
    d.model = ev.model;
    d.modelTs = ev.ts;
  }
  if (isActivity(ev) && ev.ts > d.activity) d.activity = ev.ts;
  if (ev.source === "hook") {
    if (waitingTypes.has(ev.type) && ev.ts >= d.waiting) {
      d.waiting = ev.ts;
      d.waitingReason = ev.summary;
    }
    if (ev.type === "Stop" && ev.ts > d.stop) d.stop = ev.ts;
    if (ev.type === "SessionEnd" && ev.ts > d.end) d.end = ev.ts;
  }
}

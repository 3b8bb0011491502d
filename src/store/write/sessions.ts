// The session summary rows: one upsert per session per batch from its folded delta
// (session_delta.ts), and the counts re-derived from stored rows (tool calls, errors,
// compactions, the archived flag), so the order files are read in never changes a result.

import { compactionPairSlackMs, compactionPairWindowMs } from "../../core/config.ts";
import { projectOf } from "../../core/text.ts";
import { ErrorKind } from "../../core/types.ts";
import type { Db } from "../db.ts";
import type { SessionDelta } from "./session_delta.ts";
import { rawSql } from "../raw_blocks.ts";

export class SessionWrites {
  #upsert;
  #recount;
  #archived;
  #compactions;

  constructor(db: Db) {
    this.#upsert = db.prepare(`
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
               + (SELECT count(*) FROM events WHERE session_id = ?1 AND error_kind = ${ErrorKind.ApiError})
      WHERE session_id = ?1`);
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
        FROM (SELECT ts, type, source, ${rawSql()} AS raw FROM events
          WHERE session_id = :sid AND type IN ('system', 'PreCompact'))
        WHERE CASE
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
  }

  /** Adds a batch's change to a session's summary row (created on its first event). */
  upsert(sessionId: string, d: SessionDelta): void {
    this.#upsert.run(
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

  /** Re-counts a session's tool calls and errors from the stored rows. */
  recount(sessionId: string): void {
    this.#recount.run(sessionId);
  }

  /** Re-derives whether a session is archived (every file it came from gone). */
  rederiveArchived(sessionId: string): void {
    this.#archived.run(sessionId);
  }

  /** Re-counts a session's compactions from its stored events. */
  recountCompactions(sessionId: string): void {
    this.#compactions.run({ sid: sessionId });
  }
}

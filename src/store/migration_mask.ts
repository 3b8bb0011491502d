// Migration: secrets masked before anything is indexed or stored for display (issue 17; see
// migrations.ts; never edit once released). mask_text() (src/store/sql_functions.ts, the one
// masking function: src/core/secrets.ts) now wraps the search view's text, so the FTS index
// and every snippet are cut from masked text and a cut can never show part of a secret. The
// index is rebuilt from the new view; display text stored before (summaries, tool inputs and
// errors, waiting reasons, alert messages, ingest error reasons) is masked in place. Raw
// payloads stay as read (they are masked when served). meta holds a random salt and the
// fingerprint of the .env.discord values the index was masked with (write/masking.ts).

import { searchTextExpr } from "./search_text_sql.ts";

/**
 * Masks the display text stored in every table with the current mask (also run by
 * write/masking.ts when the .env.discord values change).
 */
export const remaskStoredText = `
  UPDATE events SET summary = mask_text(summary) WHERE summary <> mask_text(summary);
  UPDATE tool_calls SET input_summary = mask_text(input_summary), error = mask_text(error)
    WHERE input_summary <> mask_text(input_summary) OR error <> mask_text(error);
  UPDATE sessions SET waiting_reason = mask_text(waiting_reason)
    WHERE waiting_reason <> mask_text(waiting_reason);
  UPDATE alerts SET message = mask_text(message) WHERE message <> mask_text(message);
  UPDATE ingest_errors SET reason = mask_text(reason) WHERE reason <> mask_text(reason);
`;

/**
 * Empties the search index and fills it again from the (masked) view; also run by
 * write/masking.ts when the .env.discord values change. Not 'rebuild': FTS5 reads the view as
 * main.events_search_text for it, and SQLite then looks for main.json_each ("no such table").
 */
export const refillSearchIndex = `
  INSERT INTO events_fts(events_fts) VALUES ('delete-all');
  INSERT INTO events_fts(rowid, text, kind) SELECT id, text, kind FROM events_search_text;
`;

export const migrationMask = `
  DROP TRIGGER events_fts_delete;
  DROP VIEW events_search_text;
  CREATE VIEW events_search_text(id, text, kind) AS
  SELECT id, mask_text(${searchTextExpr}) AS text,
    concat_ws(' ', type, tool_name) AS kind
  FROM events;
  CREATE TRIGGER events_fts_delete BEFORE DELETE ON events BEGIN
    INSERT INTO events_fts(events_fts, rowid, text, kind)
      SELECT 'delete', id, text, kind FROM events_search_text WHERE id = OLD.id;
  END;
  ${refillSearchIndex}
  ${remaskStoredText}
  INSERT OR IGNORE INTO meta(key, value) VALUES ('mask_salt', lower(hex(randomblob(16))));
  INSERT OR REPLACE INTO meta(key, value)
    VALUES ('mask_fingerprint', mask_fingerprint((SELECT value FROM meta WHERE key = 'mask_salt')));
`;

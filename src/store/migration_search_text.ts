// Migration: the search view's text computed by search_text() (src/core/search_text.ts, issue
// 18; see migrations.ts, never edit once released). The writer now indexes each event with the
// text its parser computed from the payload it had just parsed, instead of walking every stored
// payload again with SQL JSON functions (a fifth of a transcript backfill); the view, which
// snippets and the delete trigger read, computes the same text with the same function. The
// text differs a little from the SQL it replaces, so the index is refilled from the new view.

import { refillSearchIndex } from "./migration_mask.ts";

export const migrationSearchText = `
  DROP TRIGGER events_fts_delete;
  DROP VIEW events_search_text;
  CREATE VIEW events_search_text(id, text, kind) AS
  SELECT id, mask_text(search_text(event_raw(raw, raw_block, id), source, type)) AS text,
    concat_ws(' ', type, tool_name) AS kind
  FROM events;
  CREATE TRIGGER events_fts_delete BEFORE DELETE ON events BEGIN
    INSERT INTO events_fts(events_fts, rowid, text, kind)
      SELECT 'delete', id, text, kind FROM events_search_text WHERE id = OLD.id;
  END;
  ${refillSearchIndex}
`;

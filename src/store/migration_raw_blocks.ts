// Migration: raw payloads compressed in blocks (issue 18; see migrations.ts, never edit once
// released; store/raw_blocks.ts). New rows of a large batch keep `raw = ''` and name their block
// in `raw_block`; rows stored before stay inline (raw_block NULL), so nothing is rewritten here.
// The search view now reads each payload through event_raw(), which returns either.

import { searchTextExpr } from "./search_text_sql.ts";

export const migrationRawBlocks = `
  CREATE TABLE raw_blocks (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
  ALTER TABLE events ADD COLUMN raw_block INTEGER;
  DROP TRIGGER events_fts_delete;
  DROP VIEW events_search_text;
  CREATE VIEW events_search_text(id, text, kind) AS
  SELECT id, mask_text(${searchTextExpr}) AS text,
    concat_ws(' ', type, tool_name) AS kind
  FROM (SELECT id, source, type, tool_name, event_raw(raw, raw_block, id) AS raw FROM events);
  CREATE TRIGGER events_fts_delete BEFORE DELETE ON events BEGIN
    INSERT INTO events_fts(events_fts, rowid, text, kind)
      SELECT 'delete', id, text, kind FROM events_search_text WHERE id = OLD.id;
  END;
`;

// The search index checked against its view: what a delete would remove is what was inserted.

import assert from "node:assert/strict";
import type { DatabaseSync } from "node:sqlite";

/**
 * The index holds exactly the tokens the view's text gives now (what a delete will remove):
 * FTS5's structural 'integrity-check', then the index compared token by token with a fresh one
 * built from the view now (a difference in any event's text shows as stale or missing tokens).
 */
export function assertIndexConsistent(db: DatabaseSync): void {
  db.exec("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')");
  db.exec(`
    CREATE VIRTUAL TABLE temp.fresh USING fts5(text, kind, tokenize = 'unicode61 remove_diacritics 2');
    INSERT INTO temp.fresh(rowid, text, kind) SELECT id, text, kind FROM events_search_text;
    CREATE VIRTUAL TABLE temp.fresh_tokens USING fts5vocab(temp, fresh, 'instance');
    CREATE VIRTUAL TABLE temp.index_tokens USING fts5vocab(main, events_fts, 'instance');`);
  try {
    const diff = db.prepare(`
      SELECT 'stale' AS what, * FROM (SELECT term, doc, col, offset FROM temp.index_tokens
        EXCEPT SELECT term, doc, col, offset FROM temp.fresh_tokens)
      UNION ALL
      SELECT 'missing', * FROM (SELECT term, doc, col, offset FROM temp.fresh_tokens
        EXCEPT SELECT term, doc, col, offset FROM temp.index_tokens) LIMIT 5`).all();
    assert.deepEqual(diff, [], "the index matches the text it would be built from now");
  } finally {
    db.exec("DROP TABLE temp.index_tokens; DROP TABLE temp.fresh_tokens; DROP TABLE temp.fresh;");
  }
}

// Keeps what is indexed and stored for display masked with the current set of .env.discord
// values. The search index (events_fts over the view events_search_text, which calls
// mask_text) holds the text as masked when each event was indexed, and its delete trigger
// recomputes that text: when the set of known values changes, text computed now would differ
// from what was indexed, and a delete with different text corrupts an FTS5 index. So before
// any write that inserts or deletes events (the writer's batch, retention) syncMasking()
// checks the set and, when it changed since the index was built, rebuilds the index and
// re-masks stored display text, inside the caller's transaction. The set's fingerprint (salted,
// of the whole set) is kept in meta so a restart with the same file rebuilds nothing.

import { knownSecretsVersion, maskSecrets } from "../../core/secrets.ts";
import type { NormalizedEvent } from "../../core/types.ts";
import { type Db, inTransaction } from "../db.ts";
import { oneRow } from "../rows.ts";
import { refillSearchIndex, remaskStoredText } from "../migration_mask.ts";

/** The version of the known set each database was last checked against (per connection). */
const checked = new WeakMap<Db, number>();

/**
 * Brings the index and stored display text in line with the current set of known secret
 * values; call inside a write transaction. Returns whether anything was rebuilt.
 */
export function syncMasking(db: Db): boolean {
  const version = knownSecretsVersion();
  if (checked.get(db) === version) return false;
  const row = oneRow(
    db.prepare(
      `SELECT mask_fingerprint((SELECT value FROM meta WHERE key = 'mask_salt')) AS now,
         (SELECT value FROM meta WHERE key = 'mask_fingerprint') AS indexed`,
    ),
    { now: "text", indexed: "text?" },
  );
  let rebuilt = false;
  if (row && row.now !== row.indexed) {
    db.exec(refillSearchIndex);
    db.exec(remaskStoredText);
    db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('mask_fingerprint', ?)").run(
      row.now,
    );
    rebuilt = true;
  }
  checked.set(db, version);
  return rebuilt;
}

/** syncMasking in a transaction of its own, only when the set changed (for idle moments). */
export function syncMaskingNow(db: Db): boolean {
  if (checked.get(db) === knownSecretsVersion()) return false;
  return inTransaction(db, () => syncMasking(db));
}

/** The event with its display text (summary, tool input and error) masked: what is stored. */
export function maskedForStore(ev: NormalizedEvent): NormalizedEvent {
  const summary = maskSecrets(ev.summary);
  let effects = ev.toolEffects;
  for (let i = 0; i < effects.length; i++) {
    const e = effects[i];
    const input = e.inputSummary === null ? null : maskSecrets(e.inputSummary);
    const error = e.error === null ? null : maskSecrets(e.error);
    if (input === e.inputSummary && error === e.error) continue;
    if (effects === ev.toolEffects) effects = effects.slice();
    effects[i] = { ...e, inputSummary: input, error };
  }
  return summary === ev.summary && effects === ev.toolEffects
    ? ev
    : { ...ev, summary, toolEffects: effects };
}

// SQL functions every connection to claude-dash's database needs, registered by openDb right
// after opening: the search view (events_search_text) calls mask_text, search_text and
// event_raw, so a connection without them could neither index, delete nor show a snippet of an
// event.

import type { DatabaseSync } from "node:sqlite";
import { knownSecretsFingerprint, maskSecrets } from "../core/secrets.ts";
import { searchTextOfRaw } from "../core/search_text.ts";
import { registerRawBlocks } from "./raw_blocks.ts";

/**
 * Registers mask_text(text), mask_fingerprint(salt), search_text(raw, source, type) and
 * event_raw(raw, raw_block, id) on `db`.
 */
export function registerSqlFunctions(db: DatabaseSync): void {
  // Not deterministic: the values learnt from .env.discord may grow while the server runs
  // (the writer then re-indexes: write/masking.ts).
  db.function(
    "mask_text",
    { deterministic: false },
    (text) => typeof text === "string" ? maskSecrets(text) : text,
  );
  db.function(
    "mask_fingerprint",
    { deterministic: false },
    (salt) => knownSecretsFingerprint(typeof salt === "string" ? salt : ""),
  );
  // The writer indexes the text its parser computed with the same function (core/search_text.ts).
  db.function(
    "search_text",
    { deterministic: true },
    (raw, source, type) =>
      typeof raw === "string" ? searchTextOfRaw(raw, String(source), String(type)) : null,
  );
  registerRawBlocks(db);
}

// SQL functions every connection to claude-dash's database needs, registered by openDb right
// after opening: the search view (events_search_text) calls mask_text, so a connection without
// it could neither index, delete nor show a snippet of an event.

import type { DatabaseSync } from "node:sqlite";
import { knownSecretsFingerprint, maskSecrets } from "../core/secrets.ts";

/** Registers mask_text(text) and mask_fingerprint(salt) on `db`. */
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
}

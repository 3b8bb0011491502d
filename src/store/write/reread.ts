// A re-read pass (a transcript truncated or replaced, read again from the start) must not
// store again what is already stored for the file: lines with a uuid are looked up by it,
// uuid-less lines (summaries, snapshots) by the content hash at the end of their key.

import type { NormalizedEvent } from "../../core/types.ts";
import type { Db } from "../db.ts";

/** Re-read passes whose stored line hashes are kept in memory at once (normally one). */
const maxRereadSets = 4;

/** The content hash at the end of a transcript event's key (`tr:<path>:<offset>:<hash>`). */
function lineHash(key: string): string {
  return key.slice(key.lastIndexOf(":") + 1);
}

export class RereadFilter {
  #uuidSeen;
  #fileKeys;
  /** Hashes of the uuid-less lines stored for files in a re-read pass, by file id. */
  #hashes = new Map<number, Set<string>>();

  constructor(db: Db) {
    this.#uuidSeen = db.prepare("SELECT 1 AS x FROM events WHERE file_id = ? AND uuid = ? LIMIT 1");
    // A file's events by the prefix of their key (the unique key index answers the range).
    this.#fileKeys = db.prepare(
      "SELECT key FROM events WHERE key >= ? AND key < ? AND file_id = ? AND uuid IS NULL",
    );
  }

  /**
   * Content hashes of the uuid-less transcript lines stored for a file, loaded once per re-read
   * pass: a summary or snapshot line moved to another offset by a rewrite is not stored again.
   */
  storedHashes(fileId: number, path: string): Set<string> {
    let set = this.#hashes.get(fileId);
    if (set) return set;
    if (this.#hashes.size >= maxRereadSets) this.#hashes.clear();
    set = new Set<string>();
    const rows = this.#fileKeys.all(`tr:${path}:`, `tr:${path};`, fileId) as Array<{ key: string }>;
    for (const r of rows) set.add(lineHash(r.key));
    this.#hashes.set(fileId, set);
    return set;
  }

  /** The file is not (or no longer) in a re-read pass: forget its hashes. */
  end(fileId: number): void {
    this.#hashes.delete(fileId);
  }

  /** Whether a transcript event read in a re-read pass is already stored for the file. */
  alreadyStored(fileId: number, hashes: Set<string>, ev: NormalizedEvent): boolean {
    return ev.uuid
      ? this.#uuidSeen.get(fileId, ev.uuid) !== undefined
      : hashes.has(lineHash(ev.key));
  }

  /** Notes a uuid-less line just stored in a re-read pass. */
  stored(hashes: Set<string>, ev: NormalizedEvent): void {
    if (!ev.uuid) hashes.add(lineHash(ev.key));
  }
}

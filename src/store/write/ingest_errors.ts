// The ingest_errors table: bad lines and unreadable files, at most maxErrorsPerFile listed per
// file plus one summary row (offset -2) that keeps a running total of the rest.

import type { IngestError } from "../../core/types.ts";
import { maxErrorsPerFile } from "../../core/config.ts";
import type { Db } from "../db.ts";

export class IngestErrorWrites {
  #db: Db;
  #insert;
  #count;
  #clear;
  #any;
  /** Whether the table may hold a row: a clear of an empty table is skipped (a cold backfill
   * clears each new hook file's errors, of which there are none). Known again in each write
   * transaction (begin()), since another connection may have stored errors meanwhile. */
  #maybeAny = true;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(`
      INSERT INTO ingest_errors(path, offset, reason, ts) VALUES (?,?,?,?)
      ON CONFLICT(path, offset) DO UPDATE SET reason = excluded.reason, ts = excluded.ts`);
    this.#count = db.prepare("SELECT count(*) AS n FROM ingest_errors WHERE path = ?");
    this.#clear = db.prepare("DELETE FROM ingest_errors WHERE path = ?");
    this.#any = db.prepare("SELECT EXISTS (SELECT 1 FROM ingest_errors) AS any");
  }

  /** At the start of a write transaction: whether any error is stored now. */
  begin(): void {
    this.#maybeAny = (this.#any.get() as { any: number }).any === 1;
  }

  /** Records one error now. */
  record(e: IngestError): void {
    this.#maybeAny = true;
    this.#insert.run(e.path, e.offset ?? -1, e.reason, Date.now());
  }

  /** Drops every error recorded for a path. */
  clear(path: string): void {
    if (this.#maybeAny) this.#clear.run(path);
  }

  /** Stores a read's errors of one file, up to the per-file cap. */
  store(path: string, errors: IngestError[], now: number): void {
    if (errors.length === 0) return;
    this.#maybeAny = true;
    let stored = (this.#count.get(path) as { n: number }).n;
    let notListed = 0;
    for (const e of errors) {
      if (stored >= maxErrorsPerFile) {
        notListed++;
        continue;
      }
      this.#insert.run(path, e.offset ?? -1, e.reason, now);
      stored++;
    }
    if (notListed > 0) {
      // The summary row keeps a running total across reads of the same file.
      const earlier = this.#db.prepare(
        "SELECT reason FROM ingest_errors WHERE path = ? AND offset = -2",
      ).get(path) as { reason: string } | undefined;
      const total = notListed + (earlier ? parseInt(earlier.reason, 10) || 0 : 0);
      this.#insert.run(path, -2, `${total}+ more bad lines in this file, not listed`, now);
    }
  }
}

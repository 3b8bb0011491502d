// Opens claude-dash's own SQLite database (never the user's files) and brings its schema
// up to date. WAL so readers (HTTP) never wait for the ingest writer.

import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { migrations } from "./migrations.ts";
import { oneLine } from "../core/text.ts";
import { costOf } from "../core/pricing.ts";
import { registerSqlFunctions } from "./sql_functions.ts";

export type Db = DatabaseSync;

/** Opens (creating if needed) the database at `path` and applies pending migrations. */
export function openDb(path: string): Db {
  if (path !== ":memory:") Deno.mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // Only takes on a new file (before its first table): such a database can be vacuumed without
  // ATTACH, which the sandbox forbids (store/compact.ts rewrites an older one on request).
  db.exec("PRAGMA auto_vacuum = INCREMENTAL");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("PRAGMA cache_size = -32000");
  db.exec("PRAGMA temp_store = MEMORY");
  // Migration 6 rewrites stored summaries as display text with the ingest's own function.
  db.function(
    "display_text",
    { deterministic: true },
    (text: unknown) => typeof text === "string" ? oneLine(text, Math.max(text.length, 1)) : null,
  );
  // Migration 7 prices the tokens a streaming message gained with the built-in table.
  db.function(
    "message_cost",
    { deterministic: true },
    (model, i, o, cc, cc1h, cr) =>
      costOf(typeof model === "string" ? model : null, {
        input_tokens: Number(i),
        output_tokens: Number(o),
        cache_creation_tokens: Number(cc),
        cache_creation_1h_tokens: Number(cc1h),
        cache_read_tokens: Number(cr),
      }),
  );
  registerSqlFunctions(db);
  migrate(db);
  return db;
}

/**
 * How many migrations the database at `path` still needs: 0 when it is current, or when there
 * is none yet (a new one is made in milliseconds), or it cannot be read (opening it says why).
 */
export function pendingMigrations(path: string): number {
  if (path === ":memory:") return 0;
  let db: DatabaseSync;
  try {
    Deno.statSync(path);
    db = new DatabaseSync(path, { readOnly: true });
  } catch {
    return 0;
  }
  try {
    const version = schemaVersion(db);
    return version === 0 ? 0 : Math.max(0, migrations.length - version);
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

export function schemaVersion(db: Db): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}

function migrate(db: Db): void {
  const from = schemaVersion(db);
  if (from > migrations.length) {
    throw new Error(
      `database schema version ${from} is newer than this claude-dash (${migrations.length}); upgrade claude-dash`,
    );
  }
  for (let v = from; v < migrations.length; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migrations[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (e) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw e;
    }
  }
}

/**
 * Runs `fn` with this connection's automatic checkpoints off, because another connection (the
 * backfill worker's, with a large WAL allowance) checkpoints meanwhile: a write made here must not
 * copy that WAL into the database on this thread. The setting is restored afterwards.
 */
export async function checkpointsElsewhere<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const row = db.prepare("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint?: number };
  const was = row?.wal_autocheckpoint ?? 1000;
  db.exec("PRAGMA wal_autocheckpoint = 0");
  try {
    return await fn();
  } finally {
    if (db.isOpen) db.exec(`PRAGMA wal_autocheckpoint = ${was}`);
  }
}

/** Runs `fn` inside one write transaction. */
export function inTransaction<T>(db: Db, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (e) {
    // SQLite has already rolled back after a full disk or an I/O error: a second ROLLBACK
    // would throw "no transaction is active" and hide the cause.
    if (db.isTransaction) db.exec("ROLLBACK");
    throw e;
  }
}

// Compacting claude-dash's own database without ATTACH. Under the server's sandbox the runtime's
// node:sqlite allows no attached database, so neither VACUUM nor VACUUM INTO can run. A database
// created with auto_vacuum = INCREMENTAL (every new one, see db.ts) gives its free pages back
// with PRAGMA incremental_vacuum; an older one is rewritten once, at the next start, by a plain
// copy through a second connection (schema from sqlite_master, rows table by table) into
// `<db>.compact-tmp`, which is checked and then renamed over the original. Nothing else holds a
// connection then, so no live handle has to be swapped under the running server.

import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { allRows, oneRow } from "./rows.ts";
import { compactCopyBatchRows } from "../core/config.ts";
import { registerSqlFunctions } from "./sql_functions.ts";

/** The settings-table key that asks for the rewrite at the next start (its value: when asked). */
export const compactRequestKey = "compact_on_start";

/** What a start-time rewrite did. */
export interface CompactResult {
  ok: boolean;
  bytes_before: number;
  bytes_after: number;
  ms: number;
  /** One line for the log: what was done, or why not. */
  note: string;
}

/** The database's size by its own page counts (no file outside it is looked at). */
export function dbBytes(db: DatabaseSync): number {
  const r = oneRow(
    db.prepare(
      "SELECT p.page_count * s.page_size AS n FROM pragma_page_count() p, pragma_page_size() s",
    ),
    { n: "int" },
  );
  return r?.n ?? 0;
}

/** True when the database can give free pages back in place (auto_vacuum = INCREMENTAL). */
export function isIncremental(db: DatabaseSync): boolean {
  return oneRow(db.prepare("PRAGMA auto_vacuum"), { auto_vacuum: "int" })?.auto_vacuum === 2;
}

/** Why the rewrite was asked for: a vacuum of an older database, or payloads packed in place. */
export type CompactionReason = "vacuum" | "repacked";

/**
 * Asks for the one-time rewrite at the next start (stored in the settings table). "repacked":
 * rows shrank in place (store/write/repack.ts) and left their pages sparse, which only a rewrite
 * gives back, so it is done even for an incremental database.
 */
export function requestCompaction(
  db: DatabaseSync,
  nowMs: number,
  reason: CompactionReason = "vacuum",
): void {
  db.prepare(
    `INSERT INTO settings (key, value, updated_ms) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`,
  ).run(compactRequestKey, reason === "vacuum" ? String(nowMs) : `${reason} ${nowMs}`, nowMs);
}

/** The pending request's reason, or null when none is pending. */
export function compactionRequested(db: DatabaseSync): CompactionReason | null {
  if (!requested(db)) return null;
  const v = oneRow(
    db.prepare("SELECT value FROM settings WHERE key = ?"),
    { value: "text" },
    compactRequestKey,
  )?.value;
  return v?.startsWith("repacked") ? "repacked" : "vacuum";
}

function requested(db: DatabaseSync): boolean {
  const table = oneRow(
    db.prepare(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'settings'",
    ),
    { n: "int" },
  );
  if (!table?.n) return false;
  return oneRow(
    db.prepare("SELECT count(*) AS n FROM settings WHERE key = ?"),
    { n: "int" },
    compactRequestKey,
  )?.n === 1;
}

function clearRequest(db: DatabaseSync): void {
  db.prepare("DELETE FROM settings WHERE key = ?").run(compactRequestKey);
}

const exists = (path: string) => {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * Rewrites the database at `path` compactly, as auto_vacuum = INCREMENTAL, when a vacuum asked
 * for it; null when none did (or the database cannot be read). Call before anything opens the
 * database. Never throws: a failed rewrite leaves the original as it was, and is not tried again
 * unless another process held the database open (then at the next start).
 */
export function compactIfRequested(path: string): CompactResult | null {
  if (path === ":memory:" || !exists(path)) return null;
  const t0 = performance.now();
  const tmp = `${path}.compact-tmp`;
  let src: DatabaseSync;
  try {
    src = new DatabaseSync(path);
    registerSqlFunctions(src);
    if (!requested(src)) {
      src.close();
      return null;
    }
  } catch {
    return null; // a database that cannot be read is the start's to report (db_health.ts)
  }
  const result = (ok: boolean, before: number, after: number, note: string) => ({
    ok,
    bytes_before: before,
    bytes_after: after,
    ms: performance.now() - t0,
    note,
  });
  try {
    if (isIncremental(src) && compactionRequested(src) !== "repacked") {
      clearRequest(src);
      return result(true, dbBytes(src), dbBytes(src), "already incremental: nothing to rewrite");
    }
    src.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const before = dbBytes(src);
    // A leftover of an interrupted rewrite (or anything else at that name) goes first; removing
    // a link removes the link, never what it points to.
    if (exists(tmp)) Deno.removeSync(tmp);
    // The copy does not carry the request; the original keeps it until replaced.
    copyDatabase(src, tmp);
    src.close();
    // The last connection to close removes the -wal; one still there means another process
    // has the database open, and renaming under it would lose its writes.
    if (exists(`${path}-wal`)) {
      Deno.removeSync(tmp);
      return result(false, before, before, "another process has the database open: not rewritten");
    }
    Deno.renameSync(tmp, path);
    const done = new DatabaseSync(path);
    try {
      return result(true, before, dbBytes(done), "rewritten as an incrementally vacuumed database");
    } finally {
      done.close();
    }
  } catch (e) {
    try {
      if (exists(tmp)) Deno.removeSync(tmp);
    } catch {
      // the leftover is removed at the next attempt
    }
    return result(false, 0, 0, `not rewritten: ${e instanceof Error ? e.message : e}`);
  } finally {
    // Still open: it failed before the copy was done, and is not tried again at every start.
    if (src.isOpen) {
      try {
        if (requested(src)) clearRequest(src);
      } catch {
        // a database that cannot be written keeps its request; the start reports the rest
      }
      src.close();
    }
  }
}

interface SchemaEntry {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

const shadowSuffixes = ["_data", "_idx", "_content", "_docsize", "_config"];

/** Copies every table's rows and the schema of `src` into a new database file at `dest`. */
function copyDatabase(src: DatabaseSync, dest: string): void {
  const entries = allRows(
    src.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"),
    { type: "text", name: "text", tbl_name: "text", sql: "text?" },
  );
  const virtual = entries.filter((e) =>
    e.type === "table" && /^\s*CREATE\s+VIRTUAL/i.test(e.sql ?? "")
  );
  const shadow = new Set(virtual.flatMap((v) => shadowSuffixes.map((s) => `${v.name}${s}`)));
  const plain = entries.filter((e) =>
    e.type === "table" && e.sql && !virtual.includes(e) && !shadow.has(e.name) &&
    !e.name.startsWith("sqlite_")
  );
  const out = new DatabaseSync(dest);
  // The search view the full-text index is filled from calls them.
  registerSqlFunctions(out);
  try {
    out.exec("PRAGMA auto_vacuum = INCREMENTAL");
    const pageSize = oneRow(src.prepare("PRAGMA page_size"), { page_size: "int" })?.page_size;
    if (pageSize) out.exec(`PRAGMA page_size = ${pageSize}`);
    // A scratch file until it is checked: no journal, but each batch's commit is synced, so the
    // renamed file is on disk.
    out.exec("PRAGMA journal_mode = OFF");
    out.exec("PRAGMA synchronous = NORMAL");
    for (const t of plain) out.exec(t.sql!);
    for (const t of plain) copyRows(src, out, t);
    const later = (type: string) => entries.filter((e) => e.type === type && e.sql);
    // Indexes after the rows (one sort each, not one insert per row per index), triggers last
    // so the copied rows fire none of them.
    for (const e of [...later("index"), ...later("view"), ...virtual]) out.exec(e.sql!);
    for (const v of virtual) fillVirtual(src, out, v);
    if (entries.some((e) => e.name === "sqlite_sequence")) {
      const seq = allRows(src.prepare("SELECT name, seq FROM sqlite_sequence"), {
        name: "text",
        seq: "int",
      });
      const put = out.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)");
      for (const s of seq) put.run(s.name, s.seq);
    }
    for (const e of later("trigger")) out.exec(e.sql!);
    const version = oneRow(src.prepare("PRAGMA user_version"), { user_version: "int" });
    out.exec(`PRAGMA user_version = ${version?.user_version ?? 0}`);
    checkCopy(src, out, plain.map((t) => t.name));
    // The rewrite asked for is done: the copy does not ask again.
    clearRequest(out);
  } finally {
    out.close();
  }
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every row of one table, read as stored (integers as bigint, so none loses precision). */
function copyRows(src: DatabaseSync, out: DatabaseSync, t: SchemaEntry): void {
  const cols = allRows(src.prepare(`SELECT name, hidden FROM pragma_table_xinfo(?)`), {
    name: "text",
    hidden: "int",
  }, t.name).filter((c) => c.hidden === 0).map((c) => quote(c.name));
  // A table with a rowid keeps it (the full-text index and foreign references use it).
  const withRowid = !/WITHOUT\s+ROWID\s*$/i.test(t.sql!.trim());
  const names = withRowid ? ["_rowid_", ...cols] : cols;
  copyBatched(out, readAll(src, names, quote(t.name)), insertInto(out, quote(t.name), names));
}

/** The rows of `from` as value lists in the order of `names` (aliased: names may repeat). */
function* readAll(src: DatabaseSync, names: string[], from: string): Generator<SQLInputValue[]> {
  const read = src.prepare(
    `SELECT ${names.map((n, i) => `${n} AS c${i}`).join(", ")} FROM ${from}`,
  );
  read.setReadBigInts(true);
  for (const row of read.iterate()) yield names.map((_, i) => row[`c${i}`] ?? null);
}

function insertInto(out: DatabaseSync, table: string, names: string[]): StatementSync {
  const cols = names.map((n) => n === "_rowid_" ? "rowid" : n);
  return out.prepare(
    `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
  );
}

function copyBatched(out: DatabaseSync, rows: Iterable<SQLInputValue[]>, write: StatementSync) {
  let n = 0;
  out.exec("BEGIN");
  for (const row of rows) {
    write.run(...row);
    if (++n % compactCopyBatchRows === 0) {
      out.exec("COMMIT");
      out.exec("BEGIN");
    }
  }
  out.exec("COMMIT");
}

/**
 * An external-content full-text index is filled from its content as migration 3 did ('rebuild'
 * fails when the content is a view over json_each); any other virtual table is copied.
 */
function fillVirtual(src: DatabaseSync, out: DatabaseSync, v: SchemaEntry): void {
  const name = quote(v.name);
  const cols = out.prepare(`SELECT * FROM ${name} LIMIT 0`).columns().map((c) => quote(c.name));
  const content = /content\s*=\s*'([^']+)'/i.exec(v.sql ?? "")?.[1];
  if (content) {
    const rowid = /content_rowid\s*=\s*'([^']+)'/i.exec(v.sql ?? "")?.[1] ?? "_rowid_";
    out.exec(
      `INSERT INTO ${name} (rowid, ${cols.join(", ")}) SELECT ${quote(rowid)}, ${
        cols.join(", ")
      } FROM ${quote(content)}`,
    );
    return;
  }
  const names = ["_rowid_", ...cols];
  copyBatched(out, readAll(src, names, name), insertInto(out, name, names));
}

/** The copy is sound and holds every row: otherwise the rewrite stops before the rename. */
function checkCopy(src: DatabaseSync, out: DatabaseSync, tables: string[]): void {
  const check = allRows(out.prepare("PRAGMA quick_check"), { quick_check: "text" });
  if (check.length !== 1 || check[0].quick_check !== "ok") {
    throw new Error(`the copy failed its check: ${check[0]?.quick_check ?? "no answer"}`);
  }
  for (const t of tables) {
    const count = (db: DatabaseSync) =>
      oneRow(db.prepare(`SELECT count(*) AS n FROM ${quote(t)}`), { n: "int" })?.n;
    if (count(src) !== count(out)) throw new Error(`the copy of ${t} lost rows`);
  }
}

// The physical limit on this machine for what backfill does, measured on the same data:
// reading the hook files, JSON.parse of the transcript JSONL, and node:sqlite batched inserts
// of the very rows claude-dash stored (same columns, same indexes, no triggers), with nothing
// else around them.

import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { registerSqlFunctions } from "../src/store/sql_functions.ts";

export interface ReadLimit {
  files: number;
  bytes: number;
  /** Fastest of the two ways below, files/s. */
  filesPerS: number;
  syncFilesPerS: number;
  asyncFilesPerS: number;
  /** JSON.parse of the same files' text, files/s (read excluded). */
  parseFilesPerS: number;
}

function hookPaths(claudeDir: string): string[] {
  const dir = join(claudeDir, "hooks/logs/raw_json");
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile && e.name.endsWith(".json")) out.push(join(dir, e.name));
  }
  return out.sort();
}

/** Reads every hook file: one by one (sync), and 32 at a time (async, as the ingester does). */
export async function hookReadLimit(claudeDir: string): Promise<ReadLimit> {
  const paths = hookPaths(claudeDir);
  let bytes = 0;
  let t0 = performance.now();
  const texts: Uint8Array[] = [];
  for (const p of paths) {
    const b = Deno.readFileSync(p);
    bytes += b.length;
    texts.push(b);
  }
  const syncMs = performance.now() - t0;

  t0 = performance.now();
  for (let i = 0; i < paths.length; i += 32) {
    await Promise.all(paths.slice(i, i + 32).map((p) => Deno.readFile(p)));
  }
  const asyncMs = performance.now() - t0;

  const decoder = new TextDecoder();
  t0 = performance.now();
  let keys = 0;
  for (const b of texts) keys += Object.keys(JSON.parse(decoder.decode(b))).length;
  const parseMs = performance.now() - t0;
  if (keys < 0) console.log(keys); // keep the parse observable

  const n = paths.length;
  const syncFilesPerS = n / (syncMs / 1000);
  const asyncFilesPerS = n / (asyncMs / 1000);
  return {
    files: n,
    bytes,
    filesPerS: Math.max(syncFilesPerS, asyncFilesPerS),
    syncFilesPerS,
    asyncFilesPerS,
    parseFilesPerS: n / (parseMs / 1000),
  };
}

export interface ParseLimit {
  files: number;
  lines: number;
  bytes: number;
  /** read + decode + split + JSON.parse of every line, MB/s (MiB). */
  mbPerS: number;
  linesPerS: number;
}

function jsonlPaths(dir: string, out: string[] = []): string[] {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) jsonlPaths(p, out);
    else if (e.isFile && e.name.endsWith(".jsonl")) out.push(p);
  }
  return out;
}

/** Read + JSON.parse of every line of every transcript under claudeDir/projects. */
export function jsonParseLimit(claudeDir: string): ParseLimit {
  const paths = jsonlPaths(join(claudeDir, "projects")).sort();
  const decoder = new TextDecoder();
  let bytes = 0;
  let lines = 0;
  let sink = 0;
  const t0 = performance.now();
  for (const p of paths) {
    const b = Deno.readFileSync(p);
    bytes += b.length;
    const text = decoder.decode(b);
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      const end = nl === -1 ? text.length : nl;
      if (end > start) {
        const v = JSON.parse(text.slice(start, end));
        if (v && typeof v === "object") sink++;
        lines++;
      }
      if (nl === -1) break;
      start = nl + 1;
    }
  }
  const ms = performance.now() - t0;
  if (sink < 0) console.log(sink);
  return {
    files: paths.length,
    lines,
    bytes,
    mbPerS: bytes / 1024 / 1024 / (ms / 1000),
    linesPerS: lines / (ms / 1000),
  };
}

export interface InsertLimit {
  rows: number;
  bytes: number;
  rowsPerS: number;
  mbPerS: number;
  batchRows: number;
}

const columns =
  "key, source, session_id, ts, type, tool_name, tool_use_id, summary, cwd, uuid, is_sidechain, error_kind, file_id, offset, raw";

/**
 * Copies the events rows claude-dash stored in `ourDb` into a fresh database beside it — a
 * plain table with the same columns and the same indexes (no triggers, no other tables) —
 * with one prepared INSERT and `batchRows` rows per transaction, like a minimal ingester.
 */
export function insertLimit(ourDbPath: string, scratchPath: string, batchRows = 5000): InsertLimit {
  const src = new DatabaseSync(ourDbPath);
  const schema = src.prepare(
    "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'events' AND type IN ('table','index') AND sql IS NOT NULL ORDER BY type DESC",
  ).all() as Array<{ type: string; sql: string }>;
  // Payloads as read (inline here, whether claude-dash keeps them inline or in blocks).
  registerSqlFunctions(src);
  const read = columns.replace(/, raw$/, ", event_raw(raw, raw_block, id) AS raw");
  const rows = src.prepare(`SELECT ${read} FROM events ORDER BY id`).all() as Array<
    Record<string, string | number | null>
  >;
  src.close();
  const values = rows.map((r) => [
    r.key,
    r.source,
    r.session_id,
    r.ts,
    r.type,
    r.tool_name,
    r.tool_use_id,
    r.summary,
    r.cwd,
    r.uuid,
    r.is_sidechain,
    r.error_kind,
    r.file_id,
    r.offset,
    r.raw,
  ]);
  let bytes = 0;
  for (const r of rows) bytes += (r.raw as string).length;

  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      Deno.removeSync(scratchPath + suffix);
    } catch { /* absent */ }
  }
  const db = new DatabaseSync(scratchPath);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA cache_size = -32000");
  for (const s of schema) db.exec(s.sql);
  const insert = db.prepare(
    `INSERT OR IGNORE INTO events(${columns}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const t0 = performance.now();
  for (let i = 0; i < values.length; i += batchRows) {
    db.exec("BEGIN IMMEDIATE");
    const end = Math.min(values.length, i + batchRows);
    for (let j = i; j < end; j++) insert.run(...values[j]);
    db.exec("COMMIT");
  }
  const ms = performance.now() - t0;
  db.close();
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      Deno.removeSync(scratchPath + suffix);
    } catch { /* absent */ }
  }
  return {
    rows: rows.length,
    bytes,
    rowsPerS: rows.length / (ms / 1000),
    mbPerS: bytes / 1024 / 1024 / (ms / 1000),
    batchRows,
  };
}

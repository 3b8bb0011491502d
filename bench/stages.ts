// Where backfill time goes: claude-dash's own stages run alone on the same data — the parsers
// over bytes already in memory, then the Writer storing the parsed batches into a fresh
// database, batched like the ingester batches them. Compared with the whole backfill, what is
// left is listing, reading, cursor bookkeeping and scheduling.

import { join } from "node:path";
import { openDb } from "../src/store/db.ts";
import { type FileUpdate, Writer } from "../src/store/write/writer.ts";
import { parseHookFile } from "../src/ingest/parse/hook.ts";
import { parseTranscriptChunk, sessionIdFromPath } from "../src/ingest/parse/transcript.ts";
import { transcriptChunkBytes } from "../src/core/config.ts";

export interface StageTimes {
  files: number;
  bytes: number;
  events: number;
  parseMs: number;
  storeMs: number;
}

function sourceFiles(claudeDir: string): Array<{ rel: string; kind: "hook" | "transcript" }> {
  const out: Array<{ rel: string; kind: "hook" | "transcript" }> = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(join(claudeDir, rel))) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory) walk(r);
      else if (e.isFile && e.name.endsWith(".jsonl")) out.push({ rel: r, kind: "transcript" });
    }
  };
  for (const e of Deno.readDirSync(join(claudeDir, "hooks/logs/raw_json"))) {
    if (e.isFile && e.name.endsWith(".json")) {
      out.push({ rel: `hooks/logs/raw_json/${e.name}`, kind: "hook" });
    }
  }
  walk("projects");
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

/** Parses every source file of `claudeDir` from memory, then stores it all into `dbPath`. */
export function ourStages(claudeDir: string, dbPath: string): StageTimes {
  const files = sourceFiles(claudeDir).map((f) => {
    const abs = join(claudeDir, f.rel);
    return { ...f, bytes: Deno.readFileSync(abs), mtimeMs: Deno.statSync(abs).mtime!.getTime() };
  });
  let bytes = 0;
  for (const f of files) bytes += f.bytes.length;

  const t0 = performance.now();
  const updates: FileUpdate[] = [];
  let events = 0;
  for (const f of files) {
    const cursor = {
      path: f.rel,
      kind: f.kind,
      size: f.bytes.length,
      mtimeMs: f.mtimeMs,
      offset: f.bytes.length,
      headHash: null,
      generation: 0,
      skipToNewline: false,
      lastTs: null as number | null,
      state: "ok" as const,
    };
    if (f.kind === "hook") {
      const p = parseHookFile(f.rel, f.bytes, f.mtimeMs);
      updates.push({
        cursor,
        events: "event" in p ? [p.event] : [],
        errors: "error" in p ? [p.error] : [],
        clearErrors: true,
        rereading: false,
      });
      events += "event" in p ? 1 : 0;
    } else {
      const c = parseTranscriptChunk({
        relPath: f.rel,
        fileSessionId: sessionIdFromPath(f.rel),
        baseOffset: 0,
        mtimeMs: f.mtimeMs,
        lastTs: null,
        skipToNewline: false,
        takeUnterminated: true,
        maxLineBytes: transcriptChunkBytes,
      }, f.bytes);
      cursor.lastTs = c.lastTs;
      updates.push({
        cursor,
        events: c.events,
        errors: c.errors,
        clearErrors: false,
        rereading: false,
      });
      events += c.events.length;
    }
  }
  const parseMs = performance.now() - t0;

  const db = openDb(dbPath);
  const writer = new Writer(db);
  const t1 = performance.now();
  // The ingester's batching: a commit per 800 file updates or 16 MiB of raw input.
  let batch: FileUpdate[] = [];
  let batchBytes = 0;
  for (let i = 0; i < updates.length; i++) {
    batch.push(updates[i]);
    batchBytes += files[i].bytes.length;
    if (batch.length >= 800 || batchBytes >= 16 * 1024 * 1024) {
      writer.commit(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length > 0) writer.commit(batch);
  const storeMs = performance.now() - t1;
  db.close();
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      Deno.removeSync(dbPath + suffix);
    } catch { /* absent */ }
  }
  return { files: files.length, bytes, events, parseMs, storeMs };
}

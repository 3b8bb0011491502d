// Export at scale: streams GET /api/export (JSON Lines, then CSV) of every stored event from a
// real server process and samples that process's resident memory every 250 ms, to show the
// export runs in flat memory (one keyset page at a time) whatever the number of events.
//
//   deno run -A bench/export_bench.ts [--events 1000000] [--db FILE] [--dir DIR]
//
// The database: --db, else bench/out/export/claude-dash.db, reused when it is there and valid
// (claude-dash.db.ready.json, written after a complete ingest, says how many events it holds,
// and it holds at least --events), else generated like `bench/run.ts --full` does
// (bench/gen.ts, seed 3, ingested by the real Ingester in bench/backfill_child.ts) and kept
// there for the next run. The server reads it with an empty Claude folder, so nothing else
// runs while the export streams. bench/run.ts calls benchExport() under --full.

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { generate } from "../src/demo/workload.ts";
import { procMemory, runDenoJson, startServer } from "./procs.ts";
import { fmt, mib } from "./stats.ts";
import { migrations } from "../src/store/migrations.ts";

export interface ExportFigures {
  format: "jsonl" | "csv";
  rows: number;
  bytes: number;
  seconds: number;
  mibPerS: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  rssEndMiB: number;
  /** RSS samples taken (every 250 ms while the body streamed). */
  samples: number;
}

const sampleMs = 250;

/** Streams one export, counting rows and bytes while sampling the server's RSS. */
export async function measureExport(
  url: string,
  pid: number,
  format: "jsonl" | "csv",
): Promise<ExportFigures> {
  const rssMiB = () => (procMemory(pid)?.rssKb ?? NaN) / 1024;
  const rssStartMiB = rssMiB();
  let peak = rssStartMiB;
  let samples = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB());
    samples++;
  }, sampleMs);
  const t0 = performance.now();
  let bytes = 0;
  let newlines = 0;
  try {
    const res = await fetch(`${url}/api/export?format=${format}`);
    if (!res.ok || !res.body) throw new Error(`export ${format}: HTTP ${res.status}`);
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (let i = value.indexOf(10); i >= 0; i = value.indexOf(10, i + 1)) newlines++;
    }
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  const rssEndMiB = rssMiB();
  peak = Math.max(peak, rssEndMiB);
  return {
    format,
    // CSV: one record per line (summaries are single-line), after the header.
    rows: format === "csv" ? newlines - 1 : newlines,
    bytes,
    seconds,
    mibPerS: mib(bytes) / seconds,
    rssStartMiB,
    rssPeakMiB: peak,
    rssEndMiB,
    samples,
  };
}

/** Both exports against a running server. */
export async function benchExport(url: string, pid: number): Promise<ExportFigures[]> {
  const out: ExportFigures[] = [];
  for (const format of ["jsonl", "csv"] as const) out.push(await measureExport(url, pid, format));
  return out;
}

export function describe(f: ExportFigures): string {
  return `${f.format}: ${fmt(f.rows)} rows, ${fmt(mib(f.bytes))} MiB in ${
    f.seconds.toFixed(1)
  } s = ${fmt(f.mibPerS, 1)} MiB/s (${fmt(f.rows / f.seconds)} rows/s); server RSS start ${
    fmt(f.rssStartMiB)
  } MiB, peak ${fmt(f.rssPeakMiB)} MiB, end ${fmt(f.rssEndMiB)} MiB (${f.samples} samples)`;
}

// ---------------------------------------------------------------------------------------------
// CLI: find or build the database, start the server, measure.

const outDir = new URL("./out/export/", import.meta.url).pathname;

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

/** Events in a database that this claude-dash can open, or null when it is not usable. */
function storedEvents(path: string): number | null {
  try {
    Deno.statSync(path);
  } catch {
    return null;
  }
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const v = (db.prepare("PRAGMA user_version").get() as { user_version: number })
        .user_version;
      if (v < 3 || v > migrations.length) return null; // no search index yet, or newer code
      return (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

async function buildDatabase(dbPath: string, events: number): Promise<number> {
  const dir = await Deno.makeTempDir({ dir: option("dir"), prefix: "claude-dash-export-bench-" });
  try {
    const tree = join(dir, ".claude");
    let t0 = performance.now();
    const totals = await generate({ dir: tree, events, seed: 3 });
    console.log(
      `· generated ${fmt(totals.hookFiles)} hook files + ${fmt(totals.transcriptLines)} ` +
        `transcript lines in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(dbPath + suffix).catch(() => {});
    t0 = performance.now();
    const script = new URL("./backfill_child.ts", import.meta.url).pathname;
    const r = await runDenoJson<{ events: number; errors: number }>(script, [
      "--dir",
      tree,
      "--db",
      dbPath,
    ]);
    console.log(
      `· ingested ${fmt(r.events)} events (${r.errors} ingest errors) in ${
        ((performance.now() - t0) / 1000).toFixed(0)
      } s`,
    );
    await Deno.writeTextFile(
      `${dbPath}.ready.json`,
      JSON.stringify({ events: r.events, seed: 3, created: new Date().toISOString() }) + "\n",
    );
    return r.events;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function main(): Promise<void> {
  const want = Number(option("events") ?? 1_000_000);
  await Deno.mkdir(outDir, { recursive: true });
  const dbPath = option("db") ?? join(outDir, "claude-dash.db");
  let events = storedEvents(dbPath);
  let ready = false;
  try {
    ready = JSON.parse(await Deno.readTextFile(`${dbPath}.ready.json`)).events === events;
  } catch { /* not built by this script */ }
  if (events !== null && events >= want && ready) {
    console.log(`· reusing ${dbPath} (${fmt(events)} events)`);
  } else {
    console.log(`· building a ${fmt(want)}-event database at ${dbPath}`);
    events = await buildDatabase(dbPath, want);
  }
  const emptyClaude = await Deno.makeTempDir({ prefix: "claude-dash-export-home-" });
  const server = await startServer({ claudeDir: emptyClaude, dbPath });
  try {
    // The start-up check of the stored cursors runs first, so it is not measured with the export.
    await server.backfillDone(600_000);
    await new Promise((r) => setTimeout(r, 2000));
    const figures = await benchExport(server.url, server.pid);
    for (const f of figures) console.log(describe(f));
    console.log(JSON.stringify({ events, figures }));
    for (const f of figures) {
      if (f.rows !== events) throw new Error(`${f.format}: ${f.rows} rows, expected ${events}`);
    }
  } finally {
    await server.stop();
    await Deno.remove(emptyClaude, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();

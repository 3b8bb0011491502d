// Issue 18's memory figures, on the server as users run it (bench/procs.ts startServer passes
// the start task's V8 flags): (1) resident memory idle after start + the startup check on a
// 1M-event database, sampled once things settled; (2) peak resident memory (VmHWM) while the
// server backfills a ~250 MiB realistic transcript tree into a fresh database; (3) resident
// memory with 50 SSE clients at 100 events/s; (4) peak resident memory while the server
// backfills the whole 1M-event tree cold. `deno task bench --memory` runs only this phase
// and writes its table into bench/RESULTS.md under "## Memory (issue 18)".
//
// The generated trees and the backfilled 1M-event database are cached (default
// /tmp/claude-dash-mem18; --dir DIR) between runs: generating and backfilling 1M events
// takes minutes. The runs work on the cached database itself (a copy would need another 3 GB):
// each live run adds ~2,000 events to it, and a schema migration is applied to
// it once, in this process, before the server starts (so the server starts as on a current DB).

import { join } from "node:path";
import { generate } from "../src/demo/workload.ts";
import { type Figure, isMet, loadAvg, type Report, writePhaseResults } from "./report.ts";
import { fmt, mib } from "./stats.ts";
import { type ProcMemory, runDenoJson, type ServerProc, startServer } from "./procs.ts";
import { liveRun } from "./live_bench.ts";
import { openDb } from "../src/store/db.ts";

export interface MemoryPhaseOptions {
  /** Where the trees and the 1M-event database are cached between runs. */
  cacheDir: string;
  /** Seconds to let the server settle before sampling idle memory. */
  settleS: number;
  /** Seconds of live writing at 100 events/s with 50 clients. */
  liveSeconds: number;
  /** Measurements of each figure (the machine is shared). */
  runs: number;
  /** Backfill the cached 1M-event database again (e.g. after a schema change). */
  rebuildDb?: boolean;
  progress: (text: string) => void;
}

const section = "Memory (issue 18)";
const backfillScript = new URL("./backfill_child.ts", import.meta.url).pathname;
const storedEvents = 1_000_000;
/** Events of the realistic transcript-only tree: about 250 MiB of JSONL. */
const treeEvents = 127_000;

interface Cached {
  dir: string;
  transcriptBytes: number;
  hookFiles: number;
  transcriptLines: number;
}

/** Generates a tree once; later runs read what was written from its marker file. */
async function cachedTree(
  dir: string,
  opts: Omit<Parameters<typeof generate>[0], "dir">,
  progress: (t: string) => void,
): Promise<Cached> {
  const marker = `${dir}.done.json`;
  try {
    return JSON.parse(await Deno.readTextFile(marker));
  } catch { /* not generated yet */ }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const t0 = performance.now();
  const t = await generate({ dir, ...opts });
  const c = {
    dir,
    transcriptBytes: t.transcriptBytes,
    hookFiles: t.hookFiles,
    transcriptLines: t.transcriptLines,
  };
  await Deno.writeTextFile(marker, JSON.stringify(c));
  progress(
    `generated ${dir}: ${fmt(t.hookFiles)} hook files, ${fmt(t.transcriptLines)} lines, ${
      fmt(mib(t.transcriptBytes))
    } MiB in ${fmt((performance.now() - t0) / 1000, 1)} s`,
  );
  return c;
}

/** The 1M-event database, backfilled once by the real Ingester in a process of its own. */
async function cachedDb(tree: Cached, dbPath: string, progress: (t: string) => void) {
  const marker = `${dbPath}.done.json`;
  try {
    return JSON.parse(await Deno.readTextFile(marker)) as { ms: number; hwmKb: number };
  } catch { /* not built yet */ }
  for (const s of ["", "-wal", "-shm"]) await Deno.remove(dbPath + s).catch(() => {});
  progress(`backfilling ${fmt(storedEvents)} events into ${dbPath} (once)`);
  const r = await runDenoJson<{ ms: number; hwmKb: number; events: number }>(backfillScript, [
    "--dir",
    tree.dir,
    "--db",
    dbPath,
  ]);
  const out = { ms: r.ms, hwmKb: r.hwmKb, events: r.events };
  await Deno.writeTextFile(marker, JSON.stringify(out));
  progress(`backfilled ${fmt(r.events)} events in ${fmt(r.ms / 1000, 1)} s`);
  return out;
}

async function removeDb(path: string): Promise<void> {
  for (const s of ["", "-wal", "-shm"]) await Deno.remove(path + s).catch(() => {});
}

/** Samples the server's memory every `everyMs` until stopped: the highest and the last. */
function sampler(server: ServerProc, everyMs: number) {
  let max = 0;
  let last: ProcMemory | null = null;
  const timer = setInterval(() => {
    const m = server.memory();
    if (m) {
      last = m;
      max = Math.max(max, m.rssKb);
    }
  }, everyMs);
  return {
    stop(): { maxRssKb: number; last: ProcMemory | null } {
      clearInterval(timer);
      return { maxRssKb: max, last };
    },
  };
}

/** The server's own view of its heap (GET /api/health → memory), when it reports one. */
async function heapOf(server: ServerProc): Promise<string> {
  try {
    const res = await fetch(`${server.url}/api/health`);
    const j = await res.json();
    const m = j.memory;
    if (!m) return "";
    return `; heap used ${fmt(m.heap_used_mib, 1)} of ${fmt(m.heap_total_mib, 1)} MiB, external ${
      fmt(m.external_mib, 1)
    } MiB (Deno.memoryUsage)`;
  } catch {
    return "";
  }
}

/** CPU seconds a process has used (user + system), from /proc; NaN when unknown. */
function cpuSeconds(pid: number): number {
  try {
    const f = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the phase; returns the figures whose target was not met. */
export async function memoryPhase(report: Report, o: MemoryPhaseOptions): Promise<string[]> {
  const failures: string[] = [];
  const add = (f: Omit<Figure, "section">) => {
    const fig = report.add({ section, ...f });
    if (isMet(fig) === false) failures.push(fig.name);
  };
  await Deno.mkdir(o.cacheDir, { recursive: true });
  const stored = await cachedTree(
    join(o.cacheDir, "stored/.claude"),
    { events: storedEvents, seed: 3, realistic: true },
    o.progress,
  );
  const storedDb = join(o.cacheDir, "stored.db");
  if (o.rebuildDb) await Deno.remove(`${storedDb}.done.json`).catch(() => {});
  let built = await cachedDb(stored, storedDb, o.progress);
  const tree = await cachedTree(
    join(o.cacheDir, "tree250/.claude"),
    { events: treeEvents, seed: 18, hookShare: 0, realistic: true, spanMs: 60 * 86_400_000 },
    o.progress,
  );
  for (let run = 1; run <= o.runs; run++) {
    try {
      await idleAndLive(o, stored, storedDb, run, add);
    } catch (e) {
      // A database cached by older code the server cannot open: build it again, once.
      if (run > 1 || !/before serving/.test(String(e))) throw e;
      o.progress(`the server refused the cached database (${e}); backfilling it again`);
      await Deno.remove(`${storedDb}.done.json`).catch(() => {});
      built = await cachedDb(stored, storedDb, o.progress);
      await idleAndLive(o, stored, storedDb, run, add);
    }
    await backfillPeak(o, tree, run, add);
  }
  await coldStoredPeak(o, stored, add);
  add({
    name: "building the 1M-event database (cached): the Ingester alone, peak",
    value: built.hwmKb / 1024,
    unit: "MiB",
    note: `bench/backfill_child.ts, ${fmt(built.ms / 1000, 1)} s (no HTTP server, no V8 flags)`,
  });
  return failures;
}

/** (1) idle at 1M events, then (3) 50 SSE clients at 100 events/s, on one server. */
async function idleAndLive(
  o: MemoryPhaseOptions,
  stored: Cached,
  storedDb: string,
  run: number,
  add: (f: Omit<Figure, "section">) => void,
): Promise<void> {
  const work = storedDb;
  const m0 = performance.now();
  openDb(work).close();
  const migrateS = (performance.now() - m0) / 1000;
  if (migrateS > 1) {
    o.progress(`opened (and migrated) the cached database in ${fmt(migrateS, 1)} s`);
  }
  o.progress(`run ${run}: server on the 1M-event database; settling ${o.settleS} s`);
  const server = await startServer({ claudeDir: stored.dir, dbPath: work });
  try {
    const checkMs = await server.backfillDone(600_000);
    const s = sampler(server, 250);
    const cpu0 = cpuSeconds(server.pid);
    await sleep(o.settleS * 1000);
    const idleCpu = (cpuSeconds(server.pid) - cpu0) / o.settleS;
    const settled = s.stop();
    const heap = await heapOf(server);
    add({
      name: `RSS idle at 1M events, ${o.settleS} s after the startup check, run ${run}`,
      value: (settled.last?.rssKb ?? NaN) / 1024,
      unit: "MiB",
      target: { op: "<", value: 150, source: "issue 18" },
      note: `startup check ${fmt(checkMs / 1000, 1)} s; CPU while idle ${
        fmt(idleCpu * 100)
      } % of a core; highest while settling ${
        fmt(settled.maxRssKb / 1024)
      } MiB; VmHWM since start ${
        fmt((settled.last?.hwmKb ?? 0) / 1024)
      } MiB${heap}; load ${loadAvg()}`,
    });
    o.progress(`run ${run}: 50 SSE clients at 100 events/s for ${o.liveSeconds} s`);
    const r = await liveRun({
      url: server.url,
      claudeDir: stored.dir,
      dbPath: work,
      rate: 100,
      seconds: o.liveSeconds,
      clients: 50,
      seed: 180 + run,
      scratchDir: o.cacheDir,
      memory: server.memory,
    });
    const heapAfter = await heapOf(server);
    add({
      name: `RSS with 50 SSE clients at 100 events/s for ${o.liveSeconds} s, run ${run}`,
      value: (r.maxRssKb ?? NaN) / 1024,
      unit: "MiB",
      target: { op: "<", value: 250, source: "issue 18" },
      note: `highest VmRSS sampled every 250 ms; ${r.connected} clients connected, ${
        fmt(r.delivered)
      } of ${fmt(r.written * r.connected)} deliveries${heapAfter}; load ${loadAvg()}`,
    });
  } finally {
    await server.stop();
  }
}

/** What the server did backfilling a tree into a fresh database (freshBackfill). */
interface FreshBackfill {
  ms: number;
  /** Peak RSS (VmHWM) up to the end of the backfill, KiB. */
  hwmKb: number;
  /** The load average when the backfill ended. */
  load: string;
  /** RSS `settleS` seconds after the backfill, KiB, and the server's view of its heap then. */
  settledRssKb: number;
  heap: string;
}

/** Starts the server on `claudeDir` with a fresh database `db`, waits for its backfill and then
 * `o.settleS` seconds, and removes the database again. */
async function freshBackfill(
  o: MemoryPhaseOptions,
  claudeDir: string,
  db: string,
  timeoutMs: number,
): Promise<FreshBackfill> {
  await removeDb(db);
  const server = await startServer({ claudeDir, dbPath: db });
  try {
    const s = sampler(server, 100);
    const ms = await server.backfillDone(timeoutMs);
    const during = s.stop();
    const hwmKb = server.memory()?.hwmKb ?? during.last?.hwmKb ?? NaN;
    const load = loadAvg();
    const after = sampler(server, 250);
    await sleep(o.settleS * 1000);
    const settled = after.stop();
    const heap = await heapOf(server);
    return { ms, hwmKb, load, settledRssKb: settled.last?.rssKb ?? NaN, heap };
  } finally {
    await server.stop();
    await removeDb(db);
  }
}

/** (2) peak RSS while the server backfills the ~250 MiB tree into a fresh database. */
async function backfillPeak(
  o: MemoryPhaseOptions,
  tree: Cached,
  run: number,
  add: (f: Omit<Figure, "section">) => void,
): Promise<void> {
  o.progress(`run ${run}: server backfilling the ${fmt(mib(tree.transcriptBytes))} MiB tree`);
  const r = await freshBackfill(o, tree.dir, join(o.cacheDir, "tree250-work.db"), 900_000);
  add({
    name: `peak RSS (VmHWM) while the server backfills ${
      fmt(mib(tree.transcriptBytes))
    } MiB of transcripts, run ${run}`,
    value: r.hwmKb / 1024,
    unit: "MiB",
    target: { op: "<", value: 250, source: "issue 18" },
    note: `${fmt(tree.transcriptLines)} lines; backfill ${fmt(r.ms / 1000, 1)} s (${
      fmt(mib(tree.transcriptBytes) / (r.ms / 1000), 1)
    } MiB/s); load ${r.load}`,
  });
  add({
    name: `RSS ${o.settleS} s after that backfill, run ${run}`,
    value: r.settledRssKb / 1024,
    unit: "MiB",
    note: `what the backfill leaves behind${r.heap}`,
  });
}

/**
 * (4) peak RSS while the server backfills the whole 1M-event tree (3 GB, ~420k hook files) into
 * a fresh database: the "a 4 GB tree ingests within the memory target", at the size a
 * notifier's heavy user has. Once, it takes minutes.
 */
async function coldStoredPeak(
  o: MemoryPhaseOptions,
  stored: Cached,
  add: (f: Omit<Figure, "section">) => void,
): Promise<void> {
  o.progress(`server backfilling the 1M-event tree (${fmt(stored.hookFiles)} hook files) cold`);
  const r = await freshBackfill(o, stored.dir, join(o.cacheDir, "stored-cold-work.db"), 1_800_000);
  add({
    name: `peak RSS (VmHWM) while the server backfills the 1M-event tree cold`,
    value: r.hwmKb / 1024,
    unit: "MiB",
    target: { op: "<", value: 250, source: "issue 18: a 4 GB tree within the memory target" },
    note: `${fmt(stored.hookFiles)} hook files and ${
      fmt(mib(stored.transcriptBytes))
    } MiB of transcripts; backfill ${fmt(r.ms / 1000, 1)} s; RSS ${o.settleS} s after it ${
      fmt(r.settledRssKb / 1024, 1)
    } MiB; load ${r.load}`,
  });
}

/** This phase's block in bench/RESULTS.md. */
const phase = { tag: "memory18", flag: "memory", script: "bench/memory_bench.ts", section };

/** Writes the phase's figures as a table into bench/RESULTS.md (inside the kept analysis). */
export async function writeMemoryResults(
  report: Report,
  wallS: number,
  dataDir: string,
): Promise<string> {
  return await writePhaseResults(phase, report, {
    wallS,
    dataDir,
    how: "the server started as users start it (the start task's V8 flags), memory from /proc " +
      "(VmRSS, VmHWM)",
  });
}

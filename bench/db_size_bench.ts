// Issue 18: a smaller database and a faster full backfill. `deno task bench --db-size` generates a
// realistic tree (src/demo/workload.ts, `realistic: true`, half the sessions' hooks without
// tool_use_id as Claude Code 1.0.x wrote them), backfills it with the real Ingester in a child
// process, and prints the source bytes, the database's bytes after a checkpoint (with -wal), the
// ratio and the size of each table and index; then transcript backfill MiB/s on a transcript-only
// tree next to the read + JSON.parse ceiling of the same tree in the same run. Writes its table
// into bench/RESULTS.md. Options: --events N (default 1,000,000), --transcript-mib N (default
// 250), --dir DIR (default /dev/shm), --keep.

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { generate } from "../src/demo/workload.ts";
import { type Figure, isMet, loadAvg, Report, writePhaseResults } from "./report.ts";
import { fmt, mib } from "./stats.ts";
import { runDenoJson } from "./procs.ts";
import { jsonParseLimit } from "./limits.ts";

const section = "Database size and full backfill (issue 18)";
const childScript = new URL("./backfill_child.ts", import.meta.url).pathname;
const floorScript = new URL("./sql_floor.ts", import.meta.url).pathname;

interface ChildOut {
  ms: number;
  events: number;
  errors: number;
  messages: number;
  hwmKb: number | null;
  stats: { commits: number };
}

interface FloorOut {
  ms: number;
  events: number;
  parts: Record<string, number>;
}

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

/** Bytes of every regular file under `dir`. */
function treeBytes(dir: string): number {
  let n = 0;
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) n += treeBytes(p);
    else if (e.isFile) n += Deno.statSync(p).size;
  }
  return n;
}

function fileBytes(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

/** Checkpoints the WAL into the file and reads the page bytes of each table and index. */
function measureDb(path: string): { bytes: number; wal: number; parts: Map<string, number> } {
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const parts = new Map<string, number>();
    for (const r of db.prepare("SELECT name, sum(pgsize) AS b FROM dbstat GROUP BY name").all()) {
      parts.set(String(r.name), Number(r.b));
    }
    return { bytes: fileBytes(path), wal: fileBytes(`${path}-wal`), parts };
  } finally {
    db.close();
  }
}

async function removeDb(path: string): Promise<void> {
  for (const s of ["", "-wal", "-shm"]) await Deno.remove(path + s).catch(() => {});
}

/** Runs the phase into `report`; returns the names of the figures whose target was not met. */
export async function dbSizePhase(report: Report, opts: {
  base: string;
  events: number;
  transcriptMib: number;
  progress: (text: string) => void;
}): Promise<string[]> {
  const { base, progress } = opts;
  const failures: string[] = [];
  const add = (f: Omit<Figure, "section">) => {
    const fig = report.add({ section, ...f });
    if (isMet(fig) === false) failures.push(fig.name);
  };

  // 1. The whole tree: hooks (half without tool_use_id) and transcripts.
  const full = join(base, "full/.claude");
  progress(`generating about ${fmt(opts.events)} events in ${full}`);
  const totals = await generate({
    dir: full,
    events: opts.events,
    seed: 18,
    idlessHooks: 0.5,
    realistic: true,
    streamingDuplicates: true,
  });
  const source = treeBytes(join(full, "projects")) + treeBytes(join(full, "hooks"));
  progress(
    `generated ${fmt(totals.hookFiles)} hook files and ${
      fmt(totals.transcriptLines)
    } transcript lines, ${fmt(mib(source))} MiB`,
  );
  const dbPath = join(base, "full.db");
  const r = await runDenoJson<ChildOut>(childScript, ["--dir", full, "--db", dbPath]);
  const m = measureDb(dbPath);
  const dbBytes = m.bytes + m.wal;
  add({
    name: `database ÷ source bytes at ${fmt(r.events)} events`,
    value: dbBytes / source,
    unit: "×",
    digits: 2,
    target: { op: "<", value: 1.0001, source: "issue 18: ≤ 1.0 ×" },
    note: `${fmt(mib(dbBytes))} MiB (-wal ${fmt(mib(m.wal))} MiB) for ${
      fmt(mib(source))
    } MiB of hook files and transcripts`,
  });
  const biggest = [...m.parts].sort((a, b) => b[1] - a[1]).slice(0, 12);
  add({
    name: "largest tables and indexes",
    value: biggest[0]?.[1] ? biggest[0][1] / 1048576 : 0,
    unit: "MiB",
    note: biggest.map(([name, b]) => `${name} ${fmt(mib(b))}`).join(", "),
  });
  add({
    name: `full backfill (hooks and transcripts), ${fmt(r.events)} events`,
    value: r.events / (r.ms / 1000),
    unit: "events/s",
    note: `${fmt(r.ms / 1000, 1)} s, ${fmt(mib(source / (r.ms / 1000)))} MiB/s; peak RSS ${
      fmt((r.hwmKb ?? 0) / 1024)
    } MiB; ${fmt(r.messages)} messages; load ${loadAvg()}`,
  });
  await removeDb(dbPath);
  await Deno.remove(join(base, "full"), { recursive: true });

  // 2. Transcripts only (~transcriptMib of them): backfill MiB/s against read + parse.
  const tr = join(base, "transcripts/.claude");
  await generate({
    dir: tr,
    // Realistic transcript lines average ~1.7 KB with their bookkeeping lines.
    events: Math.round(opts.transcriptMib * 1048576 / 1700),
    seed: 19,
    hookShare: 0,
    realistic: true,
    streamingDuplicates: true,
  });
  const ceiling = jsonParseLimit(tr);
  const trDb = join(base, "transcripts.db");
  const t = await runDenoJson<ChildOut>(childScript, ["--dir", tr, "--db", trDb]);
  const again = jsonParseLimit(tr);
  const limit = Math.max(ceiling.mbPerS, again.mbPerS);
  const rate = ceiling.bytes / 1048576 / (t.ms / 1000);
  const tm = measureDb(trDb);
  add({
    name: `transcript backfill ÷ read + parse ceiling (${fmt(mib(ceiling.bytes))} MiB)`,
    value: rate / limit,
    unit: "×",
    digits: 2,
    target: { op: ">=", value: 0.25, source: "issue 18" },
    note: `${fmt(rate, 1)} MiB/s vs ${fmt(ceiling.mbPerS, 0)}–${
      fmt(again.mbPerS, 0)
    } MiB/s read + JSON.parse (before, after); ${fmt(t.events)} events in ${
      fmt(t.ms / 1000, 1)
    } s (${fmt(t.events / (t.ms / 1000))} events/s); database ${fmt(mib(tm.bytes + tm.wal))} MiB (${
      fmt((tm.bytes + tm.wal) / ceiling.bytes, 2)
    } ×); load ${loadAvg()}`,
  });
  // What SQLite alone needs for the same rows and schema, in batches of the backfill's size: the
  // share of the target no writer of this schema can go below (bench/sql_floor.ts).
  const batch = Math.ceil(t.events / Math.max(1, t.stats.commits));
  const floor = await runDenoJson<FloorOut>(floorScript, ["--db", trDb, "--batch", String(batch)]);
  add({
    name: "SQLite floor of those rows ÷ read + parse ceiling",
    value: ceiling.bytes / 1048576 / (floor.ms / 1000) / limit,
    unit: "×",
    digits: 2,
    note: `${fmt(floor.events)} events re-inserted by INSERT … SELECT into the same schema in ${
      fmt(floor.ms / 1000, 2)
    } s (batches of ${fmt(batch)}), no parsing: ${
      Object.entries(floor.parts).sort((a, b) => b[1] - a[1]).map(([k, ms]) =>
        `${k} ${fmt(ms / 1000, 2)} s`
      ).join(", ")
    }; the backfill's own writer took ${fmt(t.ms / 1000, 1)} s in all`,
  });
  await removeDb(trDb);
  await Deno.remove(join(base, "transcripts"), { recursive: true });
  return failures;
}

/** This phase's block in bench/RESULTS.md. */
const phase = {
  tag: "dbsize",
  flag: "db-size",
  script: "bench/db_size_bench.ts",
  section,
};

/** Writes the phase's figures as a table into bench/RESULTS.md (inside the kept analysis). */
export async function writeDbSizeResults(
  report: Report,
  wallS: number,
  dataDir: string,
): Promise<string> {
  return await writePhaseResults(phase, report, { wallS, dataDir });
}

/** `deno task bench --db-size`: this phase alone (bench/run.ts dispatches here). */
export async function dbSizeOnly(): Promise<void> {
  const started = performance.now();
  const dataDir = option("dir") ?? "/dev/shm";
  const base = join(dataDir, `claude-dash-dbsize-${Deno.pid}`);
  await Deno.mkdir(base, { recursive: true });
  const report = new Report();
  let failures: string[] = [];
  try {
    failures = await dbSizePhase(report, {
      base,
      events: Number(option("events") ?? 1_000_000),
      transcriptMib: Number(option("transcript-mib") ?? 250),
      progress: (text) => console.log(`… ${text}`),
    });
  } finally {
    if (!Deno.args.includes("--keep")) await Deno.remove(base, { recursive: true }).catch(() => {});
    else console.log(`kept ${base}`);
  }
  const file = await writeDbSizeResults(report, (performance.now() - started) / 1000, dataDir);
  console.log(`\n${report.figures.length} figures; written to ${file}`);
  if (failures.length > 0) {
    console.error(`targets not met: ${failures.join("; ")}`);
    Deno.exit(1);
  }
}

if (import.meta.main) await dbSizeOnly();

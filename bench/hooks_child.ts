// Cold hook backfill in a process of its own: the real Ingester over a hook tree into a fresh
// database, as the server runs it (the first backfill in a worker that exits; --in-process:
// all on this thread), noting when each half of the files was stored (is the time per file flat?).
//
//   deno run -A bench/hooks_child.ts --dir TREE --db FILE [--in-process]
// Prints one JSON line (HooksOut): wall and CPU time, each half of it, commits, rows stored.

import { openDb } from "../src/store/db.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { startBackfillWorker } from "../src/ingest/backfill_host.ts";

/** CPU time this process has used (user + system), in ms, from /proc (0 elsewhere). */
export function cpuMs(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

function arg(name: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= Deno.args.length) throw new Error(`--${name} is required`);
  return Deno.args[i + 1];
}

/** What one hook backfill measured. */
export interface HooksOut {
  ms: number;
  files: number;
  firstHalfMs: number;
  secondHalfMs: number;
  /** CPU time (user + system) of the backfill, and of each half: the figure load does not skew. */
  cpuMs: number;
  firstHalfCpuMs: number;
  secondHalfCpuMs: number;
  commits: number;
  events: number;
  pairedCalls: number;
  /** Resident memory before the backfill, when it is done, and 2 s later (MiB). */
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssSettledMiB: number;
}

const rssMiB = () => Deno.memoryUsage().rss / 1024 / 1024;

if (import.meta.main) {
  const dir = arg("dir");
  const dbPath = arg("db");
  let files = 0;
  for (const _ of Deno.readDirSync(`${dir}/hooks/logs/raw_json`)) files++;
  const half = Math.floor(files / 2);
  const t0 = performance.now();
  const cpu0 = cpuMs();
  let halfAt: number | null = null;
  let halfCpu = 0;
  const db = openDb(dbPath);
  const rssBeforeMiB = rssMiB();
  const inProcess = Deno.args.includes("--in-process");
  const ingester = new Ingester({
    claudeDir: dir,
    db,
    watch: false,
    backfillWorker: inProcess ? undefined : { dbPath, start: startBackfillWorker },
    onCommit: () => {
      if (halfAt === null && ingester.stats.filesRead >= half) {
        halfAt = performance.now();
        halfCpu = cpuMs();
      }
    },
  });
  ingester.start();
  await ingester.ready;
  const ms = performance.now() - t0;
  const cpu = cpuMs() - cpu0;
  const rssAfterMiB = rssMiB();
  await new Promise((r) => setTimeout(r, 2000));
  const rssSettledMiB = rssMiB();
  await ingester.stop();
  const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const mid = halfAt ?? ms;
  const out: HooksOut = {
    ms,
    files,
    firstHalfMs: mid - t0,
    secondHalfMs: ms - (mid - t0),
    cpuMs: cpu,
    firstHalfCpuMs: halfCpu - cpu0,
    secondHalfCpuMs: cpu - (halfCpu - cpu0),
    commits: ingester.stats.commits,
    events: one("SELECT count(*) AS n FROM events"),
    pairedCalls: one("SELECT count(*) AS n FROM tool_calls"),
    rssBeforeMiB,
    rssAfterMiB,
    rssSettledMiB,
  };
  db.close();
  console.log(JSON.stringify(out));
}

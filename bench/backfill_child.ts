// Cold backfill in a process of its own (so its peak memory is its own): the real Ingester,
// as the dashboard runs it (the first backfill in a worker that exits; --in-process: all on this
// thread), over a generated tree into a fresh database.
//
//   deno run -A bench/backfill_child.ts --dir TREE --db FILE [--in-process]
// Prints one JSON line: {ms, stats, events, errors, messages, hwmKb, rssKb, rssAfterKb}
// (rssAfterKb: resident memory 2 s after the backfill, with the ingester still running).

import { openDb } from "../src/store/db.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { startBackfillWorker } from "../src/ingest/backfill_host.ts";
import { procMemory } from "./procs.ts";

function arg(name: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= Deno.args.length) throw new Error(`--${name} is required`);
  return Deno.args[i + 1];
}

if (import.meta.main) {
  const dir = arg("dir");
  const dbPath = arg("db");
  const t0 = performance.now();
  const db = openDb(dbPath);
  const inProcess = Deno.args.includes("--in-process");
  const ingester = new Ingester({
    claudeDir: dir,
    db,
    watch: false,
    backfillWorker: inProcess ? undefined : { dbPath, start: startBackfillWorker },
  });
  ingester.start();
  await ingester.ready;
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 2000));
  const rssAfterKb = procMemory(Deno.pid)?.rssKb ?? null;
  await ingester.stop();
  const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const mem = procMemory(Deno.pid);
  const out = {
    ms,
    stats: ingester.stats,
    events: one("SELECT count(*) AS n FROM events"),
    errors: one("SELECT count(*) AS n FROM ingest_errors"),
    messages: one("SELECT count(*) AS n FROM messages"),
    hwmKb: mem?.hwmKb ?? null,
    rssKb: mem?.rssKb ?? null,
    rssAfterKb,
  };
  db.close();
  console.log(JSON.stringify(out));
}

// Vacuum without ATTACH (the sandbox allows none): the one-time rewrite of a database made
// before auto_vacuum = INCREMENTAL (store/compact.ts, at the start after a vacuum asked for it),
// and the in-place incremental vacuum from then on, each after a third of the events was
// deleted, on a database of a generated workload.
//
//   deno run -A bench/vacuum_bench.ts [--events N] [--dir DIR]

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { generate } from "../src/demo/workload.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { compactIfRequested, requestCompaction } from "../src/store/compact.ts";
import { openDb } from "../src/store/db.ts";
import { vacuumDb } from "../src/store/write/vacuum.ts";

export interface VacuumFigures {
  events: number;
  /** VACUUM on the same database, outside the sandbox, for comparison. */
  vacuumMs: number;
  rewrite: { bytesBefore: number; bytesAfter: number; ms: number };
  incremental: { bytesBefore: number; bytesAfter: number; ms: number };
}

/** Deletes every third event (the delete triggers keep the rollups exact); returns how many
 * events there were. */
function deleteThird(path: string, phase: number): number {
  const db = openDb(path);
  try {
    const n = Number(db.prepare("SELECT count(*) AS n FROM events").get()?.n);
    db.exec(`DELETE FROM events WHERE id % 3 = ${phase}`);
    return n;
  } finally {
    db.close();
  }
}

/**
 * Measures both kinds of vacuum on the database file at `path` (changed in place: pass a copy):
 * made legacy, a third of its events deleted, rewritten at "start"; another third deleted,
 * vacuumed in place. VACUUM itself (allowed here, outside the sandbox) is timed for comparison.
 */
export function measureVacuum(path: string): VacuumFigures {
  // As an older claude-dash made it: no auto_vacuum.
  const legacy = new DatabaseSync(path);
  legacy.exec("PRAGMA auto_vacuum = NONE");
  const t0 = performance.now();
  legacy.exec("VACUUM");
  const vacuumMs = performance.now() - t0;
  legacy.close();
  const events = deleteThird(path, 0);
  const asked = openDb(path);
  requestCompaction(asked, Date.now());
  asked.close();
  const r = compactIfRequested(path);
  if (!r?.ok) throw new Error(`the rewrite failed: ${r?.note}`);
  deleteThird(path, 1);
  const db = openDb(path);
  try {
    const v = vacuumDb(db);
    if (v.mode !== "incremental") throw new Error("the rewritten database is not incremental");
    return {
      events,
      vacuumMs,
      rewrite: { bytesBefore: r.bytes_before, bytesAfter: r.bytes_after, ms: r.ms },
      incremental: { bytesBefore: v.bytes_before, bytesAfter: v.bytes_after, ms: v.ms },
    };
  } finally {
    db.close();
  }
}

/** Generates `events` events under `base`, stores them, and measures both kinds of vacuum. */
export async function benchVacuum(base: string, events: number): Promise<VacuumFigures> {
  const tree = join(base, "vacuum-tree");
  await generate({ dir: tree, events, seed: 7 });
  const path = join(base, "vacuum.db");
  const stored = openDb(path);
  const ingester = new Ingester({ claudeDir: tree, db: stored, watch: false });
  ingester.start();
  await ingester.ready;
  await ingester.stop();
  stored.close();
  return measureVacuum(path);
}

/** One line per figure. */
export function vacuumLines(f: VacuumFigures): string[] {
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  const fig = (x: VacuumFigures["rewrite"]) =>
    `${mib(x.bytesBefore)} → ${mib(x.bytesAfter)} MiB in ${Math.round(x.ms)} ms`;
  return [
    `vacuum, ${f.events} events stored: one-time rewrite at start ${
      fig(f.rewrite)
    } (VACUUM, which the sandbox forbids: ${Math.round(f.vacuumMs)} ms)`,
    `vacuum, a third of the events deleted: incremental vacuum ${fig(f.incremental)}`,
  ];
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  const base = arg("--dir") ?? await Deno.makeTempDir({ prefix: "claude-dash-vacuum-" });
  try {
    const f = await benchVacuum(base, Number(arg("--events") ?? 100_000));
    for (const line of vacuumLines(f)) console.log(line);
  } finally {
    if (!arg("--dir")) await Deno.remove(base, { recursive: true });
  }
}

// Issue 18: hook backfill at 100k files for both payload shapes Claude Code writes (1.0.x without
// tool_use_id, paired by order; 2.x with one), whether the second 50k files take as long as the
// first (time per file must not grow with the database), and GET /api/sessions while a 100k-file
// backfill runs in the real server. `deno task bench --hooks100k` runs only this phase and writes
// its table into bench/RESULTS.md (between the hooks100k markers of the kept analysis block).

import { join } from "node:path";
import { generate } from "../src/demo/workload.ts";
import { type Figure, isMet, loadAvg, type Report, writePhaseResults } from "./report.ts";
import { fmt, percentiles } from "./stats.ts";
import { runDenoJson, startServer } from "./procs.ts";
import type { HooksOut } from "./hooks_child.ts";

export interface HooksPhaseOptions {
  base: string;
  /** Hook files per tree (about; the generator writes whole sessions). */
  files: number;
  /** Measurements of each figure (the machine is shared: each is taken this many times). */
  runs: number;
  progress: (text: string) => void;
}

const section = "Hook backfill at 100k files (issue 18)";
const childScript = new URL("./hooks_child.ts", import.meta.url).pathname;

/**
 * Writes what is still dirty in the page cache (the tree just generated, the last run's
 * database) to disk, so a run measures the ingest and not that write-back (a user's ~/.claude
 * was not written a second ago).
 */
async function flushWrites(): Promise<void> {
  await new Deno.Command("sync").output().catch(() => {});
}

/** A hook-only tree of about `files` payload files: all id-less, or all carrying an id. */
async function hookTree(dir: string, files: number, idless: boolean): Promise<number> {
  // hookShare 1 still writes about one transcript line per hook file: twice the events.
  const totals = await generate({
    dir,
    events: files * 2,
    seed: 18,
    hookShare: 1,
    idlessHooks: idless ? 1 : 0,
    realistic: true,
  });
  await Deno.remove(join(dir, "projects"), { recursive: true });
  await Deno.mkdir(join(dir, "projects"));
  return totals.hookFiles;
}

/** Runs the phase; returns the acceptance failures (figures whose target was not met). */
export async function hooksPhase(report: Report, opts: HooksPhaseOptions): Promise<string[]> {
  const { base, runs, progress } = opts;
  const failures: string[] = [];
  const add = (f: Omit<Figure, "section">) => {
    const fig = report.add({ section, ...f });
    if (isMet(fig) === false) failures.push(fig.name);
  };
  const shapes = [
    { name: "1.0.x payloads (no tool_use_id)", idless: true },
    { name: "2.x payloads (with tool_use_id)", idless: false },
  ];
  const trees: Record<string, string> = {};
  for (const shape of shapes) {
    const dir = join(base, `hooks18-${shape.idless ? "idless" : "ids"}/.claude`);
    const n = await hookTree(dir, opts.files, shape.idless);
    trees[shape.name] = dir;
    progress(`generated ${fmt(n)} hook files, ${shape.name}`);
    // The runs as the server does it (first backfill in a worker), then one all in process
    // (as before the worker) for comparison.
    for (let run = 1; run <= runs + 1; run++) {
      const inProcess = run > runs;
      const db = join(base, `db/hooks18-${shape.idless ? "idless" : "ids"}-${run}.db`);
      await flushWrites();
      const r = await runDenoJson<HooksOut>(childScript, [
        "--dir",
        dir,
        "--db",
        db,
        ...(inProcess ? ["--in-process"] : []),
      ]);
      for (const s of ["", "-wal", "-shm"]) await Deno.remove(db + s).catch(() => {});
      const load = loadAvg();
      const note = `${fmt(r.ms / 1000, 2)} s; CPU ${fmt(r.cpuMs / 1000, 2)} s (${
        fmt(r.files / (r.cpuMs / 1000))
      } files per CPU-second); ${r.commits} commits; ${fmt(r.pairedCalls)} calls; RSS ${
        fmt(r.rssBeforeMiB)
      } MiB before, ${fmt(r.rssAfterMiB)} MiB when done, ${
        fmt(r.rssSettledMiB)
      } MiB 2 s later; load ${load}`;
      if (inProcess) {
        add({
          name: `${shape.name}: ${fmt(r.files)} files, all in process (no worker, as before)`,
          value: r.files / (r.ms / 1000),
          unit: "files/s",
          note,
        });
        continue;
      }
      add({
        name: `${shape.name}: ${fmt(r.files)} files, run ${run}`,
        value: r.files / (r.ms / 1000),
        unit: "files/s",
        target: { op: ">=", value: 10_000, source: "issue 18" },
        note,
      });
      add({
        name: `${shape.name}: second half ÷ first half, run ${run}`,
        value: r.secondHalfMs / r.firstHalfMs,
        unit: "×",
        digits: 2,
        target: { op: "<", value: 1.2, source: "issue 18: linear" },
        note: `${fmt(r.firstHalfMs / 1000, 2)} s then ${fmt(r.secondHalfMs / 1000, 2)} s; CPU ${
          fmt(r.firstHalfCpuMs / 1000, 2)
        } s then ${fmt(r.secondHalfCpuMs / 1000, 2)} s`,
      });
    }
  }
  for (let run = 1; run <= runs; run++) {
    const dir = trees[shapes[0].name];
    await flushWrites();
    const r = await sessionsDuringBackfill(dir, join(base, `db/hooks18-served-${run}.db`));
    add({
      name: `GET /api/sessions p95 while a ${fmt(r.files)}-file backfill runs, run ${run}`,
      value: r.p95,
      unit: "ms",
      target: { op: "<", value: 100, source: "issue 18" },
      note: `${r.n} requests, p50 ${fmt(r.p50)} ms, max ${fmt(r.max)} ms; backfill ${
        fmt(r.backfillMs / 1000, 1)
      } s in the server; load ${loadAvg()}`,
    });
  }
  return failures;
}

/**
 * Starts the real server on a fresh database over `dir` and asks GET /api/sessions ten times a
 * second (under the default rate limit) until it reports the backfill done.
 */
async function sessionsDuringBackfill(dir: string, dbPath: string) {
  let files = 0;
  for (const _ of Deno.readDirSync(join(dir, "hooks/logs/raw_json"))) files++;
  const server = await startServer({ claudeDir: dir, dbPath });
  const times: number[] = [];
  let done = false;
  try {
    const backfill = server.backfillDone(600_000).then((ms) => {
      done = true;
      return ms;
    });
    while (!done) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/sessions`);
      await res.arrayBuffer();
      if (!done && res.ok) times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - t0))));
    }
    const backfillMs = await backfill;
    const p = percentiles(times);
    return { files, n: times.length, p50: p.p50, p95: p.p95, max: Math.max(...times), backfillMs };
  } finally {
    await server.stop();
    for (const s of ["", "-wal", "-shm"]) await Deno.remove(dbPath + s).catch(() => {});
  }
}

/** This phase's block in bench/RESULTS.md. */
const phase = { tag: "hooks100k", flag: "hooks100k", script: "bench/hooks_bench.ts", section };

/** Writes the phase's figures as a table into bench/RESULTS.md (inside the kept analysis). */
export async function writeHooksResults(
  report: Report,
  wallS: number,
  dataDir: string,
): Promise<string> {
  return await writePhaseResults(phase, report, {
    wallS,
    dataDir,
    loadNote: "files/s is wall time, the notes give CPU time too",
  });
}

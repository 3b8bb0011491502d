// The workload generator's command line (run by bench/gen.ts): a whole tree for a seed, or live
// mode writing events at a rate; prints the totals as JSON.

import { resolve } from "node:path";
import { generate, type GenTotals, live } from "./workload.ts";

const USAGE = `usage:
  deno run -A bench/gen.ts --dir DIR [--events N] [--seed N] [--sessions N] [--hook-share F]
                           [--base-time ISO|MS] [--span-hours H] [--streaming-duplicates]
                           [--idless-hooks F] [--realistic]
  deno run -A bench/gen.ts --dir DIR --live [--rate N] [--seconds N] [--seed N]`;

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument: ${a}`);
    const eq = a.indexOf("=");
    if (eq > 0) {
      out.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
      out.set(a.slice(2), argv[++i]);
    } else {
      out.set(a.slice(2), "true");
    }
  }
  return out;
}

function num(args: Map<string, string>, key: string): number | undefined {
  const v = args.get(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number, got ${v}`);
  return n;
}

/** Runs the generator CLI with these arguments (Deno.args of bench/gen.ts). */
export async function genCli(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const dir = args.get("dir");
  if (args.has("help") || dir === undefined) {
    console.log(USAGE);
    if (dir === undefined && !args.has("help")) Deno.exit(2);
    return;
  }
  const seed = num(args, "seed");
  const t0 = performance.now();
  let totals: GenTotals;
  if (args.has("live")) {
    const ctl = new AbortController();
    const stop = () => ctl.abort();
    Deno.addSignalListener("SIGINT", stop);
    try {
      totals = await live({
        dir,
        ratePerSec: num(args, "rate") ?? 100,
        seconds: num(args, "seconds") ?? 10,
        seed,
        signal: ctl.signal,
      });
    } finally {
      Deno.removeSignalListener("SIGINT", stop);
    }
  } else {
    const bt = args.get("base-time");
    const baseTimeMs = bt === undefined
      ? undefined
      : /^\d+$/.test(bt)
      ? Number(bt)
      : Date.parse(bt);
    if (baseTimeMs !== undefined && !Number.isFinite(baseTimeMs)) {
      throw new Error(`--base-time: cannot parse ${bt}`);
    }
    const spanHours = num(args, "span-hours");
    totals = await generate({
      dir,
      events: num(args, "events") ?? 10_000,
      seed,
      baseTimeMs,
      spanMs: spanHours === undefined ? undefined : spanHours * 3_600_000,
      sessions: num(args, "sessions"),
      hookShare: num(args, "hook-share"),
      streamingDuplicates: args.has("streaming-duplicates"),
      idlessHooks: num(args, "idless-hooks"),
      realistic: args.has("realistic"),
    });
  }
  const ms = Math.round(performance.now() - t0);
  const { perSession: _p, byModel, ...rest } = totals;
  console.log(JSON.stringify({ dir: resolve(dir), ms, ...rest, byModel }, null, 2));
}

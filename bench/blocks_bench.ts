// 5-hour windows against the peer: `ccusage blocks --json --offline` (ccusage 18, the rule's
// reference) and claude-dash's GET /api/blocks on the same generated transcripts. Window
// starts, message counts and the four token sums must be equal (gap blocks, which ccusage lists
// between windows, carry no usage and are left out); the time of both is measured.
//
//   deno run -A bench/blocks_bench.ts [--events 50000] [--seed 2] [--span-days 3] [--keep]
//
// bench/run.ts calls compareBlocks on its transcript tree.

import { join } from "node:path";
import { generate } from "../src/demo/workload.ts";
import { ensurePeer, peerVersion } from "./peer.ts";
import type { Report } from "./report.ts";
import { runTimed, startServer } from "./procs.ts";
import { fmt, mib, percentiles } from "./stats.ts";
import type { UsageBlock } from "../src/core/types.ts";

export interface WindowSums {
  start: string;
  messages: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

export interface BlocksComparison {
  ours: number;
  peer: number;
  /** One line per difference: a window only one side has, or a count that differs. */
  mismatches: string[];
  peerWallMs: number;
  peerPeakKb: number | null;
  /** Server start → backfilled → /api/blocks answered (a fresh database). */
  oursColdMs: number;
  oursPeakKb: number | null;
  /** GET /api/blocks (all history) on the backfilled server. */
  queryMs: { p50: number; p95: number; n: number };
  /** Tokens in all windows (ours). */
  tokens: number;
}

interface PeerBlock {
  startTime: string;
  isGap: boolean;
  entries: number;
  tokenCounts: {
    inputTokens: number;
    outputTokens: number;
    cacheCreationInputTokens: number;
    cacheReadInputTokens: number;
  };
}

/** ccusage over `claudeDir` with an empty HOME (never the real ~/.claude) and TZ=UTC. */
export async function peerBlocks(
  entry: string,
  claudeDir: string,
  emptyHome: string,
): Promise<{ windows: WindowSums[]; wallMs: number; peakRssKb: number | null }> {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: emptyHome,
    CLAUDE_CONFIG_DIR: claudeDir,
    TZ: "UTC",
    NO_COLOR: "1",
  };
  const r = await runTimed("node", [entry, "blocks", "--json", "--offline"], env, {
    clearEnv: true,
  });
  if (r.code !== 0) throw new Error(`ccusage blocks exited ${r.code}: ${r.stderr.slice(-1000)}`);
  const parsed = JSON.parse(r.stdout) as { blocks: PeerBlock[] };
  const windows = parsed.blocks.filter((b) => !b.isGap).map((b) => ({
    start: new Date(b.startTime).toISOString(),
    messages: b.entries,
    input: b.tokenCounts.inputTokens,
    output: b.tokenCounts.outputTokens,
    cacheCreation: b.tokenCounts.cacheCreationInputTokens,
    cacheRead: b.tokenCounts.cacheReadInputTokens,
  }));
  return { windows, wallMs: r.wallMs, peakRssKb: r.peakRssKb };
}

function ourWindows(blocks: UsageBlock[]): WindowSums[] {
  return blocks.map((b) => ({
    start: b.start,
    messages: b.messages,
    input: b.input_tokens,
    output: b.output_tokens,
    cacheCreation: b.cache_creation_tokens,
    cacheRead: b.cache_read_tokens,
  }));
}

/** Every difference between the two lists of windows. Pure. */
export function diffWindows(ours: WindowSums[], peer: WindowSums[]): string[] {
  const out: string[] = [];
  const theirs = new Map(peer.map((w) => [w.start, w]));
  const mine = new Map(ours.map((w) => [w.start, w]));
  for (const w of ours) {
    const p = theirs.get(w.start);
    if (!p) {
      out.push(`${w.start}: only claude-dash has this window (${w.messages} messages)`);
      continue;
    }
    for (const k of ["messages", "input", "output", "cacheCreation", "cacheRead"] as const) {
      if (w[k] !== p[k]) out.push(`${w.start} ${k}: claude-dash ${w[k]}, ccusage ${p[k]}`);
    }
  }
  for (const p of peer) {
    if (!mine.has(p.start)) {
      out.push(`${p.start}: only ccusage has this window (${p.messages} messages)`);
    }
  }
  return out;
}

async function getBlocks(url: string): Promise<UsageBlock[]> {
  const res = await fetch(`${url}/api/blocks`);
  if (!res.ok) throw new Error(`GET /api/blocks answered ${res.status}: ${await res.text()}`);
  return (await res.json()).blocks;
}

/** Runs both on `claudeDir` (claude-dash with a fresh database at dbPath) and compares. */
export async function compareBlocks(opts: {
  claudeDir: string;
  dbPath: string;
  emptyHome: string;
  iterations?: number;
}): Promise<BlocksComparison> {
  const entry = await ensurePeer();
  const peer = await peerBlocks(entry, opts.claudeDir, opts.emptyHome);
  const t0 = performance.now();
  const server = await startServer({
    claudeDir: opts.claudeDir,
    dbPath: opts.dbPath,
    env: { TZ: "UTC" },
  });
  try {
    await server.backfillDone(600_000);
    const blocks = await getBlocks(server.url);
    const oursColdMs = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < (opts.iterations ?? 20); i++) {
      const q0 = performance.now();
      await getBlocks(server.url);
      times.push(performance.now() - q0);
    }
    const p = percentiles(times);
    const ours = ourWindows(blocks);
    return {
      ours: ours.length,
      peer: peer.windows.length,
      mismatches: diffWindows(ours, peer.windows),
      peerWallMs: peer.wallMs,
      peerPeakKb: peer.peakRssKb,
      oursColdMs,
      oursPeakKb: server.memory()?.hwmKb ?? null,
      queryMs: { p50: p.p50, p95: p.p95, n: p.n },
      tokens: ours.reduce((s, w) => s + w.input + w.output + w.cacheCreation + w.cacheRead, 0),
    };
  } finally {
    await server.stop();
  }
}

/** The comparison as printable lines. */
export function describe(c: BlocksComparison, transcriptBytes?: number): string[] {
  const lines = [
    `windows: claude-dash ${c.ours}, ccusage ${c.peer}; ${c.mismatches.length} differences ` +
    `(starts, message counts, 4 token sums); ${fmt(c.tokens)} tokens`,
    `ccusage blocks --json --offline: ${fmt(c.peerWallMs / 1000, 2)} s, peak ${
      fmt((c.peerPeakKb ?? NaN) / 1024)
    } MiB${transcriptBytes ? ` (${fmt(mib(transcriptBytes) / (c.peerWallMs / 1000))} MiB/s)` : ""}`,
    `claude-dash start → backfilled → /api/blocks: ${fmt(c.oursColdMs / 1000, 2)} s, peak ${
      fmt((c.oursPeakKb ?? NaN) / 1024)
    } MiB`,
    `claude-dash GET /api/blocks (all history, backfilled): p50 ${fmt(c.queryMs.p50, 1)} ms, p95 ${
      fmt(c.queryMs.p95, 1)
    } ms over ${c.queryMs.n} requests`,
  ];
  for (const m of c.mismatches.slice(0, 20)) lines.push(`  mismatch: ${m}`);
  if (c.mismatches.length > 20) lines.push(`  … ${c.mismatches.length - 20} more`);
  return lines;
}

/** bench/run.ts: the comparison as report figures; returns the differences found. */
export async function reportBlocks(
  report: Report,
  opts: { claudeDir: string; dbPath: string; emptyHome: string; transcriptBytes: number },
): Promise<string[]> {
  const section = `Peer: ccusage ${peerVersion} blocks --json --offline (5-hour windows)`;
  let c: BlocksComparison;
  try {
    c = await compareBlocks(opts);
  } catch (e) {
    report.note(`5-hour windows vs ccusage not measured: ${e instanceof Error ? e.message : e}`);
    return [];
  }
  report.add({
    section,
    name: "windows whose start, message count or token sums differ",
    value: c.mismatches.length,
    unit: "differences",
    met: c.mismatches.length === 0 && c.ours === c.peer,
    note: `${c.ours} windows ours, ${c.peer} ccusage (gap blocks left out); ${
      fmt(c.tokens)
    } tokens${c.mismatches.length ? `; first: ${c.mismatches[0]}` : ""}`,
  });
  report.add({
    section,
    name: "ccusage blocks wall time",
    value: c.peerWallMs / 1000,
    unit: "s",
    digits: 2,
    note: `${fmt(mib(opts.transcriptBytes) / (c.peerWallMs / 1000))} MiB/s; peak ${
      fmt((c.peerPeakKb ?? NaN) / 1024)
    } MiB`,
  });
  report.add({
    section,
    name: "claude-dash wall time, start → backfilled → GET /api/blocks",
    value: c.oursColdMs / 1000,
    unit: "s",
    digits: 2,
    note: `fresh database; peak ${
      fmt((c.oursPeakKb ?? NaN) / 1024)
    } MiB; the server also stores and indexes every event`,
  });
  report.add({
    section,
    name: "GET /api/blocks (all history) on the backfilled server p95",
    value: c.queryMs.p95,
    unit: "ms",
    digits: 1,
    target: { op: "<", value: 50 },
    note: `p50 ${fmt(c.queryMs.p50, 1)} ms over ${c.queryMs.n} requests`,
  });
  return c.mismatches;
}

async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  const events = Number(arg("events") ?? 50_000);
  const seed = Number(arg("seed") ?? 2);
  const spanDays = Number(arg("span-days") ?? 3);
  const base = await Deno.makeTempDir({ prefix: "claude-dash-blocks-bench-" });
  try {
    const claudeDir = join(base, ".claude");
    const emptyHome = join(base, "empty-home");
    await Deno.mkdir(emptyHome);
    const totals = await generate({
      dir: claudeDir,
      events,
      seed,
      hookShare: 0,
      spanMs: spanDays * 86_400_000,
    });
    console.log(
      `generated ${fmt(totals.transcriptLines)} transcript lines (${
        fmt(mib(totals.transcriptBytes))
      } MiB) over ${spanDays} days, seed ${seed}`,
    );
    const c = await compareBlocks({
      claudeDir,
      dbPath: join(base, "db/claude-dash.db"),
      emptyHome,
    });
    for (const l of describe(c, totals.transcriptBytes)) console.log(l);
    if (c.mismatches.length > 0) Deno.exitCode = 1;
  } finally {
    if (Deno.args.includes("--keep")) console.log(`kept ${base}`);
    else await Deno.remove(base, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();

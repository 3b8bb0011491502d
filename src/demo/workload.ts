// Deterministic, seeded workload generator: writes a realistic ~/.claude tree (hook payload files
// and project transcripts, with sub-agent sidechains) into a directory, for benchmarks and tests.
//
//   deno run -A bench/gen.ts --dir /tmp/x --events 10000 --seed 1
//   deno run -A bench/gen.ts --dir /tmp/x --live --rate 100 --seconds 10
//
// Layout (relative to the given directory):
//   hooks/logs/raw_json/{YYYYMMDD_HHMMSS_ffffff}_{event}_{session_id}.json   one hook payload each
//   projects/<slug>/<session-id>.jsonl                                        main transcript
//   projects/<slug>/<session-id>/subagents/agent-<agent-id>.jsonl             sub-agent sidechain
// slug = cwd with "/" replaced by "-". The same seed and options written to the same directory give
// byte-identical files (absolute paths such as transcript_path are part of the content).
// Nothing here runs on import; the CLI is src/demo/gen_cli.ts, run by bench/gen.ts. The parts:
// rng.ts (PRNG), content.ts (vocabulary, texts), plan.ts (projects, sessions, bursts),
// session.ts (one session's writers), tools.ts (tool calls), script.ts (what a session does),
// sinks.ts (file output), totals.ts (what was written).

import { join, resolve } from "node:path";
import { clamp, makeBursts, makeProjects, makeSessionSpec, splitBudget } from "./plan.ts";
import { mix, Rng } from "./rng.ts";
import { sessionScript } from "./script.ts";
import { type Env, HOOK_DIR, SessionRun } from "./session.ts";
import { BatchSink, LiveSink } from "./sinks.ts";
import { emptyTotals, type GenTotals } from "./totals.ts";

export type { GenTotals, ModelTotals, SessionTotals } from "./totals.ts";
export { CLAUDE_CODE_VERSION, HOOK_DIR } from "./session.ts";
export { MODELS } from "./content.ts";
export { mulberry32 } from "./rng.ts";

// ---------------------------------------------------------------------------------------------
// Public API

export interface GenOptions {
  /** The Claude directory to write into (the generated tree is rooted here). */
  dir: string;
  /** Approximate total of hook files + transcript lines. */
  events: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Timestamps end before this instant (ms since epoch); default 2026-11-20T12:00:00Z. */
  baseTimeMs?: number;
  /** Timestamps start at baseTimeMs - spanMs; default 3 days. */
  spanMs?: number;
  /** Number of sessions; default ceil(events / 250). Projects = ceil(sessions / 5). */
  sessions?: number;
  /** Target fraction of events that are hook files; default 0.4. 0 writes no hook files. */
  hookShare?: number;
  /**
   * Write streaming snapshots as Claude Code 2.1 does: the lines of one assistant message (one
   * per content block, same message.id and requestId) carry the output tokens counted so far,
   * only the last one the final usage. Default off, so existing seeds stay byte-identical (every
   * line then carries the final usage). The totals count the final usage either way.
   */
  streamingDuplicates?: boolean;
  /**
   * Share of sessions (0-1) whose hook payloads carry no tool_use_id, as Claude Code 1.0.x wrote
   * them (what the notifier's older logs hold); their calls are paired by order. Default 0.
   */
  idlessHooks?: number;
  /**
   * Data shaped like real Claude Code output rather than the historic synthetic one: tool
   * result lines sized after tests/fixtures (mean ~4 KB per line, a long tail past 10 KB),
   * Claude Code 2.1.x bookkeeping lines around prompts (queue-operation, attachment,
   * last-prompt; counted in `bookkeepingLines`, not `transcriptLines`), hook payloads always
   * compact JSON. Default off, so existing seeds stay byte-identical.
   */
  realistic?: boolean;
}

export interface LiveOptions {
  dir: string;
  ratePerSec: number;
  seconds: number;
  /** PRNG seed; default derived from the clock. */
  seed?: number;
  signal?: AbortSignal;
  onWrite?: (kind: "hook" | "transcript", path: string, writtenAtMs: number) => void;
}

export const DEFAULT_BASE_TIME_MS: number = Date.UTC(2026, 10, 20, 12, 0, 0);
export const DEFAULT_SPAN_MS: number = 3 * 86_400_000;

/** Writes a whole synthetic ~/.claude tree into opts.dir and returns what was written. */
export async function generate(opts: GenOptions): Promise<GenTotals> {
  const events = Math.max(0, Math.floor(opts.events));
  if (!Number.isFinite(events)) throw new RangeError("events must be a finite number");
  const seed = (opts.seed ?? 1) >>> 0;
  const baseTimeMs = opts.baseTimeMs ?? DEFAULT_BASE_TIME_MS;
  const spanMs = Math.max(1000, opts.spanMs ?? DEFAULT_SPAN_MS);
  const hookShare = clamp(opts.hookShare ?? 0.4, 0, 1);
  const nSessions = events === 0
    ? 0
    : Math.max(1, Math.floor(opts.sessions ?? Math.ceil(events / 250)));
  const nProjects = Math.ceil(nSessions / 5);
  const root = resolve(opts.dir);
  const totals = emptyTotals();
  Deno.mkdirSync(join(root, HOOK_DIR), { recursive: true });
  Deno.mkdirSync(join(root, "projects"), { recursive: true });
  if (nSessions === 0) return totals;

  const rng = new Rng(mix(seed, 0x5eed));
  const projects = makeProjects(rng, nProjects);
  totals.projects = nProjects;
  const budgets = splitBudget(rng, events, nSessions);
  const startMs = baseTimeMs - spanMs;
  const bursts = makeBursts(rng, startMs, baseTimeMs, spanMs);

  const sink = new BatchSink(root, totals);
  for (let i = 0; i < nSessions; i++) {
    const project = i < nProjects ? projects[i] : projects[rng.zipf(nProjects)];
    const budget = budgets[i];
    const burst = rng.pick(bursts);
    // A session covers about 3-25 s per event, sometimes much longer; it starts inside a burst.
    let duration = budget * rng.range(3000, 25000) * (rng.chance(0.1) ? rng.range(2, 6) : 1);
    duration = Math.min(duration, spanMs * 0.5);
    let from = burst.center + (rng.next() - 0.5) * burst.width;
    from = clamp(from, startMs, baseTimeMs - duration - 1000);
    from = Math.max(from, startMs);
    const until = Math.min(baseTimeMs - 1000, from + duration);
    const spec = makeSessionSpec(rng, mix(seed, i + 1), project, budget);
    const run = new SessionRun(spec, {
      root,
      sink,
      totals,
      hookShare,
      streamingDuplicates: opts.streamingDuplicates === true,
      idlessHooks: clamp(opts.idlessHooks ?? 0, 0, 1),
      realistic: opts.realistic === true,
    });
    const clock = new BatchClock(Math.floor(from), Math.floor(until), run);
    const gen = sessionScript(run);
    let step = gen.next(0);
    while (!step.done) {
      step = gen.next(clock.advance(step.value));
    }
    sink.endSession();
    // Let other tasks (timers, I/O callbacks of the caller) run between sessions.
    if (i % 64 === 63) await new Promise<void>((res) => setTimeout(res, 0));
  }
  return totals;
}

/**
 * Writes events at ratePerSec for `seconds`, like a few running sessions: whole transcript lines
 * are appended to the active sessions' files and hook files are written, stamped with the wall
 * clock. Resolves when the duration is over (or the signal aborts) with what was written.
 */
export async function live(opts: LiveOptions): Promise<GenTotals> {
  const rate = opts.ratePerSec;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError("ratePerSec must be > 0");
  const seconds = Math.max(0, opts.seconds);
  const total = Math.round(rate * seconds);
  const seed = (opts.seed ?? ((Date.now() ^ Math.floor(performance.now() * 1000)) >>> 0)) >>> 0;
  const root = resolve(opts.dir);
  const totals = emptyTotals();
  Deno.mkdirSync(join(root, HOOK_DIR), { recursive: true });
  Deno.mkdirSync(join(root, "projects"), { recursive: true });
  const rng = new Rng(mix(seed, 0x11fe));
  const nProjects = 3;
  const projects = makeProjects(rng, nProjects);
  totals.projects = nProjects;
  const sink = new LiveSink(root, totals, opts.onWrite);
  const env: Env = { root, sink, totals, hookShare: 0.4, streamingDuplicates: false };
  type Active = { run: SessionRun; gen: Generator<number, void, number>; last: number };
  let started = 0;
  const startSession = (): Active => {
    const spec = makeSessionSpec(rng, mix(seed, ++started), rng.pick(projects), rng.int(60, 600));
    const run = new SessionRun(spec, env);
    const gen = sessionScript(run);
    gen.next(0); // runs up to the first yield (nothing is written before it)
    return { run, gen, last: 0 };
  };
  const active: Active[] = [];
  const nActive = Math.max(1, Math.min(3, total));
  for (let i = 0; i < nActive; i++) active.push(startSession());

  const t0 = Date.now();
  let emitted = 0;
  const signal = opts.signal;
  while (emitted < total && !signal?.aborted) {
    const due = Math.min(total, Math.floor(((Date.now() - t0) * rate) / 1000) + 1);
    while (emitted < due) {
      const k = rng.int(0, active.length - 1);
      const a = active[k];
      const before = a.run.used;
      const now = Math.max(Date.now(), a.last + 1);
      const step = a.gen.next(now);
      emitted += a.run.used - before;
      if (a.run.used > before) a.last = now;
      if (step.done) active[k] = startSession();
    }
    if (emitted >= total) break;
    await sleep(t0 + (emitted * 1000) / rate - Date.now(), signal);
  }
  await sleep(t0 + seconds * 1000 - Date.now(), signal);
  return totals;
}

// ---------------------------------------------------------------------------------------------
// Clock for batch mode: converts the script's gap weights into timestamps inside the session's
// window, adapting so that the session ends near the window's end.

class BatchClock {
  private t: number;
  private readonly end: number;
  private readonly run: SessionRun;
  private sumW = 60;
  private nW = 10;

  constructor(from: number, until: number, run: SessionRun) {
    this.t = from;
    this.end = until;
    this.run = run;
  }

  advance(weight: number): number {
    this.sumW += weight;
    this.nW++;
    const avg = this.sumW / this.nW;
    const left = Math.max(1, this.run.budget - this.run.used);
    const room = this.end - this.t;
    let gap = 1;
    if (room > 2) {
      gap = (weight * room) / (left * avg);
      gap = Math.min(gap, room / 2);
    }
    this.t += Math.max(1, Math.round(gap));
    return this.t;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((res) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      res();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

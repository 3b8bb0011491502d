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
// Nothing here runs on import; the CLI is only active when this file is the main module.

import { dirname, join, resolve } from "node:path";

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
}

export interface SessionTotals {
  /** Hook files + transcript lines (sub-agent lines included) of this session. */
  events: number;
  /** Distinct assistant messages (message.id + requestId). */
  messages: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  /** tool_use blocks written (sub-agent ones included). */
  toolCalls: number;
  /** Tool calls that failed (PostToolUseFailure + is_error tool_result). */
  toolFailures: number;
}

export interface ModelTotals {
  messages: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
}

export interface GenTotals {
  hookFiles: number;
  transcriptLines: number;
  transcriptBytes: number;
  sessions: number;
  projects: number;
  /** per session id: events (hook files + transcript lines, all of them), deduplicated assistant messages (distinct message.id+requestId), and the token sums over those distinct messages */
  perSession: Record<string, SessionTotals>;
  byModel: Record<string, ModelTotals>;
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
export const CLAUDE_CODE_VERSION = "2.1.62";
export const HOOK_DIR = "hooks/logs/raw_json";
export const MODELS: readonly string[] = [
  "claude-opus-4-6",
  "claude-sonnet-4-6",
  "claude-sonnet-4-5-20250929",
  "claude-haiku-4-5-20251001",
];

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
    const run = new SessionRun(spec, { root, sink, totals, hookShare });
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
  const env: Env = { root, sink, totals, hookShare: 0.4 };
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
// PRNG

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX = "0123456789abcdef";

class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  u32(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = Math.imul(this.a ^ (this.a >>> 15), 1 | this.a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let sum = 0;
    for (const [, w] of items) sum += w;
    let x = this.next() * sum;
    for (const [v, w] of items) {
      x -= w;
      if (x < 0) return v;
    }
    return items[items.length - 1][0];
  }
  /** Index in [0, n), skewed towards small indexes (popular projects). */
  zipf(n: number): number {
    return Math.min(n - 1, Math.floor(n * this.next() ** 2.2));
  }
  b62(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += B62[this.u32() % 62];
    return s;
  }
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += HEX[this.u32() & 15];
    return s;
  }
  uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + (this.u32() & 3)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${
      h.slice(20, 32)
    }`;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const WORDS = (
  "the a to of and in for is on that with this it be as by from at update fix add remove " +
  "refactor test build error config server client request response handler route cache index " +
  "file module function type interface value parse format check run deploy migrate schema query " +
  "database token session user event hook stream buffer line json path dir worker queue retry " +
  "timeout log metric render component state prop layout style api endpoint auth login payload " +
  "header body status code null array object string number boolean promise async await import " +
  "export class method field now then next first also should would could because instead"
).split(" ");

const PROJECT_NAMES = [
  "proj-api",
  "web-app",
  "billing-service",
  "infra",
  "mobile-client",
  "data-pipeline",
  "docs-site",
  "cli-tools",
  "auth-gateway",
  "ml-experiments",
  "design-system",
  "search-indexer",
  "notebook",
  "dotfiles",
  "game-engine",
  "analytics",
] as const;

const BRANCHES = ["main", "main", "main", "dev", "feature/login", "fix/flaky-test", "refactor-db"];
const MODES: readonly (readonly [string, number])[] = [
  ["default", 70],
  ["acceptEdits", 18],
  ["plan", 7],
  ["dontAsk", 5],
];
const MODEL_WEIGHTS: readonly (readonly [string, number])[] = [
  ["claude-opus-4-6", 30],
  ["claude-sonnet-4-6", 35],
  ["claude-sonnet-4-5-20250929", 20],
  ["claude-haiku-4-5-20251001", 15],
];
const SRC_DIRS = ["src", "src/lib", "src/api", "src/components", "tests", "scripts", "docs"];
const EXTS = [".ts", ".ts", ".tsx", ".py", ".md", ".json", ".rs", ".go"];
const BASH_COMMANDS = [
  "git status",
  "git diff --stat",
  "git log --oneline -10",
  "npm test",
  "npm run build",
  "deno test -A",
  "deno check main.ts",
  "cargo build",
  "pytest -x -q",
  "ls -la src",
  "grep -rn TODO src",
  "make lint",
  "docker compose ps",
  "git push origin HEAD",
];
const PROMPT_TEMPLATES = [
  "fix the failing test in {file}",
  "add {w} support to {file}",
  "why does {w} {w} fail when the {w} is empty?",
  "refactor {file} to use {w} {w}",
  "write tests for {file}",
  "explain how the {w} {w} works",
  "review my changes and commit them",
  "the build is broken: {w} {w} {w}, please investigate",
  "update the docs for the {w} {w}",
  "{w} {w} {w} {w} {w} {w}",
];
const AGENT_TYPES = ["Explore", "general-purpose", "Plan", "code-reviewer"];
const TITLES = [
  "Fix flaky integration test",
  "Add pagination to API",
  "Refactor session storage",
  "Investigate build failure",
  "Dashboard layout tweaks",
  "Database migration cleanup",
];

/** `x` (a non-negative integer below 62^k) as exactly k base-62 digits. */
function b62Fixed(x: number, k: number): string {
  let s = "";
  for (let i = 0; i < k; i++) {
    s = B62[x % 62] + s;
    x = Math.floor(x / 62);
  }
  return s;
}

function words(rng: Rng, n: number): string {
  let s = rng.pick(WORDS);
  for (let i = 1; i < n; i++) s += " " + rng.pick(WORDS);
  return s;
}

function sentence(rng: Rng, lo: number, hi: number): string {
  const s = words(rng, rng.int(lo, hi));
  return s[0].toUpperCase() + s.slice(1) + ".";
}

function filePath(rng: Rng, cwd: string): string {
  return `${cwd}/${rng.pick(SRC_DIRS)}/${rng.pick(WORDS)}_${rng.pick(WORDS)}${rng.pick(EXTS)}`;
}

function prompt(rng: Rng): string {
  return rng.pick(PROMPT_TEMPLATES).replace(
    /\{(\w+)\}/g,
    (_m, k: string) =>
      k === "file" ? `${rng.pick(SRC_DIRS)}/${rng.pick(WORDS)}${rng.pick(EXTS)}` : rng.pick(WORDS),
  );
}

let blobCache: string | null = null;
/** A fixed ~80 KB pseudo source text (the same for every seed), sliced for long outputs. */
function blob(): string {
  if (blobCache !== null) return blobCache;
  const r = new Rng(0xb10b);
  const lines: string[] = [];
  let size = 0;
  for (let i = 1; size < 80_000; i++) {
    const indent = "  ".repeat(r.int(0, 3));
    const line = r.chance(0.15) ? "" : `${indent}${words(r, r.int(2, 12))};`;
    lines.push(line);
    size += line.length + 1;
  }
  blobCache = lines.join("\n");
  return blobCache;
}

/** `n` characters of multi-line text, starting at a random line of the blob. */
function textOfSize(rng: Rng, n: number): string {
  const b = blob();
  let at = rng.int(0, b.length - n - 1);
  const nl = b.indexOf("\n", at);
  if (nl >= 0 && nl + n < b.length) at = nl + 1;
  return b.slice(at, at + n);
}

function numbered(text: string): string {
  const lines = text.split("\n");
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    out += `${String(i + 1).padStart(6)}\u2192${lines[i]}${i + 1 < lines.length ? "\n" : ""}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Planning

interface Project {
  cwd: string;
  slug: string;
}

interface SessionSpec {
  id: string;
  project: Project;
  model: string;
  branch: string;
  mode: string;
  budget: number;
  seed: number;
}

function makeProjects(rng: Rng, n: number): Project[] {
  const out: Project[] = [];
  for (let i = 0; i < n; i++) {
    const base = PROJECT_NAMES[i % PROJECT_NAMES.length];
    const round = Math.floor(i / PROJECT_NAMES.length);
    const name = round === 0 ? base : `${base}-${round + 1}`;
    const parent = rng.chance(0.15) ? "/home/dev/work" : "/home/dev";
    const cwd = `${parent}/${name}`;
    out.push({ cwd, slug: cwd.replaceAll("/", "-") });
  }
  return out;
}

function makeSessionSpec(rng: Rng, seed: number, project: Project, budget: number): SessionSpec {
  return {
    id: rng.uuid(),
    project,
    model: rng.weighted(MODEL_WEIGHTS),
    branch: rng.pick(BRANCHES),
    mode: rng.weighted(MODES),
    budget,
    seed,
  };
}

/** Splits `events` over `n` sessions with exponential-ish weights; the parts sum to `events`. */
function splitBudget(rng: Rng, events: number, n: number): number[] {
  const w: number[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = 0.15 - Math.log(1 - rng.next() * 0.999);
    w.push(x);
    sum += x;
  }
  const out: number[] = [];
  let given = 0;
  for (let i = 0; i < n; i++) {
    const b = Math.floor((events * w[i]) / sum);
    out.push(b);
    given += b;
  }
  for (let i = 0; given < events; i = (i + 1) % n, given++) out[i]++;
  return out;
}

interface Burst {
  center: number;
  width: number;
}

/** Work bursts (clusters of session starts) inside [from, to], leaving quiet gaps between. */
function makeBursts(rng: Rng, from: number, to: number, span: number): Burst[] {
  const n = Math.max(2, Math.round(span / (6 * 3_600_000)));
  const out: Burst[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ center: rng.range(from, to), width: Math.min(span, rng.range(0.5, 3) * 3_600_000) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sinks: where lines and hook files go

interface Sink {
  writeHook(rel: string, text: string): void;
  /** `line` ends with "\n". */
  writeLine(rel: string, line: string): void;
}

const encoder = new TextEncoder();

class DirCache {
  private made = new Set<string>();
  ensure(dir: string): void {
    if (this.made.has(dir)) return;
    Deno.mkdirSync(dir, { recursive: true });
    this.made.add(dir);
  }
}

class BatchSink implements Sink {
  private readonly root: string;
  private readonly totals: GenTotals;
  private readonly dirs = new DirCache();
  private readonly buffers = new Map<string, { parts: string[]; size: number }>();
  private readonly touched = new Set<string>();
  private scratch = new Uint8Array(0);

  constructor(root: string, totals: GenTotals) {
    this.root = root;
    this.totals = totals;
  }

  writeHook(rel: string, text: string): void {
    Deno.writeTextFileSync(`${this.root}/${rel}`, text);
  }

  writeLine(rel: string, line: string): void {
    let buf = this.buffers.get(rel);
    if (buf === undefined) {
      buf = { parts: [], size: 0 };
      this.buffers.set(rel, buf);
    }
    buf.parts.push(line);
    buf.size += line.length;
    if (buf.size >= 1 << 20) this.flush(rel, buf);
  }

  private flush(rel: string, buf: { parts: string[]; size: number }): void {
    if (buf.parts.length === 0) return;
    const abs = `${this.root}/${rel}`;
    const text = buf.parts.join("");
    // Encode into a reused buffer (no allocation per flush); UTF-8 needs at most 3 bytes/unit.
    if (this.scratch.length < text.length * 3) {
      this.scratch = new Uint8Array(Math.max(text.length * 3, 1 << 22));
    }
    const bytes = this.scratch.subarray(0, encoder.encodeInto(text, this.scratch).written);
    // The first write of a file in this run truncates it, so regenerating into a directory is
    // idempotent; later flushes append.
    const first = !this.touched.has(rel);
    if (first) {
      this.dirs.ensure(dirname(abs));
      this.touched.add(rel);
    }
    Deno.writeFileSync(abs, bytes, { append: !first });
    this.totals.transcriptBytes += bytes.length;
    buf.parts = [];
    buf.size = 0;
  }

  /** Writes out the buffered transcript lines (called at the end of each session). */
  endSession(): void {
    for (const [rel, buf] of this.buffers) this.flush(rel, buf);
    this.buffers.clear();
  }
}

class LiveSink implements Sink {
  private readonly root: string;
  private readonly totals: GenTotals;
  private readonly dirs = new DirCache();
  private readonly onWrite: LiveOptions["onWrite"];

  constructor(root: string, totals: GenTotals, onWrite: LiveOptions["onWrite"]) {
    this.root = root;
    this.totals = totals;
    this.onWrite = onWrite;
  }

  writeHook(rel: string, text: string): void {
    const abs = `${this.root}/${rel}`;
    Deno.writeFileSync(abs, encoder.encode(text));
    this.onWrite?.("hook", abs, Date.now());
  }

  writeLine(rel: string, line: string): void {
    const abs = `${this.root}/${rel}`;
    this.dirs.ensure(dirname(abs));
    const bytes = encoder.encode(line);
    // One write call per whole line, so a reader never sees a partial line from us.
    Deno.writeFileSync(abs, bytes, { append: true });
    this.totals.transcriptBytes += bytes.length;
    this.onWrite?.("transcript", abs, Date.now());
  }
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

// Gap weights (relative durations) between consecutive events of a session.
function wUser(rng: Rng): number {
  const r = rng.next();
  if (r < 0.05) return rng.range(300, 1500); // a break: a gap in the session
  if (r < 0.25) return rng.range(40, 150);
  return rng.range(5, 40);
}
const wModel = (rng: Rng) => rng.range(1, 6);
const wBlock = (rng: Rng) => rng.range(0.1, 0.6);
const wHook = (rng: Rng) => rng.range(0.002, 0.02);
const wTool = (rng: Rng) => (rng.chance(0.1) ? rng.range(3, 30) : rng.range(0.1, 3));

// ---------------------------------------------------------------------------------------------
// Session script

type Obj = Record<string, unknown>;

interface Env {
  root: string;
  sink: Sink;
  totals: GenTotals;
  hookShare: number;
}

interface Thread {
  rel: string;
  abs: string;
  parent: string | null;
  sidechain: boolean;
  agentId: string | null;
  /** Context size in tokens (what the next message reads from cache). */
  ctx: number;
  /** Tokens added since the last assistant message (becomes cache creation). */
  pending: number;
}

interface ToolCall {
  id: string;
  name: string;
  input: Obj;
  failed: boolean;
  error: string;
  resultText: string;
  response: unknown;
  toolUseResult: unknown;
  assistantUuid: string;
}

interface MessageResult {
  calls: ToolCall[];
  text: string;
  outputTokens: number;
}

function emptyTotals(): GenTotals {
  return {
    hookFiles: 0,
    transcriptLines: 0,
    transcriptBytes: 0,
    sessions: 0,
    projects: 0,
    perSession: {},
    byModel: {},
  };
}

let isoSecond = NaN;
let isoPrefix = "";
/** ISO-8601 UTC with milliseconds ("2026-11-20T10:00:00.123Z"); caches the part up to seconds. */
function isoOf(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== isoSecond) {
    isoSecond = sec;
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  const frac = ms - sec * 1000;
  return `${isoPrefix}${frac < 10 ? "00" : frac < 100 ? "0" : ""}${frac}Z`;
}

/** 2026-11-20T10:00:00.123Z → 20261120_100000_123000 */
function fileStamp(iso: string): string {
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${
    iso.slice(14, 16)
  }${iso.slice(17, 19)}_${iso.slice(20, 23)}000`;
}

class SessionRun {
  readonly rng: Rng;
  readonly id: string;
  readonly project: Project;
  readonly branch: string;
  readonly mode: string;
  readonly budget: number;
  readonly main: Thread;
  readonly stats: SessionTotals;
  model: string;
  used = 0;
  hooks = 0;
  lastText = "";
  private readonly env: Env;
  private readonly idTag: string;
  private idSerial = 0;

  constructor(spec: SessionSpec, env: Env) {
    this.rng = new Rng(spec.seed);
    this.idTag = b62Fixed(spec.seed, 6);
    this.id = spec.id;
    this.project = spec.project;
    this.branch = spec.branch;
    this.mode = spec.mode;
    this.budget = spec.budget;
    this.model = spec.model;
    this.env = env;
    const rel = `projects/${spec.project.slug}/${spec.id}.jsonl`;
    this.main = {
      rel,
      abs: `${env.root}/${rel}`,
      parent: null,
      sidechain: false,
      agentId: null,
      ctx: 0,
      pending: 0,
    };
    this.stats = {
      events: 0,
      messages: 0,
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_tokens: 0,
      cache_read_tokens: 0,
      toolCalls: 0,
      toolFailures: 0,
    };
    env.totals.perSession[spec.id] = this.stats;
    env.totals.sessions++;
  }

  get hooksEnabled(): boolean {
    return this.env.hookShare > 0;
  }

  /** True while hook files are below their target share of this session's events. */
  wantHooks(): boolean {
    return this.hooks < this.env.hookShare * this.used;
  }

  left(): number {
    return this.budget - this.used;
  }

  root(): string {
    return this.env.root;
  }

  hook(t: number, event: string, fields: Obj): void {
    if (!this.hooksEnabled) return;
    const iso = isoOf(t);
    const payload: Obj = {
      session_id: this.id,
      transcript_path: this.main.abs,
      cwd: this.project.cwd,
      hook_event_name: event,
      permission_mode: this.mode,
      ...fields,
      timestamp: iso,
    };
    const text = this.rng.chance(0.3) ? JSON.stringify(payload, null, 2) : JSON.stringify(payload);
    this.env.sink.writeHook(`${HOOK_DIR}/${fileStamp(iso)}_${event}_${this.id}.json`, text);
    this.hooks++;
    this.used++;
    this.stats.events++;
    this.env.totals.hookFiles++;
  }

  line(th: Thread, obj: Obj): void {
    this.env.sink.writeLine(th.rel, JSON.stringify(obj) + "\n");
    this.used++;
    this.stats.events++;
    this.env.totals.transcriptLines++;
  }

  /** The common envelope; the caller adds type-specific fields after it. */
  envelope(th: Thread, uuid: string): Obj {
    const e: Obj = {
      parentUuid: th.parent,
      isSidechain: th.sidechain,
      userType: "external",
      cwd: this.project.cwd,
      sessionId: this.id,
    };
    if (th.agentId !== null) e.agentId = th.agentId;
    e.version = CLAUDE_CODE_VERSION;
    e.gitBranch = this.branch;
    th.parent = uuid;
    return e;
  }

  userText(th: Thread, t: number, text: string): void {
    const uuid = this.rng.uuid();
    const e = this.envelope(th, uuid);
    e.type = "user";
    e.message = { role: "user", content: text };
    e.uuid = uuid;
    e.timestamp = isoOf(t);
    if (!th.sidechain) e.permissionMode = this.mode;
    this.line(th, e);
    th.pending += Math.ceil(text.length / 4);
  }

  toolResult(th: Thread, t: number, call: ToolCall): void {
    const uuid = this.rng.uuid();
    const e = this.envelope(th, uuid);
    e.type = "user";
    e.message = {
      role: "user",
      content: [{
        tool_use_id: call.id,
        type: "tool_result",
        content: call.failed ? call.error : call.resultText,
        is_error: call.failed,
      }],
    };
    e.uuid = uuid;
    e.timestamp = isoOf(t);
    e.toolUseResult = call.failed ? `Error: ${call.error}` : call.toolUseResult;
    e.sourceToolAssistantUUID = call.assistantUuid;
    this.line(th, e);
    th.pending += Math.ceil((call.failed ? call.error.length : call.resultText.length) / 4);
  }

  system(th: Thread, t: number, durationMs: number): void {
    const uuid = this.rng.uuid();
    const e = this.envelope(th, uuid);
    e.type = "system";
    e.subtype = "turn_duration";
    e.durationMs = durationMs;
    e.timestamp = isoOf(t);
    e.uuid = uuid;
    e.isMeta = false;
    this.line(th, e);
  }

  summary(): void {
    this.line(this.main, {
      type: "summary",
      summary: this.rng.pick(TITLES),
      leafUuid: this.main.parent,
    });
  }

  /** Usage of one assistant message (recorded in the totals by countUsage when written). */
  usage(th: Thread, outputTokens: number): Obj {
    const rng = this.rng;
    const first = th.ctx === 0;
    const cacheCreation = first ? rng.int(8000, 26000) : th.pending + rng.int(0, 400);
    const cacheRead = first ? (rng.chance(0.6) ? rng.int(10000, 16000) : 0) : th.ctx;
    const input = rng.chance(0.04) ? rng.int(200, 6000) : rng.int(1, 12);
    th.ctx = cacheRead + cacheCreation + outputTokens;
    th.pending = 0;
    return {
      input_tokens: input,
      cache_creation_input_tokens: cacheCreation,
      cache_read_input_tokens: cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: cacheCreation, ephemeral_1h_input_tokens: 0 },
      output_tokens: outputTokens,
      service_tier: "standard",
    };
  }

  /**
   * Records one message's usage in the session and model totals; called when its first line is
   * written, so a live run stopped between making a message and writing it counts nothing.
   */
  countUsage(model: string, usage: Obj): void {
    const input = usage.input_tokens as number;
    const outputTokens = usage.output_tokens as number;
    const cacheCreation = usage.cache_creation_input_tokens as number;
    const cacheRead = usage.cache_read_input_tokens as number;
    const s = this.stats;
    s.messages++;
    s.input_tokens += input;
    s.output_tokens += outputTokens;
    s.cache_creation_tokens += cacheCreation;
    s.cache_read_tokens += cacheRead;
    let m = this.env.totals.byModel[model];
    if (m === undefined) {
      m = {
        messages: 0,
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_tokens: 0,
        cache_read_tokens: 0,
      };
      this.env.totals.byModel[model] = m;
    }
    m.messages++;
    m.input_tokens += input;
    m.output_tokens += outputTokens;
    m.cache_creation_tokens += cacheCreation;
    m.cache_read_tokens += cacheRead;
  }

  /**
   * `n` base-62 characters no other session of the run can produce: the session's seed (distinct
   * per session), a per-session counter, then random ones. Ids drawn whole from the session's
   * 32-bit PRNG repeat across sessions at large sizes (the sessions' streams overlap: 200 tool
   * ids and 251 message ids shared between sessions at 600k events), which made the store
   * rightly merge other sessions' tool calls and messages into one.
   */
  uniqueB62(n: number): string {
    const head = this.idTag + b62Fixed(this.idSerial++, 4);
    return head + this.rng.b62(n - head.length);
  }

  /** Builds a tool call (input, outcome and output) for `name`. */
  tool(name: string): ToolCall {
    const rng = this.rng;
    const cwd = this.project.cwd;
    const id = "toolu_01" + this.uniqueB62(22);
    const long = rng.chance(0.004);
    const longText = () => textOfSize(rng, rng.int(20_000, 60_000));
    const call: ToolCall = {
      id,
      name,
      input: {},
      failed: false,
      error: "",
      resultText: "",
      response: null,
      toolUseResult: null,
      assistantUuid: "",
    };
    switch (name) {
      case "Bash": {
        const command = rng.pick(BASH_COMMANDS);
        call.input = { command, description: sentence(rng, 3, 7) };
        call.failed = rng.chance(0.12);
        call.error = `Exit code ${rng.int(1, 2)}\n${words(rng, rng.int(4, 20))}`;
        const stdout = long ? longText() : textOfSize(rng, rng.int(20, 1200));
        call.resultText = stdout;
        call.response = { stdout, stderr: "", interrupted: false, isImage: false };
        call.toolUseResult = call.response;
        break;
      }
      case "Read": {
        const file_path = filePath(rng, cwd);
        call.input = { file_path };
        call.failed = rng.chance(0.04);
        call.error = "File does not exist.";
        const content = long ? longText() : textOfSize(rng, rng.int(200, 4000));
        const numLines = content.split("\n").length;
        call.resultText = numbered(content);
        call.response = {
          type: "text",
          file: { filePath: file_path, content, numLines, startLine: 1, totalLines: numLines },
        };
        call.toolUseResult = call.response;
        break;
      }
      case "Write": {
        const file_path = filePath(rng, cwd);
        const content = textOfSize(rng, rng.int(100, 3000));
        call.input = { file_path, content };
        call.failed = rng.chance(0.02);
        call.error =
          "<tool_use_error>File has not been read yet. Read it first before writing to it." +
          "</tool_use_error>";
        call.resultText = `File created successfully at: ${file_path}`;
        call.response = {
          type: "create",
          filePath: file_path,
          content,
          structuredPatch: [],
          originalFile: null,
        };
        call.toolUseResult = call.response;
        break;
      }
      case "Edit": {
        const file_path = filePath(rng, cwd);
        const old_string = words(rng, rng.int(2, 12));
        const new_string = words(rng, rng.int(2, 12));
        call.input = { file_path, old_string, new_string };
        call.failed = rng.chance(0.1);
        call.error = `<tool_use_error>String to replace not found in file.\nString: ${old_string}` +
          "</tool_use_error>";
        call.resultText = `The file ${file_path} has been updated. Here's the result of running ` +
          `\`cat -n\` on a snippet of the edited file:\n${
            numbered(textOfSize(rng, rng.int(100, 600)))
          }`;
        call.response = {
          filePath: file_path,
          oldString: old_string,
          newString: new_string,
          originalFile: textOfSize(rng, rng.int(100, 1500)),
          structuredPatch: [{
            oldStart: 1,
            oldLines: 1,
            newStart: 1,
            newLines: 1,
            lines: [`-${old_string}`, `+${new_string}`],
          }],
          userModified: false,
          replaceAll: false,
        };
        call.toolUseResult = call.response;
        break;
      }
      case "Grep":
      case "Glob": {
        const pattern = name === "Grep" ? rng.pick(WORDS) : `**/*${rng.pick(EXTS)}`;
        call.input = name === "Grep"
          ? { pattern, path: cwd, output_mode: "files_with_matches" }
          : { pattern };
        call.failed = rng.chance(0.01);
        call.error = `<tool_use_error>Path does not exist: ${cwd}/missing</tool_use_error>`;
        const filenames: string[] = [];
        for (let i = rng.int(0, 12); i > 0; i--) filenames.push(filePath(rng, cwd));
        call.resultText = filenames.length === 0
          ? "No files found"
          : `Found ${filenames.length} files\n${filenames.join("\n")}`;
        call.response = name === "Grep"
          ? { mode: "files_with_matches", filenames, numFiles: filenames.length }
          : {
            filenames,
            durationMs: rng.int(2, 200),
            numFiles: filenames.length,
            truncated: false,
          };
        call.toolUseResult = call.response;
        break;
      }
      case "WebFetch": {
        const url = `https://docs.example.com/${rng.pick(WORDS)}/${rng.pick(WORDS)}`;
        call.input = { url, prompt: sentence(rng, 4, 12) };
        call.failed = rng.chance(0.15);
        call.error = "Request failed with status code 404";
        const result = sentence(rng, 20, 120);
        call.resultText = result;
        call.response = {
          bytes: rng.int(2000, 90000),
          code: 200,
          codeText: "OK",
          result,
          durationMs: rng.int(200, 6000),
          url,
        };
        call.toolUseResult = call.response;
        break;
      }
      case "TodoWrite": {
        const todos: Obj[] = [];
        for (let i = rng.int(1, 6); i > 0; i--) {
          const content = sentence(rng, 3, 8);
          todos.push({
            content,
            status: rng.pick(["pending", "in_progress", "completed"]),
            activeForm: content,
          });
        }
        call.input = { todos };
        call.resultText =
          "Todos have been modified successfully. Ensure that you continue to use " +
          "the todo list to track your progress. Please proceed with the current tasks if applicable";
        call.response = { oldTodos: [], newTodos: todos };
        call.toolUseResult = call.response;
        break;
      }
      case "mcp__github__create_issue": {
        const title = sentence(rng, 3, 9);
        call.input = {
          owner: "dev",
          repo: this.project.slug.slice(1),
          title,
          body: sentence(rng, 10, 40),
        };
        call.failed = rng.chance(0.2);
        call.error = "MCP error -32603: GitHub API error: Bad credentials";
        const n = rng.int(1, 900);
        const text = JSON.stringify({
          number: n,
          html_url: `https://github.com/dev/x/issues/${n}`,
        });
        call.resultText = text;
        call.response = [{ type: "text", text }];
        call.toolUseResult = call.response;
        break;
      }
      case "Task": {
        call.input = {
          description: sentence(rng, 2, 5),
          prompt: sentence(rng, 10, 40),
          subagent_type: rng.pick(AGENT_TYPES),
        };
        break;
      }
    }
    return call;
  }
}

const MAIN_TOOLS: readonly (readonly [string, number])[] = [
  ["Bash", 25],
  ["Read", 25],
  ["Edit", 12],
  ["Write", 5],
  ["Grep", 10],
  ["Glob", 6],
  ["WebFetch", 3],
  ["Task", 3],
  ["TodoWrite", 5],
  ["mcp__github__create_issue", 1],
];
const AGENT_TOOLS: readonly (readonly [string, number])[] = [
  ["Read", 40],
  ["Grep", 25],
  ["Glob", 15],
  ["Bash", 20],
];
const ASKS_PERMISSION = new Set(["Bash", "Write", "Edit", "WebFetch", "mcp__github__create_issue"]);
const RESERVE = 5;

/** One session: yields a gap weight before every event and receives that event's timestamp. */
function* sessionScript(run: SessionRun): Generator<number, void, number> {
  const rng = run.rng;
  let t = yield 1;
  const source = rng.weighted([["startup", 75], ["resume", 15], ["clear", 10]] as const);
  run.hook(t, "SessionStart", { source, model: run.model });
  while (run.left() > RESERVE) yield* turn(run);
  if (rng.chance(0.15)) {
    yield wHook(rng);
    run.summary();
  }
  if (rng.chance(0.7)) {
    t = yield wUser(rng);
    const reason = rng.weighted([["prompt_input_exit", 80], ["clear", 10], ["other", 10]] as const);
    run.hook(t, "SessionEnd", { reason });
  }
}

function* turn(run: SessionRun): Generator<number, void, number> {
  const rng = run.rng;
  const main = run.main;
  let t: number;
  if (main.ctx > 160_000 || rng.chance(0.008)) {
    const auto = main.ctx > 160_000;
    t = yield wUser(rng);
    run.hook(t, "PreCompact", {
      trigger: auto ? "auto" : "manual",
      custom_instructions: auto ? null : "",
    });
    t = yield wModel(rng) * 5;
    run.hook(t, "SessionStart", { source: "compact", model: run.model });
    main.ctx = rng.int(15_000, 30_000);
  }
  if (rng.chance(0.03)) run.model = rng.weighted(MODEL_WEIGHTS);
  const text = prompt(rng);
  t = yield wUser(rng);
  const turnStart = t;
  run.hook(t, "UserPromptSubmit", { prompt: text });
  t = yield wHook(rng);
  run.userText(main, t, text);
  for (let rounds = 0;; rounds++) {
    const last = run.left() <= RESERVE || rounds >= 25 || (rounds > 0 && rng.chance(0.22));
    const msg = yield* assistant(run, main, run.model, last ? null : MAIN_TOOLS);
    if (msg.calls.length === 0) break;
    yield* runTools(run, main, msg.calls);
  }
  t = yield wHook(rng);
  run.hook(t, "Stop", { stop_hook_active: false, last_assistant_message: run.lastText });
  if (rng.chance(run.wantHooks() ? 0.1 : 0.4)) {
    t = yield wHook(rng);
    run.system(main, t, Math.max(1, t - turnStart));
  }
  if (run.hooksEnabled && rng.chance(run.wantHooks() ? 0.6 : 0.15)) {
    t = yield rng.range(3, 20);
    run.hook(t, "Notification", {
      message: "Claude is waiting for your input",
      notification_type: "idle_prompt",
    });
  }
}

/**
 * One assistant message written as 1-4 lines (one content block each, same id, requestId and
 * usage). With `tools`, it ends in 1-2 tool_use blocks; without, it is a final text answer.
 */
function* assistant(
  run: SessionRun,
  th: Thread,
  model: string,
  tools: readonly (readonly [string, number])[] | null,
): Generator<number, MessageResult, number> {
  const rng = run.rng;
  const wantHooks = run.wantHooks();
  const blocks: Obj[] = [];
  const calls: ToolCall[] = [];
  let out = 0;
  let text = "";
  if (rng.chance(wantHooks ? 0.15 : 0.45)) {
    const thinking = sentence(rng, 10, 120);
    blocks.push({ type: "thinking", thinking, signature: rng.b62(rng.int(80, 240)) });
    out += Math.ceil(thinking.length / 3.5);
  }
  let texts: number;
  if (tools === null) texts = wantHooks || rng.chance(0.7) ? 1 : 2;
  else texts = rng.chance(wantHooks ? 0.3 : 0.7) ? 1 : 0;
  for (let i = 0; i < texts; i++) {
    text = sentence(rng, tools === null ? 8 : 4, tools === null ? 120 : 30);
    blocks.push({ type: "text", text });
    out += Math.ceil(text.length / 3.5);
  }
  if (tools !== null) {
    const n = rng.chance(0.12) && run.left() > 12 ? 2 : 1;
    for (let i = 0; i < n; i++) {
      const call = run.tool(rng.weighted(tools));
      calls.push(call);
      blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.input });
      out += 20 + Math.ceil(JSON.stringify(call.input).length / 3.5);
    }
  }
  if (text !== "") run.lastText = text;
  const id = "msg_01" + run.uniqueB62(22);
  const requestId = "req_011C" + run.uniqueB62(18);
  const usage = run.usage(th, out + rng.int(0, 30));
  for (let i = 0; i < blocks.length; i++) {
    const t = yield i === 0 ? wModel(rng) : wBlock(rng);
    const isLast = i === blocks.length - 1;
    const uuid = rng.uuid();
    const e = run.envelope(th, uuid);
    e.message = {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [blocks[i]],
      stop_reason: isLast ? (calls.length > 0 ? "tool_use" : "end_turn") : null,
      stop_sequence: null,
      usage,
    };
    e.requestId = requestId;
    e.type = "assistant";
    e.uuid = uuid;
    e.timestamp = isoOf(t);
    if (i === 0) run.countUsage(model, usage);
    run.line(th, e);
    if (blocks[i].type === "tool_use") {
      for (const c of calls) if (c.id === blocks[i].id) c.assistantUuid = uuid;
      run.stats.toolCalls++;
    }
  }
  return { calls, text, outputTokens: out };
}

/** PreToolUse (and maybe a permission prompt) for each call, then runs them and reports. */
function* runTools(
  run: SessionRun,
  th: Thread,
  calls: ToolCall[],
): Generator<number, void, number> {
  const rng = run.rng;
  let t: number;
  for (const c of calls) {
    t = yield wHook(rng);
    run.hook(t, "PreToolUse", { tool_name: c.name, tool_input: c.input, tool_use_id: c.id });
    const p = run.mode === "default" ? 0.08 : 0.02;
    if (run.hooksEnabled && ASKS_PERMISSION.has(c.name) && rng.chance(run.wantHooks() ? 0.45 : p)) {
      t = yield wHook(rng);
      const req: Obj = { tool_name: c.name, tool_input: c.input };
      if (rng.chance(0.5)) {
        req.permission_suggestions = [{
          type: "addRules",
          rules: [{ toolName: c.name }],
          behavior: "allow",
          destination: "localSettings",
        }];
      }
      run.hook(t, "PermissionRequest", req);
      t = yield wHook(rng);
      run.hook(t, "Notification", {
        message: `Claude needs your permission to use ${c.name}`,
        notification_type: "permission_prompt",
      });
    }
  }
  for (const c of calls) {
    if (c.name === "Task") {
      yield* subagent(run, c);
    }
    t = yield wTool(rng);
    if (c.failed) {
      run.stats.toolFailures++;
      run.hook(t, "PostToolUseFailure", {
        tool_name: c.name,
        tool_input: c.input,
        tool_use_id: c.id,
        error: c.error,
      });
    } else {
      run.hook(t, "PostToolUse", {
        tool_name: c.name,
        tool_input: c.input,
        tool_response: c.response,
        tool_use_id: c.id,
      });
    }
    t = yield wHook(rng);
    run.toolResult(th, t, c);
  }
}

/** A Task sub-agent: SubagentStart, its sidechain transcript file, SubagentStop. */
function* subagent(run: SessionRun, task: ToolCall): Generator<number, void, number> {
  const rng = run.rng;
  const agentId = rng.hex(8);
  const agentType = String(task.input.subagent_type);
  const rel = `projects/${run.project.slug}/${run.id}/subagents/agent-${agentId}.jsonl`;
  const th: Thread = {
    rel,
    abs: `${run.root()}/${rel}`,
    parent: null,
    sidechain: true,
    agentId,
    ctx: 0,
    pending: 0,
  };
  const model = agentType === "Explore" ? "claude-haiku-4-5-20251001" : run.model;
  const started = yield wHook(rng);
  run.hook(started, "SubagentStart", { agent_id: agentId, agent_type: agentType });
  let t = yield wHook(rng);
  run.userText(th, t, String(task.input.prompt));
  let toolUses = 0;
  let tokens = 0;
  const rounds = rng.int(1, 5);
  for (let r = 0; r < rounds && run.left() > 3 * RESERVE; r++) {
    const msg = yield* assistant(run, th, model, AGENT_TOOLS);
    toolUses += msg.calls.length;
    tokens += msg.outputTokens;
    yield* runTools(run, th, msg.calls);
  }
  const final = yield* assistant(run, th, model, null);
  tokens += final.outputTokens;
  t = yield wHook(rng);
  run.hook(t, "SubagentStop", {
    stop_hook_active: false,
    agent_id: agentId,
    agent_type: agentType,
    agent_transcript_path: th.abs,
    last_assistant_message: final.text,
  });
  task.resultText = final.text;
  task.response = {
    content: [{ type: "text", text: final.text }],
    totalDurationMs: Math.max(1, t - started),
    totalTokens: tokens + th.ctx,
    totalToolUseCount: toolUses,
    agentId,
    status: "completed",
    prompt: task.input.prompt,
  };
  task.toolUseResult = task.response;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
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

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE = `usage:
  deno run -A bench/gen.ts --dir DIR [--events N] [--seed N] [--sessions N] [--hook-share F]
                           [--base-time ISO|MS] [--span-hours H]
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

async function cli(argv: string[]): Promise<void> {
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
    });
  }
  const ms = Math.round(performance.now() - t0);
  const { perSession: _p, byModel, ...rest } = totals;
  console.log(JSON.stringify({ dir: resolve(dir), ms, ...rest, byModel }, null, 2));
}

if (import.meta.main) {
  await cli(Deno.args);
}

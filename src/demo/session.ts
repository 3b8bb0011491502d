// One generated session's state and its line writers: SessionRun holds the session's PRNG, its
// threads (main transcript, sub-agent sidechains) and counters, and writes hook payloads and
// transcript lines in Claude Code's format through a Sink, counting them in the totals.

import { TITLES } from "./content.ts";
import type { Project, SessionSpec } from "./plan.ts";
import { b62Fixed, mix, Rng } from "./rng.ts";
import type { Sink } from "./sinks.ts";
import type { GenTotals, SessionTotals } from "./totals.ts";

export const CLAUDE_CODE_VERSION = "2.1.62";
export const HOOK_DIR = "hooks/logs/raw_json";

export type Obj = Record<string, unknown>;

export interface Env {
  root: string;
  sink: Sink;
  totals: GenTotals;
  hookShare: number;
  /** Early lines of a multi-line assistant message carry partial output_tokens (GenOptions). */
  streamingDuplicates: boolean;
  /** Share of sessions whose hooks carry no tool_use_id, as Claude Code 1.0.x wrote them. */
  idlessHooks?: number;
  /** Real data's shape: line sizes, 2.1.x bookkeeping lines, compact hook JSON (GenOptions). */
  realistic?: boolean;
}

export interface Thread {
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

export interface ToolCall {
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

export interface MessageResult {
  calls: ToolCall[];
  text: string;
  outputTokens: number;
}

let isoSecond = NaN;
let isoPrefix = "";
/** ISO-8601 UTC with milliseconds ("2026-11-20T10:00:00.123Z"); caches the part up to seconds. */
export function isoOf(ms: number): string {
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

export class SessionRun {
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
  /** This session's hooks are Claude Code 1.0.x's: no tool_use_id, no permission_mode. */
  readonly idless: boolean;
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
    // Drawn from a stream of its own so a run without id-less hooks stays byte-identical.
    const idless = env.idlessHooks ?? 0;
    this.idless = idless > 0 && new Rng(mix(spec.seed, 0x1d1e55)).next() < idless;
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

  get streamingDuplicates(): boolean {
    return this.env.streamingDuplicates;
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
    if (this.idless) {
      delete payload.tool_use_id;
      delete payload.permission_mode;
    }
    // Claude Code hands hooks compact JSON; some logging scripts pretty-print it.
    const pretty = this.rng.chance(0.3) && !this.env.realistic;
    const text = pretty ? JSON.stringify(payload, null, 2) : JSON.stringify(payload);
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

  /**
   * A line of Claude Code's own bookkeeping (2.1.x: queue operations, attachments, last
   * prompt): stored by the dashboard but no event of the session, so counted apart.
   */
  bookkeeping(th: Thread, obj: Obj): void {
    this.env.sink.writeLine(th.rel, JSON.stringify(obj) + "\n");
    this.env.totals.bookkeepingLines = (this.env.totals.bookkeepingLines ?? 0) + 1;
  }

  /** What Claude Code 2.1.x writes around a prompt: the queue, then attachments. */
  private promptBookkeeping(th: Thread, t: number, text: string, after: boolean): void {
    const timestamp = isoOf(t);
    if (!after) {
      this.bookkeeping(th, {
        type: "queue-operation",
        operation: "enqueue",
        timestamp,
        sessionId: this.id,
        content: text,
      });
      this.bookkeeping(th, {
        type: "queue-operation",
        operation: "dequeue",
        timestamp,
        sessionId: this.id,
      });
      return;
    }
    for (let i = this.rng.int(1, 3); i > 0; i--) {
      const uuid = this.rng.uuid();
      const e = this.envelope(th, uuid);
      e.attachment = {
        type: "environment",
        snapshot: {
          workingDirectory: this.project.cwd,
          isGitRepo: true,
          platform: "linux",
          shell: "bash",
        },
        text: fillerText(this.rng, lognormalBytes(this.rng, 700, 0.8)),
      };
      e.type = "attachment";
      e.uuid = uuid;
      e.timestamp = timestamp;
      this.bookkeeping(th, e);
    }
    this.bookkeeping(th, {
      type: "last-prompt",
      lastPrompt: text.slice(0, 120),
      sessionId: this.id,
    });
  }

  userText(th: Thread, t: number, text: string): void {
    const real = this.env.realistic === true && !th.sidechain;
    if (real) this.promptBookkeeping(th, t, text, false);
    const uuid = this.rng.uuid();
    const e = this.envelope(th, uuid);
    e.type = "user";
    e.message = { role: "user", content: text };
    e.uuid = uuid;
    e.timestamp = isoOf(t);
    if (!th.sidechain) e.permissionMode = this.mode;
    this.line(th, e);
    th.pending += Math.ceil(text.length / 4);
    if (real) this.promptBookkeeping(th, t, text, true);
  }

  toolResult(th: Thread, t: number, call: ToolCall): void {
    // Real tool results are mostly short with a long tail (files read, long outputs): in
    // tests/fixtures their lines have a median of 1.4 KB and a mean of 4.1 KB.
    if (this.env.realistic && !call.failed) {
      // The line holds the text about twice (content and toolUseResult) plus ~900 B around it.
      const extra = lognormalBytes(this.rng, 1000, 1.5) - 2 * call.resultText.length - 900;
      if (extra > 0) call.resultText += "\n" + fillerText(this.rng, Math.min(extra, 60_000));
    }
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
}

/** A size in bytes drawn from a log-normal distribution with this median and spread. Pure. */
function lognormalBytes(rng: Rng, median: number, sigma: number): number {
  const u = Math.max(1e-9, rng.next());
  const v = rng.next();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.round(median * Math.exp(sigma * z));
}

const fillerWords = [
  "const",
  "return",
  "function",
  "import",
  "export",
  "await",
  "if",
  "else",
  "for",
  "of",
  "new",
  "value",
  "result",
  "error",
  "config",
  "session",
  "request",
  "response",
  "string",
  "number",
];

/** About `bytes` characters of code-like text (what tool results mostly hold). */
function fillerText(rng: Rng, bytes: number): string {
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const w = fillerWords[rng.int(0, fillerWords.length - 1)];
    const sep = rng.chance(0.12) ? "\n" : " ";
    parts.push(w, sep);
    n += w.length + 1;
  }
  return parts.join("");
}

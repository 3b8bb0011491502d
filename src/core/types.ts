// Records that cross module boundaries: parser output, store rows and API/live shapes.
// Parsers produce NormalizedEvent + IngestError values; the store turns them into rows;
// the server and the live bus only ever see the API shapes (EventRow, SessionSummary, …).

export type EventSource = "hook" | "transcript";

/** Token counts of one assistant API message. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  /** Part of cache_creation_tokens written to the 1-hour cache (priced higher). */
  cache_creation_1h_tokens: number;
  cache_read_tokens: number;
}

/** One assistant message's usage, to be deduplicated by message id + request id. */
export interface UsageRecord {
  messageId: string;
  requestId: string;
  model: string | null;
  usage: Usage;
}

/** Start or end of a tool call, as seen by a hook event or a transcript block. */
export interface ToolEffect {
  phase: "start" | "end";
  toolUseId: string | null;
  toolName: string | null;
  /** For "start": what the call works on (command, path, pattern …). */
  inputSummary: string | null;
  /** For "end": whether the call failed, and why. */
  failed: boolean;
  error: string | null;
}

/**
 * The error an event represents (events.error_kind): none; an error the event itself reports
 * (a transcript's API error message or system line of level "error"); or a failed tool call
 * (PostToolUseFailure, a tool_result with is_error). Stored as these numbers; SQL names them
 * through this object (`error_kind = ${ErrorKind.ApiError}`).
 */
export const ErrorKind = { None: 0, ApiError: 1, ToolFailed: 2 } as const;
export type ErrorKind = typeof ErrorKind[keyof typeof ErrorKind];

/** A parsed, normalized event from a hook file or a transcript line, before storage. */
export interface NormalizedEvent {
  /** Idempotency key: the same input always yields the same key. */
  key: string;
  source: EventSource;
  sessionId: string;
  ts: number;
  type: string;
  toolName: string | null;
  toolUseId: string | null;
  summary: string;
  cwd: string | null;
  uuid: string | null;
  isSidechain: boolean;
  errorKind: ErrorKind;
  model: string | null;
  usage: UsageRecord | null;
  toolEffects: ToolEffect[];
  /** Byte offset of a transcript line within its file; null for hook files. */
  offset: number | null;
  /** The original JSON text, kept whole so unknown fields are never lost. */
  raw: string;
  /**
   * Set on a transcript line that names no session (summary, file-history-snapshot) in a chunk
   * where no line does: `sessionId` is only the file's name. The writer attaches it to a session
   * stored from the same file, else to the one holding `leafUuid`, else to none.
   */
  orphan?: { leafUuid: string | null };
  /** Claude Code's bookkeeping (cost-state, api-request, …; docs/FORMATS.md): history,
   * searchable, not a timeline row, not counted as an event, not sent to the live feed. */
  bookkeeping?: boolean;
  /** What a `cost-state` line reports: the session's running totals (the latest line wins). */
  costState?: CostState;
  /** Search text of `raw` (core/search_text.ts) from the parser's parse; absent: from `raw`. */
  searchText?: string | null;
  /** `raw` compressed ahead with others (hook reader): see store/raw_blocks.ts packPayloads. */
  packed?: { payloads: { data: Uint8Array; lengths: number[] }; index: number };
}

/**
 * Transcript line types Claude Code writes for itself (its own list of metadata lines, 2.1.x):
 * stored, searchable by type, but not timeline rows and not counted as events. Lines of earlier
 * releases (summary, file-history-snapshot, progress) and unknown types stay events.
 * Migration 7 marks stored lines with the same list, written out there.
 */
export const bookkeepingLineTypes: ReadonlySet<string> = new Set([
  "queue-operation",
  "attachment",
  "atis-latch",
  "api-request-shape",
  "api-request-blob",
  "api-request",
  "api-request-resumed",
  "tools-used",
  "last-prompt",
  "cost-state",
  "file-history-delta",
  "continued-in",
  "resume-head-vouch",
  "content-replacement",
  "data-flow-records",
  "data-flow-incomplete",
  "derived-from",
  "fork-context-ref",
  "frame-link",
  "custom-title",
  "ended-by-model",
  "ai-title",
  "tag",
  "relocated",
  "agent-name",
  "agent-color",
  "agent-setting",
  "pr-link",
  "artifact-comment-monitor",
  "artifact-autoreact-ledger",
  "bridge-session",
  "history-suppression",
  "attribution-snapshot",
  "mode",
  "permission-mode",
  "isolation-latch",
  "session-owner",
  "dev-mods",
  "memory-mode",
  "worktree-state",
  "observer-ref",
]);

/** Claude Code's own running totals for a session, from a transcript `cost-state` line. */
export interface CostState {
  totalCostUsd: number;
  apiDurationMs: number;
  toolDurationMs: number;
  linesAdded: number;
  linesRemoved: number;
  /** Some model's cost was unknown to Claude Code: its total is then a lower bound. */
  hasUnknownModelCost: boolean;
  models: ModelCost[];
}

/** One model's share of a `cost-state` line (Claude Code's `modelUsage`). */
export interface ModelCost {
  model: string;
  costUsd: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  /** Context window Claude Code reports for the model, when it does. */
  contextWindow: number | null;
}

/** A file or line that could not be ingested, counted and shown on the health page. */
export interface IngestError {
  /** Path relative to the Claude directory. */
  path: string;
  /** Byte offset of the bad line; null when the whole file is at fault. */
  offset: number | null;
  reason: string;
}

export type SourceKind = "hook" | "transcript" | "threads";

// ---- API shapes (stable) ----

/** One event as served by /api/events, /api/stream and /api/ws. */
export interface EventRow {
  id: number;
  ts: string;
  source: EventSource;
  session_id: string;
  type: string;
  tool_name: string | null;
  summary: string;
}

export type SessionStatus = "running" | "waiting" | "idle" | "ended";

/** Where a cost comes from: Claude Code's own figure, or the price table's estimate. */
export type CostSource = "reported" | "estimated";

/** How a cost source is named wherever a cost is shown. */
export const costSourceText: Record<CostSource, string> = {
  reported: "reported by Claude Code",
  estimated: "estimated from prices",
};

/** Where a sum of message costs comes from: all reported, none, or some of each ("mixed"). */
export type UsageCostSource = CostSource | "mixed";

/** How a summed cost's source is named (usage rows, windows, KPIs). */
export const usageCostSourceText: Record<UsageCostSource, string> = {
  ...costSourceText,
  mixed: "partly estimated",
};

/** The source of a sum of two costs (undefined: one of them does not say). */
export function sumCostSource(
  a: UsageCostSource | undefined,
  b: UsageCostSource | undefined,
): UsageCostSource | undefined {
  if (a === undefined || b === undefined) return undefined;
  return a === b ? a : "mixed";
}

/** The source of a sum of `messages` costs of which `reported` are Claude Code's own. */
export function usageCostSource(messages: number, reported: number): UsageCostSource {
  return reported <= 0 ? "estimated" : reported >= messages ? "reported" : "mixed";
}

export interface SessionSummary {
  session_id: string;
  project: string | null;
  cwd: string | null;
  status: SessionStatus;
  first_ts: string | null;
  last_ts: string | null;
  events: number;
  tool_calls: number;
  errors: number;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  /** Claude Code's own total when it reported one (cost-state lines), else estimated from the
   * price table: null when some tokens were used by a model without a known price. */
  cost_usd: number | null;
  /** Where cost_usd comes from: "reported" by Claude Code or "estimated" from prices. */
  cost_source: CostSource;
  /** What Claude Code reports for the session (null: it reported nothing). */
  lines_added: number | null;
  lines_removed: number | null;
  api_ms: number | null;
  tool_ms: number | null;
  /** Why the session waits (the Notification / PermissionRequest text), when it does. */
  waiting_reason: string | null;
  /** Input + cache tokens of the latest main-thread assistant turn: the context it sent. */
  context_tokens: number | null;
  /** The model's context window in tokens (null: unknown model). */
  context_window: number | null;
  /** cache_read / (input + cache_creation + cache_read) over the session; null when 0. */
  cache_hit_ratio: number | null;
  /** Times the conversation was compacted (compact boundaries and PreCompact hooks). */
  compactions: number;
  /** "archived": every transcript file it came from is gone; what is shown is the stored copy. */
  source: "live" | "archived";
}

export interface ToolCallRow {
  tool_use_id: string | null;
  session_id: string;
  tool_name: string;
  status: "running" | "ok" | "error";
  start_ts: string | null;
  end_ts: string | null;
  duration_ms: number | null;
  input_summary: string | null;
  error: string | null;
}

export interface IngestErrorRow {
  path: string;
  offset: number | null;
  reason: string;
  ts: string;
}

/** One folder Claude Code may write to, as /api/health (ingest.roots) and /health show it. */
export interface RootStatus {
  path: string;
  /** Where it comes from: ~/.claude, $XDG_CONFIG_HOME/claude, or CLAUDE_CONFIG_DIR. */
  origin: "home" | "xdg" | "env";
  /** The main folder: hook logs and threads.db are read from it only. */
  main: boolean;
  found: boolean;
  /** The earlier root this one is the same folder as (then it is not read again). */
  same_as: string | null;
  /** Transcript files listed there at the last scan. */
  transcripts: number;
}

export interface HealthReport {
  /** degraded: ingest errors; waiting: no data source found yet (a first run). */
  status: "ok" | "degraded" | "waiting";
  events: number;
  sessions: number;
  files: number;
  errors: number;
  last_event_ts: string | null;
  db_bytes: number;
  uptime_s: number;
}

/** What the live bus carries to SSE and WebSocket clients. */
export type LiveMessage =
  | { type: "event"; event: EventRow }
  | { type: "session"; session: SessionSummary }
  | { type: "alert"; alert: AlertRow }
  | { type: "usage"; active: ActiveBlock | null }
  | { type: "progress"; progress: import("./progress.ts").BackfillProgress }
  | LiveReset;

/**
 * Sent to a resuming client instead of a replay that would leave a gap: its `from_id` is
 * more than the replay window behind (`too_old`) or unknown to this database (`unknown_id`,
 * e.g. rebuilt). The client reloads its data; the stream continues after `last_id`.
 */
export interface LiveReset {
  type: "reset";
  reason: "too_old" | "unknown_id";
  from_id: number;
  last_id: number;
  replay_limit: number;
}

// ---- Alerts (src/alerts/) ----

export type AlertState = "active" | "acknowledged" | "cleared";

/** GET /api/alerts row and the `alert` live message. */
export interface AlertRow {
  id: number;
  rule: string;
  session_id: string | null;
  project: string | null;
  first_ts: string;
  last_ts: string;
  count: number;
  message: string;
  state: AlertState;
  /** Hidden from the banner until then (ISO time), while the condition may still hold. */
  snoozed_until: string | null;
}

// ---- 5-hour usage windows (src/usage/) ----

export interface TokenTotals {
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  /** null when some tokens were used by a model without a known price. */
  cost_usd: number | null;
  /** Where cost_usd comes from, when the producer says (usage rows, windows). */
  cost_source?: UsageCostSource;
}

/** One 5-hour window of /api/blocks. */
export interface UsageBlock extends TokenTotals {
  start: string;
  end: string;
  last_ts: string;
  active: boolean;
  messages: number;
  /** The part of cost_usd Claude Code reported; where the cost comes from. */
  cost_reported_usd: number;
  cost_source: UsageCostSource;
  models: string[];
}

/** The window in progress, with burn rate and projection. */
export interface ActiveBlock {
  start: string;
  end: string;
  /** The window's last message (ISO). Every figure but minutes_left is as of it, so the figures
   * change only when a message arrives (the panel, the banner and the alert all agree). */
  as_of: string;
  minutes_left: number;
  tokens: number;
  cost_usd: number | null;
  /** Where cost_usd comes from (absent: estimated). */
  cost_source?: UsageCostSource;
  tokens_per_min: number;
  cost_per_hour: number | null;
  /** Minutes between the window's first and last message: what the burn rate is measured over. */
  rate_span_min: number;
  projected_tokens: number;
  projected_cost_usd: number | null;
  limit_tokens: number | null;
  limit_source: "setting" | "claude" | "p90" | null;
  /** Where the token limit comes from, in words ("your p90 of 41 windows", "your setting"). */
  limit_source_text: string | null;
  /** The cost limit per window, by the same rule as limit_tokens. */
  limit_cost_usd: number | null;
  limit_cost_source: "setting" | "claude" | "p90" | null;
  limit_cost_source_text: string | null;
  /** The projection exceeds the token limit or the cost limit by the window's end. */
  projected_over_limit: boolean;
  /** When the projection first crosses a limit (ISO; as_of when already over), or null. */
  limit_eta: string | null;
  /** The same, for the token limit and the cost limit alone. */
  limit_eta_tokens: string | null;
  limit_eta_cost: string | null;
  /** Tokens and cost against their limits: which one is over, or projected over (the states
   * of core/window_figures.ts, which the panel and the alert show). */
  limit_state: { tokens: LimitState; cost: LimitState };
}

/**
 * Where a measure of the active window stands: used at or over its limit, projected over it by
 * the window's end (once the burn rate spans alertWindowMinRateSpanMin), under it, without a
 * limit, or of unknown size (a model without a known price).
 */
export type LimitState = "over" | "projected_over" | "under" | "no_limit" | "unknown";

/** Filters shared by /api/events, /api/stream and /api/ws. */
export interface EventFilters {
  session?: string;
  type?: string;
  tool?: string;
  since?: number;
  until?: number;
}

// ---- Page API shapes (browser UI pages and their /api twins) ----

/** An event with the columns the explorer and the session timeline show. */
export interface EventDetailRow extends EventRow {
  is_sidechain: boolean;
  error_kind: ErrorKind;
  tool_use_id: string | null;
}

/** One stored line behind a timeline row: a hook file or a transcript line. */
export interface TimelineSource {
  /** The event id (its raw JSON is /api/events/:id). */
  id: number;
  source: EventSource;
  type: string;
  ts: string;
  /** The file it was read from (relative to the Claude folder), when known. */
  file: string | null;
  /** Byte offset of the transcript line in its file (null for a hook file). */
  offset: number | null;
}

export type TimelineKind =
  | "prompt"
  | "assistant"
  | "tool"
  | "notify"
  | "compact"
  | "subagent"
  | "session"
  | "error"
  | "other";

/**
 * One thing that happened in a session: a tool call (whatever hook and transcript lines
 * describe it), a prompt (hook and transcript), or one other event. The event fields are
 * those of its main line; `id` and `ts` are its earliest line's.
 */
export interface TimelineRow extends EventDetailRow {
  /** Same for the same thing on every page and in every live update (tool:…, call:…, …). */
  key: string;
  kind: TimelineKind;
  tool_status: "running" | "ok" | "error" | null;
  tool_duration_ms: number | null;
  tool_error: string | null;
  /** The tool's result in one line (the transcript's tool_result), when one was read. */
  result: string | null;
  /** Every stored line behind the row, oldest first. */
  sources: TimelineSource[];
}

/** A sessions-table row: the summary plus the first prompt. */
export interface SessionListRow extends SessionSummary {
  first_prompt: string | null;
}

// ---- Metrics (served as Prometheus text at /metrics, exported as OTLP metrics) ----

/** One metric with its samples; `name` is the Prometheus name (counters end in _total). */
export interface MetricFamily {
  name: string;
  help: string;
  type: "counter" | "gauge";
  /** UCUM-style unit for OTLP ("1", "s", "By", "USD", "{event}" …). */
  unit: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

/** One row of the Discord notifier's thread map (hooks/threads.db), as read and as stored. */
export interface ThreadMapping {
  session_id: string;
  channel_id: string | null;
  thread_id: string | null;
  created_at: string | null;
  is_archived: number | null;
  last_used: string | null;
}

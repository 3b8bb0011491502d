// What the workload generator reports it wrote: counts per session and per model, so tests and
// the bench can compare the store's figures with the truth.

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
  /** Claude Code 2.1.x bookkeeping lines (realistic runs only): in transcriptBytes, no event. */
  bookkeepingLines?: number;
  sessions: number;
  projects: number;
  /** per session id: events (hook files + transcript lines, all of them), deduplicated assistant messages (distinct message.id+requestId), and the token sums over those distinct messages */
  perSession: Record<string, SessionTotals>;
  byModel: Record<string, ModelTotals>;
}

export function emptyTotals(): GenTotals {
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

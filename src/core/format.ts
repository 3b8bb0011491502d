// Formatting shared by server-rendered pages and islands (so both render the same text).

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** "claude-sonnet-4-20250514" → "sonnet-4": for narrow columns (the full id goes in a title). */
export function shortModel(model: string): string {
  return model.replace(/^claude-/, "").replace(/-\d{8}$/, "");
}

export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`;
  return `${(n / 1_000_000_000).toFixed(1)}B`;
}

export function usd(v: number | null): string {
  if (v === null) return "unknown";
  if (v === 0) return "$0";
  if (v < 0.01) return `$${v.toFixed(4)}`;
  return `$${v.toFixed(2)}`;
}

/** Clock time in UTC, so the server and the browser render the same text. */
export function clock(iso: string | null): string {
  if (!iso) return "–";
  return iso.slice(11, 19);
}

/** Date and time in UTC, minute precision. */
export function dateTime(iso: string | null): string {
  if (!iso) return "–";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** "08-01 12:34" (UTC, no year) for narrow table columns; the cell's title carries dateTime. */
export function shortDateTime(iso: string | null): string {
  if (!iso) return "–";
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

export const statusLabel: Record<string, string> = {
  waiting: "waiting for input",
  running: "running",
  idle: "idle",
  ended: "ended",
};

/** A duration in the largest unit that keeps it short: 850 ms, 12.3 s, 4 m 05 s, 2 h 10 m. */
export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
  const m = Math.round(s / 60);
  if (m < 48 * 60) return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} m`;
  return `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`;
}

export function percent(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return "–";
  if (ratio === 0) return "0%";
  if (ratio < 0.001) return "<0.1%";
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
}

export function totalTokens(
  s: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_tokens: number;
    cache_read_tokens: number;
  },
): number {
  return s.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens;
}

type TokenCounts = Parameters<typeof totalTokens>[0];

/**
 * Whether a session reported any usage. Only assistant messages in transcripts carry tokens: a
 * session seen through hooks alone has an unknown cost, not a cost of zero.
 */
export function usageKnown(s: TokenCounts): boolean {
  return totalTokens(s) > 0;
}

/** A session's tokens, or "–" when no assistant message reported any. */
export function sessionTokens(s: TokenCounts): string {
  return usageKnown(s) ? compact(totalTokens(s)) : "–";
}

/** A session's cost: "–" when no usage is known, "unknown" when some of it has no price. */
export function sessionCost(s: TokenCounts & { cost_usd: number | null }): string {
  return usageKnown(s) ? usd(s.cost_usd) : "–";
}

/** The token breakdown shown on hover, or why there is none. */
export function tokensTitle(s: TokenCounts): string {
  if (!usageKnown(s)) return "no usage known: no assistant message in a transcript (hooks only)";
  return `in ${s.input_tokens} · out ${s.output_tokens} · cache write ${s.cache_creation_tokens} · cache read ${s.cache_read_tokens}`;
}

/** Cuts text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** `?a=1&b=2` with some parameters changed (null or "" removes one). */
export function withQuery(query: string, changes: Record<string, string | number | null>): string {
  const p = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === "") p.delete(k);
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : "?";
}

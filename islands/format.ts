// Formatting shared by server-rendered pages and islands (so both render the same text).

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
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

export const statusLabel: Record<string, string> = {
  waiting: "waiting for input",
  running: "running",
  idle: "idle",
  ended: "ended",
};

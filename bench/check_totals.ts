// Acceptance check shared by the benchmark and tests/bench_gen_ingest_test.ts: what the
// generator says it wrote equals what the dashboard shows, read through its HTTP API
// (/api/sessions, every page) and /api/health (ingest errors).

import type { GenTotals } from "../src/demo/workload.ts";

/** Per-session fields compared: generator name → dashboard (/api/sessions) name. */
export const comparedFields = [
  ["events", "events"],
  ["input_tokens", "input_tokens"],
  ["output_tokens", "output_tokens"],
  ["cache_creation_tokens", "cache_creation_tokens"],
  ["cache_read_tokens", "cache_read_tokens"],
  ["toolCalls", "tool_calls"],
  ["toolFailures", "errors"],
] as const;

export interface TotalsCheck {
  sessionsGenerated: number;
  sessionsShown: number;
  ingestErrors: number;
  /** Human-readable differences; empty when everything agrees. */
  mismatches: string[];
  /** Sums over all sessions, as shown. */
  shown: Record<string, number>;
}

/** Reads every session from the dashboard at `url` and compares with `totals`. */
export async function checkTotals(url: string, totals: GenTotals): Promise<TotalsCheck> {
  const shownById = new Map<string, Record<string, unknown>>();
  for (let offset = 0;; offset += 200) {
    const res = await fetch(`${url}/api/sessions?limit=200&offset=${offset}`);
    if (!res.ok) throw new Error(`/api/sessions answered ${res.status}`);
    const page = await res.json() as { total: number; sessions: Array<Record<string, unknown>> };
    for (const s of page.sessions) shownById.set(String(s.session_id), s);
    if (page.sessions.length === 0 || offset + 200 >= page.total) break;
  }
  const health = await (await fetch(`${url}/api/health`)).json() as { errors: number };
  const mismatches: string[] = [];
  const shown: Record<string, number> = {};
  for (const [, api] of comparedFields) shown[api] = 0;
  for (const s of shownById.values()) {
    for (const [, api] of comparedFields) shown[api] += Number(s[api] ?? 0);
  }
  for (const [id, want] of Object.entries(totals.perSession)) {
    const got = shownById.get(id);
    if (!got) {
      mismatches.push(`session ${id}: generated, not shown`);
      continue;
    }
    for (const [gen, api] of comparedFields) {
      if (Number(got[api]) !== want[gen]) {
        mismatches.push(`session ${id} ${api}: generated ${want[gen]}, shown ${got[api]}`);
      }
    }
  }
  for (const id of shownById.keys()) {
    if (!(id in totals.perSession)) mismatches.push(`session ${id}: shown, never generated`);
  }
  return {
    sessionsGenerated: Object.keys(totals.perSession).length,
    sessionsShown: shownById.size,
    ingestErrors: health.errors,
    mismatches,
    shown,
  };
}

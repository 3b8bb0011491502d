// Response times of the dashboard's pages and JSON API over real HTTP (keep-alive fetch from
// this process to the server process), each request's body read in full.

import { percentiles } from "./stats.ts";

export interface RouteTiming {
  name: string;
  path: string;
  status: number;
  p50: number;
  p95: number;
  n: number;
  bytes: number;
}

async function once(url: string): Promise<{ ms: number; status: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status, bytes: body.byteLength };
}

/** Times GET `paths` (one or several, used in turn) `iterations` times after 3 warm-ups. */
export async function timeRoute(
  base: string,
  name: string,
  paths: string[],
  iterations: number,
): Promise<RouteTiming> {
  for (let i = 0; i < 3; i++) await once(base + paths[i % paths.length]);
  const times: number[] = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < iterations; i++) {
    const r = await once(base + paths[i % paths.length]);
    times.push(r.ms);
    if (r.status !== 200) status = r.status;
    else if (status === 0) status = 200;
    bytes = Math.max(bytes, r.bytes);
  }
  const p = percentiles(times);
  return { name, path: paths[0], status, p50: p.p50, p95: p.p95, n: times.length, bytes };
}

/** First path of `candidates` that answers 200, or null. */
export async function firstLive(base: string, candidates: string[]): Promise<string | null> {
  for (const path of candidates) {
    try {
      const res = await fetch(base + path);
      await res.body?.cancel();
      if (res.ok) return path;
    } catch { /* next */ }
  }
  return null;
}

/**
 * The search route, if search is really implemented: a word that occurs nowhere must find
 * nothing (a route that ignores q returns rows), and a common word must find something.
 */
export async function searchRoute(base: string): Promise<{ path: string; q: string } | null> {
  const candidates = ["/api/search?q=", "/api/events?q="];
  for (const prefix of candidates) {
    try {
      const none = await fetch(base + prefix + "zzqxjvnothere");
      if (!none.ok) {
        await none.body?.cancel();
        continue;
      }
      const noneBody = await none.json() as Record<string, unknown>;
      const rowsOf = (b: Record<string, unknown>) =>
        Object.values(b).find(Array.isArray) as unknown[] | undefined;
      if ((rowsOf(noneBody)?.length ?? 1) !== 0) continue;
      const some = await fetch(base + prefix + "deploy");
      const someBody = await some.json() as Record<string, unknown>;
      if ((rowsOf(someBody)?.length ?? 0) > 0) return { path: prefix, q: "deploy" };
    } catch { /* next */ }
  }
  return null;
}

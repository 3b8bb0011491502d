// The peer: ccusage (the tool people use today for Claude Code token usage), run over the same
// generated transcripts with `daily --offline --json`, and the same answer from claude-dash:
// daily token sums by UTC day.

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { runTimed, type TimedRun } from "./procs.ts";

export const peerVersion = "18.0.11";
const peerDir = new URL("./out/peer/", import.meta.url).pathname;

export interface DayUsage {
  date: string;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  cost: number | null;
}

/** ccusage's entry script, installed from npm into bench/out/peer on first use. */
export async function ensurePeer(): Promise<string> {
  const entry = join(peerDir, `node_modules/ccusage/dist/index.js`);
  try {
    const pkg = JSON.parse(
      Deno.readTextFileSync(join(peerDir, "node_modules/ccusage/package.json")),
    );
    if (pkg.version === peerVersion) return entry;
  } catch { /* not installed yet */ }
  Deno.mkdirSync(peerDir, { recursive: true });
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--prefix",
      peerDir,
      `ccusage@${peerVersion}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(`npm install ccusage failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return entry;
}

export interface PeerRun extends TimedRun {
  days: DayUsage[];
}

/**
 * Runs ccusage over `claudeDir` (CLAUDE_CONFIG_DIR) with an empty HOME, so it can never read
 * the real ~/.claude, and TZ=UTC so its days are UTC days like ours.
 */
export async function runPeer(
  entry: string,
  claudeDir: string,
  emptyHome: string,
): Promise<PeerRun> {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: emptyHome,
    CLAUDE_CONFIG_DIR: claudeDir,
    TZ: "UTC",
    NO_COLOR: "1",
  };
  const r = await runTimed("node", [entry, "daily", "--offline", "--json"], env, {
    clearEnv: true,
  });
  if (r.code !== 0) throw new Error(`ccusage exited ${r.code}: ${r.stderr.slice(-1000)}`);
  const parsed = JSON.parse(r.stdout) as {
    daily: Array<{
      date: string;
      inputTokens: number;
      outputTokens: number;
      cacheCreationTokens: number;
      cacheReadTokens: number;
      totalCost: number;
    }>;
  };
  return {
    ...r,
    days: parsed.daily.map((d) => ({
      date: d.date,
      input: d.inputTokens,
      output: d.outputTokens,
      cacheCreation: d.cacheCreationTokens,
      cacheRead: d.cacheReadTokens,
      cost: d.totalCost,
    })),
  };
}

/** Our answer from the stored messages (deduplicated by message id + request id), by UTC day. */
export function ourDailyFromDb(dbPath: string): DayUsage[] {
  const db = new DatabaseSync(dbPath);
  try {
    const rows = db.prepare(`
      SELECT strftime('%Y-%m-%d', ts / 1000, 'unixepoch') AS date,
        sum(input_tokens) AS input, sum(output_tokens) AS output,
        sum(cache_creation_tokens) AS cc, sum(cache_read_tokens) AS cr,
        CASE WHEN count(cost_usd) = count(*) THEN sum(cost_usd) END AS cost
      FROM messages GROUP BY date ORDER BY date`).all() as Array<
      { date: string; input: number; output: number; cc: number; cr: number; cost: number | null }
    >;
    return rows.map((r) => ({
      date: r.date,
      input: r.input,
      output: r.output,
      cacheCreation: r.cc,
      cacheRead: r.cr,
      cost: r.cost,
    }));
  } finally {
    db.close();
  }
}

/**
 * Our answer from the running dashboard's /api/usage?group=day when it has one, in whatever
 * of the plausible shapes it answers; null when the route does not exist.
 */
export async function ourDailyFromApi(url: string): Promise<DayUsage[] | null> {
  let res: Response;
  try {
    res = await fetch(`${url}/api/usage?group=day`);
  } catch {
    return null;
  }
  if (!res.ok) {
    await res.body?.cancel();
    return null;
  }
  const body = await res.json() as unknown;
  const list = Array.isArray(body)
    ? body
    : body && typeof body === "object"
    ? Object.values(body as Record<string, unknown>).find(Array.isArray)
    : null;
  if (!Array.isArray(list)) return null;
  const num = (o: Record<string, unknown>, ...keys: string[]): number | null => {
    for (const k of keys) if (typeof o[k] === "number") return o[k] as number;
    return null;
  };
  const out: DayUsage[] = [];
  for (const item of list) {
    if (!item || typeof item !== "object") return null;
    const o = item as Record<string, unknown>;
    const date = [o.date, o.day, o.bucket, o.period, o.key].find((v) => typeof v === "string") as
      | string
      | undefined;
    const input = num(o, "input_tokens", "inputTokens", "input");
    const output = num(o, "output_tokens", "outputTokens", "output");
    const cc = num(o, "cache_creation_tokens", "cacheCreationTokens", "cache_creation");
    const cr = num(o, "cache_read_tokens", "cacheReadTokens", "cache_read");
    if (!date || input === null || output === null || cc === null || cr === null) return null;
    out.push({
      date: date.slice(0, 10),
      input,
      output,
      cacheCreation: cc,
      cacheRead: cr,
      cost: num(o, "cost_usd", "totalCost", "cost"),
    });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

export interface Agreement {
  days: number;
  tokenMismatches: string[];
  costDiffUsd: number | null;
  totalsOurs: Record<string, number>;
  totalsPeer: Record<string, number>;
}

/** Compares the two answers day by day on the four token kinds, and the total cost. */
export function compareDaily(ours: DayUsage[], peer: DayUsage[]): Agreement {
  const byDay = new Map(peer.map((d) => [d.date, d]));
  const mismatches: string[] = [];
  const dates = new Set([...ours.map((d) => d.date), ...peer.map((d) => d.date)]);
  for (const date of [...dates].sort()) {
    const a = ours.find((d) => d.date === date);
    const b = byDay.get(date);
    for (const k of ["input", "output", "cacheCreation", "cacheRead"] as const) {
      const x = a?.[k] ?? 0;
      const y = b?.[k] ?? 0;
      if (x !== y) mismatches.push(`${date} ${k}: ours ${x}, ccusage ${y}`);
    }
  }
  const total = (list: DayUsage[]) => ({
    input: list.reduce((s, d) => s + d.input, 0),
    output: list.reduce((s, d) => s + d.output, 0),
    cacheCreation: list.reduce((s, d) => s + d.cacheCreation, 0),
    cacheRead: list.reduce((s, d) => s + d.cacheRead, 0),
    cost: list.reduce((s, d) => s + (d.cost ?? NaN), 0),
  });
  const to = total(ours);
  const tp = total(peer);
  return {
    days: dates.size,
    tokenMismatches: mismatches,
    costDiffUsd: Number.isFinite(to.cost) && Number.isFinite(tp.cost) ? to.cost - tp.cost : null,
    totalsOurs: to,
    totalsPeer: tp,
  };
}

// ccusage 20 (the Rust rewrite, npm @ccusage/ccusage-linux-x64): the usage reference of issue 16.
// Installed once into bench/out/peer20/ (npm runs no install scripts here, so the binary is made
// executable by hand) and run with `daily --json --offline` in a clean environment; its days are
// in the same DayUsage shape as ccusage 18's (bench/peer.ts), so compareDaily works on both.

import { join } from "node:path";
import type { DayUsage, PeerRun } from "./peer.ts";
import { runTimed } from "./procs.ts";

export const ccusage20Version = "20.0.24";
const pkg = "@ccusage/ccusage-linux-x64";
const peer20Dir = new URL("./out/peer20/", import.meta.url).pathname;

/** The ccusage 20 binary, installed from npm into bench/out/peer20 on first use. */
export async function ensureCcusage20(): Promise<string> {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") {
    throw new Error(`the bench installs ${pkg} only (this is ${Deno.build.os} ${Deno.build.arch})`);
  }
  const root = join(peer20Dir, "node_modules", pkg);
  const bin = join(root, "bin/ccusage");
  let installed = false;
  try {
    installed = JSON.parse(Deno.readTextFileSync(join(root, "package.json"))).version ===
      ccusage20Version;
  } catch { /* not installed yet */ }
  if (!installed) {
    Deno.mkdirSync(peer20Dir, { recursive: true });
    const out = await new Deno.Command("npm", {
      args: [
        "install",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--prefix",
        peer20Dir,
        `${pkg}@${ccusage20Version}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.code !== 0) {
      throw new Error(`npm install ${pkg} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
  }
  Deno.chmodSync(bin, 0o755);
  return bin;
}

interface Ccusage20Day {
  period?: string;
  date?: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalCost: number;
}

/**
 * Runs ccusage 20 over `claudeDir` (CLAUDE_CONFIG_DIR) with an empty HOME, so it reads neither
 * the real ~/.claude nor the other agents' folders it also looks for, and TZ=UTC so its days are
 * UTC days like ours.
 */
export async function runCcusage20(
  bin: string,
  claudeDir: string,
  emptyHome: string,
): Promise<PeerRun> {
  const env: Record<string, string> = {
    PATH: "/usr/bin:/bin",
    HOME: emptyHome,
    CLAUDE_CONFIG_DIR: claudeDir,
    TZ: "UTC",
    NO_COLOR: "1",
  };
  const r = await runTimed(bin, ["daily", "--json", "--offline"], env, { clearEnv: true });
  if (r.code !== 0) throw new Error(`ccusage 20 exited ${r.code}: ${r.stderr.slice(-1000)}`);
  const parsed = JSON.parse(r.stdout) as { daily: Ccusage20Day[] };
  const days: DayUsage[] = parsed.daily.map((d) => ({
    date: String(d.period ?? d.date).slice(0, 10),
    input: d.inputTokens,
    output: d.outputTokens,
    cacheCreation: d.cacheCreationTokens,
    cacheRead: d.cacheReadTokens,
    cost: d.totalCost,
  }));
  return { ...r, days };
}

export interface StreamingGroups {
  /** Assistant messages (message.id + requestId) written on more than one line. */
  multiLine: number;
  /** Of those, the ones whose lines carry different output_tokens. */
  differing: number;
  /** Output tokens the final (largest) snapshots add over the first-seen ones. */
  outputUndercount: number;
  /** Lines ccusage 20 does not read: not compact JSON (written with ": " separators). */
  spacedLines: number;
}

/** Counts the streaming duplicates of a tree (what first-seen dedupe gets wrong) by reading it. */
export function streamingGroups(claudeDir: string): StreamingGroups {
  const first = new Map<string, number>();
  const max = new Map<string, number>();
  const lines = new Map<string, number>();
  const outputs = new Map<string, Set<number>>();
  let spacedLines = 0;
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) walk(p);
      else if (e.isFile && e.name.endsWith(".jsonl")) scan(p);
    }
  };
  const scan = (path: string) => {
    for (const line of Deno.readTextFileSync(path).split("\n")) {
      if (line.trim() === "") continue;
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof o !== "object" || o === null) continue;
      // A key's closing quote followed by ": " (a quote inside a string is escaped).
      if (/(?<!\\)":\s/.test(line)) spacedLines++;
      const rec = o as { requestId?: unknown; message?: { id?: unknown; usage?: unknown } };
      const usage = rec.message?.usage as { output_tokens?: unknown } | undefined;
      if (typeof rec.message?.id !== "string" || typeof usage?.output_tokens !== "number") {
        continue;
      }
      const key = `${rec.message.id}\0${rec.requestId ?? ""}`;
      const out = usage.output_tokens;
      if (!first.has(key)) first.set(key, out);
      max.set(key, Math.max(max.get(key) ?? 0, out));
      lines.set(key, (lines.get(key) ?? 0) + 1);
      let set = outputs.get(key);
      if (!set) outputs.set(key, set = new Set());
      set.add(out);
    }
  };
  walk(claudeDir);
  let multiLine = 0;
  let differing = 0;
  let outputUndercount = 0;
  for (const [key, n] of lines) {
    if (n > 1) multiLine++;
    if ((outputs.get(key)?.size ?? 0) > 1) differing++;
    outputUndercount += (max.get(key) ?? 0) - (first.get(key) ?? 0);
  }
  return { multiLine, differing, outputUndercount, spacedLines };
}

// Issue 16's usage check: claude-dash's daily totals (GET /api/usage?group=day, or the SQL sum
// when the route is missing) against ccusage 20.0.24's `daily --json --offline`, to the token,
// for every UTC day and the four token kinds, on the repository's fixtures and on a generated
// tree with streaming duplicates (one line per content block, early lines with partial output).
//
// One rule is known to differ on purpose: ccusage 20 reads only compact JSON lines (as Claude
// Code writes them) and skips lines written with ": " separators; claude-dash reads any valid
// JSON line. The hand-written fixtures of claude-code-log are spaced, so the fixtures are also
// compared as a compact copy (same content, each line re-serialized), where the totals must match.

import { join } from "node:path";
import { generate } from "../src/demo/workload.ts";
import { writeFixtures } from "../tests/support/home.ts";
import {
  ccusage20Version,
  ensureCcusage20,
  runCcusage20,
  type StreamingGroups,
  streamingGroups,
} from "./ccusage20.ts";
import { compareDaily, type DayUsage, ourDailyFromApi, ourDailyFromDb } from "./peer.ts";
import { startServer } from "./procs.ts";
import type { Report } from "./report.ts";
import { fmt } from "./stats.ts";

export const agreementSection =
  `Usage vs ccusage ${ccusage20Version} (Rust) daily --json --offline, to the token`;

export interface AgreementOptions {
  /** Scratch folder for the trees and databases. */
  base: string;
  emptyHome: string;
  /** Events of the generated streaming tree. */
  streamingEvents: number;
  progress?: (text: string) => void;
}

interface Tree {
  label: string;
  claudeDir: string;
  /** Must agree to the token (false: a deliberate difference, reported but not required). */
  mustAgree: boolean;
  remark?: string;
}

/**
 * Runs the check on each tree and adds one figure per tree (differences count, with the totals);
 * returns the acceptance failures (trees that must agree but do not).
 */
export async function agreementPhase(report: Report, opts: AgreementOptions): Promise<string[]> {
  const say = opts.progress ?? (() => {});
  let bin: string;
  try {
    bin = await ensureCcusage20();
  } catch (e) {
    report.note(`ccusage ${ccusage20Version} not measured: ${e instanceof Error ? e.message : e}`);
    return [];
  }
  const trees = await makeTrees(opts);
  const failures: string[] = [];
  for (const tree of trees) {
    say(`ccusage ${ccusage20Version} and claude-dash on ${tree.label}`);
    const groups = streamingGroups(tree.claudeDir);
    const peer = await runCcusage20(bin, tree.claudeDir, opts.emptyHome);
    const dbPath = join(opts.base, `db/agree-${trees.indexOf(tree)}.db`);
    const s = await startServer({ claudeDir: tree.claudeDir, dbPath, env: { TZ: "UTC" } });
    let ours: DayUsage[];
    let via: string;
    try {
      await s.backfillDone(600_000);
      const api = await ourDailyFromApi(s.url);
      ours = api ?? ourDailyFromDb(dbPath);
      via = api ? "GET /api/usage?group=day" : "SQL over messages";
    } finally {
      await s.stop();
    }
    const agree = compareDaily(ours, peer.days);
    const n = agree.tokenMismatches.length;
    report.add({
      section: agreementSection,
      name: `${tree.label}: daily totals that differ (days × 4 token kinds)`,
      value: n,
      unit: "differences",
      digits: 0,
      met: tree.mustAgree ? n === 0 : undefined,
      note: agreementNote(agree.totalsOurs, agree.totalsPeer, agree.days, via, groups) +
        (n ? `; first: ${agree.tokenMismatches.slice(0, 3).join(", ")}` : "") +
        (tree.remark ? `; ${tree.remark}` : ""),
    });
    if (tree.mustAgree && n > 0) {
      failures.push(
        `${tree.label}: ${n} daily token totals differ from ccusage ${ccusage20Version}`,
      );
    }
    if (tree.label.startsWith("generated")) {
      report.add({
        section: agreementSection,
        name: `${tree.label}: ccusage ${ccusage20Version} wall time`,
        value: peer.wallMs,
        unit: "ms",
        note: `peak RSS ${fmt((peer.peakRssKb ?? NaN) / 1024)} MiB`,
      });
    }
    await Deno.remove(dbPath).catch(() => {});
  }
  return failures;
}

type Totals = Record<string, number>;

function agreementNote(
  ours: Totals,
  peer: Totals,
  days: number,
  via: string,
  g: StreamingGroups,
): string {
  const all = (t: Totals) => t.input + t.output + t.cacheCreation + t.cacheRead;
  const kinds = (t: Totals) =>
    `in ${fmt(t.input)} / out ${fmt(t.output)} / cache write ${fmt(t.cacheCreation)} / ` +
    `cache read ${fmt(t.cacheRead)}`;
  return `${days} UTC days; claude-dash ${fmt(all(ours))} tokens (${kinds(ours)}) via ${via}; ` +
    `ccusage ${fmt(all(peer))} (${kinds(peer)}); ${g.multiLine} messages on several lines, ` +
    `${g.differing} with differing output_tokens (first-seen would undercount ${
      fmt(g.outputUndercount)
    } output tokens)`;
}

async function makeTrees(opts: AgreementOptions): Promise<Tree[]> {
  const fixtures = join(opts.base, "agree-fixtures/.claude");
  await Deno.mkdir(join(fixtures, "hooks/logs/raw_json"), { recursive: true });
  const layout = await writeFixtures(fixtures);
  const compact = join(opts.base, "agree-fixtures-compact/.claude");
  let spaced = 0;
  for (const { rel } of layout.transcripts) spaced += await compactCopy(fixtures, compact, rel);
  const streaming = join(opts.base, "agree-streaming/.claude");
  const t0 = performance.now();
  const totals = await generate({
    dir: streaming,
    events: opts.streamingEvents,
    seed: 16,
    hookShare: 0,
    streamingDuplicates: true,
  });
  opts.progress?.(
    `generated the streaming tree: ${fmt(totals.transcriptLines)} lines in ${
      fmt(performance.now() - t0)
    } ms`,
  );
  return [
    {
      label: "fixtures as stored",
      claudeDir: fixtures,
      mustAgree: false,
      remark: `${spaced} lines written with ": " separators, which ccusage 20 skips and ` +
        "claude-dash reads (valid JSON; Claude Code itself writes compact lines)",
    },
    { label: "fixtures, each line compact JSON", claudeDir: compact, mustAgree: true },
    {
      label: `generated tree with streaming duplicates (${fmt(opts.streamingEvents)} events)`,
      claudeDir: streaming,
      mustAgree: true,
    },
  ];
}

/** Copies one transcript with each JSON line re-serialized compactly; returns lines changed. */
async function compactCopy(from: string, to: string, rel: string): Promise<number> {
  const text = await Deno.readTextFile(join(from, rel));
  let changed = 0;
  const out = text.split("\n").map((line) => {
    try {
      const compact = JSON.stringify(JSON.parse(line));
      if (compact !== line) changed++;
      return compact;
    } catch {
      return line;
    }
  }).join("\n");
  const dest = join(to, rel);
  await Deno.mkdir(join(dest, ".."), { recursive: true });
  await Deno.writeTextFile(dest, out);
  // In the past, like writeFixtures: a quiet file's unterminated last line is then complete.
  const past = new Date(Date.now() - 3600_000);
  await Deno.utime(dest, past, past);
  return changed;
}

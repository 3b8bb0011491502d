// Issue 18: one huge transcript (1 GiB by default) ingested by the real Ingester in a process of
// its own (bench/backfill_child.ts), for its peak memory: the target is < 250 MiB, whatever the
// file's size, because transcripts are read in bounded chunks (transcriptChunkBytes) and passes
// (maxTranscriptBytesPerPass), never whole. The lines are Claude Code 2.1.332's own
// (tests/fixtures/claude-code-2.1/transcript.jsonl, written by the real CLI), repeated with fresh
// uuids, message and request ids and times, compact as Claude Code writes them, user prompts
// padded so lines average about 2.5 KB as in real trees.
//
//   deno task bench --big-transcript [--gib N]   (default 1; also runs on its own with deno run -A)

import { join } from "node:path";
import { runDenoJson } from "./procs.ts";
import { fmt } from "./stats.ts";
import { loadAvg } from "./report.ts";

const fixture = new URL("../tests/fixtures/claude-code-2.1/transcript.jsonl", import.meta.url);
const childScript = new URL("./backfill_child.ts", import.meta.url).pathname;
const targetPeakMiB = 250;
/** Bytes a line on average in real trees (issue 18's measurement). */
const lineTarget = 2500;

interface ChildOut {
  ms: number;
  events: number;
  errors: number;
  messages: number;
  hwmKb: number | null;
  rssAfterKb: number | null;
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** One repetition of the fixture's lines with ids and times of repetition `k`. Pure. */
export function repetition(lines: Json[], k: number, t0: number, pad: string): string {
  const ids = new Map<string, string>();
  const fresh = (old: unknown, prefix: string) => {
    if (typeof old !== "string") return old;
    let v = ids.get(old);
    if (!v) ids.set(old, v = `${prefix}${k.toString(16).padStart(8, "0")}-${ids.size}`);
    return v;
  };
  let out = "";
  lines.forEach((src, i) => {
    const line: Json = structuredClone(src);
    if ("uuid" in line) line.uuid = fresh(line.uuid, "u");
    if ("parentUuid" in line) line.parentUuid = fresh(line.parentUuid, "u");
    if ("requestId" in line) line.requestId = fresh(line.requestId, "req_");
    if ("promptId" in line) line.promptId = fresh(line.promptId, "p");
    line.timestamp = new Date(t0 + k * 60_000 + i * 100).toISOString();
    const msg = line.message;
    if (isRecord(msg)) {
      if ("id" in msg) msg.id = fresh(msg.id, "msg_");
      // Prompts carry pasted text, as real ones do, so that lines average ~2.5 KB.
      if (line.type === "user" && typeof msg.content === "string") msg.content += pad;
    }
    out += JSON.stringify(line) + "\n";
  });
  return out;
}

/** Writes a transcript of about `bytes` into `file`; returns its size and line count. */
async function writeBig(
  file: string,
  bytes: number,
): Promise<{ bytes: number; lines: number; first: string }> {
  const lines = (await Deno.readTextFile(fixture)).split("\n").filter(Boolean)
    .map((l) => JSON.parse(l) as Json);
  const t0 = Date.UTC(2026, 10, 1);
  // Padding spread over the prompts of a repetition to bring it to 2.5 KB a line.
  const bare = repetition(lines, 0, t0, "").length;
  const prompts = lines.filter((l) =>
    l.type === "user" && isRecord(l.message) &&
    typeof l.message.content === "string"
  ).length;
  const padChars = Math.max(
    0,
    Math.round((lineTarget * lines.length - bare) / Math.max(1, prompts)),
  );
  const pad = " " +
    "lorem ipsum dolor sit amet ".repeat(Math.ceil(padChars / 27)).slice(0, padChars);
  const f = await Deno.open(file, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let written = 0;
  let count = 0;
  const first = repetition(lines, 0, t0, pad);
  try {
    for (let k = 0; written < bytes; k++) {
      const chunk = enc.encode(repetition(lines, k, t0, pad));
      let rest = chunk;
      while (rest.length) rest = rest.subarray(await f.write(rest));
      written += chunk.length;
      count += lines.length;
    }
  } finally {
    f.close();
  }
  return { bytes: written, lines: count, first };
}

/** Builds the tree, runs the child, prints the figures; returns whether the target was met. */
export async function bigTranscriptPhase(base: string, gib: number): Promise<boolean> {
  const dir = join(base, "big-transcript");
  const project = join(dir, "projects", "-home-user-big");
  await Deno.mkdir(project, { recursive: true });
  await Deno.mkdir(join(dir, "hooks", "logs", "raw_json"), { recursive: true });
  const file = join(project, "0b1e0c3a-5a8e-4e59-9f3a-2d8c1c6f9e01.jsonl");
  const made = await writeBig(file, gib * 1024 ** 3);
  // The same lines once, in a database of their own: what one repetition stores.
  const one = join(base, "one-repetition");
  const oneProject = join(one, "projects", "-home-user-big");
  await Deno.mkdir(oneProject, { recursive: true });
  await Deno.writeTextFile(join(oneProject, "one.jsonl"), made.first);
  const lines = made.first.split("\n").filter(Boolean).length;
  const ref = await runDenoJson<ChildOut>(childScript, [
    "--dir",
    one,
    "--db",
    join(base, "one.db"),
  ]);
  const r = await runDenoJson<ChildOut>(childScript, [
    "--dir",
    dir,
    "--db",
    join(base, "big.db"),
  ]);
  const peakMiB = (r.peakRssKb ?? (r.hwmKb ?? 0)) / 1024;
  const reps = made.lines / lines;
  const mib = made.bytes / 1024 ** 2;
  const met = peakMiB < targetPeakMiB;
  console.log(`\n## One huge transcript (issue 18)\n`);
  console.log(`| figure | value | target | status | notes |`);
  console.log(`| --- | ---: | --- | --- | --- |`);
  console.log(
    `| peak RSS ingesting one ${fmt(mib, 0)} MiB transcript | ${
      fmt(peakMiB, 1)
    } MiB | < ${targetPeakMiB} MiB | ${met ? "met" : "NOT MET"} | ${
      fmt(made.lines, 0)
    } lines of Claude Code 2.1.332's shapes, ${fmt(made.bytes / made.lines, 0)} B a line |`,
  );
  console.log(
    `| its ingest time | ${fmt(r.ms / 1000, 1)} s | — | | ${fmt(mib / (r.ms / 1000), 1)} MiB/s; ${
      fmt(r.events, 0)
    } events (${
      fmt(ref.events * reps, 0)
    } expected from one repetition × ${reps}), ${r.errors} ingest errors, ${
      fmt(r.messages, 0)
    } messages |`,
  );
  console.log(
    `| RSS 2 s after that backfill (ingester still running) | ${
      fmt((r.rssAfterKb ?? 0) / 1024, 1)
    } MiB | — | | the first backfill runs in a worker that exits (bench/backfill_child.ts) |`,
  );
  console.log(`\nload average at the end: ${loadAvg()}`);
  if (r.events !== ref.events * reps) {
    console.log(`events stored differ from the expected count: NOT MET`);
    return false;
  }
  return met;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--gib");
  const gib = at >= 0 ? Number(Deno.args[at + 1]) : 1;
  const base = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "claude-dash-big-" });
  try {
    Deno.exitCode = (await bigTranscriptPhase(base, gib)) ? 0 : 1;
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

// Fuzz-style ingest test: a seeded PRNG writes well over 1,000 mutated hook files and transcript
// lines (truncated, wrong types, not objects, 100,000-deep nesting, 10 MB strings, invalid
// UTF-8, NUL bytes, garbage) between valid ones, at backfill and while the server runs. The
// server stays up, every valid event is stored, and every bad one is counted in ingest_errors
// (a transcript lists at most maxErrorsPerFile lines, then one "N+ more" row). Reproducible:
// FUZZ_SEED=<n> replays a run. The server is spawned under the start task's flags.

import assert from "node:assert/strict";
import { join } from "node:path";
import { maxErrorsPerFile, maxHookFileBytes, transcriptChunkBytes } from "../src/core/config.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { openDb } from "../src/store/db.ts";
import { makeHome } from "./support/home.ts";
import { count, waitFor } from "./support/wait.ts";
import { serveReady } from "./support/served.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const seed = Number(Deno.env.get("FUZZ_SEED") ?? 0x5eedc0de);
const enc = new TextEncoder();

/** mulberry32: a small, fast, seedable PRNG. */
function prng(s: number) {
  let a = s >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chars = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789"\\/{}[]:,\t\u00e9\u4e2d\u{1f600}';
  const str = (max = 40) => {
    const cs = [...chars];
    let s = "";
    for (let i = int(max); i > 0; i--) s += pick(cs);
    return s;
  };
  const json = (depth: number): unknown => {
    switch (int(depth > 0 ? 7 : 4)) {
      case 0:
        return str();
      case 1:
        return pick([0, -1, 3.5, 1e308, -1e-308, 2 ** 53]);
      case 2:
        return pick([true, false, null]);
      case 3:
        return "";
      case 4:
        return Array.from({ length: int(4) }, () => json(depth - 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = int(4); i > 0; i--) {
          // An own "__proto__" key, as JSON.parse makes it, not the prototype setter.
          Object.defineProperty(o, pick(["a", "b", "__proto__", "constructor", str(8)]), {
            value: json(depth - 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return o;
      }
    }
  };
  return { next, int, pick, str, json };
}

type Rng = ReturnType<typeof prng>;

const hookTypes = [
  "PreToolUse",
  "PostToolUse",
  "PostToolUseFailure",
  "PermissionRequest",
  "Notification",
  "UserPromptSubmit",
  "Stop",
  "SubagentStop",
  "SessionStart",
  "SessionEnd",
  "PreCompact",
  "SomethingNew",
] as const;

/** A hook payload with both required fields; every other field may have any type. */
function validHook(r: Rng, id: string): Record<string, unknown> {
  const p: Record<string, unknown> = {
    session_id: `fz-hook-${r.int(6)}`,
    hook_event_name: r.pick(hookTypes),
    fuzz_id: id,
  };
  const maybe = (k: string, values: unknown[]) => {
    if (r.next() < 0.7) p[k] = r.pick(values);
  };
  maybe("cwd", ["/w/alpha", "/w/beta/", "", 5, null, ["x"], r.str()]);
  maybe("tool_name", ["Bash", "Edit", "Read", "mcp__x__y", 42, null, {}]);
  maybe("tool_input", [
    { command: r.str(200) },
    { file_path: r.str(), old_string: r.str() },
    "a string",
    [1, 2, 3],
    null,
    r.json(4),
    { todos: [1, 2] },
  ]);
  maybe("tool_use_id", [`toolu_${id}`, 7, null, ""]);
  maybe("tool_response", [r.json(5), { stdout: r.str(500) }]);
  maybe("prompt", [r.str(300), 9, null]);
  maybe("message", [r.str(), [], null]);
  maybe("error", [r.str(), { code: 1 }]);
  maybe("timestamp", [new Date(1.7e12 + r.int(1e10)).toISOString(), 12345, "garbage", {}]);
  maybe("extra", [r.json(6)]);
  return p;
}

/** A transcript line that is a JSON object (so it must be stored), fields of any type. */
function validLine(r: Rng, uuid: string): Record<string, unknown> {
  const o: Record<string, unknown> = {
    type: r.pick([
      "user",
      "assistant",
      "system",
      "summary",
      "progress",
      "queue-operation",
      "odd",
      5,
    ]),
    uuid,
  };
  const maybe = (k: string, values: unknown[]) => {
    if (r.next() < 0.7) o[k] = r.pick(values);
  };
  maybe("sessionId", [`fz-tr-${r.int(4)}`, 7, null]);
  maybe("timestamp", [new Date(1.7e12 + r.int(1e10)).toISOString(), 5, "not a time", []]);
  maybe("isSidechain", [true, false, "yes"]);
  maybe("level", ["error", "info", 3]);
  maybe("content", [r.str(), 4]);
  maybe("message", [
    { role: "user", content: r.str(300) },
    {
      id: `msg_${r.int(50)}`,
      model: r.pick(["claude-sonnet-4-5", "unknown-model", 5, null]),
      content: [
        { type: "text", text: r.str() },
        { type: "tool_use", id: `toolu_${uuid}`, name: r.pick(["Bash", 3]), input: r.json(3) },
        {
          type: "tool_result",
          tool_use_id: `toolu_${r.int(9)}`,
          content: r.json(3),
          is_error: r.pick([true, false, "x"]),
        },
        { type: "thinking" },
        "a bare string",
        7,
      ].slice(0, 1 + r.int(6)),
      usage: r.pick([
        { input_tokens: r.int(5000), output_tokens: r.int(900), cache_read_input_tokens: 1e308 },
        { input_tokens: "many", output_tokens: -3 },
        null,
      ]),
    },
    "a string message",
    5,
    null,
  ]);
  maybe("extra", [r.json(6)]);
  return o;
}

const deepArrays = (n: number) => "[".repeat(n) + "]".repeat(n);

type Bad = { kind: string; bytes: Uint8Array };

function concat(...parts: Array<Uint8Array | string>): Uint8Array {
  const bs = parts.map((p) => (typeof p === "string" ? enc.encode(p) : p));
  const out = new Uint8Array(bs.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Splices `insert` into `text` at a random point (never into the first byte's position 0). */
function splice(r: Rng, text: string, insert: Uint8Array): Uint8Array {
  const b = enc.encode(text);
  const at = 1 + r.int(b.length - 1);
  return concat(b.subarray(0, at), insert, b.subarray(at));
}

/** A hook file that must be counted as an error. */
function badHook(r: Rng, id: string, big: boolean): Bad {
  const text = JSON.stringify(validHook(r, id));
  if (big) {
    return {
      kind: "10 MB string",
      bytes: enc.encode(
        JSON.stringify({ ...validHook(r, id), prompt: "x".repeat(10 * 1024 * 1024) }),
      ),
    };
  }
  switch (r.int(10)) {
    case 0:
      return { kind: "truncated", bytes: enc.encode(text.slice(0, 1 + r.int(text.length - 1))) };
    case 1:
      return {
        kind: "wrong type of hook_event_name",
        bytes: enc.encode(
          JSON.stringify({
            ...validHook(r, id),
            hook_event_name: r.pick([5, null, ["PreToolUse"], {}, "", true]),
          }),
        ),
      };
    case 2:
      return {
        kind: "wrong type of session_id",
        bytes: enc.encode(
          JSON.stringify({
            ...validHook(r, id),
            session_id: r.pick([5, null, "", false, { id: 1 }]),
          }),
        ),
      };
    case 3:
      return {
        kind: "not an object",
        bytes: enc.encode(r.pick(["[1,2]", "42", '"str"', "null", "true", "[]"])),
      };
    case 4:
      return {
        kind: "deep nesting",
        bytes: r.next() < 0.5
          ? enc.encode(deepArrays(100_000))
          : enc.encode(text.slice(0, -1) + `,"tool_input":${deepArrays(100_000)}}`),
      };
    case 5:
      return {
        kind: "invalid UTF-8",
        bytes: splice(r, text, new Uint8Array([r.pick([0xff, 0xc3, 0xe2, 0x80])])),
      };
    case 6:
      return { kind: "NUL byte", bytes: splice(r, text, new Uint8Array([0])) };
    case 7:
      return { kind: "empty", bytes: new Uint8Array() };
    case 8:
      return { kind: "trailing garbage", bytes: enc.encode(text + r.pick(["}", ",", "x", "{}"])) };
    default: {
      const junk = new Uint8Array(1 + r.int(300)).map(() => r.int(256));
      junk[0] = 0x7b; // "{" then garbage: never a complete object with both fields
      return { kind: "garbage", bytes: junk };
    }
  }
}

/** A transcript line (without its newline) that must be counted as an error. */
function badLine(r: Rng, uuid: string): Bad {
  const text = JSON.stringify(validLine(r, uuid));
  switch (r.int(6)) {
    case 0:
      return { kind: "truncated", bytes: enc.encode(text.slice(0, 1 + r.int(text.length - 1))) };
    case 1:
      return {
        kind: "not an object",
        bytes: enc.encode(r.pick(["[1]", "7", '"s"', "null", "false"])),
      };
    case 2:
      return {
        kind: "invalid UTF-8",
        bytes: splice(r, text, new Uint8Array([r.pick([0xff, 0xfe, 0xc0])])),
      };
    case 3:
      return { kind: "NUL byte", bytes: splice(r, text, new Uint8Array([0])) };
    case 4:
      return {
        kind: "deep nesting",
        bytes: enc.encode(`{"type":"user","uuid":"${uuid}","x":${deepArrays(100_000)}}`),
      };
    default:
      return { kind: "garbage", bytes: enc.encode(`{${r.str(80).replace(/[{}]/g, "")}`) };
  }
}

interface Expect {
  validHooks: Set<string>;
  badHooks: Map<string, string>;
  validUuids: Set<string>;
  /** transcript rel → offsets of its bad lines, in file order */
  badLines: Map<string, number[]>;
  kinds: Map<string, number>;
}

class Corpus {
  r: Rng;
  e: Expect = {
    validHooks: new Set(),
    badHooks: new Map(),
    validUuids: new Set(),
    badLines: new Map(),
    kinds: new Map(),
  };
  #hookN = 0;
  #lineN = 0;
  #sizes = new Map<string, number>();

  constructor(readonly claudeDir: string, s: number) {
    this.r = prng(s);
  }

  #kind(k: string) {
    this.e.kinds.set(k, (this.e.kinds.get(k) ?? 0) + 1);
  }

  /** Writes `valid` + `bad` hook files in shuffled name order; `big` of the bad are 10 MB. */
  async hooks(valid: number, bad: number, big = 0): Promise<void> {
    const plan = [...Array(valid).fill(true), ...Array(bad).fill(false)];
    for (let i = plan.length - 1; i > 0; i--) {
      const j = this.r.int(i + 1);
      [plan[i], plan[j]] = [plan[j], plan[i]];
    }
    let bigLeft = big;
    for (const ok of plan) {
      const n = this.#hookN++;
      const id = `fz-h-${n}`;
      const rel = `hooks/logs/raw_json/${String(20250101000000 + n)}_Fuzz_${id}.json`;
      let bytes: Uint8Array;
      if (ok) {
        // Pretty-printed or not, sometimes with a byte-order mark (the decoder drops it).
        const bom = this.r.next() < 0.05 ? "\ufeff" : "";
        bytes = enc.encode(bom + JSON.stringify(validHook(this.r, id), null, this.r.int(3)));
        this.e.validHooks.add(rel);
      } else {
        const b = badHook(this.r, id, bigLeft-- > 0);
        bytes = b.bytes;
        this.e.badHooks.set(rel, b.kind);
        this.#kind(`hook: ${b.kind}`);
      }
      await Deno.writeFile(join(this.claudeDir, rel), bytes);
    }
  }

  /** Appends `valid` + `bad` lines (shuffled) to a transcript; `huge` bad ones are 10 MB lines. */
  async lines(rel: string, valid: number, bad: number, huge = 0): Promise<void> {
    const plan: Array<"ok" | "bad" | "huge" | "blank"> = [
      ...Array(valid).fill("ok"),
      ...Array(bad).fill("bad"),
      ...Array(huge).fill("huge"),
      ...Array(this.r.int(4)).fill("blank"),
    ];
    for (let i = plan.length - 1; i > 0; i--) {
      const j = this.r.int(i + 1);
      [plan[i], plan[j]] = [plan[j], plan[i]];
    }
    let offset = this.#sizes.get(rel) ?? 0;
    const parts: Uint8Array[] = [];
    const offsets = this.e.badLines.get(rel) ?? [];
    for (const what of plan) {
      const uuid = `fz-t-${this.#lineN++}`;
      let line: Uint8Array;
      if (what === "ok") {
        const crlf = this.r.next() < 0.1 ? "\r" : "";
        line = enc.encode(JSON.stringify(validLine(this.r, uuid)) + crlf);
        this.e.validUuids.add(uuid);
      } else if (what === "blank") {
        line = enc.encode(" \t ");
      } else {
        const b = what === "huge"
          ? {
            kind: "10 MB line",
            bytes: enc.encode(
              `{"type":"user","uuid":"${uuid}","s":"${"y".repeat(10 * 1024 * 1024)}"}`,
            ),
          }
          : badLine(this.r, uuid);
        line = b.bytes;
        offsets.push(offset);
        this.#kind(`line: ${b.kind}`);
      }
      parts.push(line, enc.encode("\n"));
      offset += line.length + 1;
    }
    this.e.badLines.set(rel, offsets);
    this.#sizes.set(rel, offset);
    await Deno.mkdir(join(this.claudeDir, rel, ".."), { recursive: true });
    await Deno.writeFile(join(this.claudeDir, rel), concat(...parts), { append: true });
  }
}

function rows<T>(
  db: { prepare(sql: string): { all(...p: unknown[]): unknown[] } },
  sql: string,
  ...p: unknown[]
): T[] {
  return db.prepare(sql).all(...p) as T[];
}

Deno.test(
  `≥ 1,000 mutated hook files and transcript lines: the server stays up, every valid event is stored, every bad one counted (seed ${seed})`,
  opts,
  async () => {
    const started = performance.now();
    const h = await makeHome();
    const c = new Corpus(h.claudeDir, seed);
    const transcripts = [0, 1, 2, 3, 4].map((i) => `projects/-fuzz-${i}/fz-session-${i}.jsonl`);
    // Backfill: 400 valid + 400 bad hook files (2 of them 10 MB), transcripts with bad lines
    // (≤ maxErrorsPerFile each, two with a 10 MB line) and one over the per-file listing cap.
    await c.hooks(400, 400, 2);
    for (const [i, rel] of transcripts.entries()) await c.lines(rel, 80, 70, i < 2 ? 1 : 0);
    const crowded = "projects/-fuzz-crowded/fz-crowded.jsonl";
    await c.lines(crowded, 20, maxErrorsPerFile + 50);
    const past = new Date(Date.now() - 3600_000);
    for (const rel of [...transcripts, crowded]) {
      await Deno.utime(join(h.claudeDir, rel), past, past);
    }

    const d = await serveReady(h, { args: ["--rate-limit", "0"] });
    try {
      const db = d.db;
      const stored = () => ({
        hooks: new Set(
          rows<{ path: string }>(
            db,
            "SELECT f.path FROM events e JOIN files f ON f.id = e.file_id WHERE e.source = 'hook'",
          ).map((r) => r.path),
        ),
        uuids: new Set(
          rows<{ uuid: string }>(db, "SELECT uuid FROM events WHERE source = 'transcript'").map((
            r,
          ) => r.uuid),
        ),
      });
      const check = (phase: string) => {
        const s = stored();
        assert.deepEqual(
          [...c.e.validHooks].filter((p) => !s.hooks.has(p)),
          [],
          `${phase}: valid hook files not stored`,
        );
        const extra = [...s.hooks].filter((p) => !c.e.validHooks.has(p));
        assert.deepEqual(
          extra.map((p) => `${c.e.badHooks.get(p)}: ${p}`).slice(0, 5),
          [],
          `${phase}: bad hook files stored`,
        );
        assert.equal(s.hooks.size, c.e.validHooks.size, `${phase}: hook events`);
        assert.deepEqual(
          [...c.e.validUuids].filter((u) => !s.uuids.has(u)),
          [],
          `${phase}: valid lines not stored`,
        );
        assert.equal(s.uuids.size, c.e.validUuids.size, `${phase}: transcript events`);
        const hookErrors = new Map(
          rows<{ path: string; offset: number; reason: string }>(
            db,
            "SELECT path, offset, reason FROM ingest_errors WHERE path LIKE 'hooks/%'",
          ).map((r) => [r.path, r]),
        );
        for (const [rel, kind] of c.e.badHooks) {
          const row = hookErrors.get(rel);
          assert.ok(row, `${phase}: bad hook file (${kind}) not counted: ${rel}`);
          assert.equal(row.offset, -1);
        }
        assert.equal(hookErrors.size, c.e.badHooks.size, `${phase}: hook error rows`);
        for (const [rel, offsets] of c.e.badLines) {
          const got = rows<{ offset: number; reason: string }>(
            db,
            "SELECT offset, reason FROM ingest_errors WHERE path = ? ORDER BY offset",
            rel,
          );
          const listed = got.filter((g) => g.offset >= 0).map((g) => g.offset);
          if (offsets.length <= maxErrorsPerFile) {
            assert.deepEqual(listed, offsets, `${phase}: ${rel} bad lines`);
            assert.equal(got.length, offsets.length);
          } else {
            assert.deepEqual(
              listed,
              offsets.slice(0, maxErrorsPerFile),
              `${phase}: ${rel} listed lines`,
            );
            const more = got.find((g) => g.offset === -2);
            assert.equal(
              more?.reason,
              `${offsets.length - maxErrorsPerFile}+ more bad lines in this file, not listed`,
            );
          }
        }
      };
      check("backfill");
      const reasons = rows<{ reason: string }>(db, "SELECT reason FROM ingest_errors").map((r) =>
        r.reason
      );
      assert.ok(
        reasons.some((r) =>
          r.startsWith(`file too large: 10.0 MB (limit ${maxHookFileBytes / 1024 / 1024}.0 MB)`)
        ),
        "10 MB hook",
      );
      assert.ok(
        reasons.some((r) => r === `line longer than ${transcriptChunkBytes} bytes: skipped`),
        "10 MB line",
      );
      assert.ok(reasons.some((r) => r.startsWith("nested deeper than")), "deep nesting");
      assert.ok(reasons.some((r) => r.includes("not UTF-8")), "invalid UTF-8");
      assert.ok(reasons.some((r) => r.includes("NUL")), "NUL bytes");

      // Live: more of the same while the server runs (watcher + reconcile).
      await c.hooks(100, 100);
      for (const rel of transcripts) await c.lines(rel, 20, 20);
      await waitFor(
        () => {
          const s = stored();
          return s.hooks.size === c.e.validHooks.size && s.uuids.size === c.e.validUuids.size;
        },
        15_000,
        "live fuzz input stored",
      );
      await d.settled();
      check("live");

      const res = await fetch(`${d.url}/api/health`);
      assert.equal(res.status, 200, "the server still answers");
      const health = await res.json();
      const errorRows = rows<{ n: number }>(db, "SELECT count(*) AS n FROM ingest_errors")[0].n;
      assert.equal(health.errors, errorRows);
      assert.equal((await fetch(`${d.url}/`, { headers: { Accept: "text/html" } })).status, 200);

      const bad = [...c.e.kinds.values()].reduce((a, b) => a + b, 0);
      const total = bad + c.e.validHooks.size + c.e.validUuids.size;
      assert.ok(bad >= 1000, `only ${bad} mutated inputs`);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `fuzz seed ${seed}: ${total} inputs (${bad} bad: ${
          [...c.e.kinds].sort().map(([k, n]) => `${k} ${n}`).join(", ")
        }), ${c.e.validHooks.size + c.e.validUuids.size} valid stored, ${errorRows} error rows, ${
          seconds.toFixed(1)
        } s`,
      );
      assert.ok(seconds < 60, `took ${seconds} s`);
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a huge transcript is read in capped passes (and says so), and every line is stored once; vanished, replaced and linked files are tolerated",
  opts,
  async () => {
    const h = await makeHome();
    const db = openDb(h.dbPath);
    // One chunk per pass: a 20 MB transcript takes three passes.
    const ingester = new Ingester({
      claudeDir: h.claudeDir,
      db,
      watch: false,
      transcriptBytesPerPass: 1,
    });
    try {
      const big = "projects/-huge/huge-1.jsonl";
      const filler = "z".repeat(10_000);
      const lines: string[] = [];
      for (let i = 0; lines.length * 10_100 < 20 * 1024 * 1024; i++) {
        lines.push(
          JSON.stringify({ type: "user", uuid: `huge-${i}`, message: { content: filler } }),
        );
      }
      await Deno.mkdir(join(h.claudeDir, "projects/-huge"), { recursive: true });
      await Deno.writeTextFile(join(h.claudeDir, big), lines.join("\n") + "\n");
      await Deno.writeTextFile(
        join(h.claudeDir, "projects/-huge/small-1.jsonl"),
        JSON.stringify({ type: "user", uuid: "small-0", message: { content: "hi" } }) + "\n",
      );
      ingester.start();
      await ingester.ready;
      await waitFor(
        () => count(db, "SELECT count(*) AS n FROM events") === lines.length + 1,
        20_000,
        "every line",
      );
      assert.equal(
        count(db, "SELECT count(DISTINCT uuid) AS n FROM events WHERE uuid LIKE 'huge-%'"),
        lines.length,
      );
      assert.ok(ingester.stats.cappedReads >= 2, `capped passes: ${ingester.stats.cappedReads}`);
      assert.equal(count(db, "SELECT count(*) AS n FROM ingest_errors"), 0);

      // Vanished, replaced by a folder, replaced by a link: no crash, nothing new stored.
      const before = count(db, "SELECT count(*) AS n FROM events");
      ingester.hint("projects/-huge/gone-1.jsonl");
      ingester.hint("hooks/logs/raw_json/20250101_Stop_gone.json");
      await Deno.remove(join(h.claudeDir, "projects/-huge/small-1.jsonl"));
      await Deno.mkdir(join(h.claudeDir, "projects/-huge/small-1.jsonl"));
      await Deno.rename(join(h.claudeDir, big), join(h.home, "moved.jsonl"));
      await Deno.symlink(join(h.home, "moved.jsonl"), join(h.claudeDir, big));
      ingester.hint(big); // as the watcher reports the new link (the listing skips links)
      await ingester.rescan();
      await ingester.rescan();
      assert.equal(count(db, "SELECT count(*) AS n FROM events"), before);
      assert.deepEqual(
        (db.prepare("SELECT path, reason FROM ingest_errors").all() as Array<
          { path: string; reason: string }
        >).map((r) => `${r.path}: ${r.reason}`),
        [`${big}: symbolic link: not followed`],
      );
    } finally {
      await ingester.stop();
      db.close();
      await h.cleanup();
    }
  },
);

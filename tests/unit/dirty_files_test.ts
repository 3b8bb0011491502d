// The files waiting to be read: the hook backlog (packed names, in name order) and the files
// marked one by one, taken in batches.

import assert from "node:assert/strict";
import { DirtyFiles } from "../../src/ingest/dirty_files.ts";
import {
  filterNames,
  nameAt,
  nameCount,
  NamePacker,
  packNames,
} from "../../src/ingest/packed_names.ts";
import type { SourceKind } from "../../src/core/types.ts";

const prefix = "hooks/logs/raw_json/";

function namesOf(p: ReturnType<typeof packNames>): string[] {
  return Array.from({ length: nameCount(p) }, (_, i) => nameAt(p, i));
}

/** Code point order, the order of UTF-8 bytes. */
function byCodePoint(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

Deno.test("packed names come back sorted by code point, once each, and survive a structured clone", () => {
  const chars = ["a", "B", "é", "\u{1F600}", "\uFFFD", "\uE000", "_", "0"];
  const names: string[] = [];
  let seed = 7;
  for (let i = 0; i < 600; i++) {
    let k = "";
    for (let n = 1 + (seed % 6); n > 0; n--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 1;
      k += chars[seed % chars.length];
    }
    names.push(k);
  }
  const want = [...new Set(names)].sort(byCodePoint);
  assert.ok(want.length < names.length, "some names twice");
  const packed = packNames(names);
  assert.deepEqual(namesOf(packed), want);
  assert.deepEqual(namesOf(structuredClone(packed)), want);
});

Deno.test("a listing's worth of names packs across buffer chunks without losing a byte", () => {
  const p = new NamePacker();
  const names: string[] = [];
  // ~2.9 MB of names: three 1 MiB chunks, names cut at none of their edges.
  for (let i = 39_999; i >= 0; i--) {
    const n = `20261117_${String(i).padStart(6, "0")}_PreToolUse_${crypto.randomUUID()}.json`;
    names.push(n);
    p.add(n);
  }
  assert.equal(p.size, 40_000);
  const packed = p.done();
  assert.deepEqual(namesOf(packed), names.sort());
  assert.equal(packed.bytes.length, names.reduce((n, s) => n + s.length, 0), "no slack kept");
});

Deno.test("filtering packed names keeps the others in order, and the same object when it keeps all", () => {
  const packed = packNames(["c", "a", "b", "d"]);
  assert.deepEqual(namesOf(filterNames(packed, (n) => n !== "b")), ["a", "c", "d"]);
  assert.equal(filterNames(packed, () => true), packed);
  assert.equal(nameCount(filterNames(packed, () => false)), 0);
});

Deno.test("batches take the backlog's hook files in name order first, then the marked files, as many as asked, never both in one", () => {
  const d = new DirtyFiles();
  d.set("projects/p/s.jsonl", "transcript");
  d.setBacklog(
    packNames([
      "20261117_140239_PreToolUse_b.json",
      "20261117_140144_SessionStart_a.json",
      "20261117_140200_UserPromptSubmit_a.json",
    ]),
    prefix,
  );
  assert.equal(d.size, 4);
  assert.deepEqual(d.take(2), [
    [`${prefix}20261117_140144_SessionStart_a.json`, "hook"],
    [`${prefix}20261117_140200_UserPromptSubmit_a.json`, "hook"],
  ]);
  assert.equal(d.size, 2);
  // The batch that ends the backlog is not topped up: the hook reader goes before any
  // transcript is read.
  assert.deepEqual(d.take(5), [[`${prefix}20261117_140239_PreToolUse_b.json`, "hook"]]);
  assert.equal(d.size, 1);
  assert.deepEqual(d.take(5), [["projects/p/s.jsonl", "transcript"]]);
  assert.equal(d.size, 0);
  assert.deepEqual(d.take(5), []);
});

Deno.test("a hook file both in the backlog and marked by a watcher's hint is taken once", () => {
  const d = new DirtyFiles();
  d.setBacklog(packNames(["a.json", "b.json"]), prefix);
  d.set(`${prefix}b.json`, "hook");
  assert.equal(d.has(`${prefix}b.json`), true);
  const keys = [...d.take(10), ...d.take(10)].map(([k]) => k);
  assert.deepEqual(keys, [`${prefix}a.json`, `${prefix}b.json`]);
  assert.equal(d.size, 0);
});

Deno.test("a new listing's backlog replaces the last one (a file gone since is not read); marked files stay", () => {
  const d = new DirtyFiles();
  d.setBacklog(packNames(["a.json", "b.json", "c.json"]), prefix);
  d.set("projects/p/s.jsonl", "transcript");
  assert.deepEqual(d.take(1).map(([k]) => k), [`${prefix}a.json`]);
  d.setBacklog(packNames(["c.json", "d.json"]), prefix); // b.json was deleted meanwhile
  assert.deepEqual(
    [...d.entries()].map(([k]) => k),
    [`${prefix}c.json`, `${prefix}d.json`, "projects/p/s.jsonl"],
  );
  assert.deepEqual([...d.take(10), ...d.take(10)].map(([k]) => k), [
    `${prefix}c.json`,
    `${prefix}d.json`,
    "projects/p/s.jsonl",
  ]);
});

Deno.test("marked files are taken in code-unit order once sorted, the order keys compare in everywhere else", () => {
  const chars = ["a", "B", "é", "\u{1F600}", "\uFFFD", "_", "0", "/"];
  const keys = new Set<string>();
  let seed = 7;
  while (keys.size < 500) {
    let k = "";
    for (let n = 1 + (seed % 6); n > 0; n--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 1;
      k += chars[seed % chars.length];
    }
    keys.add(k);
  }
  const d = new DirtyFiles();
  const kinds = new Map<string, SourceKind>();
  [...keys].forEach((k, i) => {
    const kind = i % 2 ? "hook" : "transcript";
    kinds.set(k, kind);
    d.set(k, kind);
  });
  d.sortMarked();
  const want = [...keys].sort((a, b) => a < b ? -1 : a > b ? 1 : 0).map((k) => [k, kinds.get(k)]);
  assert.deepEqual(d.take(1000), want);
});

Deno.test("a backlog read through says so once, whatever is taken after it", () => {
  const d = new DirtyFiles();
  d.setBacklog(packNames(["a.json", "b.json"]), prefix);
  d.set("projects/p/s.jsonl", "transcript");
  d.take(1);
  assert.equal(d.drained(), false, "one name left");
  d.take(1);
  assert.equal(d.drained(), true);
  assert.equal(d.drained(), false, "said once");
  d.take(1);
  assert.equal(d.drained(), false, "only marked files taken since");
});

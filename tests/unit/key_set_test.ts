import assert from "node:assert/strict";
import { HashedKeySet } from "../../src/ingest/key_set.ts";

Deno.test("the done-set is exact over 300,000 hook keys: every key added is in it, no other is", () => {
  const set = new HashedKeySet();
  const key = (i: number) => `hooks/logs/raw_json/20260101_${i}_PreToolUse_s-${i % 97}.json`;
  const n = 300_000;
  for (let i = 0; i < n; i++) set.add(key(i));
  set.add(key(7)); // twice: counted once
  assert.equal(set.size, n);
  for (let i = 0; i < n; i++) assert.ok(set.has(key(i)), key(i));
  // Keys never added, close to the stored ones (one character apart, other numbers).
  for (let i = n; i < 2 * n; i++) assert.ok(!set.has(key(i)), key(i));
  for (let i = 0; i < 1000; i++) assert.ok(!set.has(key(i) + "x"));
  // Removed keys are gone, the rest stay; a removed key can come back.
  for (let i = 0; i < n; i += 3) set.delete(key(i));
  for (let i = 0; i < n; i++) assert.equal(set.has(key(i)), i % 3 !== 0, key(i));
  set.add(key(0));
  assert.ok(set.has(key(0)));
  assert.equal(set.size, n - Math.ceil(n / 3) + 1);
});

Deno.test("a done-set handed off to another thread moves its table, holds the same keys there, and leaves an empty set", () => {
  const set = new HashedKeySet();
  const key = (i: number) => `hooks/logs/raw_json/20260101_${i}_Stop_s.json`;
  for (let i = 0; i < 5000; i++) set.add(key(i));
  for (let i = 0; i < 5000; i += 2) set.delete(key(i));
  const state = set.handOff();
  const table = state.slots.buffer;
  // As postMessage sends it at the end of a backfill: transferred, so no copy is left behind.
  const there = HashedKeySet.from(structuredClone(state, { transfer: [table] }));
  assert.equal(table.byteLength, 0, "the table was moved, not copied");
  assert.equal(there.size, 2500);
  for (let i = 0; i < 10_000; i++) assert.equal(there.has(key(i)), i < 5000 && i % 2 === 1, key(i));
  assert.equal(set.size, 0);
  assert.ok(!set.has(key(1)));
  set.add(key(2));
  there.add(key(0));
  assert.ok(set.has(key(2)) && !there.has(key(2)));
  assert.ok(there.has(key(0)) && !set.has(key(0)));
});

Deno.test("a set emptied out key by key gives its table back, and still holds exactly the keys left", () => {
  const key = (i: number) => `hooks/logs/raw_json/20261117_${i}_PreToolUse.json`;
  const filled = () => {
    const s = new HashedKeySet();
    for (let i = 0; i < 100_000; i++) s.add(key(i));
    return s;
  };
  const full = filled().handOff().slots.length;
  const set = filled();
  for (let i = 100; i < 100_000; i++) set.delete(key(i));
  assert.equal(set.size, 100);
  for (let i = 0; i < 100; i++) assert.ok(set.has(key(i)), key(i));
  for (let i = 100; i < 100_000; i += 997) assert.ok(!set.has(key(i)), key(i));
  const left = set.handOff().slots.length;
  assert.ok(left * 64 <= full, `${left} of ${full}`);
});

// Issue 18, end to end: a server started the way users start it (the start task's sandbox
// flags, tests/support/served.ts) on a cold database prints "usage ready", and
// /api/usage?group=day asked right then already gives the daily totals the finished backfill
// gives.

import assert from "node:assert/strict";
import { generate } from "../src/demo/workload.ts";
import { makeHome, writeFixtures } from "./support/home.ts";
import { spawnServer } from "./support/served.ts";

type Day = Record<string, unknown>;

async function daily(url: string): Promise<Day[]> {
  const res = await fetch(`${url}/api/usage?group=day`);
  assert.equal(res.status, 200);
  const body = await res.json();
  const rows: Day[] = Array.isArray(body) ? body : Object.values(body).find(Array.isArray) as Day[];
  return rows.map((d) => ({
    key: d.key,
    input_tokens: d.input_tokens,
    output_tokens: d.output_tokens,
    cache_creation_tokens: d.cache_creation_tokens,
    cache_read_tokens: d.cache_read_tokens,
    messages: d.messages,
  }));
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("a cold server answers the daily usage in full as soon as it says usage is ready", async () => {
  const home = await makeHome();
  try {
    await writeFixtures(home.claudeDir);
    await generate({
      dir: home.claudeDir,
      events: 2000,
      seed: 7,
      sessions: 20,
      hookShare: 0,
      spanMs: 4 * 86_400_000,
      streamingDuplicates: true,
      realistic: true,
    });
    const s = await spawnServer(home.home);
    try {
      await until("usage ready", () => /usage ready in/.test(s.output()));
      const early = await daily(s.url);
      assert.ok(early.length >= 4, `days: ${early.length}`);
      await until("the backfill", async () => {
        const res = await fetch(`${s.url}/api/health`);
        const h = await res.json();
        return h?.ingest?.backfilled === true;
      });
      assert.deepEqual(early, await daily(s.url));
    } finally {
      await s.stop();
    }
  } finally {
    await home.cleanup();
  }
});

// Usage, 5-hour windows and KPIs sum Claude Code's own cost wherever a cost-state reports it
// (issue 16): each model's reported cost is spread over the session's messages of that model
// (src/store/write/cost_spread.ts), messages after the latest cost-state keep their estimate,
// and every row says which ("reported" / "estimated" / "mixed"). The real sample
// tests/fixtures/claude-code-2.1/ (CLI 2.1.332 against a fake API; model claude-opus-5-5, which
// the price table does not know) gives Claude Code's total_cost_usd.
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import type { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openDb } from "../src/store/db.ts";
import { Writer } from "../src/store/write/writer.ts";
import { usageBy, type UsageRowWithSource } from "../src/store/read/usage.ts";
import { blocksInRange } from "../src/domain/usage/windows_query.ts";
import { kpis } from "../src/store/read/kpis.ts";
import { alertSnapshot } from "../src/store/read/alerts.ts";
import { readSettings } from "../src/store/settings.ts";
import { costOf } from "../src/core/pricing.ts";
import { migrationCostSpread } from "../src/store/migration_cost_spread.ts";
import { type UsageBlock, usageCostSourceText } from "../src/core/types.ts";
import { assistantLine, writeTranscript } from "./support/usage_lines.ts";
import { withServed } from "./support/served.ts";
import { transcriptUpdate } from "./support/transcript_updates.ts";

const fixture = new URL("./fixtures/claude-code-2.1/", import.meta.url).pathname;
const transcript = await Deno.readTextFile(join(fixture, "transcript.jsonl"));
const result = JSON.parse(await Deno.readTextFile(join(fixture, "result.json")));
const sid: string = result.session_id;
const total: number = result.total_cost_usd;
const all = { since: 0, until: Date.UTC(2100, 0, 1) };
const now = Date.UTC(2100, 0, 1);

function ingest(db: DatabaseSync, text: string, session: string, path?: string) {
  new Writer(db).commit([transcriptUpdate(path ?? `projects/-p/${session}.jsonl`, session, text)]);
}

/** A cost-state line as Claude Code 2.1 writes it (no timestamp: it takes the line before's). */
function costState(session: string, totalUsd: number, models: Record<string, number>): string {
  const modelUsage = Object.fromEntries(
    Object.entries(models).map(([m, c]) => [m, {
      inputTokens: 0,
      outputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
      costUSD: c,
    }]),
  );
  return JSON.stringify({
    type: "cost-state",
    sessionId: session,
    totalCostUSD: totalUsd,
    totalAPIDuration: 1,
    totalToolDuration: 0,
    totalLinesAdded: 0,
    totalLinesRemoved: 0,
    modelUsage,
    hasUnknownModelCost: false,
  }) + "\n";
}

const t0 = Date.UTC(2025, 5, 1, 10);
const sonnet = (session: string, n: number, ts: number, input: number, output: number) =>
  assistantLine({
    sessionId: session,
    ts,
    messageId: `${session}-m${n}`,
    requestId: `${session}-r${n}`,
    model: "claude-sonnet-4-5",
    input,
    output,
    cacheCreation: 0,
    cacheRead: 0,
  });
const estimate = (input: number, output: number) =>
  costOf("claude-sonnet-4-5", {
    input_tokens: input,
    output_tokens: output,
    cache_creation_tokens: 0,
    cache_creation_1h_tokens: 0,
    cache_read_tokens: 0,
  })!;

const sumCost = (rows: Array<{ cost_usd: number | null }>) =>
  rows.reduce((a, r) => a + (r.cost_usd ?? NaN), 0);

Deno.test("a model unknown to the price table costs exactly what Claude Code reported, in usage, windows and KPIs", () => {
  const db = openDb(":memory:");
  ingest(db, transcript, sid);
  const days = usageBy(db, "day", all);
  assert.equal(days.length, 1);
  assert.ok(Math.abs(sumCost(days) - total) < 1e-9, `usage ${sumCost(days)} vs ${total}`);
  assert.equal(days[0].cost_source, "reported");
  assert.equal(days[0].unpriced_messages, 0);
  assert.equal(days[0].reported_messages, days[0].messages);
  assert.ok(Math.abs(days[0].cost_reported_usd - total) < 1e-9);
  const byModel = usageBy(db, "model", all);
  assert.deepEqual(byModel.map((r) => [r.key, r.cost_source]), [["claude-opus-5-5", "reported"]]);
  const blocks = blocksInRange(db, {}, now);
  assert.ok(Math.abs(sumCost(blocks) - total) < 1e-9);
  assert.deepEqual(blocks.map((b) => b.cost_source), ["reported"]);
  const k = kpis(db, all);
  assert.ok(k.cost_usd !== null && Math.abs(k.cost_usd - total) < 1e-9);
  assert.equal(k.cost_source, "reported");
  // Each message keeps the price table's figure apart (none here: the model has no price).
  const est = db.prepare("SELECT count(*) AS n FROM messages WHERE cost_estimated_usd IS NULL")
    .get() as { n: number };
  assert.equal(est.n, days[0].messages);
  db.close();
});

Deno.test("a known model's reported cost replaces its estimate, spread in proportion to the estimates", () => {
  const db = openDb(":memory:");
  const a = estimate(1000, 100);
  const b = estimate(3000, 300);
  const reported = 10 * (a + b); // Claude Code's figure, far from the price table's
  ingest(
    db,
    sonnet("k", 1, t0, 1000, 100) + sonnet("k", 2, t0 + 60_000, 3000, 300) +
      costState("k", reported, { "claude-sonnet-4-5": reported }),
    "k",
  );
  const rows = db.prepare(
    "SELECT cost_usd, cost_estimated_usd, cost_reported FROM messages ORDER BY ts",
  ).all() as Array<{ cost_usd: number; cost_estimated_usd: number; cost_reported: number }>;
  assert.deepEqual(rows.map((r) => r.cost_reported), [1, 1]);
  assert.ok(Math.abs(rows[0].cost_usd - 10 * a) < 1e-12);
  assert.ok(Math.abs(rows[1].cost_usd - 10 * b) < 1e-12);
  assert.ok(Math.abs(rows[0].cost_estimated_usd - a) < 1e-12, "the estimate is kept");
  const [day] = usageBy(db, "day", all);
  assert.equal(day.cost_source, "reported");
  assert.ok(Math.abs(day.cost_usd! - reported) < 1e-6);
  const [block] = blocksInRange(db, {}, now);
  assert.ok(Math.abs(block.cost_usd! - reported) < 1e-6);
  assert.equal(block.cost_source, "reported");
  db.close();
});

Deno.test("messages after the latest cost-state keep their estimate: the row is mixed until the next cost-state", () => {
  const db = openDb(":memory:");
  const path = "projects/-p/mix.jsonl";
  let text = sonnet("mix", 1, t0, 1000, 100) + costState("mix", 0.5, { "claude-sonnet-4-5": 0.5 });
  ingest(db, text, "mix", path);
  text += sonnet("mix", 2, t0 + 60_000, 2000, 10);
  ingest(db, text, "mix", path); // a later batch, as a live session writes it
  let [day] = usageBy(db, "day", all);
  assert.equal(day.cost_source, "mixed");
  assert.equal(usageCostSourceText[day.cost_source], "partly estimated");
  assert.equal(day.reported_messages, 1);
  assert.ok(Math.abs(day.cost_usd! - (0.5 + estimate(2000, 10))) < 1e-6);
  assert.ok(Math.abs(day.cost_reported_usd - 0.5) < 1e-9);
  let [block] = blocksInRange(db, {}, now);
  assert.equal(block.cost_source, "mixed");
  assert.equal(kpis(db, all).cost_source, "mixed");
  // The next cost-state covers both: all reported again, summing to its total.
  text += costState("mix", 0.9, { "claude-sonnet-4-5": 0.9 });
  ingest(db, text, "mix", path);
  [day] = usageBy(db, "day", all);
  assert.equal(day.cost_source, "reported");
  assert.ok(Math.abs(day.cost_usd! - 0.9) < 1e-9);
  [block] = blocksInRange(db, {}, now);
  assert.ok(Math.abs(block.cost_usd! - 0.9) < 1e-9);
  // The rollup equals its messages (what every reader sums).
  const r = db.prepare(
    `SELECT (SELECT sum(cost_usd) FROM rollup_usage) - (SELECT sum(cost_usd) FROM messages) AS d,
       (SELECT sum(reported) FROM rollup_usage) AS n`,
  ).get() as { d: number; n: number };
  assert.ok(Math.abs(r.d) < 1e-12);
  assert.equal(r.n, 2);
  db.close();
});

Deno.test("a session without cost-state stays estimated, and says so", () => {
  const db = openDb(":memory:");
  ingest(db, sonnet("e", 1, t0, 1000, 100), "e");
  const [day] = usageBy(db, "day", all);
  assert.equal(day.cost_source, "estimated");
  assert.equal(usageCostSourceText[day.cost_source], "estimated from prices");
  assert.ok(Math.abs(day.cost_usd! - estimate(1000, 100)) < 1e-9);
  assert.equal(day.cost_reported_usd, 0);
  db.close();
});

/** What an older claude-dash stored: estimates only, none of migration_cost_spread's columns. */
function downgrade(db: DatabaseSync) {
  db.exec(`
    DROP INDEX messages_ts_usage;
    DROP TRIGGER rollup_usage_delete;
    UPDATE messages SET cost_usd = cost_estimated_usd;
    ALTER TABLE messages DROP COLUMN cost_estimated_usd;
    ALTER TABLE messages DROP COLUMN cost_reported;
    ALTER TABLE rollup_usage DROP COLUMN reported;
    ALTER TABLE rollup_usage DROP COLUMN cost_reported_usd;
    UPDATE rollup_usage SET
      cost_usd = (SELECT COALESCE(sum(m.cost_usd), 0) FROM messages m
        WHERE m.session_id = rollup_usage.session_id AND m.ts >= rollup_usage.hour
          AND m.ts < rollup_usage.hour + 3600000 AND COALESCE(m.model, '') = rollup_usage.model),
      unpriced = (SELECT count(*) FROM messages m
        WHERE m.session_id = rollup_usage.session_id AND m.ts >= rollup_usage.hour
          AND m.ts < rollup_usage.hour + 3600000 AND COALESCE(m.model, '') = rollup_usage.model
          AND m.cost_usd IS NULL);
    CREATE INDEX messages_ts_usage ON messages(ts, session_id, model, input_tokens, output_tokens,
      cache_creation_tokens, cache_read_tokens, cost_usd);
    CREATE TRIGGER rollup_usage_delete AFTER DELETE ON messages BEGIN
      UPDATE rollup_usage SET messages = messages - 1, cost_usd = cost_usd - COALESCE(OLD.cost_usd, 0)
      WHERE hour = OLD.ts / 3600000 * 3600000 AND session_id = OLD.session_id
        AND model = COALESCE(OLD.model, '');
    END;
  `);
}

Deno.test("the migration spreads stored reported costs: an upgraded database sums what a fresh ingest does", () => {
  const fill = (db: DatabaseSync) => {
    ingest(db, transcript, sid);
    let text = sonnet("mig", 1, t0, 1000, 100) + sonnet("mig", 2, t0 + 3_600_000, 500, 50) +
      costState("mig", 0.25, { "claude-sonnet-4-5": 0.25 });
    ingest(db, text, "mig");
    text += sonnet("mig", 3, t0 + 7_200_000, 700, 70);
    ingest(db, text, "mig");
    ingest(db, sonnet("est", 1, t0 + 30 * 60_000, 100, 10), "est");
  };
  const fresh = openDb(":memory:");
  fill(fresh);
  const old = openDb(":memory:");
  fill(old);
  downgrade(old);
  const unpriced = old.prepare("SELECT count(*) AS n FROM messages WHERE cost_usd IS NULL").get();
  assert.ok((unpriced as { n: number }).n > 0, "before: the unknown model is unpriced");
  old.exec("BEGIN");
  old.exec(migrationCostSpread);
  old.exec("COMMIT");
  const view = (db: DatabaseSync) => ({
    day: usageBy(db, "day", all).map(round),
    hour: usageBy(db, "hour", all).map(round),
    model: usageBy(db, "model", all).map(round),
    session: usageBy(db, "session", all).map(round),
    blocks: blocksInRange(db, {}, now).map(roundBlock),
  });
  assert.deepEqual(view(old), view(fresh));
  assert.deepEqual(
    usageBy(old, "session", all).map((r) => [r.key, r.cost_source]).sort(),
    [[sid, "reported"], ["est", "estimated"], ["mig", "mixed"]],
  );
  fresh.close();
  old.close();
});

const r9 = (n: number | null) => n === null ? null : Math.round(n * 1e9) / 1e9;
const round = (r: UsageRowWithSource) => ({
  ...r,
  cost_usd: r9(r.cost_usd),
  priced_cost_usd: r9(r.priced_cost_usd),
  cost_reported_usd: r9(r.cost_reported_usd),
});
const roundBlock = (b: UsageBlock) => ({
  ...b,
  cost_usd: r9(b.cost_usd),
  cost_reported_usd: r9(b.cost_reported_usd),
});

Deno.test("over HTTP, /api/usage, /api/blocks and the /usage page give Claude Code's cost and say it is reported", async () => {
  await withServed(async (h) => {
    await writeTranscript(
      join(h.claudeDir, "projects/-tmp-claude-home-project", `${sid}.jsonl`),
      transcript,
    );
  }, async (d) => {
    const q = `since=${new Date(all.since).toISOString()}&until=${
      new Date(all.until).toISOString()
    }`;
    const usage = await (await fetch(`${d.url}/api/usage?group=day&${q}`)).json();
    assert.ok(Math.abs(sumCost(usage.rows) - total) < 1e-9, JSON.stringify(usage));
    assert.equal(usage.rows[0].cost_source, "reported");
    const blocks = await (await fetch(`${d.url}/api/blocks`)).json();
    assert.ok(Math.abs(sumCost(blocks.blocks) - total) < 1e-9, JSON.stringify(blocks));
    assert.equal(blocks.blocks[0].cost_source, "reported");
    const page = await (await fetch(`${d.url}/usage?${q}`)).text();
    assert.match(page, /title="reported by Claude Code"/);
  });
});

Deno.test("the session budget alert weighs Claude Code's reported cost, not the estimate", () => {
  const db = openDb(":memory:");
  // Estimated at a fraction of a cent; Claude Code reported $12.
  ingest(db, sonnet("b", 1, t0, 100, 10) + costState("b", 12, { "claude-sonnet-4-5": 12 }), "b");
  const settings = readSettings(db).alerts;
  const on = {
    ...settings,
    session_budget: { ...settings.session_budget, enabled: true, threshold: 5 },
  };
  const snap = alertSnapshot(db, on, t0 + 60_000);
  assert.deepEqual(snap.sessionCosts.map((s) => [s.session_id, s.cost_usd]), [["b", 12]]);
  db.close();
});

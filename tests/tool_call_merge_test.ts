// A batch's Pre/Post effects on calls with a tool_use_id are folded (CallMerge) and stored in
// one upsert per call. Proven against the per-effect upserts it replaced (kept here as the
// reference): any sequence of effects, split into batches anywhere, over any stored row, gives
// the same calls and the same rollups (the tool_calls triggers).

import assert from "node:assert/strict";
import { openDb } from "../src/store/db.ts";
import type { Db } from "../src/store/db.ts";
import { CallMerge, ToolCallWrites } from "../src/store/write/tool_calls.ts";
import type { NormalizedEvent, ToolEffect } from "../src/core/types.ts";

const startSql = `
  INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, start_ts, input_summary)
  VALUES (?,?,?,'running',?,?)
  ON CONFLICT(tool_use_id) WHERE tool_use_id IS NOT NULL DO UPDATE SET
    start_ts = CASE WHEN tool_calls.start_ts IS NULL OR excluded.start_ts < tool_calls.start_ts
                    THEN excluded.start_ts ELSE tool_calls.start_ts END,
    tool_name = CASE WHEN tool_calls.tool_name = '?' THEN excluded.tool_name ELSE tool_calls.tool_name END,
    input_summary = COALESCE(tool_calls.input_summary, excluded.input_summary)`;
const endSql = `
  INSERT INTO tool_calls(session_id, tool_use_id, tool_name, status, end_ts, error)
  VALUES (?,?,?,?,?,?)
  ON CONFLICT(tool_use_id) WHERE tool_use_id IS NOT NULL DO UPDATE SET
    end_ts = CASE WHEN tool_calls.end_ts IS NULL OR excluded.end_ts < tool_calls.end_ts
                  THEN excluded.end_ts ELSE tool_calls.end_ts END,
    status = CASE WHEN tool_calls.status = 'error' OR excluded.status = 'error' THEN 'error' ELSE 'ok' END,
    error = COALESCE(tool_calls.error, excluded.error),
    tool_name = CASE WHEN tool_calls.tool_name = '?' THEN excluded.tool_name ELSE tool_calls.tool_name END`;

interface Step {
  ev: NormalizedEvent;
  t: ToolEffect;
}

/** A small deterministic generator (the same cases every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomSteps(r: () => number): Step[] {
  const n = 1 + Math.floor(r() * 7);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, () => {
    const start = r() < 0.5;
    const failed = !start && r() < 0.4;
    const t: ToolEffect = {
      phase: start ? "start" : "end",
      toolUseId: pick(["toolu_a", "toolu_b", "toolu_c"]),
      toolName: pick(["Bash", "Read", "?", null]),
      inputSummary: start ? pick([null, "ls", "cat x"]) : null,
      failed,
      error: failed ? pick([null, "exit 1", "denied"]) : null,
    };
    const ev = {
      sessionId: pick(["s1", "s2"]),
      ts: 1_000 + Math.floor(r() * 10) * 700,
    } as NormalizedEvent;
    return { ev, t };
  });
}

function snapshot(db: Db): string {
  const q = (sql: string) => JSON.stringify(db.prepare(sql).all());
  return [
    q(`SELECT session_id, tool_use_id, tool_name, status, start_ts, end_ts, input_summary, error
       FROM tool_calls ORDER BY tool_use_id`),
    q("SELECT hour, tool, calls, failures, running FROM rollup_tools WHERE calls <> 0 ORDER BY 1, 2"),
    q("SELECT tool, bucket, n FROM tool_durations WHERE n <> 0 ORDER BY 1, 2"),
  ].join("\n");
}

Deno.test("merged per batch, a call's effects store what each effect's own upsert stored", () => {
  const r = rng(18);
  const reference = openDb(":memory:");
  const merged = openDb(":memory:");
  try {
    const start = reference.prepare(startSql);
    const end = reference.prepare(endSql);
    const writes = new ToolCallWrites(merged);
    for (let round = 0; round < 1000; round++) {
      for (const db of [reference, merged]) {
        db.exec("DELETE FROM tool_calls; DELETE FROM rollup_tools; DELETE FROM tool_durations");
      }
      const before = randomSteps(r);
      const steps = randomSteps(r);
      const cut = Math.floor(r() * (steps.length + 1));
      for (const { ev, t } of [...before, ...steps]) {
        const name = t.toolName ?? "?";
        if (t.phase === "start") start.run(ev.sessionId, t.toolUseId, name, ev.ts, t.inputSummary);
        else end.run(ev.sessionId, t.toolUseId, name, t.failed ? "error" : "ok", ev.ts, t.error);
      }
      // Rows stored before (one effect per batch), then this batch cut in two at `cut`.
      for (const s of before) {
        const one = new CallMerge();
        one.add(s.ev, s.t);
        writes.apply(one);
      }
      for (const part of [steps.slice(0, cut), steps.slice(cut)]) {
        const batch = new CallMerge();
        for (const s of part) batch.add(s.ev, s.t);
        writes.apply(batch);
      }
      assert.equal(snapshot(merged), snapshot(reference), `round ${round}`);
    }
  } finally {
    reference.close();
    merged.close();
  }
});

Deno.test("a call started and ended in one batch is one insert, not an insert and an update", () => {
  const db = openDb(":memory:");
  try {
    db.exec(`CREATE TEMP TABLE updates(n INTEGER);
      CREATE TEMP TRIGGER count_updates AFTER UPDATE ON tool_calls BEGIN
        INSERT INTO updates VALUES (1);
      END`);
    const batch = new CallMerge();
    const ev = (ts: number) => ({ sessionId: "s1", ts }) as NormalizedEvent;
    const effect = (phase: "start" | "end"): ToolEffect => ({
      phase,
      toolUseId: "toolu_1",
      toolName: "Bash",
      inputSummary: phase === "start" ? "ls" : null,
      failed: false,
      error: null,
    });
    batch.add(ev(1000), effect("start"));
    batch.add(ev(1500), effect("end"));
    new ToolCallWrites(db).apply(batch);
    const row = db.prepare("SELECT status, start_ts, end_ts, input_summary FROM tool_calls").get();
    assert.deepEqual({ ...row }, {
      status: "ok",
      start_ts: 1000,
      end_ts: 1500,
      input_summary: "ls",
    });
    assert.equal(
      (db.prepare("SELECT count(*) AS n FROM temp.updates").get() as { n: number }).n,
      0,
    );
  } finally {
    db.close();
  }
});

// The SQLite floor of a backfill: the rows a backfill stored, inserted again into a fresh
// database of the same schema (migrations, indexes, triggers, search index, rollups), in batches
// of the worker's size with the worker's page cache, by INSERT … SELECT from a staged copy. No
// file is read, no line parsed, no value bound from JavaScript: what is left is what SQLite
// itself needs to store and index that data, the least any writer of this schema spends.
//
//   deno run -A bench/sql_floor.ts --db BACKFILLED.db --batch EVENTS_PER_COMMIT
// Prints one JSON line: {ms, events, parts: {step: ms}} (staging is not timed).

import { join } from "node:path";
import { openDb } from "../src/store/db.ts";
import { DerivedTables } from "../src/store/write/derived.ts";
import { backfillCacheKiB, backfillWalPages } from "../src/core/config.ts";

function arg(name: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= Deno.args.length) throw new Error(`--${name} is required`);
  return Deno.args[i + 1];
}

function removeDb(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      Deno.removeSync(f);
    } catch { /* not there */ }
  }
}

/** Copies what a backfill stored into plain tables (with the one index each batch reads by),
 * the search text as its view computes it. */
function stage(source: string, staged: string): void {
  removeDb(staged);
  const db = openDb(source);
  try {
    db.exec(`ATTACH '${staged}' AS st`);
    db.exec(`CREATE TABLE st.ev AS SELECT * FROM events ORDER BY id;
      CREATE INDEX st.ev_id ON ev(id);
      CREATE TABLE st.fts AS SELECT id, text, kind FROM events_search_text ORDER BY id;
      CREATE INDEX st.fts_id ON fts(id);
      CREATE TABLE st.msg AS SELECT * FROM messages ORDER BY event_id;
      CREATE INDEX st.msg_event ON msg(event_id);
      CREATE TABLE st.tc AS SELECT * FROM tool_calls ORDER BY id;
      CREATE INDEX st.tc_id ON tc(id);
      CREATE TABLE st.rb AS SELECT * FROM raw_blocks ORDER BY id;
      CREATE INDEX st.rb_id ON rb(id);
      CREATE TABLE st.files AS SELECT * FROM files;
      CREATE TABLE st.sessions AS SELECT * FROM sessions;`);
  } finally {
    db.close();
  }
}

if (import.meta.main) {
  const source = arg("db");
  const batch = Number(arg("batch"));
  const staged = join(source, "..", "floor_stage.db");
  const target = join(source, "..", "floor_target.db");
  stage(source, staged);
  removeDb(target);
  const db = openDb(target);
  db.exec(`PRAGMA cache_size = -${backfillCacheKiB}`);
  db.exec(`PRAGMA wal_autocheckpoint = ${backfillWalPages}`);
  db.exec(`ATTACH '${staged}' AS st`);
  db.exec(
    "INSERT INTO files SELECT * FROM st.files; INSERT INTO sessions SELECT * FROM st.sessions",
  );
  const one = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
  const events = one("SELECT max(id) AS n FROM st.ev");
  const calls = one("SELECT max(id) AS n FROM st.tc");
  // Tool calls have ids of their own: each batch takes its share of them, in order.
  type Range = { from: number; to: number; callsFrom: number; callsTo: number };
  const ids = (r: Range) => [r.from, r.to];
  const steps: Array<[string, string, (r: Range) => number[]]> = [
    [
      "raw blocks",
      `INSERT INTO raw_blocks SELECT * FROM st.rb WHERE id > (SELECT COALESCE(max(id), 0)
        FROM main.raw_blocks) AND id <= (SELECT max(raw_block) FROM st.ev WHERE id BETWEEN ? AND ?)`,
      ids,
    ],
    ["events", "INSERT INTO events SELECT * FROM st.ev WHERE id BETWEEN ? AND ?", ids],
    ["messages", "INSERT INTO messages SELECT * FROM st.msg WHERE event_id BETWEEN ? AND ?", ids],
    [
      "tool calls",
      "INSERT INTO tool_calls SELECT * FROM st.tc WHERE id > ? AND id <= ?",
      (r) => [r.callsFrom, r.callsTo],
    ],
    [
      "search index",
      `INSERT INTO events_fts(rowid, text, kind)
        SELECT id, text, kind FROM st.fts WHERE id BETWEEN ? AND ?`,
      ids,
    ],
  ];
  const prepared = steps.map(([name, sql, args]) => [name, db.prepare(sql), args] as const);
  const derived = new DerivedTables(db);
  const parts: Record<string, number> = {};
  const timed = (name: string, f: () => void) => {
    const t = performance.now();
    f();
    parts[name] = (parts[name] ?? 0) + performance.now() - t;
  };
  const t0 = performance.now();
  for (let from = 1; from <= events; from += batch) {
    const to = Math.min(events, from + batch - 1);
    const callsFrom = Math.floor((from - 1) / events * calls);
    const callsTo = Math.floor(to / events * calls);
    timed("begin", () => db.exec("BEGIN IMMEDIATE"));
    const after = derived.mark();
    const range = { from, to, callsFrom, callsTo };
    for (const [name, s, args] of prepared) timed(name, () => s.run(...args(range)));
    timed("rollups", () => derived.update(after));
    timed("commit", () => db.exec("COMMIT"));
  }
  const ms = performance.now() - t0;
  const stored = one("SELECT count(*) AS n FROM events");
  const expected = one("SELECT count(*) AS n FROM st.ev");
  db.close();
  removeDb(target);
  removeDb(staged);
  // A floor that stored less than the backfill did would flatter it.
  if (stored !== expected) throw new Error(`stored ${stored} of ${expected} events`);
  console.log(JSON.stringify({ ms, events: stored, parts }));
}

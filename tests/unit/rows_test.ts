// Typed rows: a statement's rows are mapped to a declared shape once, checked at run time, so a
// query that drifts from its declaration fails at the first row instead of reaching a page.

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { allRows, iterateRows, oneRow, RowShapeError, toRow } from "../../src/store/rows.ts";

function db(): DatabaseSync {
  const d = new DatabaseSync(":memory:");
  d.exec(`CREATE TABLE t (id INTEGER NOT NULL, name TEXT, cost REAL, data BLOB);
    INSERT INTO t VALUES (1, 'one', 1.5, x'0102'), (2, NULL, NULL, NULL), (3, 'three', 3, NULL);`);
  return d;
}

const shape = { id: "int", name: "text?", cost: "real?", data: "blob?" } as const;

Deno.test("rows come back typed: numbers, nullable text, nullable reals and blobs", () => {
  const d = db();
  const rows = allRows(d.prepare("SELECT id, name, cost, data FROM t ORDER BY id"), shape);
  assert.deepEqual(rows, [
    { id: 1, name: "one", cost: 1.5, data: new Uint8Array([1, 2]) },
    { id: 2, name: null, cost: null, data: null },
    { id: 3, name: "three", cost: 3, data: null },
  ]);
  d.close();
});

Deno.test("a NULL in a column declared non-null throws RowShapeError naming the column", () => {
  const d = db();
  const stmt = d.prepare("SELECT id, name FROM t WHERE id = 2");
  assert.throws(
    () => oneRow(stmt, { id: "int", name: "text" }),
    new RowShapeError("column name is NULL but declared text"),
  );
  d.close();
});

Deno.test("a column the statement does not return counts as NULL", () => {
  assert.throws(() => toRow({ missing: "int" }, {}), RowShapeError);
  assert.deepEqual(toRow({ missing: "int?" }, {}), { missing: null });
});

Deno.test("a bigint becomes a number and a number in a text column becomes text", () => {
  assert.deepEqual(toRow({ n: "int", s: "text" }, { n: 12n, s: 7 }), { n: 12, s: "7" });
  const d = db();
  const stmt = d.prepare("SELECT id FROM t WHERE id = 1");
  stmt.setReadBigInts(true);
  assert.deepEqual(oneRow(stmt, { id: "int" }), { id: 1 });
  d.close();
});

Deno.test("a value of the wrong kind throws instead of passing through", () => {
  assert.throws(
    () => toRow({ n: "int" }, { n: "12" }),
    new RowShapeError("column n is string but declared int"),
  );
  assert.throws(() => toRow({ b: "blob?" }, { b: "text" }), RowShapeError);
});

Deno.test("only the declared columns are kept", () => {
  assert.deepEqual(toRow({ id: "int" }, { id: 1, extra: "x" }), { id: 1 });
});

Deno.test("oneRow is null when there is no row; parameters pass through, named or positional", () => {
  const d = db();
  assert.equal(oneRow(d.prepare("SELECT id FROM t WHERE id = ?"), { id: "int" }, 99), null);
  assert.deepEqual(
    oneRow(d.prepare("SELECT id, name FROM t WHERE id = :id"), { id: "int", name: "text?" }, {
      id: 3,
    }),
    { id: 3, name: "three" },
  );
  d.close();
});

Deno.test("iterateRows yields typed rows one at a time", () => {
  const d = db();
  const ids = [];
  for (
    const r of iterateRows(
      d.prepare("SELECT id FROM t WHERE id >= ? ORDER BY id"),
      { id: "int" },
      2,
    )
  ) {
    ids.push(r.id);
  }
  assert.deepEqual(ids, [2, 3]);
  d.close();
});

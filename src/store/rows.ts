// Typed rows: a read module declares the columns a statement returns once, as a shape
// ({ id: "int", name: "text?" }), and gets rows of exactly that TypeScript type back. The shape is
// checked at run time too, so a query that drifts from its declaration fails loudly at the first
// row instead of handing `undefined` to a page. This is the one place rows are cast.

import type { SQLInputValue, SQLOutputValue, StatementSync } from "node:sqlite";

/** A column's kind: `?` allows NULL. "int" and "real" are both JS numbers (bigints converted). */
export type ColumnKind = "text" | "text?" | "int" | "int?" | "real" | "real?" | "blob?";

/** The columns of a statement's rows, by name. */
export type RowShape = Record<string, ColumnKind>;

type ValueOf<K extends ColumnKind> = K extends "text" ? string
  : K extends "text?" ? string | null
  : K extends "int" | "real" ? number
  : K extends "int?" | "real?" ? number | null
  : Uint8Array | null;

/** The row type a shape declares. */
export type RowOf<S extends RowShape> = { [K in keyof S]: ValueOf<S[K]> };

/** Positional values, or one object of named values (`:name`) followed by positional ones. */
export type Param = SQLInputValue | Record<string, SQLInputValue>;

type Run = (...params: Param[]) => Record<string, SQLOutputValue>[];
type RunOne = (...params: Param[]) => Record<string, SQLOutputValue> | undefined;
type RunIter = (...params: Param[]) => Iterable<Record<string, SQLOutputValue>>;

/** Thrown when a row does not match its declared shape: a bug in the query or the shape. */
export class RowShapeError extends Error {}

function convert(name: string, kind: ColumnKind, v: SQLOutputValue): unknown {
  if (v === null || v === undefined) {
    if (kind.endsWith("?")) return null;
    throw new RowShapeError(`column ${name} is NULL but declared ${kind}`);
  }
  const base = kind.replace("?", "");
  if (base === "text") {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "bigint") return String(v);
  } else if (base === "int" || base === "real") {
    if (typeof v === "number") return v;
    if (typeof v === "bigint") return Number(v);
  } else if (v instanceof Uint8Array) return v;
  throw new RowShapeError(`column ${name} is ${typeof v} but declared ${kind}`);
}

/** Maps one raw row to the shape's type, checking every declared column. */
export function toRow<S extends RowShape>(shape: S, raw: Record<string, SQLOutputValue>): RowOf<S> {
  const out: Record<string, unknown> = {};
  for (const name in shape) out[name] = convert(name, shape[name], raw[name]);
  return out as RowOf<S>;
}

/** Every row of `stmt` run with `params`, typed by `shape`. */
export function allRows<S extends RowShape>(
  stmt: StatementSync,
  shape: S,
  ...params: Param[]
): RowOf<S>[] {
  return (stmt.all.bind(stmt) as Run)(...params).map((r) => toRow(shape, r));
}

/** The first row of `stmt` run with `params`, typed by `shape`, or null when there is none. */
export function oneRow<S extends RowShape>(
  stmt: StatementSync,
  shape: S,
  ...params: Param[]
): RowOf<S> | null {
  const r = (stmt.get.bind(stmt) as RunOne)(...params);
  return r ? toRow(shape, r) : null;
}

/** Rows of `stmt` one at a time (for exports and other long scans), typed by `shape`. */
export function* iterateRows<S extends RowShape>(
  stmt: StatementSync,
  shape: S,
  ...params: Param[]
): Generator<RowOf<S>> {
  for (const r of (stmt.iterate.bind(stmt) as RunIter)(...params)) yield toRow(shape, r);
}

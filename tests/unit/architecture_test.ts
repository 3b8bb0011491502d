// The architecture check (scripts/check_architecture.ts) on small synthetic trees: each rule is
// shown to catch what it forbids; the README's layer list parses to the ten layers in order;
// and the shipped sources themselves follow the rules.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  castsIn,
  checkArchitecture,
  cycles,
  type Layer,
  layersFromReadme,
  longFunctions,
  shippedSources,
  type SourceFile,
} from "../../scripts/check_architecture.ts";

const root = new URL("../../", import.meta.url).pathname;
const readme = Deno.readTextFileSync(join(root, "README.md"));

const layers: Layer[] = [
  { prefix: "src/http", job: "routes" },
  { prefix: "src/web", job: "pages" },
  { prefix: "src/store", job: "database" },
  { prefix: "src/core", job: "helpers" },
];

const file = (path: string, ...lines: string[]): SourceFile => ({ path, text: lines.join("\n") });
const rules = (files: SourceFile[]) => checkArchitecture(files, layers).map((v) => v.rule);

Deno.test("the README's layer list parses to the ten layers, top first", () => {
  assert.deepEqual(layersFromReadme(readme).map((l) => l.prefix), [
    "main.ts",
    "src/commands",
    "src/demo",
    "src/http",
    "src/web",
    "src/live",
    "src/ingest",
    "src/domain",
    "src/store",
    "src/core",
  ]);
  assert.match(layersFromReadme(readme)[0].job, /dispatches a command/);
});

Deno.test("a README without an Architecture section or a layer list is an error, not an empty order", () => {
  assert.throws(() => layersFromReadme("# claude-dash\n"), /no '## Architecture' section/);
  assert.throws(() => layersFromReadme("## Architecture\n\nprose only\n"), /no fenced layer list/);
});

Deno.test("imports that point down or stay in a layer pass", () => {
  assert.deepEqual(
    rules([
      file("src/http/app.ts", 'import { q } from "../store/q.ts";', 'import "./routes.ts";'),
      file("src/http/routes.ts", 'import { f } from "../core/f.ts";'),
      file("src/store/q.ts", 'import type { T } from "../core/f.ts";'),
      file("src/core/f.ts", "export const f = 1;"),
    ]),
    [],
  );
});

Deno.test("an import up the layer order is caught, type-only and dynamic ones too", () => {
  const v = checkArchitecture([
    file("src/store/q.ts", 'import { page } from "../web/page.ts";'),
    file("src/core/f.ts", 'import type { App } from "../http/app.ts";'),
    file("src/core/g.ts", 'const m = await import("../store/q.ts");'),
    file("src/web/page.ts", ""),
    file("src/http/app.ts", ""),
  ], layers);
  assert.deepEqual(v.map((x) => [x.rule, x.path]), [
    ["layer", "src/store/q.ts"],
    ["layer", "src/core/f.ts"],
    ["layer", "src/core/g.ts"],
  ]);
  assert.match(v[0].message, /src\/store may not import src\/web, which is above it/);
});

Deno.test("a two-module import cycle is caught, even within one layer", () => {
  const v = checkArchitecture([
    file("src/store/a.ts", 'import { b } from "./b.ts";'),
    file("src/store/b.ts", 'import { a } from "./a.ts";'),
  ], layers);
  assert.deepEqual(v.map((x) => x.rule), ["cycle"]);
  assert.match(
    v[0].message,
    /import cycle: src\/store\/a\.ts → src\/store\/b\.ts → src\/store\/a\.ts/,
  );
  const graph = new Map([["x", ["y"]], ["y", ["z"]], ["z", []], ["self", ["self"]]]);
  assert.deepEqual(cycles(graph), [["self"]], "a chain is no cycle; a self-import is");
});

Deno.test("a file over 500 lines is caught; 500 lines pass", () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`);
  assert.deepEqual(rules([file("src/core/big.ts", ...lines(500))]), []);
  assert.deepEqual(rules([file("src/core/big.ts", ...lines(501))]), ["file-size"]);
});

Deno.test("a function over 150 lines is caught with its name; 150 lines pass", () => {
  const fn = (name: string, body: number) =>
    file(
      "src/core/fn.ts",
      `export function ${name}() {`,
      ...Array.from({ length: body }, (_, i) => `  console.log(${i});`),
      "}",
    );
  assert.deepEqual(longFunctions(fn("ok", 148)), []);
  assert.deepEqual(longFunctions(fn("tooLong", 149)), [{ name: "tooLong", line: 1, lines: 151 }]);
  assert.deepEqual(rules([fn("tooLong", 149)]), ["function-size"]);
  const arrow = file(
    "src/core/arrow.ts",
    "export const handler = () => {",
    ...Array.from({ length: 150 }, () => "  step();"),
    "};",
  );
  assert.equal(longFunctions(arrow)[0].name, "handler");
});

Deno.test("an `as` cast in src/store/read/ is caught; `as const` and casts elsewhere are not", () => {
  const cast = file(
    "src/store/read/x.ts",
    "const shape = { id: 'int' } as const;",
    "export const row = db.get() as { id: number };",
    "export const old = <number> value;",
  );
  assert.deepEqual(castsIn(cast), [2, 3]);
  assert.deepEqual(rules([cast]), ["cast", "cast"]);
  assert.deepEqual(rules([{ ...cast, path: "src/store/write/x.ts" }]), []);
});

Deno.test("shipped code importing bench/ or tests/ is caught", () => {
  const v = checkArchitecture([
    file("src/core/gen.ts", 'import { workload } from "../../bench/gen.ts";'),
    file("src/core/t.ts", 'import { makeHome } from "../../tests/support/home.ts";'),
  ], layers);
  assert.deepEqual(v.map((x) => x.rule), ["shipped-imports-dev", "shipped-imports-dev"]);
});

Deno.test("browser code importing the store (or any server module) is caught; components and core pass", () => {
  const v = checkArchitecture([
    file(
      "src/web/islands/Feed.tsx",
      'import { q } from "../../store/q.ts";',
      'import { Chart } from "../components/chart.tsx";',
      'import { usd } from "../../core/format.ts";',
    ),
    file("src/web/client/api.ts", 'import { page } from "../pages/page.tsx";'),
    file("src/store/q.ts", ""),
  ], layers);
  assert.deepEqual(v.map((x) => [x.rule, x.path]), [
    ["browser", "src/web/islands/Feed.tsx"],
    ["browser", "src/web/client/api.ts"],
  ]);
});

Deno.test("a file in no layer is reported", () => {
  assert.deepEqual(rules([file("src/stray/x.ts", "")]), ["layer"]);
});

Deno.test("the shipped sources follow the README's layer order, with no cycle and no oversized file or function", () => {
  const violations = checkArchitecture(shippedSources(root), layersFromReadme(readme));
  assert.deepEqual(violations.map((v) => `${v.rule}: ${v.path}: ${v.message}`), []);
});

// The architecture check behind `deno task check`: reads the layer order from the README's
// "Architecture" section (written there once) and fails on any import of src/ that runs back up
// that order, any import cycle, any import of bench/ or tests/ from shipped code, a browser
// module that reaches server code, a source file over the line limit, a function over the line
// limit, and any `as` cast in the typed read modules. Pure analysis in `checkArchitecture`; the
// file walk and the report are the I/O around it.

import ts from "typescript";
import { dirname, join, normalize, relative } from "node:path";

export const maxFileLines = 500;
export const maxFunctionLines = 150;

/** One source file as the check sees it: its repository-relative path and text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** A layer: a path prefix ("src/store") and a one-line description. Top layer first. */
export interface Layer {
  prefix: string;
  job: string;
}

/** One broken rule, with the place and a sentence a person can act on. */
export interface Violation {
  rule:
    | "layer"
    | "cycle"
    | "shipped-imports-dev"
    | "browser"
    | "file-size"
    | "function-size"
    | "cast";
  path: string;
  message: string;
}

/** Folders whose modules are bundled for the browser: they may reach only these. */
const browserModules = ["src/web/islands/", "src/web/client/"];
const browserMayImport = [
  "src/web/islands/",
  "src/web/client/",
  "src/web/components/",
  "src/core/",
];
/** Read modules must map rows through the typed row helper, never cast them. */
const noCastFolders = ["src/store/read/"];

/** Layer order from the README: the first fenced block after "## Architecture". */
export function layersFromReadme(readme: string): Layer[] {
  const section = readme.split(/^## Architecture\s*$/m)[1];
  if (!section) throw new Error("README.md has no '## Architecture' section");
  const block = section.match(/```[a-z]*\n([\s\S]*?)```/);
  if (!block) throw new Error("README.md's Architecture section has no fenced layer list");
  const layers: Layer[] = [];
  for (const line of block[1].split("\n")) {
    const m = line.match(/^\s*(?:[│├└─↓ ]*)\s*((?:src\/[\w/]+|main\.ts))\s+(.*)$/);
    if (m) layers.push({ prefix: m[1].replace(/\/$/, ""), job: m[2].trim() });
  }
  if (layers.length < 3) throw new Error("README.md's layer list names fewer than 3 layers");
  return layers;
}

/** Index of the layer a path belongs to (the longest matching prefix), or -1. */
export function layerOf(path: string, layers: Layer[]): number {
  let best = -1;
  let bestLen = -1;
  layers.forEach((l, i) => {
    const hit = path === l.prefix || path.startsWith(l.prefix + "/");
    if (hit && l.prefix.length > bestLen) {
      best = i;
      bestLen = l.prefix.length;
    }
  });
  return best;
}

/** Relative import specifiers of a module (static, dynamic, re-exports, type-only too). */
export function importsOf(file: SourceFile): string[] {
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, false, kind(file));
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) out.push(node.moduleSpecifier.text);
    if (
      ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] && ts.isStringLiteral(node.arguments[0])
    ) out.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith("."));
}

function kind(file: SourceFile): ts.ScriptKind {
  return file.path.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}

/** Functions longer than `limit` lines: name and length. */
export function longFunctions(file: SourceFile, limit = maxFunctionLines) {
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, kind(file));
  const out: { name: string; line: number; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > limit) out.push({ name: functionName(node, sf), line: start + 1, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function functionName(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(sf);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  return "(anonymous)";
}

/** `as` casts other than `as const`, with their line numbers. */
export function castsIn(file: SourceFile): number[] {
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, kind(file));
  const out: number[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isAsExpression(node) && node.type.getText(sf) !== "const") ||
      ts.isTypeAssertionExpression(node)
    ) out.push(sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every violation of the architecture rules among `files` (shipped code only). */
export function checkArchitecture(files: SourceFile[], layers: Layer[]): Violation[] {
  const violations: Violation[] = [];
  const known = new Set(files.map((f) => f.path));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const from = layerOf(file.path, layers);
    if (from < 0) {
      violations.push({
        rule: "layer",
        path: file.path,
        message: "is in no layer of the README's Architecture list",
      });
    }
    const targets: string[] = [];
    for (const spec of importsOf(file)) {
      const target = normalize(join(dirname(file.path), spec));
      if (target.startsWith("bench/") || target.startsWith("tests/")) {
        violations.push({
          rule: "shipped-imports-dev",
          path: file.path,
          message: `imports ${target}: shipped code never imports bench/ or tests/`,
        });
        continue;
      }
      if (known.has(target)) targets.push(target);
      const to = layerOf(target, layers);
      if (from >= 0 && to >= 0 && to < from) {
        violations.push({
          rule: "layer",
          path: file.path,
          message: `imports ${target}: ${layers[from].prefix} may not import ${
            layers[to].prefix
          }, which is above it`,
        });
      }
      const inBrowser = browserModules.some((p) => file.path.startsWith(p));
      if (inBrowser && !browserMayImport.some((p) => target.startsWith(p))) {
        violations.push({
          rule: "browser",
          path: file.path,
          message: `imports ${target}: browser code may import only ${browserMayImport.join(", ")}`,
        });
      }
    }
    graph.set(file.path, targets);
    const lines = file.text.split("\n").length;
    if (lines > maxFileLines) {
      violations.push({
        rule: "file-size",
        path: file.path,
        message: `${lines} lines (at most ${maxFileLines})`,
      });
    }
    for (const f of longFunctions(file)) {
      violations.push({
        rule: "function-size",
        path: `${file.path}:${f.line}`,
        message: `function ${f.name} is ${f.lines} lines (at most ${maxFunctionLines})`,
      });
    }
    if (noCastFolders.some((p) => file.path.startsWith(p))) {
      for (const line of castsIn(file)) {
        violations.push({
          rule: "cast",
          path: `${file.path}:${line}`,
          message: "an `as` cast in a read module: map rows with the typed row helper",
        });
      }
    }
  }
  for (const cycle of cycles(graph)) {
    violations.push({
      rule: "cycle",
      path: cycle[0],
      message: `import cycle: ${[...cycle, cycle[0]].join(" → ")}`,
    });
  }
  return violations;
}

/** Strongly connected components with more than one module (or a self-import). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.reverse());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

/** The shipped sources: main.ts and src/ (tests and generated files aside). */
export function shippedSources(root: string): SourceFile[] {
  const files: SourceFile[] = [{
    path: "main.ts",
    text: Deno.readTextFileSync(join(root, "main.ts")),
  }];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const full = join(dir, e.name);
      if (e.isDirectory) walk(full);
      else if (
        /\.tsx?$/.test(e.name) && !/_test\.tsx?$/.test(e.name) && !e.name.endsWith(".gen.ts")
      ) {
        files.push({ path: relative(root, full), text: Deno.readTextFileSync(full) });
      }
    }
  };
  walk(join(root, "src"));
  return files;
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname;
  const layers = layersFromReadme(Deno.readTextFileSync(join(root, "README.md")));
  const files = shippedSources(root);
  const violations = checkArchitecture(files, layers);
  for (const v of violations) console.error(`${v.rule}: ${v.path}: ${v.message}`);
  if (violations.length) {
    console.error(`architecture: ${violations.length} violations in ${files.length} files`);
    Deno.exit(1);
  }
  console.error(
    `architecture: ${files.length} files on ${layers.length} layers; imports point down, no cycle`,
  );
}

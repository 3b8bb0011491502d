// What the generated sessions say: vocabulary (projects, branches, models, commands, prompts)
// and the text helpers that make sentences, file paths and file contents of a given size from a
// seeded Rng. The long texts are slices of one fixed blob, the same for every seed.

import { Rng } from "./rng.ts";

export const MODELS: readonly string[] = [
  "claude-opus-4-6",
  "claude-sonnet-4-6",
  "claude-sonnet-4-5-20250929",
  "claude-haiku-4-5-20251001",
];

export const WORDS = (
  "the a to of and in for is on that with this it be as by from at update fix add remove " +
  "refactor test build error config server client request response handler route cache index " +
  "file module function type interface value parse format check run deploy migrate schema query " +
  "database token session user event hook stream buffer line json path dir worker queue retry " +
  "timeout log metric render component state prop layout style api endpoint auth login payload " +
  "header body status code null array object string number boolean promise async await import " +
  "export class method field now then next first also should would could because instead"
).split(" ");

export const PROJECT_NAMES = [
  "proj-api",
  "web-app",
  "billing-service",
  "infra",
  "mobile-client",
  "data-pipeline",
  "docs-site",
  "cli-tools",
  "auth-gateway",
  "ml-experiments",
  "design-system",
  "search-indexer",
  "notebook",
  "dotfiles",
  "game-engine",
  "analytics",
] as const;

export const BRANCHES = [
  "main",
  "main",
  "main",
  "dev",
  "feature/login",
  "fix/flaky-test",
  "refactor-db",
];
export const MODES: readonly (readonly [string, number])[] = [
  ["default", 70],
  ["acceptEdits", 18],
  ["plan", 7],
  ["dontAsk", 5],
];
export const MODEL_WEIGHTS: readonly (readonly [string, number])[] = [
  ["claude-opus-4-6", 30],
  ["claude-sonnet-4-6", 35],
  ["claude-sonnet-4-5-20250929", 20],
  ["claude-haiku-4-5-20251001", 15],
];
const SRC_DIRS = ["src", "src/lib", "src/api", "src/components", "tests", "scripts", "docs"];
export const EXTS = [".ts", ".ts", ".tsx", ".py", ".md", ".json", ".rs", ".go"];
export const BASH_COMMANDS = [
  "git status",
  "git diff --stat",
  "git log --oneline -10",
  "npm test",
  "npm run build",
  "deno test -A",
  "deno check main.ts",
  "cargo build",
  "pytest -x -q",
  "ls -la src",
  "grep -rn TODO src",
  "make lint",
  "docker compose ps",
  "git push origin HEAD",
];
const PROMPT_TEMPLATES = [
  "fix the failing test in {file}",
  "add {w} support to {file}",
  "why does {w} {w} fail when the {w} is empty?",
  "refactor {file} to use {w} {w}",
  "write tests for {file}",
  "explain how the {w} {w} works",
  "review my changes and commit them",
  "the build is broken: {w} {w} {w}, please investigate",
  "update the docs for the {w} {w}",
  "{w} {w} {w} {w} {w} {w}",
];
export const AGENT_TYPES = ["Explore", "general-purpose", "Plan", "code-reviewer"];
export const TITLES = [
  "Fix flaky integration test",
  "Add pagination to API",
  "Refactor session storage",
  "Investigate build failure",
  "Dashboard layout tweaks",
  "Database migration cleanup",
];

export function words(rng: Rng, n: number): string {
  let s = rng.pick(WORDS);
  for (let i = 1; i < n; i++) s += " " + rng.pick(WORDS);
  return s;
}

export function sentence(rng: Rng, lo: number, hi: number): string {
  const s = words(rng, rng.int(lo, hi));
  return s[0].toUpperCase() + s.slice(1) + ".";
}

export function filePath(rng: Rng, cwd: string): string {
  return `${cwd}/${rng.pick(SRC_DIRS)}/${rng.pick(WORDS)}_${rng.pick(WORDS)}${rng.pick(EXTS)}`;
}

export function prompt(rng: Rng): string {
  return rng.pick(PROMPT_TEMPLATES).replace(
    /\{(\w+)\}/g,
    (_m, k: string) =>
      k === "file" ? `${rng.pick(SRC_DIRS)}/${rng.pick(WORDS)}${rng.pick(EXTS)}` : rng.pick(WORDS),
  );
}

let blobCache: string | null = null;
/** A fixed ~80 KB pseudo source text (the same for every seed), sliced for long outputs. */
function blob(): string {
  if (blobCache !== null) return blobCache;
  const r = new Rng(0xb10b);
  const lines: string[] = [];
  let size = 0;
  for (let i = 1; size < 80_000; i++) {
    const indent = "  ".repeat(r.int(0, 3));
    const line = r.chance(0.15) ? "" : `${indent}${words(r, r.int(2, 12))};`;
    lines.push(line);
    size += line.length + 1;
  }
  blobCache = lines.join("\n");
  return blobCache;
}

/** `n` characters of multi-line text, starting at a random line of the blob. */
export function textOfSize(rng: Rng, n: number): string {
  const b = blob();
  let at = rng.int(0, b.length - n - 1);
  const nl = b.indexOf("\n", at);
  if (nl >= 0 && nl + n < b.length) at = nl + 1;
  return b.slice(at, at + n);
}

export function numbered(text: string): string {
  const lines = text.split("\n");
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    out += `${String(i + 1).padStart(6)}\u2192${lines[i]}${i + 1 < lines.length ? "\n" : ""}`;
  }
  return out;
}

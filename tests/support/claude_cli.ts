// The real Claude Code CLI for end-to-end tests, pinned to one npm version. `claudeCli()` finds
// it (CLAUDE_DASH_CLAUDE, /tmp/cc, or the cache) or installs it once with npm into the user's
// cache dir; `runClaude()` runs `claude -p … --output-format json` in a temp HOME against a fake
// Messages API (tests/support/fake_anthropic.ts) and returns the parsed result. Without npm and
// without an installed copy, tests marked `claudeTest` are ignored with one summary line.

import { join } from "node:path";
import { env, onPath } from "./prereqs.ts";

/** The Claude Code version every e2e test runs (npm @anthropic-ai/claude-code). */
export const claudeCodeVersion = "2.1.332";
const pkg = `@anthropic-ai/claude-code@${claudeCodeVersion}`;

function cacheRoot(): string {
  const xdg = env("XDG_CACHE_HOME");
  const base = xdg && xdg !== "" ? xdg : join(env("HOME") ?? "/tmp", ".cache");
  return join(base, "claude-dash-tests");
}

/** Where `claudeCli()` installs the pinned CLI when no copy is found. */
export const claudeCacheDir = join(cacheRoot(), `claude-code-${claudeCodeVersion}`);

/** The installed version under an npm prefix, or null. */
function versionAt(prefix: string): string | null {
  try {
    const p = JSON.parse(
      Deno.readTextFileSync(join(prefix, "node_modules/@anthropic-ai/claude-code/package.json")),
    );
    return typeof p.version === "string" ? p.version : null;
  } catch {
    return null;
  }
}

function binAt(prefix: string): string | null {
  const bin = join(prefix, "node_modules/.bin/claude");
  try {
    Deno.statSync(bin);
  } catch {
    return null;
  }
  return versionAt(prefix) === claudeCodeVersion ? bin : null;
}

/** The pinned CLI already on disk (override, /tmp/cc, cache), or null. Does not install. */
export function findClaudeCli(): string | null {
  const override = env("CLAUDE_DASH_CLAUDE");
  if (override !== undefined && override !== "") {
    try {
      return Deno.statSync(override).isFile ? override : null;
    } catch {
      return null;
    }
  }
  return binAt("/tmp/cc") ?? binAt(claudeCacheDir);
}

/** Whether the e2e tests can get the CLI: installed already, or npm to install it. */
export const claudeAvailable = findClaudeCli() !== null ||
  (env("CLAUDE_DASH_CLAUDE") === undefined && onPath("npm") !== null);

/** The one line printed when the CLI cannot be had. */
export const claudeSkipLine = `skipped the Claude Code CLI tests (tests/e2e/claude_cli_test.ts): ` +
  `${pkg} not installed and npm not found (or CLAUDE_DASH_CLAUDE names no file) — ` +
  `install Node.js and npm (sudo apt-get install -y npm)`;

if (!claudeAvailable) console.log(claudeSkipLine);

/** Test options for tests that need the real CLI: ignored (with the line above) without it. */
export const claudeTest = {
  ignore: !claudeAvailable,
  sanitizeResources: false,
  sanitizeOps: false,
};

let installing: Promise<string> | null = null;

/**
 * The path of the pinned `claude` binary, installing it into `claudeCacheDir` on first use.
 * The install goes to a fresh folder that is renamed into place, so parallel test processes
 * never see half an install.
 */
export function claudeCli(): Promise<string> {
  const found = findClaudeCli();
  if (found) return Promise.resolve(found);
  installing ??= (async () => {
    const npm = onPath("npm");
    if (npm === null) throw new Error(claudeSkipLine);
    await Deno.mkdir(cacheRoot(), { recursive: true });
    const tmp = await Deno.makeTempDir({ dir: cacheRoot(), prefix: "install-" });
    const out = await new Deno.Command(npm, {
      args: ["install", "--prefix", tmp, "--no-save", "--no-audit", "--no-fund", pkg],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      throw new Error(`npm install ${pkg} failed:\n${new TextDecoder().decode(out.stderr)}`);
    }
    try {
      await Deno.rename(tmp, claudeCacheDir);
    } catch {
      // another process won the race: use its copy
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
    const bin = binAt(claudeCacheDir);
    if (!bin) throw new Error(`${pkg} installed into ${claudeCacheDir} but no bin/claude found`);
    return bin;
  })();
  return installing;
}

/** What `claude -p --output-format json` prints (fields this repo reads; the rest kept). */
export interface ClaudeResult {
  type: "result";
  subtype: string;
  is_error: boolean;
  session_id: string;
  result?: string;
  num_turns: number;
  total_cost_usd: number;
  duration_ms: number;
  duration_api_ms: number;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
    [k: string]: unknown;
  };
  modelUsage: Record<string, {
    inputTokens: number;
    outputTokens: number;
    cacheReadInputTokens: number;
    cacheCreationInputTokens: number;
    costUSD: number;
    contextWindow?: number;
    [k: string]: unknown;
  }>;
  [k: string]: unknown;
}

export interface ClaudeRun {
  code: number;
  stdout: string;
  stderr: string;
  /** the parsed JSON result, or null when stdout was not one JSON object */
  result: ClaudeResult | null;
  durationMs: number;
}

export interface RunOptions {
  /** the temp HOME (Claude Code writes ~/.claude and ~/.claude.json there) */
  home: string;
  prompt: string;
  /** the fake Messages API (its url becomes ANTHROPIC_BASE_URL) */
  fake: { url: string };
  /** written to HOME/.claude/settings.json before the run (left as is when absent) */
  settings?: Record<string, unknown>;
  /** extra environment (e.g. the OTEL_* variables); wins over the defaults */
  env?: Record<string, string>;
  /** working directory (default HOME/project, created) */
  cwd?: string;
  /** tools allowed without asking (default Bash, Read, Write, Edit) */
  allowedTools?: string[];
  /** more CLI arguments (e.g. ["--resume", id]) */
  args?: string[];
  /** killed after this long (default 90 s) */
  timeoutMs?: number;
}

/** The environment every run gets: offline, no updater, no error reports, the fake API's key. */
export function claudeEnv(home: string, fakeUrl: string): Record<string, string> {
  return {
    HOME: home,
    PATH: env("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
    TMPDIR: env("TMPDIR") ?? "/tmp",
    LANG: "C.UTF-8",
    ANTHROPIC_BASE_URL: fakeUrl,
    // not a secret: the fake accepts any key
    ANTHROPIC_API_KEY: "sk-ant-test-fake",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_BUG_COMMAND: "1",
    CLAUDE_CODE_DISABLE_TERMINAL_TITLE: "1",
  };
}

/**
 * Runs one `claude -p PROMPT --output-format json` session against the fake API. Tools in
 * `allowedTools` run without a prompt (the `--dangerously-skip-permissions` flag is refused
 * when running as root, so an allow-list is used).
 */
export async function runClaude(opts: RunOptions): Promise<ClaudeRun> {
  const bin = await claudeCli();
  const cwd = opts.cwd ?? join(opts.home, "project");
  await Deno.mkdir(cwd, { recursive: true });
  if (opts.settings) {
    await Deno.mkdir(join(opts.home, ".claude"), { recursive: true });
    await Deno.writeTextFile(
      join(opts.home, ".claude/settings.json"),
      JSON.stringify(opts.settings, null, 2),
    );
  }
  const tools = opts.allowedTools ?? ["Bash", "Read", "Write", "Edit"];
  const args = [
    "-p",
    opts.prompt,
    "--output-format",
    "json",
    "--allowedTools",
    tools.join(","),
    ...(opts.args ?? []),
  ];
  const t0 = performance.now();
  const out = await new Deno.Command(bin, {
    args,
    cwd,
    env: { ...claudeEnv(opts.home, opts.fake.url), ...opts.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(opts.timeoutMs ?? 90_000),
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  let result: ClaudeResult | null = null;
  try {
    const parsed = JSON.parse(stdout.trim());
    if (parsed && typeof parsed === "object" && parsed.type === "result") result = parsed;
  } catch {
    result = null; // printed something else (an error message): the caller sees stdout/stderr
  }
  return { code: out.code, stdout, stderr, result, durationMs: performance.now() - t0 };
}

/** The transcript Claude Code wrote for `sessionId` under HOME/.claude/projects, or null. */
export function transcriptPath(home: string, sessionId: string): string | null {
  const projects = join(home, ".claude/projects");
  try {
    for (const dir of Deno.readDirSync(projects)) {
      if (!dir.isDirectory) continue;
      const p = join(projects, dir.name, `${sessionId}.jsonl`);
      try {
        if (Deno.statSync(p).isFile) return p;
      } catch {
        // not in this project folder
      }
    }
  } catch {
    return null;
  }
  return null;
}

export interface InteractiveOptions extends Omit<RunOptions, "allowedTools" | "args"> {
  /**
   * sign in as a subscription user (CLAUDE_CODE_OAUTH_TOKEN, no API key): only then does the
   * statusline payload carry `rate_limits` (give the fake `rateLimitHeaders(…)`)
   */
  subscription?: boolean;
  /** resolves true when the test has seen enough (polled every 50 ms); then the CLI is killed */
  until: () => boolean | Promise<boolean>;
}

/**
 * Runs the interactive UI (what draws the statusline; `-p` never runs the statusLine command)
 * in a pseudo-terminal made by `script(1)`, with onboarding, folder trust and the API key
 * pre-accepted in HOME/.claude.json. The prompt is submitted at start; the CLI is killed once
 * `until()` holds or the timeout passes (then it throws). Returns the terminal output.
 */
export async function runClaudeInteractive(opts: InteractiveOptions): Promise<string> {
  const bin = await claudeCli();
  const script = onPath("script");
  if (script === null) throw new Error("runClaudeInteractive needs script(1) (util-linux)");
  const cwd = opts.cwd ?? join(opts.home, "project");
  await Deno.mkdir(join(opts.home, ".claude"), { recursive: true });
  await Deno.mkdir(cwd, { recursive: true });
  const base = claudeEnv(opts.home, opts.fake.url);
  const key = base.ANTHROPIC_API_KEY;
  await Deno.writeTextFile(
    join(opts.home, ".claude.json"),
    JSON.stringify({
      hasCompletedOnboarding: true,
      theme: "dark",
      numStartups: 5,
      customApiKeyResponses: { approved: [key.slice(-20)], rejected: [] },
      projects: { [cwd]: { hasTrustDialogAccepted: true, allowedTools: [] } },
    }),
  );
  if (opts.settings) {
    await Deno.writeTextFile(
      join(opts.home, ".claude/settings.json"),
      JSON.stringify(opts.settings, null, 2),
    );
  }
  const childEnv: Record<string, string> = { ...base, TERM: "xterm-256color", ...opts.env };
  if (opts.subscription) {
    delete childEnv.ANTHROPIC_API_KEY;
    // not a secret: the fake accepts any token
    childEnv.CLAUDE_CODE_OAUTH_TOKEN = "sk-ant-oat01-test-fake";
  }
  const quoted = `'${opts.prompt.replaceAll("'", `'\\''`)}'`;
  const child = new Deno.Command(script, {
    args: ["-qfec", `${bin} ${quoted}`, "/dev/null"],
    cwd,
    env: childEnv,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const chunks: string[] = [];
  const reading = (async () => {
    for await (const c of child.stdout) chunks.push(new TextDecoder().decode(c));
  })();
  const deadline = performance.now() + (opts.timeoutMs ?? 60_000);
  let done = false;
  try {
    while (!(done = await opts.until()) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    // SIGTERM to script(1) hangs up the pty, which ends the CLI under it
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.stdin.close().catch(() => {});
    await child.status;
    await reading.catch(() => {});
  }
  const screen = chunks.join("");
  if (!done) {
    throw new Error(
      `interactive claude: condition not met in time; screen tail:\n${
        screen.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[a-zA-Z]`, "g"), "").slice(
          -1500,
        )
      }`,
    );
  }
  return screen;
}

// Command-line flags → options, as a pure function so every error message is testable.
// The first word may name a subcommand (`doctor`, `hook`); without one the server runs.

import {
  defaultPort,
  frontHeaderTimeoutMs,
  frontMaxConnections,
  maxLiveClients,
  rateLimitRequestsPerMin,
  version,
} from "../core/config.ts";

export interface CliOptions {
  port: number;
  dbPath: string;
  claudeDir: string;
  /** Base URL of an OTLP/HTTP collector (`/v1/logs`, `/v1/metrics` are appended). */
  otlpEndpoint?: string;
  /** Also write the log to a rotated file under ~/.claude/claude-dash/logs/. */
  logFile?: boolean;
  /** doctor: run the full integrity_check whatever the database size. */
  full?: boolean;
  /** Requests per minute per client address (0 = no limit); default rateLimitRequestsPerMin. */
  rateLimitPerMin?: number;
  /** Live connections (SSE and WebSocket) served at once; default maxLiveClients. */
  maxClients?: number;
  /** Connections held at once on the public port (src/http/front.ts); default frontMaxConnections. */
  maxConnections?: number;
  /** Time a client has to send a request's headers; default frontHeaderTimeoutMs. */
  headerTimeoutMs?: number;
}

export type CliResult =
  | { kind: "run"; options: CliOptions }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string }
  | { kind: "error"; message: string };

/** A parsed command line: the server (`run`), a subcommand, or a message to print. */
export type CommandResult =
  | CliResult
  | { kind: "doctor"; options: CliOptions }
  | { kind: "hook"; claudeDir: string }
  | { kind: "statusline"; claudeDir: string; format?: string }
  | { kind: "demo"; port: number }
  | { kind: "setup"; options: SetupOptions };

/** `claude-dash setup`: what to wire into ~/.claude/settings.json, or --undo. */
export interface SetupOptions {
  /** The dashboard's port, for --http and --otel. */
  port: number;
  /** Apply without asking. */
  yes: boolean;
  /** Restore settings.json as it was before the last setup. */
  undo: boolean;
  /** HTTP hooks to the server instead of command hooks. */
  http: boolean;
  /** Also set Claude Code's telemetry env to export to the server. */
  otel: boolean;
}

export const usage = `claude-dash ${version} — a live local dashboard for Claude Code sessions

Usage: claude-dash [options]          serve the dashboard
       claude-dash doctor [options]   check the setup and say what to fix
       claude-dash hook               save one hook payload from stdin (for settings.json)
       claude-dash statusline         print Claude Code's status line; record Claude's limits
       claude-dash demo [--port N]    the dashboard on moving synthetic data (temporary HOME)
       claude-dash setup [--http] [--otel] [--yes] [--undo]
                                      wire Claude Code to claude-dash in ~/.claude/settings.json

Options:
  --port N              HTTP port on 127.0.0.1 (default ${defaultPort}; 0 picks a free one)
  --db FILE             claude-dash's own database (default $HOME/.claude/claude-dash/claude-dash.db)
  --claude-dir DIR      the Claude Code folder to read (default $HOME/.claude)
  --otlp-endpoint URL   also export events and counters to an OTLP/HTTP collector (loopback)
  --log-file            also log to $HOME/.claude/claude-dash/logs/claude-dash.log (rotated)
  --rate-limit N        requests per minute per client (default ${rateLimitRequestsPerMin}; 0 = off)
  --max-clients N       live connections (SSE and WebSocket) at once (default ${maxLiveClients})
  --max-connections N   connections held at once (default ${frontMaxConnections})
  --header-timeout-ms N ms a client has to send a request's headers (default ${frontHeaderTimeoutMs})
  --help                show this help
  --version             print the version

claude-dash only reads DIR; it writes nothing but its own database.`;

export const doctorUsage =
  `Usage: claude-dash doctor [--port N] [--db FILE] [--claude-dir DIR] [--full]

Checks, one line each with ✓ or ✗ and what to do: the Claude Code folder, transcripts, hook
logging, settings.json hooks, the notifier's thread database, claude-dash's own database, the
port and permissions. Exits 1 when something claude-dash needs is missing. A database over
512 MB gets SQLite's quick_check; --full runs the complete integrity_check (slower).`;

export const hookUsage = `Usage: claude-dash hook [--claude-dir DIR]

Reads one Claude Code hook payload (JSON) from stdin and saves it as
DIR/hooks/logs/raw_json/{timestamp}_{event}_{session}.json. Prints nothing and always exits 0,
so it never blocks or fails Claude Code. See the README for the settings.json snippet.`;

const serverFlags = new Set([
  "--port",
  "--db",
  "--claude-dir",
  "--otlp-endpoint",
  "--log-file",
  "--rate-limit",
  "--max-clients",
  "--max-connections",
  "--header-timeout-ms",
]);
const doctorFlags = new Set(["--port", "--db", "--claude-dir", "--full"]);
const hookFlags = new Set(["--claude-dir"]);
const statuslineFlags = new Set(["--claude-dir", "--format"]);

export const statuslineUsage = `Usage: claude-dash statusline [--format PARTS] [--claude-dir DIR]

Reads the JSON Claude Code pipes to its statusLine command and prints one line:
model · context % · 5 h used % and reset (local time) · 7 d used % · today's cost. PARTS (or
the CLAUDE_DASH_STATUSLINE variable) picks and orders them: model,context,5h,7d,cost. Claude's
official 5-hour and weekly figures (subscription plans) are saved under
DIR/claude-dash/statusline/samples/ for the dashboard (at most one sample per 30 s unless a
figure changes). Always exits 0; input it cannot read prints "claude-dash".`;
const demoFlags = new Set(["--port"]);

export const setupUsage = `Usage: claude-dash setup [--http] [--otel] [--port N] [--yes]
       claude-dash setup --undo [--yes]

Adds claude-dash to ~/.claude/settings.json: its hook on every hook event (beside the hooks you
have), the statusline (only when none is set; otherwise it prints how to run both), and with
--otel Claude Code's telemetry env. Shows the change and asks first (--yes: do not ask), keeps
a timestamped backup in ~/.claude/claude-dash/settings-backups/, and changes nothing when
everything is already there. A settings.json that is not valid JSON is left untouched.

  --http     HTTP hooks (one local POST per event) to the dashboard on 127.0.0.1:PORT instead
             of command hooks (a process per event); needs the dashboard running as a service
  --otel     Claude Code's OpenTelemetry logs and metrics to the dashboard (http/json)
  --port N   the dashboard's port for --http and --otel (default ${defaultPort})
  --yes      apply without asking
  --undo     put back settings.json exactly as it was before the last setup`;

/** Parses setup's flags (none takes a value but --port). */
function parseSetupFlags(args: string[]): CommandResult {
  const o: SetupOptions = { port: defaultPort, yes: false, undo: false, http: false, otel: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.startsWith("--port=") ? ["--port", arg.slice(7)] : [arg, undefined];
    switch (name) {
      case "--help":
      case "-h":
        return { kind: "help", text: setupUsage };
      case "--port": {
        const v = inline ?? args[++i];
        if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
          return {
            kind: "error",
            message: `--port needs a number from 1 to 65535, got ${
              v === undefined ? "nothing" : `"${v}"`
            }`,
          };
        }
        o.port = Number(v);
        break;
      }
      case "--yes":
      case "-y":
        o.yes = true;
        break;
      case "--undo":
        o.undo = true;
        break;
      case "--http":
        o.http = true;
        break;
      case "--otel":
        o.otel = true;
        break;
      default:
        return {
          kind: "error",
          message: `unknown option "${arg}" for setup (see claude-dash setup --help)`,
        };
    }
  }
  if (o.undo && (o.http || o.otel || args.some((a) => a.startsWith("--port")))) {
    return { kind: "error", message: "--undo takes no other option than --yes" };
  }
  return { kind: "setup", options: o };
}

export const demoUsage = `Usage: claude-dash demo [--port N]

Generates a synthetic ~/.claude in a temporary HOME (under /tmp/claude-dash-demo), keeps
writing live events into it and serves the dashboard on it at 127.0.0.1 (default: a free
port). Your own ~/.claude is not read or changed; Ctrl-C stops and removes the data.`;

/** A whole command line as main.ts dispatches it: the parsed command and which flags were given. */
export interface Invocation {
  /** The subcommand named first, or undefined for the server (and for an unknown command). */
  subcommand?: "doctor" | "hook" | "statusline" | "demo" | "setup";
  result: CommandResult;
  /** The flags present on the command line (e.g. "--claude-dir"), whatever their values. */
  given: ReadonlySet<string>;
}

/** Parses the server's flags (no subcommand). */
export function parseArgs(args: string[], home: string | undefined): CliResult {
  return parseFlags(args, home, serverFlags, usage, "").result;
}

/** Parses a whole command line: an optional subcommand, then its flags. */
export function parseCommand(args: string[], home: string | undefined): CommandResult {
  return parseInvocation(args, home).result;
}

/** Like parseCommand, also saying which subcommand was named and which flags were given. */
export function parseInvocation(args: string[], home: string | undefined): Invocation {
  const first = args[0];
  if (first === "doctor") {
    const { result: r, given } = parseFlags(
      args.slice(1),
      home,
      doctorFlags,
      doctorUsage,
      " doctor",
    );
    const result: CommandResult = r.kind === "run" ? { kind: "doctor", options: r.options } : r;
    return { subcommand: first, result, given };
  }
  if (first === "hook") {
    const { result: r, given } = parseFlags(args.slice(1), home, hookFlags, hookUsage, " hook");
    const result: CommandResult = r.kind === "run"
      ? { kind: "hook", claudeDir: r.options.claudeDir }
      : r;
    return { subcommand: first, result, given };
  }
  if (first === "statusline") {
    const rest = args.slice(1);
    const { result: r, given } = parseFlags(
      rest.filter((_a, i) => !isFormatArg(rest, i)),
      home,
      statuslineFlags,
      statuslineUsage,
      " statusline",
    );
    const format = formatArg(rest);
    const result: CommandResult = r.kind === "run"
      ? {
        kind: "statusline",
        claudeDir: r.options.claudeDir,
        ...(format !== undefined && { format }),
      }
      : r;
    return { subcommand: first, result, given };
  }
  if (first === "demo") {
    // The demo makes its own HOME: the real one only fills the unused path defaults.
    const { result: r, given } = parseFlags(
      args.slice(1),
      home ?? "/",
      demoFlags,
      demoUsage,
      " demo",
    );
    const result: CommandResult = r.kind === "run"
      ? { kind: "demo", port: given.has("--port") ? r.options.port : 0 }
      : r;
    return { subcommand: first, result, given };
  }
  if (first === "setup") {
    return { subcommand: first, result: parseSetupFlags(args.slice(1)), given: new Set() };
  }
  if (first !== undefined && !first.startsWith("-")) {
    return {
      result: { kind: "error", message: `unknown command "${first}" (see --help)` },
      given: new Set(),
    };
  }
  return parseFlags(args, home, serverFlags, usage, "");
}

function parseFlags(
  args: string[],
  home: string | undefined,
  allowed: Set<string>,
  help: string,
  command: string,
): { result: CliResult; given: Set<string> } {
  const given = new Set<string>();
  const result = parseFlagsInto(args, home, allowed, help, command, given);
  return { result, given };
}

function parseFlagsInto(
  args: string[],
  home: string | undefined,
  allowed: Set<string>,
  help: string,
  command: string,
  given: Set<string>,
): CliResult {
  let port = defaultPort;
  let dbPath: string | undefined;
  let claudeDir: string | undefined;
  let otlpEndpoint: string | undefined;
  let logFile = false;
  let full = false;
  let rateLimitPerMin: number | undefined;
  let maxClients: number | undefined;
  let maxConnections: number | undefined;
  let headerTimeoutMs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string | null => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) return null;
      i++;
      return next;
    };
    if (name.startsWith("--") && name !== "--help" && name !== "--version" && !allowed.has(name)) {
      const where = command ? ` for${command} (see claude-dash${command} --help)` : " (see --help)";
      return { kind: "error", message: `unknown option "${arg}"${where}` };
    }
    given.add(name);
    switch (name) {
      case "--help":
      case "-h":
        return { kind: "help", text: help };
      case "--version":
      case "-V":
        return { kind: "version", text: `claude-dash ${version}` };
      case "--port": {
        const v = value();
        if (v === null || !/^\d+$/.test(v) || Number(v) > 65535) {
          return {
            kind: "error",
            message: `--port needs a number from 0 to 65535, got ${
              v === null ? "nothing" : `"${v}"`
            }`,
          };
        }
        port = Number(v);
        break;
      }
      case "--db": {
        const v = value();
        if (!v) return { kind: "error", message: "--db needs a file path" };
        dbPath = v;
        break;
      }
      case "--claude-dir": {
        const v = value();
        if (!v) return { kind: "error", message: "--claude-dir needs a folder path" };
        claudeDir = v;
        break;
      }
      case "--otlp-endpoint": {
        const v = value();
        const url = v ? otlpBase(v) : null;
        if (!url) {
          return {
            kind: "error",
            message:
              `--otlp-endpoint needs an http:// or https:// URL such as http://127.0.0.1:4318, got ${
                v ? `"${v}"` : "nothing"
              }`,
          };
        }
        otlpEndpoint = url;
        break;
      }
      case "--full":
        if (inline !== undefined) return { kind: "error", message: "--full takes no value" };
        full = true;
        break;
      case "--log-file":
        if (inline !== undefined) return { kind: "error", message: "--log-file takes no value" };
        logFile = true;
        break;
      case "--rate-limit": {
        const v = value();
        if (v === null || !/^\d+$/.test(v)) {
          return {
            kind: "error",
            message: `--rate-limit needs a number of requests per minute (0 = off), got ${
              v === null ? "nothing" : `"${v}"`
            }`,
          };
        }
        rateLimitPerMin = Number(v);
        break;
      }
      case "--max-clients": {
        const v = value();
        if (v === null || !/^\d+$/.test(v) || Number(v) < 1) {
          const got = v === null ? "nothing" : `"${v}"`;
          return { kind: "error", message: `--max-clients needs a number from 1, got ${got}` };
        }
        maxClients = Number(v);
        break;
      }
      case "--max-connections":
      case "--header-timeout-ms": {
        const v = value();
        if (v === null || !/^\d+$/.test(v) || Number(v) < 1) {
          const got = v === null ? "nothing" : `"${v}"`;
          return { kind: "error", message: `${name} needs a number from 1, got ${got}` };
        }
        if (name === "--max-connections") maxConnections = Number(v);
        else headerTimeoutMs = Number(v);
        break;
      }
      default:
        return { kind: "error", message: `unknown option "${arg}" (see --help)` };
    }
  }
  if ((!dbPath || !claudeDir) && !home) {
    return { kind: "error", message: "HOME is not set: pass --claude-dir and --db" };
  }
  claudeDir ??= `${home}/.claude`;
  dbPath ??= `${home}/.claude/claude-dash/claude-dash.db`;
  const options: CliOptions = { port, dbPath, claudeDir: claudeDir.replace(/\/+$/, "") };
  if (otlpEndpoint) options.otlpEndpoint = otlpEndpoint;
  if (logFile) options.logFile = true;
  if (full) options.full = true;
  if (rateLimitPerMin !== undefined) options.rateLimitPerMin = rateLimitPerMin;
  if (maxClients !== undefined) options.maxClients = maxClients;
  if (maxConnections !== undefined) options.maxConnections = maxConnections;
  if (headerTimeoutMs !== undefined) options.headerTimeoutMs = headerTimeoutMs;
  return { kind: "run", options };
}

/** Whether args[i] is --format, --format=…, or the value after a bare --format. */
function isFormatArg(args: string[], i: number): boolean {
  return args[i] === "--format" || args[i].startsWith("--format=") ||
    (i > 0 && args[i - 1] === "--format");
}

/** The statusline's --format value (the last one given), undefined without one. */
function formatArg(args: string[]): string | undefined {
  let v: string | undefined;
  args.forEach((a, i) => {
    if (a.startsWith("--format=")) v = a.slice(9);
    else if (a === "--format") v = args[i + 1] ?? "";
  });
  return v;
}

/** An OTLP/HTTP base URL without trailing "/" (and without a pasted /v1/logs), or null. */
export function otlpBase(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) {
    return null;
  }
  if (url.username || url.password) return null;
  return url.href.replace(/\/+$/, "").replace(/\/v1\/(logs|metrics)$/, "");
}

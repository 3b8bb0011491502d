// Command-line flags → options, as a pure function so every error message is testable.

import { defaultPort, version } from "./config.ts";

export interface CliOptions {
  port: number;
  dbPath: string;
  claudeDir: string;
}

export type CliResult =
  | { kind: "run"; options: CliOptions }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string }
  | { kind: "error"; message: string };

export const usage = `claude-dash ${version} — a live local dashboard for Claude Code sessions

Usage: claude-dash [options]

Options:
  --port N          HTTP port on 127.0.0.1 (default ${defaultPort}; 0 picks a free one)
  --db FILE         claude-dash's own database (default $HOME/.claude/claude-dash/claude-dash.db)
  --claude-dir DIR  the Claude Code folder to read (default $HOME/.claude)
  --help            show this help
  --version         print the version

claude-dash only reads DIR; it writes nothing but its own database.`;

export function parseArgs(args: string[], home: string | undefined): CliResult {
  let port = defaultPort;
  let dbPath: string | undefined;
  let claudeDir: string | undefined;
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
    switch (name) {
      case "--help":
      case "-h":
        return { kind: "help", text: usage };
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
      default:
        return { kind: "error", message: `unknown option "${arg}" (see --help)` };
    }
  }
  if ((!dbPath || !claudeDir) && !home) {
    return { kind: "error", message: "HOME is not set: pass --claude-dir and --db" };
  }
  claudeDir ??= `${home}/.claude`;
  dbPath ??= `${home}/.claude/claude-dash/claude-dash.db`;
  return { kind: "run", options: { port, dbPath, claudeDir: claudeDir.replace(/\/+$/, "") } };
}

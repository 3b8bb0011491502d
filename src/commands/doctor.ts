// `claude-dash doctor`: finds out why data is not showing. inspect() gathers a plain view of
// the setup (files, settings, databases, port) without changing anything the user owns;
// diagnose() turns that view into one ✓/✗ line per check with the fix, as a pure function;
// the exit code is 1 when a check claude-dash needs fails. Never prints hook commands or any
// other settings value: they may hold secrets. Transcripts are looked for in every folder the
// server reads (src/ingest/roots.ts: ~/.claude, $XDG_CONFIG_HOME/claude, CLAUDE_CONFIG_DIR);
// hook logs, settings.json and threads.db only in ~/.claude, as the server does.
// This module runs the command and formats the report; doctor/inspect.ts gathers the view and
// doctor/checks.ts judges it.

import type { CliOptions } from "./cli.ts";
import { diagnose } from "./doctor/checks.ts";
import { inspect, type InspectScope } from "./doctor/inspect.ts";
import type { Check } from "./doctor/view.ts";

/** The report's text: one line per check, then a summary line. Pure. */
export function formatReport(checks: Check[]): string {
  const lines = checks.map((c) =>
    `${c.ok ? "✓" : "✗"} ${c.label}${!c.ok && !c.required ? " (optional)" : ""}: ${c.detail}${
      c.fix ? `\n    → ${c.fix}` : ""
    }`
  );
  const needed = checks.filter((c) => !c.ok && c.required).length;
  const optional = checks.filter((c) => !c.ok && !c.required).length;
  lines.push(
    needed > 0
      ? `${needed} problem${
        needed > 1 ? "s" : ""
      } to fix before claude-dash can show your sessions.`
      : `claude-dash is ready${
        optional > 0 ? ` (${optional} optional item${optional > 1 ? "s" : ""} above)` : ""
      }.`,
  );
  return lines.join("\n");
}

export function exitCode(checks: Check[]): 0 | 1 {
  return checks.some((c) => !c.ok && c.required) ? 1 : 0;
}

/** Runs the checks, prints the report, returns the exit code. */
export async function runDoctor(opts: CliOptions, scope: InspectScope = {}): Promise<number> {
  const checks = diagnose(await inspect(opts, scope));
  console.log(`claude-dash doctor\n${formatReport(checks)}`);
  return exitCode(checks);
}

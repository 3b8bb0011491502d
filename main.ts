// claude-dash entry point: parse the command line, then hand over to one command module.
// One-line errors and a non-zero exit code for anything the user can fix.

import { parseInvocation } from "./src/commands/cli.ts";
import { log } from "./src/core/log.ts";
// The command modules are imported only when chosen: `claude-dash hook` runs on every Claude
// Code hook event and must start fast, without loading the web stack.

function homeDir(): string | undefined {
  try {
    return Deno.env.get("HOME");
  } catch {
    return undefined;
  }
}

if (import.meta.main) {
  const { subcommand, result: parsed, given } = parseInvocation(Deno.args, homeDir());
  // As the server: an explicit --claude-dir is the only folder read or checked.
  const claudeDirGiven = given.has("--claude-dir");
  if (parsed.kind === "help" || parsed.kind === "version") {
    console.log(parsed.text);
    Deno.exit(0);
  }
  if (parsed.kind === "error" && subcommand === "statusline") {
    // Claude Code shows stdout as the status line: a bad flag still prints one, and never fails.
    console.error(`claude-dash statusline: ${parsed.message}`);
    console.log("claude-dash");
    Deno.exit(0);
  }
  if (parsed.kind === "error" && subcommand === "hook") {
    // Exit code 2 would make Claude Code block the tool call: a hook never fails.
    console.error(`claude-dash hook: ${parsed.message}; nothing saved`);
    Deno.exit(0);
  }
  if (parsed.kind === "error") {
    log.error(parsed.message);
    Deno.exit(2);
  }
  if (parsed.kind === "hook") {
    const { runHook } = await import("./src/commands/hook.ts");
    Deno.exit(await runHook(parsed.claudeDir));
  }
  if (parsed.kind === "statusline") {
    const { runStatusline } = await import("./src/commands/statusline.ts");
    Deno.exit(await runStatusline(parsed.claudeDir, parsed.format));
  }
  if (parsed.kind === "demo") {
    const { runDemo } = await import("./src/commands/demo.ts");
    Deno.exit(await runDemo({ port: parsed.port }));
  }
  if (parsed.kind === "setup") {
    const { runSetup } = await import("./src/commands/setup.ts");
    Deno.exit(await runSetup(parsed.options, homeDir()));
  }
  if (parsed.kind === "doctor") {
    const { runDoctor } = await import("./src/commands/doctor.ts");
    Deno.exit(await runDoctor(parsed.options, { onlyClaudeDir: claudeDirGiven }));
  }
  if (parsed.kind === "run") {
    const { runServe } = await import("./src/commands/serve.ts");
    await runServe({ ...parsed.options, claudeDirGiven });
  }
}

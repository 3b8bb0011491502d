// claude-dash entry point: parse flags, check the inputs, start the dashboard. One-line
// errors and a non-zero exit code for anything the user can fix.

import { parseCommand } from "./src/commands/cli.ts";
import { log, openLogFile } from "./src/core/log.ts";
// The server, doctor and hook modules are imported only when chosen: `claude-dash hook` runs
// on every Claude Code hook event and must start fast, without loading the web stack.

function fail(message: string): never {
  log.error(message);
  Deno.exit(2);
}

function homeDir(): string | undefined {
  try {
    return Deno.env.get("HOME");
  } catch {
    return undefined;
  }
}

if (import.meta.main) {
  const parsed = parseCommand(Deno.args, homeDir());
  if (parsed.kind === "help" || parsed.kind === "version") {
    console.log(parsed.text);
    Deno.exit(0);
  }
  if (parsed.kind === "error" && Deno.args[0] === "hook") {
    // Exit code 2 would make Claude Code block the tool call: a hook never fails.
    console.error(`claude-dash hook: ${parsed.message}; nothing saved`);
    Deno.exit(0);
  }
  if (parsed.kind === "error") fail(parsed.message);
  if (parsed.kind === "hook") {
    const { runHook } = await import("./src/commands/hook.ts");
    Deno.exit(await runHook(parsed.claudeDir));
  }
  if (parsed.kind === "demo") {
    const { runDemo } = await import("./src/commands/demo.ts");
    Deno.exit(await runDemo({ port: parsed.port }));
  }
  if (parsed.kind === "doctor") {
    const { runDoctor } = await import("./src/commands/doctor.ts");
    // As the server: an explicit --claude-dir is the only folder checked.
    const onlyClaudeDir = Deno.args.some((a) =>
      a === "--claude-dir" || a.startsWith("--claude-dir=")
    );
    Deno.exit(await runDoctor(parsed.options, { onlyClaudeDir }));
  }
  const { port, dbPath, claudeDir, otlpEndpoint, logFile } = parsed.options;

  try {
    const st = Deno.statSync(claudeDir);
    if (!st.isDirectory) fail(`${claudeDir} is not a folder`);
    for (const _ of Deno.readDirSync(claudeDir)) break;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      // A fresh machine has no ~/.claude yet: serve the empty state and pick data up once
      // Claude Code creates it. A folder named explicitly must exist.
      if (Deno.args.some((a) => a === "--claude-dir" || a.startsWith("--claude-dir="))) {
        fail(`${claudeDir} does not exist: run Claude Code once, or pass --claude-dir`);
      }
      console.error(
        `claude-dash: ${claudeDir} does not exist yet; waiting for Claude Code to create it`,
      );
    } else {
      fail(`cannot read ${claudeDir}: ${e instanceof Error ? e.message : e}`);
    }
  }

  if (logFile) {
    try {
      openLogFile(`${claudeDir}/claude-dash/logs`);
    } catch (e) {
      fail(`cannot open the log file: ${e instanceof Error ? e.message : e}`);
    }
  }
  if (otlpEndpoint) {
    const { otlpEndpointProblem } = await import("./src/live/otlp_exporter.ts");
    const problem = await otlpEndpointProblem(otlpEndpoint);
    if (problem) fail(problem);
  }

  const { startDashboard } = await import("./src/commands/dashboard.ts");
  // Transcripts are also read from the other folders Claude Code may write to (XDG config,
  // CLAUDE_CONFIG_DIR); an explicit --claude-dir means that folder only.
  const { extraRoots, rootEnv } = await import("./src/ingest/roots.ts");
  const explicitDir = Deno.args.some((a) => a === "--claude-dir" || a.startsWith("--claude-dir="));
  const transcriptRoots = explicitDir ? [] : extraRoots(rootEnv(), claudeDir);
  let dashboard;
  try {
    dashboard = startDashboard({
      claudeDir,
      dbPath,
      port,
      otlpEndpoint,
      rateLimitPerMin: parsed.options.rateLimitPerMin,
      transcriptRoots,
    });
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      fail(`port ${port} on 127.0.0.1 is already in use: pass --port N`);
    }
    fail(`cannot start: ${e instanceof Error ? e.message : e}`);
  }
  console.log(`claude-dash serving ${dashboard.url}/  (reading ${claudeDir}, database ${dbPath})`);
  log.info(`serving ${dashboard.url}/ (reading ${claudeDir}, database ${dbPath})`);
  const started = performance.now();
  dashboard.ingester.ready.then(() => {
    const s = dashboard.ingester.stats;
    console.log(
      `claude-dash backfill done in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s: ${s.eventsStored} new events from ${s.hookFiles} hook files and ${s.transcripts} transcripts`,
    );
  });
  let stopping = false;
  const shutdown = async () => {
    // Ctrl-C reaches both `deno task`'s launcher (which forwards it) and the server: stop once.
    if (stopping) return;
    stopping = true;
    await dashboard.stop();
    Deno.exit(0);
  };
  try {
    Deno.addSignalListener("SIGINT", shutdown);
    Deno.addSignalListener("SIGTERM", shutdown);
  } catch {
    // signals unavailable (e.g. Windows SIGTERM): the default handling stops the process
  }
}

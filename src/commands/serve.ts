// `claude-dash` with no subcommand: check the Claude Code folder, open the log file, check the
// OTLP endpoint, then start the dashboard and stop it cleanly on SIGINT/SIGTERM. One-line errors
// and exit code 2 for anything the user can fix.

import type { CliOptions } from "./cli.ts";
import { log, openLogFile } from "../core/log.ts";

export interface ServeOptions extends CliOptions {
  /** --claude-dir was given: that folder only (no other roots), and it must exist. */
  claudeDirGiven: boolean;
}

function fail(message: string): never {
  log.error(message);
  Deno.exit(2);
}

/** Exits with code 2 when the Claude Code folder cannot be read; a missing default is fine. */
function checkClaudeDir(claudeDir: string, claudeDirGiven: boolean): void {
  try {
    const st = Deno.statSync(claudeDir);
    if (!st.isDirectory) fail(`${claudeDir} is not a folder`);
    for (const _ of Deno.readDirSync(claudeDir)) break;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      // A fresh machine has no ~/.claude yet: serve the empty state and pick data up once
      // Claude Code creates it. A folder named explicitly must exist.
      if (claudeDirGiven) {
        fail(`${claudeDir} does not exist: run Claude Code once, or pass --claude-dir`);
      }
      console.error(
        `claude-dash: ${claudeDir} does not exist yet; waiting for Claude Code to create it`,
      );
    } else {
      fail(`cannot read ${claudeDir}: ${e instanceof Error ? e.message : e}`);
    }
  }
}

/** Serves the dashboard until a signal stops it (the process then exits 0). */
export async function runServe(options: ServeOptions): Promise<void> {
  const { port, dbPath, claudeDir, otlpEndpoint, logFile, claudeDirGiven } = options;
  checkClaudeDir(claudeDir, claudeDirGiven);

  if (logFile) {
    try {
      openLogFile(`${claudeDir}/claude-dash/logs`);
    } catch (e) {
      fail(`cannot open the log file: ${e instanceof Error ? e.message : e}`);
    }
  }
  if (otlpEndpoint) {
    const { otlpEndpointProblem } = await import("../live/otlp_exporter.ts");
    const problem = await otlpEndpointProblem(otlpEndpoint);
    if (problem) fail(problem);
  }

  const { startDashboard } = await import("./dashboard.ts");
  // Transcripts are also read from the other folders Claude Code may write to (XDG config,
  // CLAUDE_CONFIG_DIR); an explicit --claude-dir means that folder only.
  const { extraRoots, rootEnv } = await import("../ingest/roots.ts");
  const transcriptRoots = claudeDirGiven ? [] : extraRoots(rootEnv(), claudeDir);
  let dashboard;
  try {
    dashboard = startDashboard({
      claudeDir,
      dbPath,
      port,
      otlpEndpoint,
      rateLimitPerMin: options.rateLimitPerMin,
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

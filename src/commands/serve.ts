// `claude-dash` with no subcommand: check the Claude Code folder, open the log file, check the
// OTLP endpoint, then start the dashboard and stop it cleanly on SIGINT/SIGTERM. One-line errors
// and exit code 2 for anything the user can fix.

import type { CliOptions } from "./cli.ts";
import { dirname } from "node:path";
import { log, openLogFile } from "../core/log.ts";
import { shutdownTimeoutMs } from "../core/config.ts";
import { rootAccess } from "../ingest/roots.ts";
import { leaveWatchersOpen } from "../ingest/watcher.ts";

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
  // Under the sandbox only folders inside it are readable (roots.ts rootAccess).
  const access = rootAccess(claudeDir);
  if (access.state === "not-a-folder") fail(`${claudeDir} is not a folder`);
  if (access.state === "missing") {
    // A fresh machine has no ~/.claude yet: serve the empty state and pick data up once
    // Claude Code creates it. A folder named explicitly must exist.
    if (claudeDirGiven) {
      fail(`${claudeDir} does not exist: run Claude Code once, or pass --claude-dir`);
    }
    // The sandbox reads only projects/ and hooks/ in it (not the folder itself), so "missing"
    // may mean neither is there yet while the folder is.
    console.error(
      `claude-dash: ${claudeDir} has no projects/ or hooks/ yet (or does not exist); waiting for Claude Code`,
    );
  } else if (access.state !== "ok") {
    fail(`cannot read ${claudeDir}: ${access.error ?? access.state}`);
  }
}

/**
 * The first path claude-dash writes to (its folder, logs, statusline samples, scratch, the
 * database and its -wal/-shm, the ingest secret) that is a symbolic link, or has one on the way
 * below `claudeDir`; null when none is. Deno checks the write permission against the path as
 * written, so a link there would let the server write wherever it points. Missing paths are fine.
 */
export function ownPathLink(claudeDir: string, dbPath: string): string | null {
  const base = claudeDir.replace(/\/+$/, "");
  const own = `${base}/claude-dash`;
  const dbDir = dirname(dbPath);
  const paths = [
    `${own}/logs`,
    `${own}/statusline/samples`,
    `${own}/ingest-secret`,
    `${dbDir}/scratch`,
    ...["", "-wal", "-shm"].map((s) => `${dbPath}${s}`),
  ];
  for (const path of paths) {
    // Every component below claudeDir (or, for a database elsewhere, the file and its folder).
    const rel = path.startsWith(`${base}/`) ? path.slice(base.length + 1).split("/") : null;
    const steps = rel
      ? rel.map((_, i) => `${base}/${rel.slice(0, i + 1).join("/")}`)
      : [dirname(path), path];
    for (const step of steps) {
      try {
        if (Deno.lstatSync(step).isSymlink) return step;
      } catch {
        break; // absent (made later, as a real folder or file) or not ours to look at
      }
    }
  }
  return null;
}

/** Serves the dashboard until a signal stops it (the process then exits 0). */
export async function runServe(options: ServeOptions): Promise<void> {
  const { port, dbPath, claudeDir, otlpEndpoint, logFile, claudeDirGiven } = options;
  checkClaudeDir(claudeDir, claudeDirGiven);
  const link = ownPathLink(claudeDir, dbPath);
  if (link) {
    fail(
      `${link} is a symbolic link: claude-dash does not write through links; make it a real folder or file`,
    );
  }

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
      maxClients: options.maxClients,
      maxConnections: options.maxConnections,
      headerTimeoutMs: options.headerTimeoutMs,
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
    leaveWatchersOpen();
    // A stop that hangs (a blocked file watcher, a stuck connection) must not keep the process
    // alive: the database is consistent after every commit, so exiting anyway loses nothing.
    setTimeout(() => {
      log.warn(
        `stopping took over ${shutdownTimeoutMs} ms (at: ${
          dashboard.stopping ?? "the end"
        }); exiting anyway`,
      );
      Deno.exit(0);
    }, shutdownTimeoutMs);
    try {
      await dashboard.stop();
    } catch (e) {
      log.error(`stopping failed: ${e instanceof Error ? e.message : e}`);
    }
    Deno.exit(0);
  };
  try {
    Deno.addSignalListener("SIGINT", shutdown);
    Deno.addSignalListener("SIGTERM", shutdown);
  } catch {
    // signals unavailable (e.g. Windows SIGTERM): the default handling stops the process
  }
}

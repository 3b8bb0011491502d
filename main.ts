// claude-dash entry point: parse flags, check the inputs, start the dashboard. One-line
// errors and a non-zero exit code for anything the user can fix.

import { parseArgs } from "./src/cli.ts";
import { startDashboard } from "./src/dashboard.ts";

function fail(message: string): never {
  console.error(`claude-dash: ${message}`);
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
  const parsed = parseArgs(Deno.args, homeDir());
  if (parsed.kind === "help" || parsed.kind === "version") {
    console.log(parsed.text);
    Deno.exit(0);
  }
  if (parsed.kind === "error") fail(parsed.message);
  const { port, dbPath, claudeDir } = parsed.options;

  try {
    const st = Deno.statSync(claudeDir);
    if (!st.isDirectory) fail(`${claudeDir} is not a folder`);
    for (const _ of Deno.readDirSync(claudeDir)) break;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      fail(`${claudeDir} does not exist: run Claude Code once, or pass --claude-dir`);
    }
    fail(`cannot read ${claudeDir}: ${e instanceof Error ? e.message : e}`);
  }

  let dashboard;
  try {
    dashboard = startDashboard({ claudeDir, dbPath, port });
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      fail(`port ${port} on 127.0.0.1 is already in use: pass --port N`);
    }
    fail(`cannot start: ${e instanceof Error ? e.message : e}`);
  }
  console.log(`claude-dash serving ${dashboard.url}/  (reading ${claudeDir}, database ${dbPath})`);
  const started = performance.now();
  dashboard.ingester.ready.then(() => {
    const s = dashboard.ingester.stats;
    console.log(
      `claude-dash backfill done in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s: ${s.eventsStored} new events from ${s.hookFiles} hook files and ${s.transcripts} transcripts`,
    );
  });
  const shutdown = async () => {
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

// Test homes: a temporary HOME with a .claude tree built from the fixtures in tests/fixtures/
// (or left empty), so no test ever touches the real ~/.claude; writeHook adds one hook log file.

import { dirname, join } from "node:path";

/** Other people's transcripts and hook logs, kept in the repository (see its SOURCES.md). */
export const fixturesDir = new URL("../fixtures/", import.meta.url).pathname;

export interface TestHome {
  home: string;
  claudeDir: string;
  dbPath: string;
  cleanup(): Promise<void>;
}

export async function makeHome(): Promise<TestHome> {
  const home = await Deno.makeTempDir({ prefix: "claude-dash-test-" });
  const claudeDir = join(home, ".claude");
  await Deno.mkdir(join(claudeDir, "hooks/logs/raw_json"), { recursive: true });
  await Deno.mkdir(join(claudeDir, "projects"), { recursive: true });
  return {
    home,
    claudeDir,
    dbPath: join(claudeDir, "claude-dash/claude-dash.db"),
    cleanup: () => Deno.remove(home, { recursive: true }).catch(() => {}),
  };
}

export interface FixtureLayout {
  /** rel path in the claude dir → source fixture file */
  transcripts: Array<{ rel: string; source: string }>;
  /** raw_json hook files written: rel path → payload text */
  hookFiles: Array<{ rel: string; text: string }>;
}

const hookArrays = [
  "notification.json",
  "post_tool_use.json",
  "pre_compact.json",
  "pre_tool_use.json",
  "session_start.json",
  "stop.json",
  "subagent_stop.json",
  "user_prompt_submit.json",
];

/**
 * Copies the fixture transcripts into projects/<slug>/ and writes each element of the hook
 * log arrays to its own raw_json file (as tests/fixtures/SOURCES.md says), with mtimes in the
 * past so the final unterminated line of a quiet file is eligible.
 */
export async function writeFixtures(claudeDir: string): Promise<FixtureLayout> {
  const layout: FixtureLayout = { transcripts: [], hookFiles: [] };
  const past = new Date(Date.now() - 3600_000);
  for (const group of ["claude-code-log", "claude-code-viewer", "sniffly"]) {
    const dir = join(fixturesDir, "transcripts", group);
    for (const entry of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.name.endsWith(".jsonl")) continue;
      const rel = `projects/-fixtures-${group}/${entry.name}`;
      const dest = join(claudeDir, rel);
      await Deno.mkdir(dirname(dest), { recursive: true });
      await Deno.copyFile(join(dir, entry.name), dest);
      await Deno.utime(dest, past, past);
      layout.transcripts.push({ rel, source: join(dir, entry.name) });
    }
  }
  let n = 0;
  for (const name of hookArrays) {
    const items = JSON.parse(
      await Deno.readTextFile(join(fixturesDir, "hook-logs/attio-mcp-server", name)),
    );
    for (const item of items) {
      n++;
      const event = typeof item.hook_event_name === "string" ? item.hook_event_name : "Unknown";
      const sid = typeof item.session_id === "string" ? item.session_id : "none";
      const stamp = new Date(Date.UTC(2025, 7, 1, 0, 0, 0) + n * 1000).toISOString().replace(
        /[-:]/g,
        "",
      )
        .replace("T", "_").replace(/\.(\d{3})Z$/, "_$1000");
      const rel = `hooks/logs/raw_json/${stamp}_${event}_${sid}.json`;
      const text = JSON.stringify(item, null, 2);
      await Deno.writeTextFile(join(claudeDir, rel), text);
      layout.hookFiles.push({ rel, text });
    }
  }
  return layout;
}

/** Writes one hook payload file the way a logging hook does; returns its absolute path. */
export async function writeHook(
  claudeDir: string,
  payload: Record<string, unknown> & { hook_event_name: string; session_id: string },
): Promise<string> {
  const now = new Date();
  const text = JSON.stringify({ timestamp: now.toISOString(), ...payload }, null, 2);
  // Names as the notifier's (time to the microsecond); two hooks of one session in the same
  // millisecond may draw the same made-up microseconds: createNew, then draw again.
  for (;;) {
    const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "_")
      .replace(/\.(\d{3})Z$/, `_$1${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}`);
    const path = join(
      claudeDir,
      "hooks/logs/raw_json",
      `${stamp}_${payload.hook_event_name}_${payload.session_id}.json`,
    );
    try {
      await Deno.writeTextFile(path, text, { createNew: true });
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) continue;
      throw e;
    }
    return path;
  }
}

// scripts/launch.ts sandboxPermissions: the start task's permission set for an explicit Claude
// Code folder and database folder, which the start task (serverPermissions) and the benches'
// servers (bench/procs.ts) share.

import assert from "node:assert/strict";
import { sandboxPermissions, serverPermissions } from "../../scripts/launch.ts";

Deno.test("the start task's flags are sandboxPermissions for ~/.claude and its claude-dash/", () => {
  const env = { HOME: "/h", XDG_CONFIG_HOME: "/x", CLAUDE_CONFIG_DIR: "/c" };
  assert.deepEqual(
    serverPermissions(env),
    sandboxPermissions({
      claudeDir: "/h/.claude",
      dbDir: "/h/.claude/claude-dash",
      otherRoots: ["/x/claude", "/c"],
    }),
  );
  assert.deepEqual(serverPermissions(env), [
    "--allow-read=/h/.claude/projects,/h/.claude/hooks,/h/.claude/claude-dash," +
    "/h/.claude/settings.json,/x/claude/projects,/c/projects",
    "--allow-write=/h/.claude/claude-dash",
    "--allow-net=127.0.0.1,localhost",
    "--allow-env=HOME,XDG_CONFIG_HOME,CLAUDE_CONFIG_DIR",
  ]);
});

Deno.test("a database folder outside the Claude Code folder is readable and writable, nothing more", () => {
  const flags = sandboxPermissions({ claudeDir: "/t/claude/", dbDir: "/t/db" });
  assert.deepEqual(flags, [
    "--allow-read=/t/claude/projects,/t/claude/hooks,/t/claude/claude-dash," +
    "/t/claude/settings.json,/t/db",
    "--allow-write=/t/claude/claude-dash,/t/db",
    "--allow-net=127.0.0.1,localhost",
    "--allow-env=HOME,XDG_CONFIG_HOME,CLAUDE_CONFIG_DIR",
  ]);
  assert.throws(() => sandboxPermissions({ claudeDir: "/a,b", dbDir: "/t/db" }), /comma/);
});

// `claude-dash demo` without a browser: its command line, and where its temporary HOME goes.

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCommand } from "../src/commands/cli.ts";
import { makeDemoHome } from "../src/commands/demo.ts";

Deno.test("claude-dash demo takes only --port, and picks a free port without it", () => {
  assert.deepEqual(parseCommand(["demo"], "/home/x"), { kind: "demo", port: 0 });
  assert.deepEqual(parseCommand(["demo", "--port", "9001"], "/home/x"), {
    kind: "demo",
    port: 9001,
  });
  assert.deepEqual(parseCommand(["demo", "--port=0"], undefined), { kind: "demo", port: 0 });
  const bad = parseCommand(["demo", "--db", "x.db"], "/home/x");
  assert.equal(bad.kind, "error");
  assert.match((bad as { message: string }).message, /unknown option "--db" for demo/);
  assert.equal(parseCommand(["demo", "--help"], "/home/x").kind, "help");
});

Deno.test("the demo's temporary HOME skips a parent others can write to, and cleanup removes it and the emptied parent", async () => {
  const base = await Deno.makeTempDir({ prefix: "claude-dash-demo-test-" });
  try {
    const shared = join(base, "shared");
    Deno.mkdirSync(shared);
    Deno.chmodSync(shared, 0o777);
    const own = join(base, "own");
    const home = await makeDemoHome([shared, own]);
    assert.ok(home.home.startsWith(own + "/"), home.home);
    assert.equal(home.claudeDir, join(home.home, ".claude"));
    assert.equal(home.dbPath, join(home.home, ".claude/claude-dash/claude-dash.db"));
    assert.equal(Deno.lstatSync(own).mode! & 0o777, 0o700);
    await home.cleanup();
    assert.throws(() => Deno.lstatSync(home.home), Deno.errors.NotFound);
    assert.throws(() => Deno.lstatSync(own), Deno.errors.NotFound);
    await assert.rejects(() => makeDemoHome([shared]), /writable by other users/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

// A brand-new user's first look: /health says "waiting" (with why) instead of a green "ok" when
// no data source exists, settings and health never call a missing projects/ folder "found", and
// the empty state and /health give the next steps with the commands for this machine.

import assert from "node:assert/strict";
import { join } from "node:path";
import { json, openTestApp, text } from "./support/app.ts";
import {
  firstRunCommands,
  hookEvents,
  hookSettingsJson,
  thisMachine,
} from "../../src/core/first_run.ts";

const checkout = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("with no transcript and no hook log, /health is 'waiting' with the reason, not 'ok'", async () => {
  await using app = await openTestApp({ seed: false });
  // The home has an empty projects/ folder: the reason names it.
  const empty = await json(await app.get("/health"));
  assert.equal(empty.status, "waiting");
  assert.match(String(empty.waiting_reason), /no transcripts in .*\/projects, and no hook logs/);
  // Without it (Claude Code has never run here): the reason says the folder does not exist.
  await Deno.remove(join(app.claudeDir, "projects"), { recursive: true });
  const h = await json(await app.get("/api/health"));
  assert.equal(h.status, "waiting");
  assert.equal(h.claude_dir, app.claudeDir, "doctor compares this with its own folder");
  assert.ok(
    String(h.waiting_reason).includes(`${join(app.claudeDir, "projects")} does not exist yet`),
    String(h.waiting_reason),
  );
  assert.deepEqual(h.projects_found, { [app.claudeDir]: false });
  const page = await text(await app.get("/health", "text/html"));
  assert.match(page, /id="health-status"[^>]*>waiting for data</);
  assert.doesNotMatch(page, /class="ok" id="health-status"/);
  assert.match(page, /id="first-run"/, "the next steps are on the page");
});

Deno.test("a home with data is 'ok' (or 'degraded' with ingest errors), never 'waiting'", async () => {
  await using app = await openTestApp();
  const h = await json(await app.get("/api/health"));
  assert.equal(h.status, "degraded", "the seed holds one unreadable file");
  assert.equal(h.waiting_reason, null);
  assert.doesNotMatch(await text(await app.get("/health", "text/html")), /id="first-run"/);
});

Deno.test("settings and health show a missing projects/ folder as not found, not 'found, 0 transcripts'", async () => {
  await using app = await openTestApp({ seed: false });
  await Deno.remove(join(app.claudeDir, "projects"), { recursive: true });
  const s = await json(await app.get("/api/settings"));
  const roots = (s.sources as { transcript_roots: Array<Record<string, unknown>> })
    .transcript_roots;
  assert.deepEqual(
    roots.map((r) => [r.path, r.found, r.projects_found]),
    [[app.claudeDir, true, false]],
    "the Claude Code folder exists, its projects/ folder does not",
  );
  const page = await text(await app.get("/settings", "text/html"));
  const row = page.match(/<tr data-source="transcripts"[\s\S]*?<\/tr>/)?.[0] ?? "";
  assert.match(row, /data-found="false"/);
  assert.match(row, /not found/);
  assert.doesNotMatch(row, />found</);
  assert.doesNotMatch(row, /0 transcripts/);
  const health = await text(await app.get("/health", "text/html"));
  assert.match(health, /no projects\/ folder yet/);
  assert.doesNotMatch(health, /· 0 transcripts/);
});

Deno.test("the empty state offers the demo, the doctor and the hook command for this checkout", async () => {
  await using app = await openTestApp({ seed: false });
  const page = await text(await app.get("/sessions", "text/html"));
  assert.match(page, /id="first-run-demo">deno task demo</);
  assert.match(page, /id="first-run-doctor">deno task doctor</);
  const hook = page.match(/id="first-run-hook">([^<]*)</)?.[1] ?? "";
  assert.ok(hook.endsWith(` ${checkout}/main.ts hook`), hook);
});

Deno.test("the hook command is deno.json's hook task with this checkout's main.ts; npx when Deno is not on the PATH", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(checkout, "deno.json")));
  const task: string = config.tasks.hook.command;
  const deno = firstRunCommands({ runner: "deno", denoVersion: "2.9.6", path: "/src/cd" });
  assert.equal(deno.hook, task.replace(" main.ts ", " /src/cd/main.ts "));
  assert.deepEqual([deno.cwd, deno.demo, deno.doctor], [
    "/src/cd",
    "deno task demo",
    "deno task doctor",
  ]);
  const npx = firstRunCommands({ runner: "npx", denoVersion: "2.9.6", path: "/src/cd" });
  assert.equal(npx.hook, `npx --yes ${deno.hook!.replace(/^deno /, "deno@2.9.6 ")}`);
  assert.equal(npx.demo, "npx --yes deno@2.9.6 task demo");
  const bin = firstRunCommands({
    runner: "binary",
    denoVersion: "2.9.6",
    path: "/opt/claude-dash",
  });
  assert.deepEqual([bin.demo, bin.doctor, bin.hook], [
    "/opt/claude-dash demo",
    "/opt/claude-dash doctor",
    null,
  ]);
  assert.match(String(bin.hookBuild), /deno task compile-hook/);
  // This test runs from the checkout with Deno on the PATH.
  assert.deepEqual(thisMachine(), {
    runner: "deno",
    denoVersion: Deno.version.deno,
    path: checkout,
  });
});

Deno.test("the settings.json block runs the hook for every event, with a matcher on the tool events", () => {
  const block = JSON.parse(hookSettingsJson("cmd x")) as {
    hooks: Record<string, Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>>;
  };
  assert.deepEqual(Object.keys(block.hooks), [...hookEvents]);
  for (const [event, [entry]] of Object.entries(block.hooks)) {
    assert.deepEqual(entry.hooks, [{ type: "command", timeout: 10, command: "cmd x" }], event);
    assert.equal(entry.matcher, /Tool|Permission/.test(event) ? "*" : undefined, event);
  }
});

Deno.test("the checkout is the main module's folder, or the folder above its tests when run in process", () => {
  assert.equal(thisMachine("file:///opt/cd/main.ts").path, "/opt/cd");
  assert.equal(thisMachine("file:///opt/cd/tests/e2e/x_test.ts").path, "/opt/cd");
});

Deno.test("the empty state offers `setup`, the one command that wires Claude Code to claude-dash", async () => {
  await using app = await openTestApp({ seed: false });
  const page = await text(await app.get("/sessions", "text/html"));
  assert.match(page, /id="first-run-setup">deno task setup</);
  const bin = firstRunCommands({ runner: "binary", denoVersion: "2.9.6", path: "/opt/cd" });
  assert.match(bin.setup, /^deno task setup \(in the claude-dash checkout\)$/);
});

// What a new user runs next, written out for this machine: the demo, the doctor, and the hook
// command for ~/.claude/settings.json (the README's "Hook logging" block). Pure functions of a
// `Machine`; thisMachine() reads only this process's own facts (no file, no permission).

/** The hook events Claude Code sends (DESIGN.md), in the order the README lists them. */
export const hookEvents = [
  "PreToolUse",
  "PostToolUse",
  "PostToolUseFailure",
  "PermissionRequest",
  "Notification",
  "UserPromptSubmit",
  "Stop",
  "SubagentStart",
  "SubagentStop",
  "SessionStart",
  "SessionEnd",
  "PreCompact",
] as const;

/** The events whose hooks take a tool matcher. */
const toolEvents: ReadonlySet<string> = new Set([
  "PreToolUse",
  "PostToolUse",
  "PostToolUseFailure",
  "PermissionRequest",
]);

/** How claude-dash runs here: Deno on the PATH, Deno through npx, or a compiled binary. */
export interface Machine {
  runner: "deno" | "npx" | "binary";
  /** The Deno version (npx pins it). */
  denoVersion: string;
  /** The checkout (the folder of main.ts), or the binary's path when compiled. */
  path: string;
}

/** The permission flags of the hook: its own folder only (deno.json's "hook" task). */
const hookFlags = "--no-config --allow-read=$HOME/.claude/hooks/logs/raw_json " +
  "--allow-write=$HOME/.claude/hooks/logs/raw_json --allow-env=HOME";

/** `deno`, or the npx form of it for a machine without Deno on the PATH. */
function denoWord(m: Machine): string {
  return m.runner === "npx" ? `npx --yes deno@${m.denoVersion}` : "deno";
}

/** The commands a new user is offered, exactly as they are typed on this machine. */
export interface FirstRunCommands {
  /** Where the task commands run (the checkout), or null for a compiled binary. */
  cwd: string | null;
  demo: string;
  doctor: string;
  /** What settings.json runs for every hook event, or null: the hook binary must be built. */
  hook: string | null;
  /** For a compiled binary: how to build the hook binary. */
  hookBuild: string | null;
}

export function firstRunCommands(m: Machine): FirstRunCommands {
  if (m.runner === "binary") {
    return {
      cwd: null,
      demo: `${m.path} demo`,
      doctor: `${m.path} doctor`,
      hook: null,
      hookBuild: "deno task compile-hook (in the claude-dash checkout): builds ./claude-dash-hook",
    };
  }
  const deno = denoWord(m);
  return {
    cwd: m.path,
    demo: `${deno} task demo`,
    doctor: `${deno} task doctor`,
    hook: `${deno} run ${hookFlags} ${m.path}/main.ts hook`,
    hookBuild: null,
  };
}

/** The settings.json block that runs `command` for every hook event (as in the README). */
export function hookSettingsJson(command: string): string {
  const lines = hookEvents.map((e) => {
    const matcher = toolEvents.has(e) ? `"matcher": "*", ` : "";
    return `    "${e}": [{ ${matcher}"hooks": [{ "type": "command", "timeout": 10, ` +
      `"command": ${JSON.stringify(command)} }] }]`;
  });
  return `{\n  "hooks": {\n${lines.join(",\n")}\n  }\n}`;
}

/**
 * This process: compiled (Deno.build.standalone), started through npx (Deno runs from npm's
 * npx cache, so `deno` is not on the PATH), or a plain Deno. Server-side only. The checkout is
 * the folder of the main module (main.ts), not of this file: a compiled program has no files.
 */
export function thisMachine(mainModule = Deno.mainModule): Machine {
  const exec = Deno.execPath();
  const standalone = Deno.build.standalone;
  const dir = new URL(".", mainModule).pathname;
  // A dashboard started in process by the checkout's tests or bench: the checkout is above them.
  const checkout = dir.match(/^(.*?)\/(?:tests|bench|scripts)\//)?.[1] ?? dir.replace(/\/$/, "");
  return {
    runner: standalone ? "binary" : /[\\/]_npx[\\/]/.test(exec) ? "npx" : "deno",
    denoVersion: Deno.version.deno,
    path: standalone ? exec : checkout,
  };
}

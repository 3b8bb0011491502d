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

/**
 * The permission flags of the statusline: deno.json's "statusline" task (a test keeps them
 * equal), so the command setup writes runs exactly as `deno task statusline` does.
 */
const statuslineFlags = "--no-config --allow-read=$HOME/.claude/claude-dash/statusline " +
  "--allow-write=$HOME/.claude/claude-dash/statusline --allow-env=HOME,CLAUDE_DASH_STATUSLINE";

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
  /** The one command that wires Claude Code to claude-dash (run in the checkout). */
  setup: string;
}

export function firstRunCommands(m: Machine): FirstRunCommands {
  if (m.runner === "binary") {
    return {
      cwd: null,
      demo: `${m.path} demo`,
      doctor: `${m.path} doctor`,
      hook: null,
      hookBuild: "deno task compile-hook (in the claude-dash checkout): builds ./claude-dash-hook",
      // The binary may not write settings.json: setup runs from the checkout.
      setup: "deno task setup (in the claude-dash checkout)",
    };
  }
  const deno = denoWord(m);
  return {
    cwd: m.path,
    demo: `${deno} task demo`,
    doctor: `${deno} task doctor`,
    hook: `${deno} run ${hookFlags} ${m.path}/main.ts hook`,
    hookBuild: null,
    setup: `${deno} task setup`,
  };
}

/**
 * The command settings.json runs as `statusLine`, or null for a compiled binary (whose
 * permissions are the server's): `claude-dash statusline` with its own narrow permissions.
 */
export function statuslineCommand(m: Machine): string | null {
  if (m.runner === "binary") return null;
  return `${denoWord(m)} run ${statuslineFlags} ${m.path}/main.ts statusline`;
}

/** Whether a settings.json hook entry is claude-dash's (any form: deno, npx, binary, HTTP). */
export function isClaudeDashHook(hook: unknown): boolean {
  if (typeof hook !== "object" || hook === null) return false;
  const h = hook as Record<string, unknown>;
  if (h.type === "http" && typeof h.url === "string") {
    return /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/hooks\/?$/.test(h.url);
  }
  if (h.type !== "command" || typeof h.command !== "string") return false;
  const c = h.command.trim();
  return (/\/main\.ts hook$/.test(c) && c.includes("hooks/logs/raw_json")) ||
    /(^|\/)claude-dash-hook$/.test(c) || /(^|[\/\s])claude-dash hook$/.test(c);
}

/** Whether a statusLine command is claude-dash's (deno, npx or binary form). */
export function isClaudeDashStatusline(command: unknown): boolean {
  if (typeof command !== "string") return false;
  return /(^|[\/\s])(main\.ts|claude-dash) statusline$/.test(command.trim());
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

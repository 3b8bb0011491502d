// `claude-dash setup`: wires Claude Code to claude-dash in ~/.claude/settings.json (the plan is
// pure, in setup/plan.ts), after showing the change and asking. It writes only settings.json,
// its backups in ~/.claude/claude-dash/settings-backups/ and, for --http / --otel, the shared
// ingest secret when the server has not made it yet. Each setup that changes the file keeps the
// exact bytes before it, so `--undo` restores them; a run that would change nothing writes
// nothing.

import type { SetupOptions } from "./cli.ts";
import { encodeBase64Url } from "../core/base64url.ts";
import { ingestSecretRel } from "../ingest/secret.ts";
import { firstRunCommands, statuslineCommand, thisMachine } from "../core/first_run.ts";
import {
  applySetup,
  commandHook,
  httpHook,
  lineDiff,
  otelEnv,
  parseSettings,
  renderSettings,
  type SetupWanted,
} from "./setup/plan.ts";

/** Where setup reads and writes, under a HOME. */
export function setupPaths(home: string) {
  return {
    settings: `${home}/.claude/settings.json`,
    backups: `${home}/.claude/claude-dash/settings-backups`,
    secret: `${home}/.claude/${ingestSecretRel}`,
  };
}
type Paths = ReturnType<typeof setupPaths>;

/** How setup talks to the person running it (tests pass their own). */
export interface SetupIo {
  print(line: string): void;
  /** Asks a yes/no question; false when there is no terminal to ask on. */
  ask(question: string): boolean;
  now(): number;
}

const terminalIo: SetupIo = {
  print: (line) => console.log(line),
  ask: (q) => Deno.stdin.isTerminal() && confirm(q),
  now: () => Date.now(),
};

function readBytes(path: string): Uint8Array | null {
  try {
    return Deno.readFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** 32 random bytes, base64url: the shared secret's format (as src/ingest/secret.ts makes it). */
export function newSecret(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * The shared ingest secret, created (0600) when the server has not made it yet. Not the
 * server's ensureIngestSecret: that one creates the folder, which setup may not write (its
 * backups folder, made first, makes it).
 */
export function ensureSecret(path: string): string {
  const existing = readBytes(path);
  if (existing !== null) {
    const text = new TextDecoder().decode(existing).trim();
    if (text !== "") return text;
    throw new Error(`${path} is empty: remove it and run setup again`);
  }
  const secret = newSecret();
  try {
    Deno.writeTextFileSync(path, secret, { createNew: true, mode: 0o600 });
    Deno.chmodSync(path, 0o600);
  } catch (e) {
    // The server made it at the same moment: use its secret.
    if (e instanceof Deno.errors.AlreadyExists) return ensureSecret(path);
    throw e;
  }
  return secret;
}

/** A UTC stamp that sorts by time: 20260101T120000.123Z. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "");
}

/** The file's permission bits, or null when it does not exist. */
function modeOf(path: string): number | null {
  try {
    return (Deno.statSync(path).mode ?? 0o644) & 0o777;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Writes `bytes` to `path` atomically: a temporary file in the backups folder, then a rename. */
function replaceFile(p: Paths, path: string, bytes: Uint8Array, mode: number): void {
  const tmp = `${p.backups}/.tmp-${crypto.randomUUID()}`;
  Deno.writeFileSync(tmp, bytes, { createNew: true, mode });
  Deno.chmodSync(tmp, mode);
  try {
    Deno.renameSync(tmp, path);
  } catch (e) {
    Deno.removeSync(tmp);
    throw e;
  }
}

/** Refuses a settings.json that is a link: a rename would replace the link with a file. */
function linkProblem(path: string): string | null {
  try {
    return Deno.lstatSync(path).isSymlink
      ? `${path} is a symbolic link; setup replaces files atomically and would break the link. ` +
        "Run setup with HOME pointing at a copy, or edit the file the link points to by hand"
      : null;
  } catch {
    return null;
  }
}

function printDiff(io: SetupIo, before: string, after: string, secret: string | null): void {
  const mask = (line: string) =>
    secret ? line.replaceAll(secret, "<secret from ingest-secret>") : line;
  for (const line of lineDiff(before, after)) io.print(mask(line));
}

/** What setup wants on this machine, or why it cannot build it. */
function wanted(options: SetupOptions, secret: string | null): SetupWanted | string {
  const m = thisMachine();
  const hook = firstRunCommands(m).hook;
  if (m.runner === "binary" || hook === null) {
    return "the compiled binary may not write settings.json (its permissions are the " +
      "server's): run `deno task setup` in the claude-dash checkout";
  }
  return {
    hook: options.http ? httpHook(options.port, secret!) : commandHook(hook),
    statusline: statuslineCommand(m),
    env: options.otel ? otelEnv(options.port, secret!) : null,
  };
}

/** Runs `claude-dash setup`; resolves to the exit code. */
export function runSetup(
  options: SetupOptions,
  home: string | undefined,
  io: SetupIo = terminalIo,
): Promise<number> {
  return Promise.resolve(setupSync(options, home, io));
}

function setupSync(options: SetupOptions, home: string | undefined, io: SetupIo): number {
  const fail = (msg: string) => {
    io.print(`claude-dash setup: ${msg}`);
    return 1;
  };
  if (!home) return fail("HOME is not set");
  const p = setupPaths(home);
  try {
    const link = linkProblem(p.settings);
    if (link) return fail(link);
    if (options.undo) return undo(p, options, io);
    const before = readBytes(p.settings);
    let text: string | null;
    try {
      text = before === null ? null : decoder.decode(before);
    } catch {
      return fail(`${p.settings} is left untouched: it is not UTF-8 text`);
    }
    const parsed = parseSettings(text);
    if (!parsed.ok) {
      return fail(
        `${p.settings} is left untouched: ${parsed.reason}. Fix it (Claude Code cannot read ` +
          "it either), then run setup again",
      );
    }
    let secret: string | null = null;
    if (options.http || options.otel) {
      Deno.mkdirSync(p.backups, { recursive: true, mode: 0o700 });
      secret = ensureSecret(p.secret);
    }
    const want = wanted(options, secret);
    if (typeof want === "string") return fail(want);
    const result = applySetup(parsed.settings, want);
    if (!result.changed) {
      io.print(`${p.settings} already has everything claude-dash setup adds: nothing changed`);
      for (const n of result.notes) io.print(n);
      return 0;
    }
    const after = renderSettings(result.settings, parsed.indent);
    io.print(`Changes to ${p.settings}${before === null ? " (a new file)" : ""}:`);
    printDiff(io, text ?? "", after, secret);
    for (const n of result.notes) io.print(n);
    if (!options.yes && !io.ask("Apply these changes?")) {
      return fail("nothing changed (run with --yes to apply without asking)");
    }
    const backup = write(p, before, encoder.encode(after), io.now(), secret !== null);
    io.print(`Written. The previous file is kept as ${backup}; \`setup --undo\` puts it back.`);
    return 0;
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return fail(
        `${e.message} (run it as \`deno task setup\`, which has exactly the access needed)`,
      );
    }
    return fail(e instanceof Error ? e.message : String(e));
  }
}

/**
 * Keeps `before` (or a marker that there was no file) and `after` as a timestamped pair, then
 * replaces settings.json. A file holding the secret is made private to the user.
 */
function write(
  p: Paths,
  before: Uint8Array | null,
  after: Uint8Array,
  nowMs: number,
  holdsSecret: boolean,
): string {
  Deno.mkdirSync(p.backups, { recursive: true, mode: 0o700 });
  const mode = modeOf(p.settings) ?? 0o600;
  let s = stamp(nowMs);
  while (readBytes(`${p.backups}/settings.${s}.after.json`) !== null) s = stamp(++nowMs);
  const kept = before === null
    ? `${p.backups}/settings.${s}.before.absent`
    : `${p.backups}/settings.${s}.before.json`;
  // The kept copy has the file's own mode, which --undo restores with it.
  Deno.writeFileSync(kept, before ?? new Uint8Array(), { createNew: true, mode });
  Deno.chmodSync(kept, before === null ? 0o600 : mode);
  Deno.writeFileSync(`${p.backups}/settings.${s}.after.json`, after, {
    createNew: true,
    mode: 0o600,
  });
  replaceFile(p, p.settings, after, holdsSecret ? mode & 0o700 : mode);
  return kept;
}

/** The newest setup not yet undone: its stamp and whether settings.json existed before it. */
function lastSetup(p: Paths): { stamp: string; absent: boolean } | null {
  let names: string[];
  try {
    names = [...Deno.readDirSync(p.backups)].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const found = names.map((n) => /^settings\.(\S+)\.before\.(json|absent)$/.exec(n))
    .filter((m) => m !== null)
    .sort((a, b) => (a[1] < b[1] ? -1 : 1))
    .at(-1);
  return found ? { stamp: found[1], absent: found[2] === "absent" } : null;
}

function undo(p: Paths, options: SetupOptions, io: SetupIo): number {
  const last = lastSetup(p);
  if (!last) {
    io.print(`claude-dash setup: no setup to undo (no backup in ${p.backups})`);
    return 1;
  }
  const base = `${p.backups}/settings.${last.stamp}`;
  const kept = `${base}.before.${last.absent ? "absent" : "json"}`;
  const before = last.absent ? null : Deno.readFileSync(kept);
  const now = readBytes(p.settings);
  const written = readBytes(`${base}.after.json`);
  const show = (b: Uint8Array | null) => b === null ? "" : new TextDecoder().decode(b);
  io.print(`Undo the setup of ${last.stamp}: ${p.settings} goes back to ${kept}:`);
  if (before === null) io.print("- (the file did not exist before: it is removed)");
  else printDiff(io, show(now), show(before), null);
  const edited = now !== null && (written === null || !sameBytes(now, written));
  if (edited) io.print("settings.json changed since that setup; the current file is kept too.");
  if (!options.yes && !io.ask("Restore it?")) {
    io.print("claude-dash setup: nothing changed (run with --yes to restore without asking)");
    return 1;
  }
  if (edited) {
    Deno.writeFileSync(`${p.backups}/settings.${stamp(io.now())}.replaced.json`, now!, {
      mode: 0o600,
    });
  }
  if (before === null) {
    if (now !== null) Deno.removeSync(p.settings);
  } else {
    replaceFile(p, p.settings, before, modeOf(kept) ?? 0o600);
  }
  // Marked undone, so a second --undo goes back one more setup.
  Deno.renameSync(kept, `${base}.undone.${last.absent ? "absent" : "json"}`);
  io.print(`Restored ${p.settings} as it was before the setup of ${last.stamp}.`);
  return 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

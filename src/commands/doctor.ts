// `claude-dash doctor`: finds out why data is not showing. inspect() gathers a plain view of
// the setup (files, settings, databases, port) without changing anything the user owns;
// diagnose() turns that view into one ✓/✗ line per check with the fix, as a pure function;
// the exit code is 1 when a check claude-dash needs fails. Never prints hook commands or any
// other settings value: they may hold secrets. Transcripts are looked for in every folder the
// server reads (src/ingest/roots.ts: ~/.claude, $XDG_CONFIG_HOME/claude, CLAUDE_CONFIG_DIR);
// hook logs, settings.json and threads.db only in ~/.claude, as the server does.

import { doctorIntegrityMaxBytes, doctorRecentHookMs } from "../core/config.ts";
import type { CliOptions } from "./cli.ts";
import { classify } from "../ingest/sources.ts";
import { readThreads } from "../ingest/read_threads.ts";
import { rawJsonRel } from "./hook.ts";
import { migrations } from "../store/migrations.ts";
import { schemaVersion } from "../store/db.ts";
import { extraRoots, rootEnv, type RootOrigin } from "../ingest/roots.ts";
import { DatabaseSync } from "node:sqlite";

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

export interface TranscriptsView {
  count: number;
  newestMs: number | null;
  /** The newest transcript, relative to its folder. */
  newestRel: string | null;
}

/** One of the other folders Claude Code may write transcripts to. */
export interface RootView {
  path: string;
  origin: RootOrigin;
  /** no-permission: this process may not read it (Deno's --allow-read), so it is not checked. */
  state: "found" | "missing" | "not-a-folder" | "no-permission" | "unreadable";
  error?: string;
  /** The earlier folder (the Claude Code folder or another root) this one is: read once. */
  sameAs: string | null;
  transcripts: TranscriptsView;
}

export interface DoctorView {
  claudeDir: string;
  /** "home": the default ~/.claude (other roots checked too); "flag": --claude-dir (only it). */
  claudeOrigin: "home" | "flag";
  dbPath: string;
  port: number;
  now: number;
  claude: {
    state: "ok" | "missing" | "not-a-folder" | "no-permission" | "unreadable";
    error?: string;
  };
  /** Transcripts in the Claude Code folder itself. */
  transcripts: TranscriptsView;
  /** The other folders the server reads transcripts from, in its order. */
  roots: RootView[];
  /** Root variables this process may not read (--allow-env): the folders they name go unchecked. */
  envDenied: string[];
  hooks: { dirExists: boolean; count: number; newestMs: number | null; recent: number };
  settings: {
    state: "ok" | "missing" | "unreadable" | "invalid";
    error?: string;
    /** Events with at least one hook command. */
    events: string[];
    /** Events whose commands include `claude-dash … hook`. */
    claudeDashEvents: string[];
  };
  threads: { state: "absent" | "ok" | "error"; rows?: number; error?: string };
  db: {
    state: "missing" | "ok" | "error";
    bytes?: number;
    integrity?: string;
    /** Which check ran: the full integrity_check, or quick_check on a large database. */
    check?: "integrity_check" | "quick_check";
    schemaVersion?: number;
    error?: string;
  };
  /** Schema version this claude-dash writes. */
  currentSchema: number;
  portState: { state: "free" | "claude-dash" | "busy" | "error"; events?: number; error?: string };
  /** Whether a folder can be written (by its mode bits), or null when unknown. */
  writable: { ownDir: boolean | null; rawJson: boolean | null };
}

export interface Check {
  ok: boolean;
  /** A failed required check means claude-dash cannot work: exit code 1. */
  required: boolean;
  label: string;
  detail: string;
  fix?: string;
}

function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "a", "a and b", "a, b and c". */
function andList(items: string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function list(names: string[], max = 4): string {
  return names.length <= max
    ? names.join(", ")
    : `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/** The fix for a folder this process may not read. */
function permissionFix(path: string): string {
  return "run doctor via `deno task doctor` (it may read every folder Claude Code writes to), " +
    `or add --allow-read=${path}`;
}

function transcriptsText(t: TranscriptsView, now: number): string {
  return t.count > 0
    ? `${plural(t.count, "transcript")}, newest ${ago(t.newestMs!, now)}`
    : "no transcripts";
}

/** The ✓/✗ line of one of the other transcript folders. */
function rootCheck(r: RootView, now: number): Check {
  const where = `${r.path} (${r.origin === "env" ? "env CLAUDE_CONFIG_DIR" : r.origin})`;
  const label = "transcript folder";
  switch (r.state) {
    case "found":
      return {
        ok: true,
        required: false,
        label,
        detail: r.sameAs
          ? `${where} is the same folder as ${r.sameAs}: read once`
          : `${where} found, ${transcriptsText(r.transcripts, now)}`,
      };
    case "missing":
      // Optional: Claude Code writes there only when configured or on newer versions.
      return {
        ok: true,
        required: false,
        label,
        detail: `${where} does not exist: nothing to read`,
      };
    case "no-permission":
      return {
        ok: false,
        required: false,
        label,
        detail: `${where} not checked: doctor has no permission to read it`,
        fix: permissionFix(r.path),
      };
    case "not-a-folder":
      return {
        ok: false,
        required: false,
        label,
        detail: `${where} is not a folder`,
        fix:
          "Claude Code cannot write there: remove it, or correct XDG_CONFIG_HOME / CLAUDE_CONFIG_DIR",
      };
    case "unreadable":
      return {
        ok: false,
        required: false,
        label,
        detail: `${where} cannot be read (${r.error ?? "permission denied"})`,
        fix: "give your user read access to it (chmod u+rx)",
      };
  }
}

/** One check per line of the report, from the gathered view. Pure. */
export function diagnose(v: DoctorView): Check[] {
  const checks: Check[] = [];
  const dir = v.claudeDir;
  const hookSetup = `add the claude-dash hook for every event to ${dir}/settings.json ` +
    `(README, "Hook logging")`;
  // Another folder with transcripts is enough for the dashboard; hooks need the main one.
  const otherFound = v.roots.some((r) => r.state === "found");
  const where = `${dir} (${v.claudeOrigin === "flag" ? "--claude-dir" : "home"})`;

  if (v.claude.state === "ok") {
    checks.push({
      ok: true,
      required: true,
      label: "Claude Code folder",
      detail: `${where} found, ${transcriptsText(v.transcripts, v.now)}`,
    });
  } else {
    checks.push({
      ok: false,
      required: !otherFound,
      label: "Claude Code folder",
      detail: (v.claude.state === "missing"
        ? `${dir} does not exist`
        : v.claude.state === "not-a-folder"
        ? `${dir} is not a folder`
        : v.claude.state === "no-permission"
        ? `${dir} not checked: doctor has no permission to read it`
        : `${dir} cannot be read (${v.claude.error ?? "permission denied"})`) +
        (otherFound ? " (only needed for hook logs and settings.json)" : ""),
      fix: v.claude.state === "no-permission"
        ? permissionFix(dir)
        : v.claude.state === "unreadable"
        ? "give your user read access to it (chmod u+rx), or pass --claude-dir DIR"
        : "run Claude Code once (it creates ~/.claude), or pass --claude-dir DIR",
    });
  }
  const present = v.claude.state === "ok";
  for (const r of v.roots) checks.push(rootCheck(r, v.now));
  if (v.envDenied.length > 0) {
    checks.push({
      ok: false,
      required: false,
      label: "transcript folders",
      detail: `${list(v.envDenied)} cannot be read (no --allow-env): the folders ${
        v.envDenied.length === 1 ? "it names" : "they name"
      } are not checked`,
      fix: "run doctor via `deno task doctor` (it reads HOME, XDG_CONFIG_HOME, CLAUDE_CONFIG_DIR)",
    });
  }

  // Every folder read once: the Claude Code folder, then each distinct found root.
  const sources = [
    ...(present ? [{ path: dir, t: v.transcripts }] : []),
    ...v.roots.filter((r) => r.state === "found" && !r.sameAs).map((r) => ({
      path: r.path,
      t: r.transcripts,
    })),
  ];
  const withTranscripts = sources.filter((s) => s.t.count > 0);
  const total = withTranscripts.reduce((n, s) => n + s.t.count, 0);
  const unchecked = [
    ...(v.claude.state === "no-permission" ? [dir] : []),
    ...v.roots.filter((r) => r.state === "no-permission").map((r) => r.path),
  ];
  if (total > 0) {
    const newestSource = withTranscripts.reduce((a, b) =>
      (b.t.newestMs ?? 0) > (a.t.newestMs ?? 0) ? b : a
    );
    const several = withTranscripts.length > 1;
    checks.push({
      ok: true,
      required: true,
      label: "transcripts",
      detail: `${total} in ${
        several
          ? andList(withTranscripts.map((s) => `${s.path}/projects (${s.t.count})`))
          : `${newestSource.path}/projects`
      }, newest ${ago(newestSource.t.newestMs!, v.now)} (${
        several ? `${newestSource.path}/` : ""
      }${newestSource.t.newestRel})`,
    });
  } else {
    checks.push({
      ok: false,
      // Either source is enough to show something; neither means an empty dashboard.
      required: v.hooks.count === 0,
      label: "transcripts",
      detail: (sources.length > 0
        ? `none in ${
          sources.map((s) => `${s.path}/projects`).join(" or ")
        }`
        : "none (no Claude Code folder)") +
        (unchecked.length > 0 ? `; not checked: ${list(unchecked)} (no read permission)` : ""),
      fix: unchecked.length > 0
        ? "run doctor via `deno task doctor` to check every folder Claude Code writes to"
        : "run a Claude Code session: it writes projects/<project>/<session>.jsonl",
    });
  }

  const h = v.hooks;
  if (h.recent > 0) {
    checks.push({
      ok: true,
      required: false,
      label: "hook logging",
      detail: `${plural(h.count, "payload")} in ${dir}/${rawJsonRel}, ${h.recent} in the last ${
        doctorRecentHookMs / 60_000
      } min, newest ${ago(h.newestMs!, v.now)}`,
    });
  } else {
    checks.push({
      ok: false,
      required: false,
      label: "hook logging",
      detail: h.count > 0
        ? `${plural(h.count, "payload")} in ${dir}/${rawJsonRel}, none in the last ${
          doctorRecentHookMs / 60_000
        } min (newest ${ago(h.newestMs!, v.now)})`
        : `no payloads in ${dir}/${rawJsonRel}${h.dirExists ? "" : " (the folder does not exist)"}`,
      fix: h.count > 0
        ? "hooks only fire while Claude Code runs; if a session is active now, check the settings.json hooks"
        : `${hookSetup}; without it the dashboard still shows transcripts, but no live permission prompts or notifications`,
    });
  }

  const s = v.settings;
  const missing = hookEvents.filter((e) => !s.claudeDashEvents.includes(e));
  if (s.state === "ok" && s.events.length > 0) {
    const others = s.events.length - s.claudeDashEvents.length;
    checks.push({
      ok: missing.length === 0 || h.recent > 0,
      required: false,
      label: "settings.json hooks",
      detail:
        `hooks for ${s.events.length} events; claude-dash hook on ${s.claudeDashEvents.length} of ${hookEvents.length}` +
        (others > 0 ? `, other commands on ${others}` : "") +
        (missing.length > 0 && missing.length < hookEvents.length
          ? ` (missing: ${list(missing)})`
          : ""),
      fix: missing.length > 0 && h.recent === 0 ? hookSetup : undefined,
    });
  } else {
    checks.push({
      ok: false,
      required: false,
      label: "settings.json hooks",
      detail: s.state === "ok" || s.state === "missing"
        ? `no hooks in ${dir}/settings.json${s.state === "missing" ? " (no such file)" : ""}`
        : `${dir}/settings.json ${
          s.state === "invalid" ? "is not valid JSON" : "cannot be read"
        } (${s.error ?? "?"})`,
      fix: s.state === "invalid" ? "fix the JSON syntax (Claude Code ignores it too)" : hookSetup,
    });
  }

  const th = v.threads;
  checks.push(
    th.state === "error"
      ? {
        ok: false,
        required: false,
        label: "notifier thread DB",
        detail: `${dir}/hooks/threads.db unreadable: ${th.error}`,
        fix: "only the Discord thread links are affected; check the notifier, or remove the file",
      }
      : {
        ok: true,
        required: false,
        label: "notifier thread DB",
        detail: th.state === "ok"
          ? `${dir}/hooks/threads.db readable, ${th.rows} thread mappings`
          : "none (only used with the Discord notifier)",
      },
  );

  const d = v.db;
  if (d.state === "missing") {
    checks.push({
      ok: true,
      required: true,
      label: "claude-dash database",
      detail: `${v.dbPath} not created yet: claude-dash creates it on first start`,
    });
  } else if (d.state === "error") {
    checks.push({
      ok: false,
      required: true,
      label: "claude-dash database",
      detail: `${v.dbPath} cannot be opened: ${d.error}`,
      fix: "stop claude-dash, move the file away and start again: it rebuilds from ~/.claude",
    });
  } else {
    const version = d.schemaVersion ?? 0;
    const healthy = d.integrity === "ok";
    const newer = version > v.currentSchema;
    checks.push({
      ok: healthy && !newer,
      required: true,
      label: "claude-dash database",
      detail: `${v.dbPath}: ${size(d.bytes ?? 0)}, ${
        d.check === "quick_check" ? "quick_check (--full for integrity_check)" : "integrity"
      } ${healthy ? "ok" : `FAILED (${d.integrity})`}, schema ${version}${
        version === v.currentSchema
          ? " (current)"
          : newer
          ? ` (newer than this claude-dash's ${v.currentSchema})`
          : ` (upgraded to ${v.currentSchema} at next start)`
      }`,
      fix: !healthy
        ? "stop claude-dash, move the file away and start again: it rebuilds from ~/.claude"
        : newer
        ? "upgrade claude-dash, or pass --db with another file"
        : undefined,
    });
  }

  const p = v.portState;
  checks.push(
    p.state === "free"
      ? {
        ok: true,
        required: true,
        label: "port",
        detail: v.port === 0
          ? "0: a free port is picked at start"
          : `${v.port} on 127.0.0.1 is free`,
      }
      : p.state === "claude-dash"
      ? {
        ok: true,
        required: true,
        label: "port",
        detail: `claude-dash already serves http://127.0.0.1:${v.port}/ (${p.events} events)`,
      }
      : {
        ok: false,
        required: true,
        label: "port",
        detail: p.state === "busy"
          ? `${v.port} on 127.0.0.1 is used by another program`
          : `${v.port} on 127.0.0.1 cannot be checked: ${p.error}`,
        fix: "start claude-dash with --port N (and run doctor with the same --port)",
      },
  );

  const w = v.writable;
  const problems: string[] = [];
  if (w.ownDir === false) problems.push(`${v.dbPath.replace(/\/[^/]*$/, "")} is not writable`);
  if (w.rawJson === false) problems.push(`${dir}/${rawJsonRel} is not writable for the hook`);
  checks.push(
    problems.length === 0
      ? {
        ok: true,
        required: w.ownDir === false,
        label: "permissions",
        detail: `${present ? `${dir} readable; ` : ""}claude-dash's folder and ${rawJsonRel} ${
          w.ownDir === null || w.rawJson === null ? "writable or created on first use" : "writable"
        }`,
      }
      : {
        ok: false,
        required: w.ownDir === false,
        label: "permissions",
        detail: problems.join("; "),
        fix: "give your user write access to those folders (chmod u+w), or pass --db FILE",
      },
  );
  return checks;
}

/** The report's text: one line per check, then a summary line. Pure. */
export function formatReport(checks: Check[]): string {
  const lines = checks.map((c) =>
    `${c.ok ? "✓" : "✗"} ${c.label}${!c.ok && !c.required ? " (optional)" : ""}: ${c.detail}${
      c.fix ? `\n    → ${c.fix}` : ""
    }`
  );
  const needed = checks.filter((c) => !c.ok && c.required).length;
  const optional = checks.filter((c) => !c.ok && !c.required).length;
  lines.push(
    needed > 0
      ? `${needed} problem${
        needed > 1 ? "s" : ""
      } to fix before claude-dash can show your sessions.`
      : `claude-dash is ready${
        optional > 0 ? ` (${optional} optional item${optional > 1 ? "s" : ""} above)` : ""
      }.`,
  );
  return lines.join("\n");
}

export function exitCode(checks: Check[]): 0 | 1 {
  return checks.some((c) => !c.ok && c.required) ? 1 : 0;
}

// ---- the I/O shell ----

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function mtimeOf(path: string): number | null {
  try {
    return Deno.lstatSync(path).mtime?.getTime() ?? null;
  } catch {
    return null;
  }
}

/** Regular files under `dir` (not following links), as "/"-relative paths, depth-limited. */
function walk(root: string, rel: string, depth: number, out: string[]): void {
  if (depth > 6) return;
  try {
    for (const e of Deno.readDirSync(`${root}/${rel}`)) {
      if (e.isFile) out.push(`${rel}/${e.name}`);
      else if (e.isDirectory) walk(root, `${rel}/${e.name}`, depth + 1, out);
    }
  } catch {
    // unreadable or vanished: counted as absent
  }
}

/**
 * The newest file and how many changed in the recent window. Synchronous stats: at 400,000
 * hook files they take 2 s, batches of async ones 10 s.
 */
function newest(
  root: string,
  rels: string[],
): { ms: number | null; rel: string | null; recent: number; now: number } {
  const now = Date.now();
  let ms: number | null = null;
  let rel: string | null = null;
  let recent = 0;
  for (const r of rels) {
    const t = mtimeOf(`${root}/${r}`);
    if (t === null) continue;
    if (now - t <= doctorRecentHookMs) recent++;
    if (ms === null || t > ms) {
      ms = t;
      rel = r;
    }
  }
  return { ms, rel, recent, now };
}

/** Event names of settings.json `hooks` with commands, and those running `claude-dash … hook`. */
export function settingsHooks(settings: unknown): { events: string[]; claudeDashEvents: string[] } {
  const events: string[] = [];
  const claudeDashEvents: string[] = [];
  const hooks = typeof settings === "object" && settings !== null
    ? (settings as Record<string, unknown>).hooks
    : undefined;
  if (typeof hooks !== "object" || hooks === null || Array.isArray(hooks)) {
    return { events, claudeDashEvents };
  }
  for (const [event, matchers] of Object.entries(hooks)) {
    // Only event-like keys are ever shown, never values.
    if (!/^[A-Za-z]{1,40}$/.test(event) || !Array.isArray(matchers)) continue;
    const commands: string[] = [];
    for (const m of matchers) {
      const inner = typeof m === "object" && m !== null
        ? (m as Record<string, unknown>).hooks
        : null;
      if (!Array.isArray(inner)) continue;
      for (const h of inner) {
        const cmd = typeof h === "object" && h !== null
          ? (h as Record<string, unknown>).command
          : null;
        if (typeof cmd === "string") commands.push(cmd);
      }
    }
    if (commands.length === 0) continue;
    events.push(event);
    if (commands.some((c) => /claude-dash/.test(c) && /\bhook\b/.test(c))) {
      claudeDashEvents.push(event);
    }
  }
  return { events, claudeDashEvents };
}

/**
 * Whether the current user can probably write `path` (or, when it does not exist yet, the
 * folder it would be created in), judged from mode bits against the owner of the Claude
 * folder: reading one's own uid needs a permission claude-dash does not ask for.
 */
function writableByMode(path: string, stopAt: string, ownerUid: number | null): boolean | null {
  let p = path;
  for (;;) {
    try {
      const st = Deno.statSync(p);
      if (st.mode === null) return null;
      if (st.mode & 0o002) return true;
      if (ownerUid !== null && st.uid === ownerUid) return (st.mode & 0o200) !== 0;
      return null;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) || p === stopAt || !p.includes("/")) return null;
      p = p.slice(0, p.lastIndexOf("/")) || "/";
    }
  }
}

function canRead(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "read", path }).state === "granted";
  } catch {
    return false;
  }
}

function canReadEnv(variable: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "env", variable }).state === "granted";
  } catch {
    return false;
  }
}

/** The transcripts under `root`/projects, and the newest of them. */
function transcriptsIn(root: string): TranscriptsView & { now: number } {
  const files: string[] = [];
  walk(root, "projects", 0, files);
  const transcripts = files.filter((r) => classify(r) === "transcript");
  const t = newest(root, transcripts);
  return { count: transcripts.length, newestMs: t.ms, newestRel: t.rel, now: t.now };
}

export interface InspectScope {
  /** --claude-dir was given: the server reads that folder only, so doctor checks only it. */
  onlyClaudeDir?: boolean;
}

/** Gathers the view. Reads only; may create claude-dash's own scratch folder (threads copy). */
export async function inspect(opts: CliOptions, scope: InspectScope = {}): Promise<DoctorView> {
  const { claudeDir: dir, dbPath, port } = opts;
  const view: DoctorView = {
    claudeDir: dir,
    claudeOrigin: scope.onlyClaudeDir ? "flag" : "home",
    dbPath,
    port,
    now: Date.now(),
    claude: { state: "ok" },
    transcripts: { count: 0, newestMs: null, newestRel: null },
    roots: [],
    envDenied: [],
    hooks: { dirExists: false, count: 0, newestMs: null, recent: 0 },
    settings: { state: "missing", events: [], claudeDashEvents: [] },
    threads: { state: "absent" },
    db: { state: "missing" },
    currentSchema: migrations.length,
    portState: { state: "free" },
    writable: { ownDir: null, rawJson: null },
  };

  let ownerUid: number | null = null;
  // Real paths of the folders already counted: a root reached twice is read once (as the
  // server's findRoots does).
  const seen = new Map<string, string>();
  if (!canRead(dir)) {
    view.claude = { state: "no-permission" };
  } else {
    try {
      const st = Deno.statSync(dir);
      ownerUid = st.uid;
      if (!st.isDirectory) view.claude = { state: "not-a-folder" };
      else {
        for (const _ of Deno.readDirSync(dir)) break;
        seen.set(Deno.realPathSync(dir), dir);
      }
    } catch (e) {
      view.claude = e instanceof Deno.errors.NotFound
        ? { state: "missing" }
        : { state: "unreadable", error: errText(e) };
    }
  }

  if (!scope.onlyClaudeDir) {
    view.envDenied = ["XDG_CONFIG_HOME", "CLAUDE_CONFIG_DIR"].filter((n) => !canReadEnv(n));
    for (const c of extraRoots(rootEnv(), dir)) {
      const none = { count: 0, newestMs: null, newestRel: null };
      const r: RootView = { ...c, state: "found", sameAs: null, transcripts: none };
      view.roots.push(r);
      if (!canRead(c.path)) {
        r.state = "no-permission";
        continue;
      }
      try {
        if (!Deno.statSync(c.path).isDirectory) {
          r.state = "not-a-folder";
          continue;
        }
        for (const _ of Deno.readDirSync(c.path)) break;
        const real = Deno.realPathSync(c.path);
        r.sameAs = seen.get(real) ?? null;
        if (r.sameAs) continue;
        seen.set(real, c.path);
      } catch (e) {
        r.state = e instanceof Deno.errors.NotFound ? "missing" : "unreadable";
        if (r.state === "unreadable") r.error = errText(e);
        continue;
      }
      const { now, ...t } = transcriptsIn(c.path);
      r.transcripts = t;
      view.now = Math.max(view.now, now);
    }
  }

  if (view.claude.state === "ok") {
    const { now: tNow, ...transcripts } = transcriptsIn(dir);
    view.transcripts = transcripts;

    const hookFiles: string[] = [];
    try {
      for (const e of Deno.readDirSync(`${dir}/${rawJsonRel}`)) {
        const rel = `${rawJsonRel}/${e.name}`;
        if (e.isFile && classify(rel) === "hook") hookFiles.push(rel);
      }
      view.hooks.dirExists = true;
    } catch {
      // no hook log folder
    }
    const h = newest(dir, hookFiles);
    view.hooks = {
      dirExists: view.hooks.dirExists,
      count: hookFiles.length,
      newestMs: h.ms,
      recent: h.recent,
    };
    view.now = Math.max(view.now, h.now, tNow);

    try {
      const text = await Deno.readTextFile(`${dir}/settings.json`);
      try {
        view.settings = { state: "ok", ...settingsHooks(JSON.parse(text)) };
      } catch (e) {
        // The parser's message quotes no content beyond a position, never a value.
        view.settings = {
          state: "invalid",
          error: errText(e).slice(0, 80),
          events: [],
          claudeDashEvents: [],
        };
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        view.settings = {
          state: "unreadable",
          error: errText(e),
          events: [],
          claudeDashEvents: [],
        };
      }
    }

    const threadsPath = `${dir}/hooks/threads.db`;
    if (mtimeOf(threadsPath) !== null) {
      const dbDir = dbPath.slice(0, dbPath.lastIndexOf("/")) || ".";
      const r = readThreads(threadsPath, `${dbDir}/scratch`);
      view.threads = "error" in r
        ? { state: "error", error: r.error }
        : { state: "ok", rows: r.threads.length };
    }
  }

  view.db = inspectDb(dbPath, opts.full === true);
  view.portState = await inspectPort(port);
  view.writable = {
    ownDir: writableByMode(dbPath.slice(0, dbPath.lastIndexOf("/")), dir, ownerUid),
    rawJson: view.claude.state === "ok"
      ? writableByMode(`${dir}/${rawJsonRel}`, dir, ownerUid)
      : null,
  };
  return view;
}

function inspectDb(path: string, full: boolean): DoctorView["db"] {
  let bytes = 0;
  try {
    bytes = Deno.statSync(path).size;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { state: "missing" };
    return { state: "error", error: errText(e) };
  }
  let db: DatabaseSync | null = null;
  try {
    // Read-only: never migrates or creates anything but SQLite's -wal/-shm beside it.
    db = new DatabaseSync(path, { readOnly: true });
    db.exec("PRAGMA busy_timeout = 2000");
    // integrity_check also cross-checks every index: ~20 s for 2.5 GB here; quick_check ~5 s.
    const check = full || bytes <= doctorIntegrityMaxBytes ? "integrity_check" : "quick_check";
    const rows = db.prepare(`PRAGMA ${check}(5)`).all() as Array<Record<string, unknown>>;
    const integrity = rows.map((r) => String(Object.values(r)[0])).join("; ");
    return { state: "ok", bytes, integrity, check, schemaVersion: schemaVersion(db) };
  } catch (e) {
    return { state: "error", error: errText(e) };
  } finally {
    try {
      db?.close();
    } catch {
      // half-opened
    }
  }
}

async function inspectPort(port: number): Promise<DoctorView["portState"]> {
  if (port === 0) return { state: "free" };
  try {
    const l = Deno.listen({ hostname: "127.0.0.1", port });
    l.close();
    return { state: "free" };
  } catch (e) {
    if (!(e instanceof Deno.errors.AddrInUse)) return { state: "error", error: errText(e) };
  }
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`, {
      signal: AbortSignal.timeout(1500),
    });
    const body = await res.json() as { events?: unknown };
    if (typeof body.events === "number") return { state: "claude-dash", events: body.events };
  } catch {
    // not claude-dash
  }
  return { state: "busy" };
}

/** Runs the checks, prints the report, returns the exit code. */
export async function runDoctor(opts: CliOptions, scope: InspectScope = {}): Promise<number> {
  const checks = diagnose(await inspect(opts, scope));
  console.log(`claude-dash doctor\n${formatReport(checks)}`);
  return exitCode(checks);
}

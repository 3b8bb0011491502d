// inspect(): the doctor's I/O shell. Gathers a plain view of the setup (Claude Code folders,
// transcripts, hook logs, settings.json, threads.db, claude-dash's database, the port, write
// access) without changing anything the user owns.

import { DatabaseSync } from "node:sqlite";
import { doctorIntegrityMaxBytes, doctorRecentHookMs } from "../../core/config.ts";
import type { CliOptions } from "../cli.ts";
import { rawJsonRel } from "../hook.ts";
import { classify } from "../../ingest/sources.ts";
import { isClaudeDashHook } from "../../core/first_run.ts";
import { readThreads } from "../../ingest/read_threads.ts";
import { extraRoots, rootAccess, rootEnv } from "../../ingest/roots.ts";
import { migrations } from "../../store/migrations.ts";
import { schemaVersion } from "../../store/db.ts";
import type { DoctorView, RootView, TranscriptsView } from "./view.ts";

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

/** Event names of settings.json `hooks` with commands, and those with claude-dash's hook. */
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
    let ours = false;
    for (const m of matchers) {
      const inner = typeof m === "object" && m !== null
        ? (m as Record<string, unknown>).hooks
        : null;
      if (!Array.isArray(inner)) continue;
      for (const h of inner) {
        // What `claude-dash setup` writes (a command in any checkout, or an HTTP hook).
        if (isClaudeDashHook(h)) ours = true;
        const cmd = typeof h === "object" && h !== null
          ? (h as Record<string, unknown>).command
          : null;
        if (typeof cmd === "string") commands.push(cmd);
      }
    }
    if (commands.length === 0 && !ours) continue;
    events.push(event);
    if (ours || commands.some((c) => /claude-dash/.test(c) && /\bhook\b/.test(c))) {
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

  // Real paths of the folders already counted: a root reached twice is read once (as the
  // server's findRoots does).
  const seen = new Map<string, string>();
  // Under the server's flags only folders inside it are readable (roots.ts rootAccess).
  const access = rootAccess(dir);
  const ownerUid = access.uid;
  if (access.state === "ok" && access.realPath) seen.set(access.realPath, dir);
  else if (access.state === "unreadable") {
    view.claude = { state: "unreadable", error: access.error ?? "" };
  } else if (access.state !== "ok") view.claude = { state: access.state };

  if (!scope.onlyClaudeDir) inspectRoots(view, seen);
  if (view.claude.state === "ok") await inspectClaudeDir(view);

  view.db = inspectDb(dbPath, opts.full === true);
  view.movedAside = movedAside(dbPath);
  view.portState = await inspectPort(port, dir);
  view.writable = {
    ownDir: writableByMode(dbPath.slice(0, dbPath.lastIndexOf("/")), dir, ownerUid),
    rawJson: view.claude.state === "ok"
      ? writableByMode(`${dir}/${rawJsonRel}`, dir, ownerUid)
      : null,
  };
  return view;
}

/** The other transcript folders the server reads; `seen` maps real paths already counted. */
function inspectRoots(view: DoctorView, seen: Map<string, string>): void {
  view.envDenied = ["XDG_CONFIG_HOME", "CLAUDE_CONFIG_DIR"].filter((n) => !canReadEnv(n));
  for (const c of extraRoots(rootEnv(), view.claudeDir)) {
    const none = { count: 0, newestMs: null, newestRel: null };
    const r: RootView = { ...c, state: "found", sameAs: null, transcripts: none };
    view.roots.push(r);
    const access = rootAccess(c.path);
    if (access.state !== "ok" || !access.realPath) {
      r.state = access.state === "ok" ? "unreadable" : access.state;
      if (access.state === "unreadable") r.error = access.error;
      continue;
    }
    r.sameAs = seen.get(access.realPath) ?? null;
    if (r.sameAs) continue;
    seen.set(access.realPath, c.path);
    const { now, ...t } = transcriptsIn(c.path);
    r.transcripts = t;
    view.now = Math.max(view.now, now);
  }
}

/** What only the Claude Code folder holds: transcripts, hook logs, settings.json, threads.db. */
async function inspectClaudeDir(view: DoctorView): Promise<void> {
  const dir = view.claudeDir;
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

  view.settings = await inspectSettings(dir);

  const threadsPath = `${dir}/hooks/threads.db`;
  if (mtimeOf(threadsPath) !== null) {
    const dbPath = view.dbPath;
    const dbDir = dbPath.slice(0, dbPath.lastIndexOf("/")) || ".";
    const r = readThreads(threadsPath, `${dbDir}/scratch`);
    view.threads = "error" in r
      ? { state: "error", error: r.error }
      : { state: "ok", rows: r.threads.length };
  }
}

/** The hooked events of `dir`/settings.json, or why it cannot be read. */
async function inspectSettings(dir: string): Promise<DoctorView["settings"]> {
  try {
    const text = await Deno.readTextFile(`${dir}/settings.json`);
    try {
      return { state: "ok", ...settingsHooks(JSON.parse(text)) };
    } catch (e) {
      // The parser's message quotes no content beyond a position, never a value.
      return {
        state: "invalid",
        error: errText(e).slice(0, 80),
        events: [],
        claudeDashEvents: [],
      };
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      return {
        state: "unreadable",
        error: errText(e),
        events: [],
        claudeDashEvents: [],
      };
    }
    return { state: "missing", events: [], claudeDashEvents: [] };
  }
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

async function inspectPort(port: number, claudeDir: string): Promise<DoctorView["portState"]> {
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
    const body = await res.json() as { events?: unknown; claude_dir?: unknown; db?: unknown };
    if (typeof body.events === "number") {
      // A dashboard of another HOME (or --claude-dir) answers too: it is not this setup's.
      const served = typeof body.claude_dir === "string" ? body.claude_dir : null;
      return served === null || sameFolder(served, claudeDir)
        ? { state: "claude-dash", events: body.events, db: dbStateOf(body.db) }
        : { state: "other-claude-dash", events: body.events, claudeDir: served };
    }
  } catch {
    // not claude-dash
  }
  return { state: "busy" };
}

/** The `db` block of a dashboard's /api/health, if it has one. */
function dbStateOf(v: unknown): NonNullable<DoctorView["portState"]["db"]> | undefined {
  if (typeof v !== "object" || v === null || !("state" in v) || typeof v.state !== "string") {
    return undefined;
  }
  const text = (x: unknown) => (typeof x === "string" ? x : null);
  return {
    state: v.state,
    message: "message" in v ? text(v.message) : null,
    fix: "fix" in v ? text(v.fix) : null,
  };
}

/** Damaged databases moved aside beside `dbPath` (their -wal / -shm not counted). */
function movedAside(dbPath: string): Array<{ path: string; bytes: number }> {
  const dir = dbPath.slice(0, dbPath.lastIndexOf("/")) || ".";
  const prefix = `${dbPath.slice(dbPath.lastIndexOf("/") + 1)}.corrupt-`;
  const found: Array<{ path: string; bytes: number }> = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (!e.isFile || !e.name.startsWith(prefix) || /-(wal|shm)$/.test(e.name)) continue;
      found.push({ path: `${dir}/${e.name}`, bytes: Deno.statSync(`${dir}/${e.name}`).size });
    }
  } catch {
    // no folder yet, or not readable: nothing to report
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Whether two paths name one folder: the same text, or the same real path where readable. */
function sameFolder(a: string, b: string): boolean {
  const trim = (p: string) => p.replace(/\/+$/, "") || "/";
  if (trim(a) === trim(b)) return true;
  const real = (p: string) => {
    try {
      return Deno.realPathSync(p);
    } catch {
      return trim(p); // absent or not permitted: compare the text
    }
  };
  return real(a) === real(b);
}

// diagnose(): the doctor's view of the setup → one ✓/✗ line per check with the fix, as pure
// functions, one per area (folders, transcripts, hooks, settings, threads, database, port,
// permissions). Never quotes a settings value: they may hold secrets.

import { doctorRecentHookMs } from "../../core/config.ts";
import { rawJsonRel } from "../hook.ts";
import type { Check, DoctorView, RootView, TranscriptsView } from "./view.ts";
import { hookEvents } from "../../core/first_run.ts";
import { classifyDbError, dbFix, rebuildLoses } from "../../core/db_health.ts";

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
  return [
    ...folderChecks(v),
    transcriptsCheck(v),
    hookLoggingCheck(v),
    settingsCheck(v),
    threadsCheck(v),
    databaseCheck(v),
    ...dbStateChecks(v),
    portCheck(v),
    permissionsCheck(v),
  ];
}

/** The fix for missing hooks: `claude-dash setup`, or by hand as the README says. */
function hookSetupFix(dir: string): string {
  return `run \`deno task setup\` in the claude-dash checkout: it adds the claude-dash hook for ` +
    `every event to ${dir}/settings.json (README, "Setup"; by hand: README, "Hook logging")`;
}

/** The Claude Code folder, then each of the other transcript folders, then unreadable variables. */
function folderChecks(v: DoctorView): Check[] {
  const checks: Check[] = [];
  const dir = v.claudeDir;
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
  return checks;
}

/** Transcripts across every folder read: how many, and the newest. */
function transcriptsCheck(v: DoctorView): Check {
  const dir = v.claudeDir;
  const present = v.claude.state === "ok";
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
    return {
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
    };
  } else {
    return {
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
    };
  }
}

/** Whether hook payloads arrive (recently). */
function hookLoggingCheck(v: DoctorView): Check {
  const dir = v.claudeDir;
  const h = v.hooks;
  if (h.recent > 0) {
    return {
      ok: true,
      required: false,
      label: "hook logging",
      detail: `${plural(h.count, "payload")} in ${dir}/${rawJsonRel}, ${h.recent} in the last ${
        doctorRecentHookMs / 60_000
      } min, newest ${ago(h.newestMs!, v.now)}`,
    };
  } else {
    return {
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
        : `${
          hookSetupFix(dir)
        }; without it the dashboard still shows transcripts, but no live permission prompts or notifications`,
    };
  }
}

/** Which events settings.json hooks, and whether claude-dash's hook is on all of them. */
function settingsCheck(v: DoctorView): Check {
  const dir = v.claudeDir;
  const h = v.hooks;
  const s = v.settings;
  const missing = hookEvents.filter((e) => !s.claudeDashEvents.includes(e));
  if (s.state === "ok" && s.events.length > 0) {
    const others = s.events.length - s.claudeDashEvents.length;
    return {
      ok: missing.length === 0 || h.recent > 0,
      required: false,
      label: "settings.json hooks",
      detail:
        `hooks for ${s.events.length} events; claude-dash hook on ${s.claudeDashEvents.length} of ${hookEvents.length}` +
        (others > 0 ? `, other commands on ${others}` : "") +
        (missing.length > 0 && missing.length < hookEvents.length
          ? ` (missing: ${list(missing)})`
          : ""),
      fix: missing.length > 0 && h.recent === 0 ? hookSetupFix(dir) : undefined,
    };
  } else {
    return {
      ok: false,
      required: false,
      label: "settings.json hooks",
      detail: s.state === "ok" || s.state === "missing"
        ? `no hooks in ${dir}/settings.json${s.state === "missing" ? " (no such file)" : ""}`
        : `${dir}/settings.json ${
          s.state === "invalid" ? "is not valid JSON" : "cannot be read"
        } (${s.error ?? "?"})`,
      fix: s.state === "invalid"
        ? "fix the JSON syntax (Claude Code ignores it too)"
        : hookSetupFix(dir),
    };
  }
}

/** The Discord notifier's thread database, when there is one. */
function threadsCheck(v: DoctorView): Check {
  const dir = v.claudeDir;
  const th = v.threads;
  return (
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
      }
  );
}

/** claude-dash's own database: opens, passes the integrity check, has a schema it knows. */
function databaseCheck(v: DoctorView): Check {
  const d = v.db;
  if (d.state === "missing") {
    return {
      ok: true,
      required: true,
      label: "claude-dash database",
      detail: `${v.dbPath} not created yet: claude-dash creates it on first start`,
    };
  } else if (d.state === "error") {
    return {
      ok: false,
      required: true,
      label: "claude-dash database",
      detail: `${v.dbPath} cannot be opened: ${d.error}`,
      fix: classifyDbError(d.error) === "corrupt"
        ? rebuildFix
        : dbFix(classifyDbError(d.error), v.dbPath) ?? rebuildFix,
    };
  } else {
    const version = d.schemaVersion ?? 0;
    const healthy = d.integrity === "ok";
    const newer = version > v.currentSchema;
    return {
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
        ? rebuildFix
        : newer
        ? "upgrade claude-dash, or pass --db with another file"
        : undefined,
    };
  }
}

const rebuildFix = "start claude-dash: it moves the damaged file aside (never deletes it) and " +
  `rebuilds from ~/.claude; not recovered: ${rebuildLoses}`;

/**
 * The running dashboard's database state (read-only, disk full … as its /health says) and the
 * damaged files it moved aside, each with what to do.
 */
function dbStateChecks(v: DoctorView): Check[] {
  const checks: Check[] = [];
  const db = v.portState.db;
  if (db && db.state !== "ok") {
    checks.push({
      ok: false,
      required: true,
      label: "dashboard database",
      detail: `the running claude-dash cannot write its database: ${db.state.replace("_", " ")}${
        db.message ? ` (${db.message})` : ""
      }`,
      fix: db.fix ?? "see the claude-dash log",
    });
  }
  const moved = v.movedAside ?? [];
  if (moved.length > 0) {
    checks.push({
      ok: false,
      required: false,
      label: "damaged databases kept",
      detail: `${plural(moved.length, "damaged database")} moved aside and rebuilt from ` +
        `the sources: ${moved.map((m) => `${m.path} (${size(m.bytes)})`).join(", ")}`,
      fix: `not recovered from them: ${rebuildLoses}; delete them once you no longer need them`,
    });
  }
  return checks;
}

/** The port: free, already claude-dash, or taken by another program. */
function portCheck(v: DoctorView): Check {
  const p = v.portState;
  if (p.state === "other-claude-dash") {
    return {
      ok: false,
      required: true,
      label: "port",
      detail: `a claude-dash on port ${v.port} serves ${p.claudeDir}, not yours (${v.claudeDir})`,
      fix:
        "stop that dashboard, or start yours with --port N (and run doctor with the same --port)",
    };
  }
  return (
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
      }
  );
}

/** Write access to claude-dash's folder and the hook log folder. */
function permissionsCheck(v: DoctorView): Check {
  const dir = v.claudeDir;
  const present = v.claude.state === "ok";
  const w = v.writable;
  const problems: string[] = [];
  if (w.ownDir === false) problems.push(`${v.dbPath.replace(/\/[^/]*$/, "")} is not writable`);
  if (w.rawJson === false) problems.push(`${dir}/${rawJsonRel} is not writable for the hook`);
  return (
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
      }
  );
}

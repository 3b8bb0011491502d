// /settings and its API: GET/POST /api/settings (a patch, validated whole, stored with its side
// effects in one transaction: price overrides re-price stored usage; retention runs right
// after) and the ingest actions under /api/actions/*. POSTs pass the CSRF guard of
// middleware/csrf.ts (Origin + X-CSRF-Token), applied to every route by createApp.

import { Hono } from "hono";
import type { Context } from "hono";
import { basename, dirname, join } from "node:path";
import type { AppDeps, RouteDeps } from "../deps.ts";
import { htmlPage } from "../html.tsx";
import { BadRequest } from "../../core/errors.ts";
import { alertRules } from "../../core/alert_catalog.ts";
import { readSettings, writeSettings } from "../../store/settings.ts";
import { validateSettingsPatch } from "../../core/settings_schema.ts";
import { inTransaction } from "../../store/db.ts";
import { repriceStored } from "../../store/write/reprice.ts";
import { applyRetention } from "../../store/write/retention.ts";
import { vacuumDb } from "../../store/write/vacuum.ts";
import { builtInPrices, pricer, pricesAsOf } from "../../core/pricing.ts";
import { type ClaudeRoot, findRoots, rootCandidates, rootEnv } from "../../ingest/roots.ts";
import { secretFileRel } from "../../core/secrets.ts";
import { type DataSources, SettingsPage } from "../../web/pages/settings.tsx";

/** Largest settings body accepted (a price table of a few hundred models fits easily). */
const maxSettingsBodyBytes = 256 * 1024;

/** What the settings page shows, for the page and its twin alike. */
async function settingsData(deps: AppDeps) {
  return {
    settings: readSettings(deps.db),
    rules: [...alertRules],
    builtIn: builtInPrices(),
    asOf: pricesAsOf,
    sources: await dataSources(deps),
    ingest: { paused: deps.ingester?.stats.paused ?? false, available: deps.ingester !== null },
  };
}

/** GET /settings */
export function settingsPage(deps: RouteDeps): Hono {
  return new Hono().get("/", async (c) =>
    htmlPage(c, deps, {
      title: "Settings",
      path: "/settings",
      json: "/api/settings",
      children: SettingsPage(await settingsData(deps)),
    }));
}

/** GET and POST /api/settings */
export function settingsApi(deps: RouteDeps): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    const d = await settingsData(deps);
    return c.json({
      settings: d.settings,
      rules: d.rules,
      prices_built_in: d.builtIn,
      prices_as_of: d.asOf,
      sources: d.sources,
      ingest: d.ingest,
    });
  });
  app.post("/", (c) => saveSettings(c, deps));
  return app;
}

/** Validates the posted patch, stores it with its side effects and says what they did. */
async function saveSettings(c: Context, deps: AppDeps) {
  const { db } = deps;
  const text = await c.req.text();
  if (text.length > maxSettingsBodyBytes) {
    return c.json({ error: `settings body too large (max ${maxSettingsBodyBytes} bytes)` }, 413);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return c.json({ error: "the body must be a JSON object of settings", field: null }, 400);
  }
  const checked = validateSettingsPatch(body);
  // `field` is the refused value's path in the patch: the form marks that input.
  if (!checked.ok) return c.json({ error: checked.error, field: checked.field }, 400);
  const patch = checked.patch;
  const before = readSettings(db);
  // Settings and the costs they imply change together or not at all.
  const { settings, repriced } = inTransaction(db, () => {
    const settings = writeSettings(db, patch);
    const repriced = patch.prices === undefined
      ? null
      : repriceStored(db, pricer(before.prices), pricer(settings.prices));
    return { settings, repriced };
  });
  if (patch.prices !== undefined) deps.prices?.setOverrides(settings.prices);
  const notes: string[] = [];
  if (repriced && repriced.messages > 0) {
    notes.push(
      `re-priced ${repriced.messages} stored messages of ${repriced.models.length} model(s)`,
    );
  }
  let retention = null;
  if (patch.retention_days !== undefined && settings.retention_days !== null) {
    retention = await applyRetention(db, settings.retention_days, Date.now());
    if (retention.events > 0 || retention.sessions > 0) {
      notes.push(`deleted ${retention.events} events older than ${settings.retention_days} days`);
    }
  }
  return c.json({ settings, repriced, retention, notes });
}

/** POST /api/actions/rescan, /pause, /resume and /vacuum */
export function actionsApi(deps: RouteDeps): Hono {
  const app = new Hono();
  const needIngester = () => {
    if (!deps.ingester) throw new BadRequest("this server runs without live ingest");
    return deps.ingester;
  };
  app.post("/rescan", async (c) => {
    const ingester = needIngester();
    // A paused ingester scans nothing: waiting for the scan would never end.
    if (ingester.stats.paused) {
      return c.json({ error: "live ingest is paused: resume it to rescan" }, 409);
    }
    const t0 = performance.now();
    await ingester.rescan();
    return c.json({
      ok: true,
      paused: false,
      message: `rescanned in ${Math.round(performance.now() - t0)} ms`,
    });
  });
  app.post("/pause", (c) => {
    needIngester().setPaused(true);
    return c.json({ ok: true, paused: true, message: "live ingest paused" });
  });
  app.post("/resume", (c) => {
    needIngester().setPaused(false);
    return c.json({ ok: true, paused: false, message: "live ingest resumed" });
  });
  app.post("/vacuum", (c) => {
    const r = vacuumDb(deps.db);
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    // An old database cannot be compacted in place under the sandbox: say when it will be.
    const message = r.mode === "incremental"
      ? `vacuumed: ${mib(r.bytes_before)} → ${mib(r.bytes_after)} in ${Math.round(r.ms)} ms`
      : `this database (${
        mib(r.bytes_before)
      }) was made before in-place vacuum: it is rewritten compactly when claude-dash next starts (restart it); from then on Vacuum compacts at once`;
    return c.json({ ok: true, ...r, message });
  });
  return app;
}

/** The sources this server reads (or would read), for the settings page. Never reads secrets. */
export async function dataSources(deps: AppDeps): Promise<DataSources> {
  const dir = deps.claudeDir.replace(/\/+$/, "");
  const exists = async (path: string, dirWanted: boolean) => {
    try {
      const st = await Deno.lstat(path);
      return dirWanted ? st.isDirectory : st.isFile;
    } catch {
      return false; // absent or not permitted
    }
  };
  const stats = deps.ingester?.stats ?? null;
  const hookDir = join(dir, "hooks/logs/raw_json");
  const threads = join(dir, "hooks/threads.db");
  let bytes = 0;
  try {
    bytes = (deps.db.prepare(
      "SELECT p.page_count * s.page_size AS n FROM pragma_page_count() p, pragma_page_size() s",
    ).get() as { n: number }).n;
  } catch { /* closed */ }
  return {
    hook_logs: {
      path: hookDir,
      found: await exists(hookDir, true),
      files: stats?.hookFiles ?? null,
    },
    transcript_roots: await Promise.all(
      stats?.roots.length
        ? stats.roots.map(async (r) => ({
          path: r.path,
          origin: r.origin,
          found: r.found,
          projects_found: r.found && await projectsFolder(r.path),
          same_as: r.same_as,
          transcripts: r.transcripts,
        }))
        : (await findRoots(transcriptRoots(deps))).map(async (r) => ({
          path: r.path,
          origin: r.origin,
          found: r.found,
          projects_found: r.found && await projectsFolder(r.path),
          same_as: r.sameAs,
          transcripts: null,
        })),
    ),
    threads_db: {
      path: threads,
      found: await exists(threads, false),
      state: stats?.threadsDb ?? null,
    },
    // Whether the file exists, nothing more: its values are never read here.
    notifier: { configured: await exists(join(dir, secretFileRel), false) },
    database: { path: deps.dbPath, bytes },
  };
}

/**
 * Whether a root's projects/ folder (where Claude Code writes transcripts) exists: a root can
 * exist without it (hooks only, or before the first session), and is then not "found, 0".
 */
export async function projectsFolder(root: string): Promise<boolean> {
  try {
    return (await Deno.stat(join(root, "projects"))).isDirectory;
  } catch {
    return false; // absent or not permitted
  }
}

/**
 * Without an ingester (which reports the roots it reads): the candidates of roots.ts, with
 * this server's Claude folder as the home one (so a --claude-dir or a test's temporary home is
 * what is shown, not the real ~/.claude).
 */
function transcriptRoots(deps: AppDeps): ClaudeRoot[] {
  const dir = deps.claudeDir.replace(/\/+$/, "");
  const home = basename(dir) === ".claude" ? dirname(dir) : undefined;
  const roots = rootCandidates({ ...rootEnv(), HOME: home });
  if (!roots.some((r) => r.path === dir)) roots.unshift({ path: dir, origin: "home" });
  return roots;
}

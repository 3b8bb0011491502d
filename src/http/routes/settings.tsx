// /settings and its API: GET/POST /api/settings (a patch, validated whole, stored with its side
// effects in one transaction: price overrides re-price stored usage; retention runs right
// after), the ingest actions under /api/actions/*, and GET /api/export (streamed CSV or JSON
// Lines with the events page's filters). POSTs pass the CSRF guard of src/server/csrf.ts
// (Origin + X-CSRF-Token), applied to every route by createApp.

import { Hono } from "hono";
import { basename, dirname, join } from "node:path";
import type { AppDeps } from "../app.ts";
import { BadRequest } from "../../core/errors.ts";
import { eventsView } from "../../web/page_params.ts";
import { maxPageRows } from "../../core/config.ts";
import { alertRules } from "../../core/alert_catalog.ts";
import { readSettings, validateSettingsPatch, writeSettings } from "../../store/settings.ts";
import { inTransaction } from "../../store/db.ts";
import { repriceStored } from "../../store/reprice.ts";
import { applyRetention } from "../../store/retention.ts";
import { vacuumDb } from "../../store/vacuum.ts";
import { builtInPrices, pricer, pricesAsOf, setPriceOverrides } from "../../core/pricing.ts";
import { type ClaudeRoot, findRoots, rootCandidates, rootEnv } from "../../ingest/roots.ts";
import { secretFileRel } from "../../core/secrets.ts";
import {
  exportEventsStream,
  exportFilename,
  type ExportFormat,
  exportFormats,
} from "../../domain/export.ts";
import { renderPage } from "../../web/components/layout.tsx";
import { type DataSources, SettingsPage } from "../../web/pages/settings.tsx";

/** Largest settings body accepted (a price table of a few hundred models fits easily). */
const maxSettingsBodyBytes = 256 * 1024;

export function settingsRoutes(deps: AppDeps): Hono {
  const { db } = deps;
  const app = new Hono();

  const pageData = async () => ({
    settings: readSettings(db),
    rules: [...alertRules],
    builtIn: builtInPrices(),
    asOf: pricesAsOf,
    sources: await dataSources(deps),
    ingest: { paused: deps.ingester?.stats.paused ?? false, available: deps.ingester !== null },
  });

  app.get("/settings", async (c) =>
    c.html(renderPage({
      title: "Settings",
      path: "/settings",
      json: "/api/settings",
      children: SettingsPage(await pageData()),
    })));

  app.get("/api/settings", async (c) => {
    const d = await pageData();
    return c.json({
      settings: d.settings,
      rules: d.rules,
      prices_built_in: d.builtIn,
      prices_as_of: d.asOf,
      sources: d.sources,
      ingest: d.ingest,
    });
  });

  app.post("/api/settings", async (c) => {
    const text = await c.req.text();
    if (text.length > maxSettingsBodyBytes) {
      return c.json({ error: `settings body too large (max ${maxSettingsBodyBytes} bytes)` }, 413);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new BadRequest("the body must be a JSON object of settings");
    }
    const checked = validateSettingsPatch(body);
    if (!checked.ok) throw new BadRequest(checked.error);
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
    if (patch.prices !== undefined) setPriceOverrides(settings.prices);
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
  });

  // ---- actions ----
  const needIngester = () => {
    if (!deps.ingester) throw new BadRequest("this server runs without live ingest");
    return deps.ingester;
  };
  app.post("/api/actions/rescan", async (c) => {
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
  app.post("/api/actions/pause", (c) => {
    needIngester().setPaused(true);
    return c.json({ ok: true, paused: true, message: "live ingest paused" });
  });
  app.post("/api/actions/resume", (c) => {
    needIngester().setPaused(false);
    return c.json({ ok: true, paused: false, message: "live ingest resumed" });
  });
  app.post("/api/actions/vacuum", (c) => {
    const r = vacuumDb(db);
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    return c.json({
      ok: true,
      ...r,
      message: `vacuumed: ${mib(r.bytes_before)} → ${mib(r.bytes_after)} in ${Math.round(r.ms)} ms`,
    });
  });

  // ---- export ----
  app.get("/api/export", (c) => {
    const q = (n: string) => c.req.query(n);
    const format = q("format") || "csv";
    if (!Object.hasOwn(exportFormats, format)) {
      throw new BadRequest(`format must be csv or jsonl; got "${format}"`);
    }
    const f = format as ExportFormat;
    const v = eventsView(q, Date.now(), maxPageRows);
    const stream = exportEventsStream(db, { format: f, filters: v.filters, q: v.q });
    return c.body(stream, 200, {
      "Content-Type": exportFormats[f].type,
      "Content-Disposition": `attachment; filename="${exportFilename(f, Date.now())}"`,
      "Cache-Control": "no-store",
    });
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
    transcript_roots: stats?.roots.length
      ? stats.roots.map((r) => ({
        path: r.path,
        origin: r.origin,
        found: r.found,
        same_as: r.same_as,
        transcripts: r.transcripts,
      }))
      : (await findRoots(transcriptRoots(deps))).map((r) => ({
        path: r.path,
        origin: r.origin,
        found: r.found,
        same_as: r.sameAs,
        transcripts: null,
      })),
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

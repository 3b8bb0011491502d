// Everything the dashboard builds on one open database — prices, alerts, the usage publisher,
// the ingester, retention and the HTTP app — as one unit, so a repaired or reopened database
// (src/commands/db_supervisor.ts) gets a whole new set while the listener, the live bus and its
// clients stay. On a stand-in database (the file could not be opened) nothing is ingested or
// evaluated: pages are served, saying why they are empty.

import { dirname } from "node:path";
import type { Db } from "../store/db.ts";
import type { DbMonitor } from "../store/db_health.ts";
import { sessionsByIds } from "../store/read/sessions.ts";
import { readSettings } from "../store/settings.ts";
import { startRetentionTimer } from "../store/write/retention.ts";
import { startRepacker } from "../store/write/repack.ts";
import { Ingester } from "../ingest/ingester.ts";
import { collectGarbage } from "../core/gc.ts";
import { UsageFirst } from "../ingest/usage_first.ts";
import { startBackfillWorker } from "../ingest/backfill_host.ts";
import type { ClaudeRoot } from "../ingest/roots.ts";
import type { LiveBus } from "../live/bus.ts";
import { startProgressPublisher } from "../live/progress.ts";
import type { BackfillProgress } from "../core/progress.ts";
import { AlertEngine } from "../domain/alerts/engine.ts";
import { currentActiveBlock, UsageLive } from "../domain/usage/active.ts";
import { officialLimits } from "../domain/usage/official.ts";
import { PriceTable } from "../core/pricing.ts";
import { maskSecrets } from "../core/secrets.ts";
import type { ActiveBlock, LiveMessage } from "../core/types.ts";

/** What every stack shares: where to read and store, the bus, the health monitor, the app. */
export interface StackShared {
  claudeDir: string;
  dbPath: string;
  watch?: boolean;
  transcriptRoots?: Array<string | ClaudeRoot>;
  activeBlock?: () => ActiveBlock | null;
  bus: LiveBus;
  monitor: DbMonitor;
  /** Builds the HTTP app on a stack's parts (ingester null: nothing may be stored). */
  app: (
    parts: StackParts,
  ) => { fetch: (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response> };
}

export interface StackParts {
  db: Db;
  ingester: Ingester | null;
  prices: PriceTable;
  alerts: AlertEngine;
  /** How far the first ingest has come (the progress bar; null on the stand-in). */
  backfillProgress: () => BackfillProgress | null;
}

export interface DbStack extends StackParts {
  ingester: Ingester;
  /** True on the in-memory stand-in: nothing runs. */
  placeholder: boolean;
  fetch: (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;
  start(): void;
  /** Stops what runs on the database (not the database itself). */
  stop(): Promise<void>;
}

/** Builds (does not start) everything that sits on `db`. */
export function buildStack(shared: StackShared, db: Db, placeholder: boolean): DbStack {
  const { bus } = shared;
  // Price overrides from the settings apply to everything ingested from now on.
  const prices = new PriceTable(readSettings(db).prices);
  const alerts = new AlertEngine({
    db,
    publish: (m) => bus.publish(m),
    activeBlock: shared.activeBlock ?? (() => currentActiveBlock(db)),
    official: (now) => officialLimits(db, now),
  });
  // The active 5-hour window, published as `usage` after commits that stored messages.
  const usage = new UsageLive(db, (m) => bus.publish(m));
  const ingester = new Ingester({
    claudeDir: shared.claudeDir,
    db,
    watch: shared.watch,
    transcriptRoots: shared.transcriptRoots,
    prices,
    scratchDir: `${dirname(shared.dbPath)}/scratch`,
    gate: shared.monitor,
    // The first backfill runs in a worker that exits when done (its memory goes back to the OS).
    backfillWorker: placeholder ? undefined : { dbPath: shared.dbPath, start: startBackfillWorker },
    onCommit: (result) => {
      // Committed rows come straight from the writer, not through the masking queries.
      const messages: LiveMessage[] = result.events.map((event) => ({
        type: "event",
        event: { ...event, summary: maskSecrets(event.summary) },
      }));
      for (const session of sessionsByIds(db, result.sessions)) {
        messages.push({ type: "session", session });
      }
      bus.publish(messages);
      usage.onCommit(result);
      alerts.notify();
    },
  });
  // The bar follows the usage-first pass while it runs, then the backfill (src/live/progress.ts);
  // between the two (the backfill not started yet) it keeps the last reading.
  let lastProgress: BackfillProgress | null = null;
  const backfillProgress = () => {
    if (placeholder) return null;
    const p = usageFirst.running ? usageFirst.progress() : ingester.progress();
    if (p !== null) lastProgress = p;
    return lastProgress;
  };
  const app = shared.app({
    db,
    ingester: placeholder ? null : ingester,
    prices,
    alerts,
    backfillProgress,
  });
  // Issue 18: the usage-first pass (src/ingest/usage_first.ts), run by start() on a cold
  // database before the backfill; usageFirst.progress() is its progress (phase "usage").
  const usageFirst = new UsageFirst({
    db,
    prices,
    claudeDir: shared.claudeDir,
    transcriptRoots: shared.transcriptRoots,
  });
  let retention: { stop(): Promise<void> } | null = null;
  let repacker: { stop(): Promise<void> } | null = null;
  let stopped = false;
  let stopProgress: (() => void) | null = null;
  return {
    db,
    ingester,
    prices,
    alerts,
    backfillProgress,
    placeholder,
    fetch: (req, info) => app.fetch(req, info),
    start() {
      if (placeholder) return;
      // Usage first, then the backfill, which replaces the pass's rows (and, once caught up,
      // drops any it never reached).
      void usageFirst.run().then(() => {
        if (usageFirst.stopped) return;
        collectGarbage(); // the pass's garbage, before the backfill's working set grows
        ingester.start();
        ingester.ready.then(() => usageFirst.settle(), () => {});
      });
      retention = startRetentionTimer(db);
      stopProgress = startProgressPublisher(bus, backfillProgress);
      // Alerts start once the backfill is stored, so replaying history raises no passing alerts.
      ingester.ready.then(() => alerts.start(), () => {});
      // The live tail's payloads (and an older database's) go to blocks once the backfill is in.
      ingester.ready.then(() => {
        if (!stopped) repacker = startRepacker(db);
      }, () => {});
    },
    async stop() {
      stopped = true;
      usageFirst.stop();
      alerts.stop();
      stopProgress?.();
      await ingester.stop();
      usage.close();
      await retention?.stop();
      await repacker?.stop();
    },
  };
}

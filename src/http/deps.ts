// What the HTTP layer is built from: the dependencies createApp is given (AppDeps) and what
// every route module receives (RouteDeps: those plus the app's CSRF token). Route modules
// import this file, never app.ts, so the app and its routes form no import cycle.

import type { Db } from "../store/db.ts";
import type { Ingester } from "../ingest/ingester.ts";
import type { LiveBus } from "../live/bus.ts";
import type { OtlpExporter } from "../live/otlp_exporter.ts";
import type { PriceTable } from "../core/pricing.ts";
import type { DbHealth } from "../core/db_health.ts";
import type { AlertEngineStats } from "../domain/alerts/engine.ts";
import type { FrontStats } from "./front.ts";
import type { BackfillProgress } from "../core/progress.ts";

/** The database's health (src/store/db_health.ts): /health, the page banner, the export. */
export interface DbHealthView {
  snapshot(): DbHealth;
  /** A query failed: corruption becomes the database's state (and is repaired). */
  queryFailed(e: unknown): void;
}

export interface AppDeps {
  db: Db;
  /** Absent in tests that build an app on a database of their own. */
  dbHealth?: DbHealthView | null;
  bus: LiveBus;
  ingester: Ingester | null;
  claudeDir: string;
  dbPath: string;
  startedAt: number;
  /** The OTLP exporter when --otlp-endpoint is given (its counters show in /metrics). */
  exporter?: OtlpExporter | null;
  /** Requests per minute per client address (default rateLimitRequestsPerMin; 0 = off). */
  rateLimitPerMin?: number;
  /** The prices in force for ingest: saving price overrides updates them. */
  prices?: PriceTable;
  /**
   * The shared secret POST /hooks, /v1/logs and /v1/metrics require as `Authorization: Bearer`
   * (src/ingest/secret.ts); absent or null: those endpoints refuse every request with 401.
   */
  ingestSecret?: string | null;
  /** The alert engine, whose counters /api/health shows (tests wait on its evaluations). */
  alerts?: { readonly stats: AlertEngineStats } | null;
  /** The public listener's connection counters (src/http/front.ts), shown on /api/health. */
  connections?: { readonly stats: FrontStats } | null;
  /**
   * How far the first ingest has come (/api/health `backfill`, the progress bar). Absent: the
   * ingester's own `progress()`.
   */
  backfillProgress?: () => BackfillProgress | null;
}

/** AppDeps plus the app's CSRF token, which every page embeds for its state-changing calls. */
export interface RouteDeps extends AppDeps {
  csrfToken: string;
}

/** A request's query string, one parameter at a time. */
export type Query = (name: string) => string | undefined;

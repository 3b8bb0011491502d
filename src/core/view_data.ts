// The data of the dashboard's views: what the server renders into pages, hands the islands as
// props and returns from the /api twins — the JSON shapes both sides of the wire agree on. Types
// only, so server code (domain, http, pages) and browser code (islands) share them without
// importing each other.

import type { DbHealth } from "./db_health.ts";
import type { BackfillProgress } from "./progress.ts";
import type {
  ActiveBlock,
  AlertRow,
  EventFilters,
  HealthReport,
  RootStatus,
  TimelineRow,
  TokenTotals,
  UsageCostSource,
} from "./types.ts";
import type { Price } from "./pricing.ts";
import type { OfficialLimits } from "./rate_limits.ts";

/** Today's figures on the overview (KpiCards). */
export interface KpiFigures {
  events: number;
  tool_calls: number;
  errors: number;
  tokens: number;
  cost_usd: number | null;
  /** Where cost_usd comes from (Claude Code's report, prices, or both). */
  cost_source?: UsageCostSource;
}

/** One tool's call figures (TopTools on the overview; the base of a /tools row). */
export interface ToolFigures {
  tool_name: string;
  calls: number;
  failures: number;
  failure_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
}

/** One row of the /tools table. */
export interface ToolRow extends ToolFigures {
  last_ts: string | null;
  /** Calls per bucket over the page's range, oldest first. */
  trend: number[];
}

/** The /tools table's data (and /api/tools). */
export interface ToolsData {
  tools: ToolRow[];
}

/** One of the newest errors on the overview (LatestErrors). */
export interface ErrorItem {
  kind: string;
  ts: string;
  session_id: string | null;
  tool_name: string | null;
  message: string;
  event_id: number | null;
  path: string | null;
}

/** The part of a metric series result the activity chart reads. */
export interface ActivitySeries {
  bucket: string;
  series: Array<{ key: string; points: Array<[string, number]> }>;
}

/** The overview's time range (in its URL as ?range=): every panel but the board and feed. */
export type OverviewRange = "today" | "24h" | "7d" | "30d" | "all";

/** The activity chart's range: the overview's, or the last hour. */
export type ActivityRange = "1h" | OverviewRange;

/** Events per bucket by type over the activity chart's range (ActivityChart). */
export interface ActivityData {
  range: ActivityRange;
  /** The span the chart covers, epoch ms. */
  since: number;
  until: number;
  /** Width of one bucket, ms. */
  bucket_ms: number;
  result: ActivitySeries;
}

/** Shown when a page's range is empty but older data exists: when, and a range that holds it. */
export interface RangeHint {
  /** The last activity (ISO). */
  last_ts: string;
  /** "2026-10-12 14:03 UTC — 55 days ago" */
  text: string;
  /** The narrowest range holding the last activity, its link text and URL. */
  range: string;
  label: string;
  href: string;
}

/** The ingester's figures as the health page shows them. */
/** Why a file in a source folder is left alone without being opened. */
export type SkipReason = "non_utf8_name" | "symlink" | "not_regular";

/** Files skipped for one reason at the last scan, with a few (escaped, masked) example paths. */
export interface SkippedFiles {
  reason: SkipReason;
  count: number;
  examples: string[];
}

export interface IngestFigures {
  backfilled: boolean;
  paused: boolean;
  hookFiles: number;
  transcripts: number;
  threadsDb: string;
  eventsStored: number;
  filesRead: number;
  bytesRead: number;
  /** Every folder transcripts are read from (the main one first). */
  roots?: RootStatus[];
  missingTranscripts?: number;
  /** Files left alone at the last scan (a link, a FIFO, a name that is not UTF-8), by reason. */
  skipped?: SkippedFiles[];
}

/** The health page's figures (HealthStats and /api/health). */
export interface HealthSnapshot extends HealthReport {
  /** Compressed blocks of raw payloads found unreadable (status "degraded"): their events show
   * no raw JSON (src/store/raw_blocks.ts). */
  damaged_blocks: number;
  live_clients: number;
  ingest: IngestFigures | null;
  rates: { events_per_s: number; files_per_s: number; bytes_per_s: number; window_s: number };
  /** The Claude Code folder this server reads (doctor compares it with its own). */
  claude_dir: string;
  /** Why the status is "waiting": no data source found yet (null otherwise). */
  waiting_reason: string | null;
  /** Per transcript folder (ingest.roots): whether its projects/ folder exists. */
  projects_found: Record<string, boolean>;
  /** The database's state (src/core/db_health.ts); null in apps built without a monitor. */
  db?: DbHealth | null;
  /** How far the first ingest has come (the progress bar); null when nothing ingests. */
  backfill?: BackfillProgress | null;
}

/** One 5-hour window in the usage card's sparkline. */
export interface RecentWindow {
  /** Window start (ISO). */
  start: string;
  tokens: number;
}

/** The usage card: the active 5-hour window and the last 24 h of windows (UsageWindow). */
export interface UsageCardData {
  active: ActiveBlock | null;
  /** Windows overlapping the last 24 h, oldest first. */
  recent: RecentWindow[];
  /** Server time of the figures (epoch ms), so the first render matches the server's. */
  now: number;
  /** Claude's own 5-hour and weekly figures (from the statusline); both null without them. */
  official: OfficialLimits;
}

/** A built-in price as the settings page lists it (USD per million tokens). */
export interface BuiltInPrice extends Price {
  pattern: string;
}

/** Where a 5-hour window limit comes from: the user's setting, Claude's own figure (the budget its
 * percentage implies), the p90 of past windows, or none. */
export type LimitSource = "setting" | "claude" | "p90" | null;

/** The 5-hour window limits in force (the usage page). */
export interface WindowLimits {
  tokens: number | null;
  tokens_source: LimitSource;
  /** The source in words, as every view shows it (limitSourceText in core/window_figures.ts). */
  tokens_source_text: string | null;
  cost_usd: number | null;
  cost_source: LimitSource;
  cost_source_text: string | null;
}

/** Usage of one UTC day or week (the usage page's tables). */
export interface PeriodUsage extends TokenTotals {
  /** UTC day "YYYY-MM-DD", or the Monday starting a UTC week. */
  key: string;
  messages: number;
}

/** A window of a session's timeline (the session page and /api/sessions/:id/timeline). */
export interface TimelinePage {
  rows: TimelineRow[];
  /** Cursor of the first row when earlier rows exist (pass as `before`). */
  earlier: string | null;
  /** Cursor of the last row when later rows exist (pass as `after`). */
  later: string | null;
}

/** The notifier's Discord thread of a session (the session page). */
export interface ThreadLink {
  channel_id: string | null;
  thread_id: string | null;
  created_at: string | null;
  is_archived: boolean;
}

// ---- Query state the pages share with the store's reads ----

/** Event filters of the explorer page: the live filters plus the session's project. */
export interface ExplorerFilters extends EventFilters {
  project?: string;
}

/** Columns a sessions table can be sorted by (the store maps each to SQL), in menu order. */
export const sessionSortKeys = [
  "last",
  "first",
  "duration",
  "events",
  "tools",
  "errors",
  "tokens",
  "cost",
  "context",
  "project",
  "status",
] as const;
export type SessionSort = typeof sessionSortKeys[number];

/** One page of the alert history: /alerts (AlertHistory) and its twin /api/alerts. */
export interface AlertsData {
  /** Most recently seen first. */
  alerts: AlertRow[];
  /** Alerts matching the filters, on every page. */
  total: number;
  offset: number;
  limit: number;
}

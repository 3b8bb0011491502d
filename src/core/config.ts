// Every tunable of claude-dash in one place, each with its unit in the name.
// Changing one of these changes behaviour that tests and benchmarks measure.

export const version = "0.1.0";

/** Default HTTP port on 127.0.0.1. */
export const defaultPort = 7878;

/** How often the reconcile scan lists the sources, as a safety net under Deno.watchFs: at
 * least this long between scans, and longer as a scan costs more (see below). */
export const reconcileIntervalMs = 1000;

/** The pause after a reconcile scan is at least this many times the time the scan took (the
 * watcher still reports changes within watchDebounceMs): a few % of a core at most. */
export const reconcileCostFactor = 20;

/** The longest pause between two reconcile scans, ms. */
export const reconcileMaxIntervalMs = 30_000;

/** Longest the ingester waits after a watcher hint before reading, to coalesce bursts. */
export const watchDebounceMs = 15;

/** Files handled per store transaction during backfill and bursts (at most). */
export const ingestBatchFiles = 400;

/**
 * Longest one ingest write transaction should take: batches shrink until their commits fit,
 * and the ingester yields between them, so HTTP reads keep answering during a backfill.
 */
export const ingestCommitBudgetMs = 50;

/**
 * The backfill worker serves no requests: it hands its event loop over only this often (for a
 * stop or pause from the main thread), instead of between every batch.
 */
export const backfillSliceMs = 200;

/**
 * The backfill worker's write transactions: its commits hold no HTTP request (those run on the
 * main thread, and WAL readers never wait for a writer), so they are sized for throughput. Larger
 * batches rewrite each shared index page once per batch instead of once per handful of files:
 * on an ext4 disk 100k hook files wrote 10 GB of WAL in 25 ms commits. The budget bounds how long
 * a write from the main thread (an HTTP hook, a setting) can wait for the worker's lock.
 */
export const backfillCommitBudgetMs = 500;
export const backfillBatchFiles = 1_000;
/** Source bytes per backfill batch (transcripts): 16 MiB, the main thread's, raised the peak RSS
 * of a 256 MiB transcript backfill from 221 to 255 MiB once batches were no longer cut by time. */
export const backfillBatchRawBytes = 4 * 1024 * 1024;

/**
 * WAL pages the backfill worker lets accumulate before a checkpoint (SQLite's default is 1,000):
 * pages rewritten by successive batches are copied to the database once. About 100 MB of WAL on
 * disk while it runs; the worker truncates the WAL when it is done.
 */
export const backfillWalPages = 25_000;

/**
 * SQLite page cache of the backfill worker's own connection, KiB (the main one keeps its own:
 * both are resident while the worker runs). 32 MB here raised a 1 GiB transcript's peak by
 * ~16 MiB; 16 MB held the cold backfill of a 1M-event tree at 244-253 MiB in the first seconds
 * of its hook files, 8 MB at 237-240, hook files stored as fast (alternating, 100k id-less
 * files: 13,691 / 13,873 / 13,995 files/s against 12,386 / 13,876 / 11,050).
 */
export const backfillCacheKiB = 8_000;

/**
 * Raw payloads kept for history are compressed in blocks of about this many characters (zstd on
 * generated transcripts: ratio 4.3 at 32 KB, 4.6 at 64 KB, 5.1 at 256 KB; a block is decompressed
 * whole to show one event, 0.1 ms at 64 KB). store/raw_blocks.ts.
 */
export const rawBlockTargetChars = 64 * 1024;
/** A write batch with fewer payload characters than this keeps them inline (one line compresses
 * badly); a backfill batch is far above it. */
export const rawBlockMinBatchChars = 32 * 1024;
/** zstd level of raw blocks: 1 compressed 205 MiB/s at ratio 4.6, 3 188 MiB/s at 4.9 (the
 * backfill spends under 5 % of its time compressing either way). */
export const rawBlockZstdLevel = 3;
/** After the backfill, inline payloads are packed into blocks a block per step
 * (store/write/repack.ts): this pause between two steps, and this wait when none was due. */
export const repackPauseMs = 50;
export const repackIntervalMs = 5000;
/** Once the payloads packed in place since the last rewrite reach this many characters and this
 * share of the file's bytes (a database from before blocks), the start-time rewrite is asked for:
 * packing in place left 479 MB at 438 MB, the pages sparse. */
export const repackRewriteMinChars = 64 * 1024 * 1024;
export const repackRewriteMinShare = 0.25;
/** Decompressed blocks each connection keeps (about 64 KB each). */
export const rawBlockCacheBlocks = 32;

/** Transcript bytes read per chunk; also the longest transcript line accepted. */
export const transcriptChunkBytes = 8 * 1024 * 1024;

/** Largest hook payload file read; larger files are counted as errors. */
export const maxHookFileBytes = 8 * 1024 * 1024;

/**
 * Hook files up to this size are read with blocking calls (a few microseconds each, where five
 * awaited operations per file were a quarter of a backfill's main-thread time); larger ones
 * asynchronously, so one slow big file never holds up the event loop.
 */
export const syncHookReadMaxBytes = 64 * 1024;

/** A final transcript line without its newline is taken only once the file is this quiet. */
export const unterminatedLineQuietMs = 5000;

/** Events per live-bus message are collected for at most this long. */
export const liveTickMs = 25;

/** SSE heartbeat comment interval. */
export const sseHeartbeatMs = 15_000;

/** Events a reconnecting client may be replayed after Last-Event-ID. */
export const maxReplayEvents = 5000;

/** Messages queued for one slow live client before it is dropped. */
export const maxClientQueue = 2000;

/** While a backfill runs, its progress is published live at most this often. */
export const progressPublishMs = 500;

/** Live connections (SSE + WebSocket) served at once. */
export const maxLiveClients = 200;

/** Rows returned by list endpoints when no limit is given, and the cap on any limit. */
export const defaultPageRows = 50;
export const maxPageRows = 200;

/** Characters kept in an event's one-line summary. */
export const summaryChars = 200;

/** Hook activity within this window marks a session as running. */
export const runningWindowMs = 2 * 60_000;

/** After Stop, or without any event, a session quiet this long counts as ended. */
export const endedQuietMs = 30 * 60_000;

/** A session waiting for input this long without activity is considered abandoned (ended). */
export const waitingStaleMs = 12 * 60 * 60_000;

/** How often the notifier's threads.db is re-read. */
export const threadsPollMs = 10_000;

/** Stored rows of one file's line errors; further ones are only counted. */
export const maxErrorsPerFile = 100;

// ---- security: rate limit, file caps, secrets ----

/** Requests one client address may make per minute (a token bucket: bursts up to this). */
export const rateLimitRequestsPerMin = 1000;

/** State-changing requests (POST …) one client address may make per minute. */
export const rateLimitWritesPerMin = 120;

/** Client addresses tracked by the rate limiter at once; the idlest are forgotten first. */
export const rateLimitMaxClients = 10_000;

/** Transcript bytes read from one file in one pass; the rest waits for the next pass. */
export const maxTranscriptBytesPerPass = 64 * 1024 * 1024;

/** Deepest JSON nesting accepted in a payload (SQLite's JSON functions stop at 1000). */
export const maxJsonDepth = 500;

/** Largest ~/.claude/hooks/.env.discord read to learn the values to mask. */
export const maxSecretFileBytes = 64 * 1024;

/** Shorter values from .env.discord are not masked as literals (they would mask words). */
export const minKnownSecretChars = 8;

// ---- doctor, hook command, metrics, OpenTelemetry export, own log ----

/** Hook payloads newer than this count as "hook logging is live" in `claude-dash doctor`. */
export const doctorRecentHookMs = 5 * 60_000;

/** `claude-dash doctor` runs integrity_check up to this database size, quick_check above. */
export const doctorIntegrityMaxBytes = 512 * 1024 * 1024;

/** Distinct label values per metric family; the rest are summed into label value "other". */
export const maxMetricLabelValues = 200;

/** OTLP export: records held while the collector is slow or down; the oldest are dropped. */
export const otlpMaxQueueRecords = 10_000;

/** OTLP export: log records per POST. */
export const otlpBatchRecords = 500;

/** OTLP export: queued log records are sent at least this often. */
export const otlpFlushMs = 1000;

/** OTLP export: counters are sent this often. */
export const otlpMetricsIntervalMs = 15_000;

/** OTLP export: first retry delay after a failed POST, doubled per failure up to the max. */
export const otlpRetryBaseMs = 500;
export const otlpRetryMaxMs = 30_000;

/** OTLP export: one POST is abandoned (and retried) after this long. */
export const otlpRequestTimeoutMs = 5000;

/** Own log file (--log-file): rotated when it would grow past this size … */
export const logFileMaxBytes = 5 * 1024 * 1024;

/** … keeping this many files in all (claude-dash.log, claude-dash.log.1, …). */
export const logFilesKept = 5;

/** Insights: most buckets one time series may have (/api/timeseries answers 400 beyond). */
export const maxSeriesBuckets = 2000;

/** Insights: most series in one chart; the smallest keys beyond are summed into "(other)". */
export const maxSeriesKeys = 12;

/** Search: tokens of context in a result's snippet (FTS5 snippet(), at most 64). */
export const searchSnippetTokens = 24;

/** Search: the newest this-many matches are ranked by relevance (and paged through). */
export const searchRankWindow = 1000;

/** Search with filters: up to this many admitted events, each is looked up in the index … */
export const searchProbeMax = 500;

/** … up to this many, each match is checked against the set; beyond, against its event row. */
export const searchFilterSetMax = 50_000;

// ---- alerts (src/domain/alerts/, src/store/read/alerts.ts, src/store/write/alerts.ts) ----

/** The alert engine re-evaluates at least this often: waits and long calls age with time alone. */
export const alertTickMs = 1000;

/** After an ingest commit the alert engine evaluates within this long (a burst coalesces). */
export const alertDebounceMs = 50;

/** Under a steady stream of commits, alert evaluations are at least this far apart. */
export const alertMinIntervalMs = 250;

/** Sessions and tool calls quiet for longer than this are not looked at by the alert rules. */
export const alertLookbackMs = 24 * 60 * 60_000;

/** Most sessions (or running tool calls) one alert rule examines per evaluation. */
export const alertMaxCandidates = 500;

/** The error-rate alert counts the errors of this trailing window. */
export const alertErrorWindowMs = 60_000;

// ---- settings: retention, export ----

/** How often the retention setting is applied (also once at start and on save). */
export const retentionIntervalMs = 3600_000;

/** Rows deleted per transaction by retention (small, so ingest and requests go on between). */
export const retentionBatchRows = 5000;

/** Rows copied per transaction when an old database is rewritten compactly (store/compact.ts). */
export const compactCopyBatchRows = 10_000;

/** Example paths /health shows per reason a file was left alone (links, FIFOs, bad names). */
export const skippedExamplesShown = 5;

/**
 * Events read per page while streaming an export (memory stays at about one page). 500 rather
 * than 2,000: the same speed, ~60 MB less server memory while a JSON Lines export runs.
 */
export const exportPageRows = 500;

// ---- 5-hour usage windows (src/usage/) ----

/** After an ingest commit the active window is recomputed and published at most this often
 * (the first one at once, so a new transcript line reaches the browser well within 1 s). */
export const usageLiveMinIntervalMs = 250;

// ---- context, compactions, history (src/store/write/, the session pages) ----

/** A PreCompact hook and a compact boundary this close after it are one compaction. */
export const compactionPairWindowMs = 10 * 60_000;

/** … also when the boundary's time is up to this much before the hook's (clock rounding). */
export const compactionPairSlackMs = 5000;

/** A hook's UserPromptSubmit and a transcript's user line with the same text this close in time
 * are one prompt (one timeline row); tool evidence this long after a call's end still joins it. */
export const timelinePairMs = 60_000;

/** The context bar warns above this share of the model's context window. */
export const contextWarnRatio = 0.8;

/** The "window projected over limit" alert trusts the projection only once the window's burn
 * rate is measured over at least this many minutes (before that, used tokens/cost count). */
export const alertWindowMinRateSpanMin = 15;

// ---- Claude's official limits (issue 16: the statusline, src/domain/usage/official.ts) ----

/** The statusline stores a rate-limit sample at most this often while no figure changes. */
export const statuslineSampleEveryMs = 30_000;

/** The statusline remembers the reported context window of this many recent sessions (to store
 * each only when it is new for its session). */
export const statuslineWindowSessionsKept = 200;

/** Below this percentage used, tokens ÷ used % is no budget (the percentage is rounded). */
export const officialMinUsedPct = 5;

/** The official burn rate is measured over the samples of at most this long before the newest… */
export const officialRateLookbackMs = { five_hour: 60 * 60_000, seven_day: 24 * 3_600_000 };

/** … and only when they span at least this long (else the window's average so far is used). */
export const officialRateMinSpanMs = { five_hour: 10 * 60_000, seven_day: 3 * 3_600_000 };

// ---- HTTP hooks and OTLP in (issue 16: src/http/routes/ingest_hooks.ts, otlp_in.ts) ----

/** An HTTP hook payload identical to one stored less than this long ago is a retry of it. */
export const httpHookRetryWindowMs = 60_000;

/** Largest OTLP request body accepted (after gzip decompression); larger ones get 413. */
export const maxOtlpBodyBytes = 16 * 1024 * 1024;

// ---- file watcher liveness (issue 17): a FIFO must not stop live updates or shutdown ----

/**
 * How often the watched folders' mtimes are checked: a change the watcher did not report
 * makes the ingester list the sources at once, and a second one marks the runtime's watcher
 * thread as blocked (a FIFO it opened), after which this poll alone drives live updates.
 */
export const watchPollMs = 250;

/**
 * Longest a SIGINT/SIGTERM waits for a clean stop before the process exits anyway. A clean
 * stop takes tens of ms (its steps are logged); the process's own teardown comes after this,
 * and the promise is an exit within 2 s on a loaded machine.
 */
export const shutdownTimeoutMs = 1000;

// ---- connection limits (issue 17): src/http/front.ts, the public listener ----

/**
 * Client connections held at once. Each costs up to three descriptors (client, upstream, the
 * internal server's side), so 256 stays under the common 1,024 limit with room for the
 * database, watchers and logs.
 */
export const frontMaxConnections = 256;

/** A client must send a request's headers within this long (`--header-timeout-ms`). */
export const frontHeaderTimeoutMs = 10_000;

/** A keep-alive connection with no byte either way for this long is closed (not streams). */
export const frontIdleTimeoutMs = 60_000;

/** A first request head larger than this is passed on as is (the server answers 431). */
export const frontMaxHeadBytes = 64 * 1024;

/**
 * Largest database whose `PRAGMA quick_check` runs at every start (about 0.35 s per 475 MiB with
 * a warm page cache, measured): a larger one is checked by its queries (SQLITE_CORRUPT at run
 * time moves it aside as well), so a start never waits seconds on a check.
 */
export const dbStartCheckMaxBytes = 1024 * 1024 * 1024;

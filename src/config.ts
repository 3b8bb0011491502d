// Every tunable of claude-dash in one place, each with its unit in the name.
// Changing one of these changes behaviour that tests and benchmarks measure.

export const version = "0.1.0";

/** Default HTTP port on 127.0.0.1. */
export const defaultPort = 7878;

/** How often the reconcile scan lists the sources, as a safety net under Deno.watchFs. */
export const reconcileIntervalMs = 1000;

/** Longest the ingester waits after a watcher hint before reading, to coalesce bursts. */
export const watchDebounceMs = 15;

/** Files handled per store transaction during backfill and bursts. */
export const ingestBatchFiles = 400;

/** Transcript bytes read per chunk; also the longest transcript line accepted. */
export const transcriptChunkBytes = 8 * 1024 * 1024;

/** Largest hook payload file read; larger files are counted as errors. */
export const maxHookFileBytes = 8 * 1024 * 1024;

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

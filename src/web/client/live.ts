// Browser-side live state: one connection (SSE, falling back to WebSocket) feeding signals
// that islands read. Events are deduplicated by id, so a reconnect that replays after
// Last-Event-ID never shows a row twice; one the server cannot replay whole (a `reset`)
// reloads the page, so a gap is never shown as if nothing had happened.

import { signal } from "@preact/signals";
import type { ActiveBlock, EventRow, LiveReset, SessionSummary } from "../../core/types.ts";
import type { BackfillProgress } from "../../core/progress.ts";
import { receiveAlert } from "./alerts.ts";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

export const connection = signal<ConnectionState>("connecting");
export const feed = signal<EventRow[] | null>(null);
export const sessions = signal<SessionSummary[] | null>(null);
/** The latest batch of events that arrived live (never the seeded ones); pages react to it. */
export const received = signal<EventRow[]>([]);
/** The newest summary of every session changed since the page loaded, by id. */
export const sessionUpdates = signal<ReadonlyMap<string, SessionSummary>>(new Map());
/** The active 5-hour window as last reported live (`usage` messages); null before the first. */
export const usageLive = signal<{ active: ActiveBlock | null } | null>(null);
/** The backfill's progress as last reported live (`progress` messages); null before the first. */
export const progressLive = signal<BackfillProgress | null>(null);

const feedCap = 200;
const seen = new Set<number>();
let lastId: number | null = null;

export function seedFeed(events: EventRow[]): void {
  for (const e of events) {
    seen.add(e.id);
    if (lastId === null || e.id > lastId) lastId = e.id;
  }
  feed.value = events;
}

export function seedSessions(list: SessionSummary[]): void {
  sessions.value = list;
}

function addEvents(events: EventRow[]): void {
  const fresh = events.filter((e) => !seen.has(e.id));
  if (fresh.length === 0) return;
  for (const e of fresh) {
    seen.add(e.id);
    if (lastId === null || e.id > lastId) lastId = e.id;
  }
  fresh.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : b.id - a.id));
  received.value = fresh;
  const next = [...fresh, ...(feed.value ?? [])].slice(0, feedCap);
  if (seen.size > feedCap * 20) {
    seen.clear();
    for (const e of next) seen.add(e.id);
  }
  feed.value = next;
}

/** Summaries changed together: the newest of each first, one signal update for all. */
function upsertSessions(changed: ReadonlyMap<string, SessionSummary>): void {
  const fresh = [...changed.values()].reverse();
  const list = (sessions.value ?? []).filter((x) => !changed.has(x.session_id));
  sessions.value = [...fresh, ...list];
  const updates = new Map(sessionUpdates.value);
  for (const [id, s] of changed) updates.set(id, s);
  sessionUpdates.value = updates;
}

// Events and session changes that arrive together are applied together: a backfill streams
// thousands a second, and one render per message would keep the page busy for minutes (and
// behind every later message, the progress bar's "done" among them). The first message after
// a quiet frame is applied at once, so a live event is not delayed.
const minApplyGapMs = 16;
let pendingEvents: EventRow[] = [];
let pendingSessions = new Map<string, SessionSummary>();
let applyTimer: ReturnType<typeof setTimeout> | null = null;
let lastApply = 0;

function applyPending(): void {
  applyTimer = null;
  lastApply = performance.now();
  const events = pendingEvents;
  const changed = pendingSessions;
  pendingEvents = [];
  pendingSessions = new Map();
  if (events.length > 0) addEvents(events);
  if (changed.size > 0) upsertSessions(changed);
}

function scheduleApply(): void {
  if (applyTimer !== null) return;
  applyTimer = setTimeout(
    applyPending,
    Math.max(0, lastApply + minApplyGapMs - performance.now()),
  );
}

function queueEvent(e: EventRow): void {
  pendingEvents.push(e);
  scheduleApply();
}

function queueSession(s: SessionSummary): void {
  // Re-inserted, so the order of the map is the order of the latest changes.
  pendingSessions.delete(s.session_id);
  pendingSessions.set(s.session_id, s);
  scheduleApply();
}

const resetReloadKey = "claude-dash:reset-reload";
const resetReloadGapMs = 60_000;

/** The server could not replay what this page missed: reload its data from the present. */
function onReset(msg: LiveReset): void {
  lastId = msg.last_id;
  // At most one reload a minute, so a server that keeps answering reset cannot loop the page.
  try {
    const prev = Number(sessionStorage.getItem(resetReloadKey) ?? 0);
    if (Date.now() - prev < resetReloadGapMs) return;
    sessionStorage.setItem(resetReloadKey, String(Date.now()));
  } catch {
    // storage refused: reload anyway
  }
  location.reload();
}

let source: EventSource | null = null;
let socket: WebSocket | null = null;

/** Opens the live connection; call once per page. */
export function connect(query = "", renderedLastId?: number): void {
  // Resume after the newest event the server had when it rendered the page, so nothing
  // stored between rendering and connecting is lost.
  // (The feed's seed is the newest by time; stored ids beyond it are older lines read late.)
  if (renderedLastId !== undefined && (lastId === null || renderedLastId > lastId)) {
    lastId = renderedLastId;
  }
  if (!navigator.onLine) connection.value = "offline";
  addEventListener("offline", () => (connection.value = "offline"));
  addEventListener("online", () => {
    if (connection.value === "offline") connection.value = "reconnecting";
  });
  openSse(query);
  // Status also changes with time alone (running → idle → ended) without any new event.
  setInterval(refreshSessions, sessionRefreshMs);
}

const sessionRefreshMs = 30_000;

async function refreshSessions(): Promise<void> {
  if (sessions.value === null || document.hidden) return;
  try {
    const res = await fetch(`/api/sessions?limit=100`);
    if (res.ok) sessions.value = (await res.json()).sessions;
  } catch {
    // offline: the badge already says so
  }
}

function openSse(query: string): void {
  const params = new URLSearchParams(query);
  if (lastId !== null) params.set("last_event_id", String(lastId));
  const es = new EventSource(`/api/stream?${params}`);
  source = es;
  es.addEventListener("open", () => (connection.value = "live"));
  es.addEventListener("event", (m) => queueEvent(JSON.parse((m as MessageEvent).data)));
  es.addEventListener("reset", (m) => onReset(JSON.parse((m as MessageEvent).data)));
  es.addEventListener("session", (m) => queueSession(JSON.parse((m as MessageEvent).data)));
  es.addEventListener("alert", (m) => receiveAlert(JSON.parse((m as MessageEvent).data).alert));
  es.addEventListener("usage", (m) => {
    usageLive.value = { active: JSON.parse((m as MessageEvent).data).active };
  });
  es.addEventListener("progress", (m) => {
    progressLive.value = JSON.parse((m as MessageEvent).data).progress;
  });
  es.addEventListener("error", () => {
    if (es.readyState === EventSource.CLOSED) {
      // The server refused the stream (e.g. 503): try the WebSocket, then SSE again.
      connection.value = navigator.onLine ? "reconnecting" : "offline";
      source = null;
      openWs(query);
    } else {
      connection.value = navigator.onLine ? "reconnecting" : "offline";
    }
  });
}

function openWs(query: string): void {
  const params = new URLSearchParams(query);
  if (lastId !== null) params.set("last_event_id", String(lastId));
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/api/ws?${params}`);
  socket = ws;
  ws.addEventListener("open", () => (connection.value = "live"));
  ws.addEventListener("message", (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === "event") queueEvent(msg.event);
    else if (msg.type === "session") queueSession(msg.session);
    else if (msg.type === "alert") receiveAlert(msg.alert);
    else if (msg.type === "usage") usageLive.value = { active: msg.active };
    else if (msg.type === "progress") progressLive.value = msg.progress;
    else if (msg.type === "reset") onReset(msg);
  });
  ws.addEventListener("close", () => {
    socket = null;
    connection.value = navigator.onLine ? "reconnecting" : "offline";
    setTimeout(() => {
      if (!source && !socket) openSse(query);
    }, 2000);
  });
}

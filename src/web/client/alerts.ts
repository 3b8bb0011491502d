// Browser-side alert state: the open alerts (seeded from /api/alerts, kept current by the live
// stream's {type: "alert"} messages), the tab-title count, and the user's delivery preferences
// (desktop notifications, sound) kept in localStorage. Nothing here touches the DOM at import,
// so the server can render the islands that read it.

import { computed, effect, signal } from "@preact/signals";
import type { AlertRow } from "../../core/types.ts";
import { postJson } from "./api.ts";

/** Active and acknowledged alerts known to this page, by id (cleared ones are dropped). */
export const alertsById = signal<ReadonlyMap<number, AlertRow>>(new Map());
export const desktop = signal(false);
export const sound = signal(false);
/** Why desktop notifications are off although asked for (blocked, unsupported …). */
export const desktopNote = signal<string | null>(null);
/** The last failed Acknowledge / Snooze, shown in the banner. */
export const actionError = signal<string | null>(null);

function snoozed(a: AlertRow, now = Date.now()): boolean {
  return a.snoozed_until !== null && Date.parse(a.snoozed_until) > now;
}

/** What the banner shows: active, not snoozed, newest first. */
export const visibleAlerts = computed(() =>
  [...alertsById.value.values()]
    .filter((a) => a.state === "active" && !snoozed(a))
    .sort((a, b) => (a.first_ts < b.first_ts ? 1 : a.first_ts > b.first_ts ? -1 : b.id - a.id))
);

const prefKeys = { desktop: "claude-dash.alerts.desktop", sound: "claude-dash.alerts.sound" };
/** Alerts already shown or announced: a desktop notification or beep is made once per alert. */
const announced = new Set<number>();
/** Live messages that arrived while /api/alerts was loading, re-applied over its answer. */
let pending: AlertRow[] | null = null;
/** Whether /api/alerts has answered once: alerts it finds after that are new to the user. */
let loadedOnce = false;

function apply(map: Map<number, AlertRow>, a: AlertRow): void {
  if (a.state === "cleared") map.delete(a.id);
  else map.set(a.id, a);
}

/** One alert message from the live stream (or a POST answer, `live` false). */
export function receiveAlert(a: AlertRow, live = true): void {
  pending?.push(a);
  const next = new Map(alertsById.value);
  apply(next, a);
  alertsById.value = next;
  if (live && a.state === "active" && !snoozed(a) && !announced.has(a.id)) {
    announced.add(a.id);
    announce(a);
  }
}

/** Loads the open alerts (at start and after every reconnect: messages may have been missed). */
export async function refreshAlerts(): Promise<void> {
  if (pending) return;
  pending = [];
  try {
    const res = await fetch("/api/alerts?state=active&limit=200");
    if (!res.ok) return;
    const rows = (await res.json()).alerts as AlertRow[];
    const next = new Map<number, AlertRow>();
    for (const a of rows) {
      next.set(a.id, a);
      // Those open when the page loaded were already seen; later ones were missed live.
      if (loadedOnce && !announced.has(a.id) && !snoozed(a)) announce(a);
      announced.add(a.id);
    }
    // Acknowledged ones stay known so a later count change does not announce them again.
    for (const a of alertsById.value.values()) if (a.state === "acknowledged") next.set(a.id, a);
    for (const a of pending) apply(next, a);
    alertsById.value = next;
    loadedOnce = true;
  } catch {
    // offline: the connection badge says so, and the next reconnect refreshes
  } finally {
    pending = null;
  }
}

export async function acknowledge(a: AlertRow): Promise<void> {
  await act(`/api/alerts/${a.id}/ack`, {});
}

export async function snooze(a: AlertRow, minutes: number): Promise<void> {
  await act(`/api/alerts/${a.id}/snooze`, { minutes });
}

async function act(url: string, body: unknown): Promise<void> {
  try {
    const res = await postJson<{ alert: AlertRow }>(url, body);
    actionError.value = null;
    receiveAlert(res.alert, false);
  } catch (e) {
    actionError.value = e instanceof Error ? e.message : String(e);
  }
}

let started = false;

/** Loads the preferences and keeps the tab title's "(n)" prefix in step. Once per page. */
export function startAlerts(): void {
  if (started) return;
  started = true;
  desktop.value = readPref("desktop") &&
    typeof Notification !== "undefined" && Notification.permission === "granted";
  sound.value = readPref("sound");
  const base = document.title;
  effect(() => {
    const n = visibleAlerts.value.length;
    document.title = n > 0 ? `(${n}) ${base}` : base;
  });
}

function readPref(name: keyof typeof prefKeys): boolean {
  try {
    return localStorage.getItem(prefKeys[name]) === "1";
  } catch {
    return false;
  }
}

function writePref(name: keyof typeof prefKeys, on: boolean): void {
  try {
    localStorage.setItem(prefKeys[name], on ? "1" : "0");
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}

/** Turns desktop notifications on or off; permission is asked here, i.e. only after a click. */
export async function setDesktop(on: boolean): Promise<void> {
  if (!on) {
    desktop.value = false;
    desktopNote.value = null;
    writePref("desktop", false);
    return;
  }
  if (typeof Notification === "undefined") {
    desktopNote.value = "This browser has no desktop notifications.";
    return;
  }
  let permission = Notification.permission;
  if (permission === "default") permission = await Notification.requestPermission();
  if (permission !== "granted") {
    desktop.value = false;
    desktopNote.value = "Notifications are blocked for this page in the browser's site settings.";
    writePref("desktop", false);
    return;
  }
  desktop.value = true;
  desktopNote.value = null;
  writePref("desktop", true);
}

export function setSound(on: boolean): void {
  sound.value = on;
  writePref("sound", on);
  if (on) beep(); // a sample, and the click lets the page play sound later
}

function announce(a: AlertRow): void {
  if (
    desktop.value && typeof Notification !== "undefined" && Notification.permission === "granted"
  ) {
    try {
      // The tag makes several open tabs show one notification per alert, not one each.
      const n = new Notification("claude-dash", {
        body: a.message,
        tag: `claude-dash-alert-${a.id}`,
      });
      n.onclick = () => {
        focus();
        if (a.session_id) location.href = `/sessions/${encodeURIComponent(a.session_id)}`;
      };
    } catch {
      // some browsers only allow notifications from a service worker
    }
  }
  if (sound.value) beep();
}

let audio: AudioContext | null = null;

/** A short two-tone chime made with WebAudio (no sound file to download). */
export function beep(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    const t = audio.currentTime;
    for (const [freq, at] of [[880, 0], [1320, 0.12]]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + at);
      gain.gain.exponentialRampToValueAtTime(0.15, t + at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + at + 0.11);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + at);
      osc.stop(t + at + 0.12);
    }
  } catch {
    // no audio output: the banner and the title still say it
  }
}

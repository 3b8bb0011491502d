// In-process pub/sub of committed records. The ingester publishes after each commit, in
// commit order; SSE and WebSocket clients subscribe. Also counts live connections so the
// server can refuse more than it can serve.

import type { EventFilters, EventRow, LiveMessage } from "../core/types.ts";
import { maxLiveClients } from "../core/config.ts";

export type Listener = (messages: LiveMessage[]) => void;

export class LiveBus {
  #listeners = new Set<Listener>();
  #clients = 0;
  #progress: LiveMessage | null = null;
  readonly maxClients: number;

  constructor(maxClients = maxLiveClients) {
    this.maxClients = maxClients;
  }

  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  publish(messages: LiveMessage[]): void {
    if (messages.length === 0) return;
    for (const m of messages) if (m.type === "progress") this.#progress = m;
    for (const fn of this.#listeners) {
      try {
        fn(messages);
      } catch {
        // one broken client never stops delivery to the others
      }
    }
  }

  /** The last backfill progress published: what a client connecting now starts from. */
  get latestProgress(): LiveMessage | null {
    return this.#progress;
  }

  /** Takes a connection slot; false when the cap is reached. */
  acquire(): boolean {
    if (this.#clients >= this.maxClients) return false;
    this.#clients++;
    return true;
  }

  release(): void {
    if (this.#clients > 0) this.#clients--;
  }

  get clients(): number {
    return this.#clients;
  }
}

/** Whether an event passes a client's filters. Pure. */
export function matches(ev: EventRow, f: EventFilters): boolean {
  if (f.session && ev.session_id !== f.session) return false;
  if (f.type && ev.type !== f.type) return false;
  if (f.tool && ev.tool_name !== f.tool) return false;
  if (f.since !== undefined || f.until !== undefined) {
    const t = Date.parse(ev.ts);
    if (f.since !== undefined && t < f.since) return false;
    if (f.until !== undefined && t >= f.until) return false;
  }
  return true;
}

/** The subset of a bus message a client with these filters should get. */
export function forClient(messages: LiveMessage[], f: EventFilters): LiveMessage[] {
  return messages.filter((m) => {
    switch (m.type) {
      case "event":
        return matches(m.event, f);
      case "session":
        return !f.session || m.session.session_id === f.session;
      case "alert":
        // The alert banner is on every page, whatever the page's filters.
        return true;
      case "usage":
      case "progress":
      case "reset":
        return true;
    }
  });
}

// One live client's view of the bus: subscribes first, then replays stored events after
// the client's last seen id, and skips live events already replayed, so a reconnect never
// loses or duplicates an event. Its queue is bounded: a client that falls too far behind
// is dropped (it reconnects and replays) instead of growing memory. A resume that cannot be
// replayed whole (more than the replay window missed, or an id this database never gave)
// starts with an explicit `reset` message instead of a silent gap.

import type { EventFilters, LiveMessage } from "../core/types.ts";
import { maxClientQueue, maxReplayEvents } from "../core/config.ts";
import type { Db } from "../store/db.ts";
import { eventsAfterId, maxEventId } from "../store/read/events.ts";
import { forClient, type LiveBus } from "./bus.ts";

export class Subscription {
  #queue: LiveMessage[] = [];
  #notify: (() => void) | null = null;
  #unsubscribe: () => void;
  #lastSent: number;
  closed = false;
  overflowed = false;

  constructor(bus: LiveBus, db: Db, filters: EventFilters, lastEventId: number | null) {
    this.#unsubscribe = bus.subscribe((messages) => {
      if (this.closed) return;
      const mine = forClient(messages, filters);
      if (mine.length === 0) return;
      // A batch that would overflow is not copied first (a backfill commit can be thousands).
      if (this.#queue.length + mine.length <= maxClientQueue) this.#queue.push(...mine);
      else {
        this.overflowed = true;
        this.close();
      }
      this.#wake();
    });
    // A page rendered just before a progress message went out still learns the newest one.
    const progress = bus.latestProgress;
    if (progress) this.#queue.push(progress);
    // Subscribed before reading, so an event stored from here on is either in the replay or
    // queued live (or both: next() drops the repeat).
    this.#lastSent = lastEventId ?? maxEventId(db);
    if (lastEventId === null) return;
    const newest = maxEventId(db);
    // One more than the window: getting it means the replay would stop short of the present.
    const replay = lastEventId > newest
      ? null
      : eventsAfterId(db, lastEventId, filters, maxReplayEvents + 1);
    if (replay === null || replay.length > maxReplayEvents) {
      // Live events up to `newest` are already stored, so the client's reload shows them.
      this.#lastSent = newest;
      this.#queue.unshift({
        type: "reset",
        reason: replay === null ? "unknown_id" : "too_old",
        from_id: lastEventId,
        last_id: newest,
        replay_limit: maxReplayEvents,
      });
      return;
    }
    this.#queue.unshift(...replay.map((event): LiveMessage => ({ type: "event", event })));
  }

  /** Highest event id this client has (or will have) received. */
  get lastId(): number {
    return this.#lastSent;
  }

  /** Waits for and returns the next messages, or null once closed. */
  async next(): Promise<LiveMessage[] | null> {
    while (!this.closed && this.#queue.length === 0) {
      await new Promise<void>((resolve) => (this.#notify = resolve));
    }
    if (this.closed) return null;
    const out: LiveMessage[] = [];
    for (const m of this.#queue) {
      if (m.type === "event") {
        if (m.event.id <= this.#lastSent) continue;
        this.#lastSent = m.event.id;
      }
      out.push(m);
    }
    this.#queue = [];
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#unsubscribe();
    this.#wake();
  }

  #wake(): void {
    const n = this.#notify;
    this.#notify = null;
    n?.();
  }
}

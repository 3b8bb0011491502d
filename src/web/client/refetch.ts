// Data that follows the live stream: re-fetched from its /api twin when relevant events
// arrive, at most once per interval, never two fetches at once, and always once more after
// the last burst, so what is shown never stays behind what is stored.

import { type Signal, useSignal, useSignalEffect } from "@preact/signals";
import type { EventRow } from "../../core/types.ts";
import { received } from "./live.ts";

export function useLiveData<T>(
  url: string | (() => string),
  initial: T,
  minIntervalMs: number,
  relevant: (e: EventRow) => boolean = () => true,
): Signal<T> {
  const data = useSignal(initial);
  const st = useSignal({
    timer: null as ReturnType<typeof setTimeout> | null,
    last: 0,
    dirty: false,
  });

  const schedule = () => {
    const s = st.peek();
    if (s.timer !== null) {
      s.dirty = true;
      return;
    }
    s.timer = setTimeout(async () => {
      s.dirty = false;
      try {
        const res = await fetch(typeof url === "string" ? url : url());
        if (res.ok) data.value = await res.json();
      } catch {
        // offline: the connection badge says so; the next event retries
      } finally {
        s.last = Date.now();
        s.timer = null;
        if (s.dirty) schedule();
      }
    }, Math.max(0, s.last + minIntervalMs - Date.now()));
  };

  useSignalEffect(() => {
    if (received.value.some(relevant)) schedule();
  });
  return data;
}

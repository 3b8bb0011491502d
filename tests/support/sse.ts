// A minimal real SSE client over fetch, for tests: yields {event, id, data} messages.

export interface SseMessage {
  event: string;
  id: string | null;
  data: string;
}

export class SseClient {
  messages: SseMessage[] = [];
  #controller = new AbortController();
  #reader: ReadableStreamDefaultReader<string> | null = null;
  #waiters: Array<() => void> = [];
  done: Promise<void>;
  status = 0;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.done = this.#run(url, headers);
  }

  async #run(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const res = await fetch(url, { headers, signal: this.#controller.signal });
      this.status = res.status;
      if (!res.body) return;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      this.#reader = reader;
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let sep;
        while ((sep = buf.indexOf("\n\n")) !== -1) {
          const block = buf.slice(0, sep);
          buf = buf.slice(sep + 2);
          const msg: SseMessage = { event: "message", id: null, data: "" };
          let hasData = false;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            const colon = line.indexOf(":");
            const field = colon === -1 ? line : line.slice(0, colon);
            const v = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "event") msg.event = v;
            else if (field === "id") msg.id = v;
            else if (field === "data") {
              msg.data += (hasData ? "\n" : "") + v;
              hasData = true;
            }
          }
          if (hasData) {
            this.messages.push(msg);
            for (const w of this.#waiters.splice(0)) w();
          }
        }
      }
    } catch {
      // aborted
    } finally {
      for (const w of this.#waiters.splice(0)) w();
    }
  }

  events(): Array<Record<string, unknown> & { id: number }> {
    return this.messages.filter((m) => m.event === "event").map((m) => JSON.parse(m.data));
  }

  close(): Promise<void> {
    this.#controller.abort();
    // The abort alone can leave a pending read unsettled once a spawned server has sent a
    // long replay; cancelling the reader always ends it.
    this.#reader?.cancel().catch(() => {});
    return this.done;
  }
}

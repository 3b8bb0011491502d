// N live SSE clients in a process of their own, so that their parsing does not take CPU from
// the benchmark's writer or skew its clock readings. Each client records, for every event
// message, the event id and the wall-clock time it arrived (performance.timeOrigin + now()).
//
//   deno run -A bench/sse_clients.ts --url http://127.0.0.1:PORT --clients N --out FILE
// Prints "ready CONNECTED REFUSED" once every client is connected or refused, answers each
// "count" line on stdin with "count N" (event deliveries so far, all clients), and on "stop"
// writes the JSON results to FILE and prints "done".

export interface ClientResult {
  status: number;
  /** Flat pairs: event id, arrival time (ms since the epoch, fractional). */
  received: number[];
  /** Arrival time of the stream's end when the server closed it before "stop"; else null. */
  endedAt: number | null;
}

export interface ClientsOutput {
  clients: ClientResult[];
}

function arg(name: string, fallback?: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < Deno.args.length) return Deno.args[i + 1];
  if (fallback !== undefined) return fallback;
  throw new Error(`--${name} is required`);
}

const now = () => performance.timeOrigin + performance.now();

class Client {
  readonly result: ClientResult = { status: 0, received: [], endedAt: null };
  readonly connected: Promise<void>;
  readonly done: Promise<void>;
  #abort = new AbortController();
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #stopped = false;
  #onConnected!: () => void;

  constructor(url: string) {
    this.connected = new Promise((r) => (this.#onConnected = r));
    this.done = this.#run(url);
  }

  async #run(url: string): Promise<void> {
    try {
      const res = await fetch(`${url}/api/stream`, { signal: this.#abort.signal });
      this.result.status = res.status;
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        this.#onConnected();
        return;
      }
      const decoder = new TextDecoder();
      let buf = "";
      const reader = res.body.getReader();
      this.#reader = reader;
      for (;;) {
        const { value: chunk, done } = await reader.read();
        if (done) break;
        const t = now();
        buf += decoder.decode(chunk, { stream: true });
        let sep;
        while ((sep = buf.indexOf("\n\n")) !== -1) {
          const block = buf.slice(0, sep);
          buf = buf.slice(sep + 2);
          let event = "message";
          let id = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("id:")) id = line.slice(3).trim();
          }
          if (event === "hello") this.#onConnected();
          else if (event === "event" && id !== "") this.result.received.push(Number(id), t);
        }
      }
      if (!this.#stopped) this.result.endedAt = now();
    } catch {
      if (!this.#stopped) this.result.endedAt = now();
    } finally {
      this.#onConnected();
    }
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#reader?.cancel().catch(() => {});
    this.#abort.abort();
    return this.done;
  }
}

/** Answers "count" lines with the deliveries so far, until a "stop" line (or stdin ends). */
async function serveCommands(clients: Client[]): Promise<void> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of Deno.stdin.readable) {
    buf += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const cmd = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (cmd === "stop") return;
      if (cmd === "count") {
        let n = 0;
        for (const c of clients) n += c.result.received.length / 2;
        console.log(`count ${n}`);
      }
    }
  }
}

if (import.meta.main) {
  const url = arg("url");
  const n = Number(arg("clients"));
  const out = arg("out");
  const clients: Client[] = [];
  // Open in small groups: a burst of hundreds of simultaneous connects is not what is measured.
  for (let i = 0; i < n; i++) {
    clients.push(new Client(url));
    if (i % 25 === 24) await Promise.all(clients.slice(-25).map((c) => c.connected));
  }
  await Promise.all(clients.map((c) => c.connected));
  const connected = clients.filter((c) => c.result.status === 200).length;
  console.log(`ready ${connected} ${n - connected}`);
  await serveCommands(clients);
  await Promise.all(clients.map((c) => c.stop()));
  const output: ClientsOutput = { clients: clients.map((c) => c.result) };
  await Deno.writeTextFile(out, JSON.stringify(output));
  console.log("done");
}

// The main thread's side of the backfill worker (backfill_worker.ts): starts it, relays what it
// reports (each stored batch for live delivery, its counters and progress, refused writes for
// the database's health) and ends it. The worker runs the same ingester with its own connection
// to the database file; when its pass is done it closes the connection and exits, so the memory
// the backfill used goes back to the OS.
//
// The worker's module is read from the checkout when this process may read it (tests, tools);
// the server's sandbox may not, so it starts from the bundle `deno task build` embeds
// (backfill_worker.gen.ts; worker_start.ts).

import { log } from "../core/log.ts";
import type {
  BackfillRunner,
  FromWorker,
  ToWorker,
  WorkerHandlers,
  WorkerStart,
} from "./backfill_messages.ts";
import { backfillWorkerScript } from "./backfill_worker.gen.ts";
import { hookReaderWorkerScript } from "./hook_reader_worker.gen.ts";
import { type StartedWorker, startWorker } from "./worker_start.ts";

/** Longest stop() waits for the worker to end its batch and close its connection. */
const stopTimeoutMs = 15_000;

/** Starts the first backfill in a worker (IngesterOptions.backfillWorker.start). */
export function startBackfillWorker(start: WorkerStart, h: WorkerHandlers): BackfillRunner {
  return new BackfillWorker(start, h);
}

class BackfillWorker implements BackfillRunner {
  /** Resolves when the worker has ended: true if its pass read everything it listed. */
  readonly finished: Promise<boolean>;
  #started: StartedWorker;
  #worker: Worker;
  /** The hook reader, once the worker asked for one (hook_reader.ts). */
  #reader: StartedWorker | null = null;
  #claudeDir: string;
  #end!: (complete: boolean) => void;
  #ended = false;

  constructor(start: WorkerStart, h: WorkerHandlers) {
    this.finished = new Promise((resolve) => (this.#end = resolve));
    this.#claudeDir = start.claudeDir;
    this.#started = startWorker(
      new URL("./backfill_worker.ts", import.meta.url),
      backfillWorkerScript,
      "backfill",
    );
    this.#worker = this.#started.worker;
    const end = (complete: boolean) => {
      if (this.#ended) return;
      this.#ended = true;
      this.#started.end();
      this.#reader?.end();
      this.#end(complete);
    };
    this.#worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      try {
        if (m.type === "report") h.report(m);
        else if (m.type === "failed") {
          h.gate.failed(Object.assign(new Error(m.message), { errcode: m.errcode }), Date.now());
        } else if (m.type === "succeeded") h.gate.succeeded(Date.now());
        else if (m.type === "reader") this.#startReader();
        else if (m.type === "reader_done") this.#reader?.end();
        else if (m.type === "done") {
          h.report(m);
          end(m.complete);
        } else {
          log.error(`backfill worker failed: ${m.message}`);
          end(false);
        }
      } catch (err) {
        log.error(`backfill report failed: ${err instanceof Error ? err.message : err}`);
      }
    };
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault(); // the server goes on: the main thread ingests the rest
      log.error(`backfill worker crashed: ${e.message}`);
      end(false);
    };
    this.#post({ type: "start", ...start });
  }

  pause(paused: boolean): void {
    this.#post({ type: "pause", paused });
  }

  /** Starts the hook reader and gives it and the worker the two ends of a channel. */
  #startReader(): void {
    if (this.#reader || this.#ended) return;
    let reader: StartedWorker;
    try {
      reader = startWorker(
        new URL("./hook_reader_worker.ts", import.meta.url),
        hookReaderWorkerScript,
        "hook-reader",
      );
    } catch (e) {
      log.warn(`the hook reader did not start: ${e instanceof Error ? e.message : e}`);
      return this.#post({ type: "reader_failed" });
    }
    this.#reader = reader;
    reader.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault(); // the backfill worker reads its hook files itself again
      log.warn(`the hook reader failed: ${e.message}`);
      reader.end();
      this.#post({ type: "reader_failed" });
    };
    const channel = new MessageChannel();
    reader.worker.postMessage({ dir: this.#claudeDir, port: channel.port1 }, [channel.port1]);
    if (!this.#ended) {
      this.#worker.postMessage({ type: "reader", port: channel.port2 }, [channel.port2]);
    }
  }

  /** Asks the worker to end after the batch it is storing; ends it anyway after a timeout. */
  async stop(): Promise<void> {
    if (this.#ended) return;
    this.#post({ type: "stop" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, stopTimeoutMs)));
    await Promise.race([this.finished, late]);
    clearTimeout(timer);
    if (!this.#ended) {
      log.warn("the backfill worker did not stop in time; ended");
      this.#ended = true;
      this.#started.end();
      this.#reader?.end();
      this.#end(false);
    }
  }

  #post(m: ToWorker): void {
    if (!this.#ended) this.#worker.postMessage(m);
  }
}

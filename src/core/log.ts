// claude-dash's own log. Warnings and errors go to stderr as one human line each; with
// --log-file every line (info too) is also appended to a size-capped file under
// ~/.claude/claude-dash/logs/, rotated as claude-dash.log → .1 → … → .N-1. Logging never
// throws: a file that cannot be written is reported once on stderr and then left alone.

import { logFileMaxBytes, logFilesKept } from "./config.ts";

export type LogLevel = "info" | "warn" | "error";

const encoder = new TextEncoder();

/** Appends lines to `dir/name`, rotating before a write would pass `maxBytes`. */
export class RotatingFile {
  readonly path: string;
  #maxBytes: number;
  #keep: number;
  #file: Deno.FsFile | null = null;
  #size = 0;

  constructor(
    dir: string,
    name = "claude-dash.log",
    maxBytes = logFileMaxBytes,
    keep = logFilesKept,
  ) {
    this.path = `${dir}/${name}`;
    this.#maxBytes = maxBytes;
    this.#keep = Math.max(1, keep);
    Deno.mkdirSync(dir, { recursive: true });
    this.#open();
  }

  write(line: string): void {
    const bytes = encoder.encode(line.endsWith("\n") ? line : line + "\n");
    if (this.#size > 0 && this.#size + bytes.length > this.#maxBytes) this.#rotate();
    let off = 0;
    while (off < bytes.length) off += this.#file!.writeSync(bytes.subarray(off));
    this.#size += bytes.length;
  }

  close(): void {
    try {
      this.#file?.close();
    } catch {
      // already closed
    }
    this.#file = null;
  }

  #open(): void {
    this.#file = Deno.openSync(this.path, { append: true, create: true });
    this.#size = this.#file.statSync().size;
  }

  #rotate(): void {
    this.close();
    // Oldest first, so each rename moves into a name that was just freed.
    for (let i = this.#keep - 1; i >= 1; i--) {
      const from = i === 1 ? this.path : `${this.path}.${i - 1}`;
      try {
        Deno.renameSync(from, `${this.path}.${i}`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    if (this.#keep === 1) Deno.removeSync(this.path);
    this.#open();
  }
}

let sink: RotatingFile | null = null;

/** Mirrors every later log line into a rotated file in `dir`. Returns the file's path. */
export function openLogFile(dir: string, maxBytes?: number, keep?: number): string {
  closeLogFile();
  sink = new RotatingFile(dir, "claude-dash.log", maxBytes, keep);
  return sink.path;
}

export function closeLogFile(): void {
  sink?.close();
  sink = null;
}

/** One log line: warnings and errors also on stderr; everything in the log file if open. */
export function logLine(level: LogLevel, message: string): void {
  if (level !== "info") console.error(`claude-dash: ${message}`);
  if (!sink) return;
  try {
    sink.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message.replace(/\n/g, "\n  ")}`);
  } catch (e) {
    const broken = sink;
    sink = null;
    broken.close();
    console.error(
      `claude-dash: log file ${broken.path} unwritable, logging to stderr only: ${
        e instanceof Error ? e.message : e
      }`,
    );
  }
}

export const log = {
  info: (message: string) => logLine("info", message),
  warn: (message: string) => logLine("warn", message),
  error: (message: string) => logLine("error", message),
};

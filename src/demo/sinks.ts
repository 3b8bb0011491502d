// Where generated lines and hook files go: BatchSink buffers each transcript and writes it in
// large chunks (a whole tree at once); LiveSink appends one whole line per write, as Claude Code
// does, and reports every write.

import { dirname } from "node:path";
import type { GenTotals } from "./totals.ts";

/** Told of every file written in live mode (the bench measures latency from it). */
export type WriteListener = (
  kind: "hook" | "transcript",
  path: string,
  writtenAtMs: number,
) => void;

export interface Sink {
  writeHook(rel: string, text: string): void;
  /** `line` ends with "\n". */
  writeLine(rel: string, line: string): void;
}

const encoder = new TextEncoder();

class DirCache {
  private made = new Set<string>();
  ensure(dir: string): void {
    if (this.made.has(dir)) return;
    Deno.mkdirSync(dir, { recursive: true });
    this.made.add(dir);
  }
}

export class BatchSink implements Sink {
  private readonly root: string;
  private readonly totals: GenTotals;
  private readonly dirs = new DirCache();
  private readonly buffers = new Map<string, { parts: string[]; size: number }>();
  private readonly touched = new Set<string>();
  private scratch = new Uint8Array(0);

  constructor(root: string, totals: GenTotals) {
    this.root = root;
    this.totals = totals;
  }

  writeHook(rel: string, text: string): void {
    Deno.writeTextFileSync(`${this.root}/${rel}`, text);
  }

  writeLine(rel: string, line: string): void {
    let buf = this.buffers.get(rel);
    if (buf === undefined) {
      buf = { parts: [], size: 0 };
      this.buffers.set(rel, buf);
    }
    buf.parts.push(line);
    buf.size += line.length;
    if (buf.size >= 1 << 20) this.flush(rel, buf);
  }

  private flush(rel: string, buf: { parts: string[]; size: number }): void {
    if (buf.parts.length === 0) return;
    const abs = `${this.root}/${rel}`;
    const text = buf.parts.join("");
    // Encode into a reused buffer (no allocation per flush); UTF-8 needs at most 3 bytes/unit.
    if (this.scratch.length < text.length * 3) {
      this.scratch = new Uint8Array(Math.max(text.length * 3, 1 << 22));
    }
    const bytes = this.scratch.subarray(0, encoder.encodeInto(text, this.scratch).written);
    // The first write of a file in this run truncates it, so regenerating into a directory is
    // idempotent; later flushes append.
    const first = !this.touched.has(rel);
    if (first) {
      this.dirs.ensure(dirname(abs));
      this.touched.add(rel);
    }
    Deno.writeFileSync(abs, bytes, { append: !first });
    this.totals.transcriptBytes += bytes.length;
    buf.parts = [];
    buf.size = 0;
  }

  /** Writes out the buffered transcript lines (called at the end of each session). */
  endSession(): void {
    for (const [rel, buf] of this.buffers) this.flush(rel, buf);
    this.buffers.clear();
  }
}

export class LiveSink implements Sink {
  private readonly root: string;
  private readonly totals: GenTotals;
  private readonly dirs = new DirCache();
  private readonly onWrite: WriteListener | undefined;

  constructor(root: string, totals: GenTotals, onWrite: WriteListener | undefined) {
    this.root = root;
    this.totals = totals;
    this.onWrite = onWrite;
  }

  writeHook(rel: string, text: string): void {
    const abs = `${this.root}/${rel}`;
    Deno.writeFileSync(abs, encoder.encode(text));
    this.onWrite?.("hook", abs, Date.now());
  }

  writeLine(rel: string, line: string): void {
    const abs = `${this.root}/${rel}`;
    this.dirs.ensure(dirname(abs));
    const bytes = encoder.encode(line);
    // One write call per whole line, so a reader never sees a partial line from us.
    Deno.writeFileSync(abs, bytes, { append: true });
    this.totals.transcriptBytes += bytes.length;
    this.onWrite?.("transcript", abs, Date.now());
  }
}

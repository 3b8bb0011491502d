// Deduplicates usage lines into messages exactly as the writer does on an empty database
// (src/store/write/messages.ts): one row per message id + request id (a line without a
// request id matches its message id alone, an exact request id first), keeping the first
// line's session and model and the largest usage seen in that session with its line's time
// (Claude Code's streaming snapshots: the final one counts); a copy in another session (a
// fork) is not counted twice. Pure.

import type { UsageLine } from "./usage_scan.ts";

/** Numbers kept per message: time, the five token counts, their total (without 1h). */
const width = 7;

export class UsageDedupe {
  // Columns rather than an object per message: about 100 bytes less each (45k messages for a
  // 250 MiB tree are held until stored).
  /** Message id → its first row; further rows of that id (other request ids) chain on. */
  #first = new Map<string, number>();
  #next: number[] = [];
  #mid: string[] = [];
  #rid: string[] = [];
  #sid: string[] = [];
  #model: Array<string | null> = [];
  #num = new Float64Array(1024 * width);
  /** One copy of each session id and model name (every line brings its own). */
  #names = new Map<string, string>();

  #name(s: string): string {
    const seen = this.#names.get(s);
    if (seen !== undefined) return seen;
    this.#names.set(s, s);
    return s;
  }

  /** Messages so far. */
  get size(): number {
    return this.#mid.length;
  }

  /** Folds one line in (lines of one file in file order). */
  add(line: UsageLine): void {
    const u = line.usage;
    const sum = u.input_tokens + u.output_tokens + u.cache_creation_tokens + u.cache_read_tokens;
    const first = this.#first.get(line.messageId);
    if (first === undefined) {
      this.#first.set(line.messageId, this.#push(line, -1, sum));
      return;
    }
    const rid = line.requestId;
    let match = -1;
    let blank = -1;
    let last = first;
    for (let r = first; r !== -1; r = this.#next[r]) {
      if (this.#rid[r] === rid) {
        match = r;
        break;
      }
      if (blank === -1 && this.#rid[r] === "") blank = r;
      last = r;
    }
    if (match === -1) match = rid === "" ? first : blank;
    if (match === -1) {
      this.#next[last] = this.#push(line, -1, sum);
      return;
    }
    const at = match * width;
    if (this.#sid[match] === line.sessionId && sum > this.#num[at + 6]) this.#set(at, line, sum);
  }

  #push(line: UsageLine, next: number, sum: number): number {
    const row = this.#mid.length;
    this.#mid.push(line.messageId);
    this.#rid.push(line.requestId);
    this.#sid.push(this.#name(line.sessionId));
    this.#model.push(line.model === null ? null : this.#name(line.model));
    this.#next.push(next);
    if ((row + 1) * width > this.#num.length) {
      const bigger = new Float64Array(this.#num.length * 2);
      bigger.set(this.#num);
      this.#num = bigger;
    }
    this.#set(row * width, line, sum);
    return row;
  }

  #set(at: number, line: UsageLine, sum: number): void {
    const u = line.usage;
    const n = this.#num;
    n[at] = line.ts;
    n[at + 1] = u.input_tokens;
    n[at + 2] = u.output_tokens;
    n[at + 3] = u.cache_creation_tokens;
    n[at + 4] = u.cache_creation_1h_tokens;
    n[at + 5] = u.cache_read_tokens;
    n[at + 6] = sum;
  }

  /** Every message: its first line's session and model, its largest usage and that time. */
  *messages(): IterableIterator<UsageLine> {
    const n = this.#num;
    for (let row = 0; row < this.#mid.length; row++) {
      const at = row * width;
      yield {
        messageId: this.#mid[row],
        requestId: this.#rid[row],
        sessionId: this.#sid[row],
        ts: n[at],
        model: this.#model[row],
        usage: {
          input_tokens: n[at + 1],
          output_tokens: n[at + 2],
          cache_creation_tokens: n[at + 3],
          cache_creation_1h_tokens: n[at + 4],
          cache_read_tokens: n[at + 5],
        },
      };
    }
  }
}

// What the usage-first Worker (usage_worker.ts) posts to the pass (usage_first.ts): usage
// lines packed into one flat array (10 values a line: cheap to clone between threads), the
// end of each file, the end of its share, or a failure. Pure.

import type { UsageLine } from "./usage_scan.ts";

export type UsageFromWorker =
  | { type: "lines"; packed: Array<string | number | null> }
  | { type: "file"; bytes: number }
  | { type: "done" }
  | { type: "error"; message: string };

const width = 10;

export function packLines(lines: UsageLine[]): Array<string | number | null> {
  const out: Array<string | number | null> = new Array(lines.length * width);
  let i = 0;
  for (const l of lines) {
    const u = l.usage;
    out[i++] = l.messageId;
    out[i++] = l.requestId;
    out[i++] = l.sessionId;
    out[i++] = l.ts;
    out[i++] = l.model;
    out[i++] = u.input_tokens;
    out[i++] = u.output_tokens;
    out[i++] = u.cache_creation_tokens;
    out[i++] = u.cache_creation_1h_tokens;
    out[i++] = u.cache_read_tokens;
  }
  return out;
}

export function* unpackLines(packed: Array<string | number | null>): IterableIterator<UsageLine> {
  const s = (v: string | number | null) => String(v ?? "");
  const n = (v: string | number | null) => Number(v ?? 0);
  for (let i = 0; i + width <= packed.length; i += width) {
    yield {
      messageId: s(packed[i]),
      requestId: s(packed[i + 1]),
      sessionId: s(packed[i + 2]),
      ts: n(packed[i + 3]),
      model: packed[i + 4] === null ? null : s(packed[i + 4]),
      usage: {
        input_tokens: n(packed[i + 5]),
        output_tokens: n(packed[i + 6]),
        cache_creation_tokens: n(packed[i + 7]),
        cache_creation_1h_tokens: n(packed[i + 8]),
        cache_read_tokens: n(packed[i + 9]),
      },
    };
  }
}

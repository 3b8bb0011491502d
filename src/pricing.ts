// Dated model price table (USD per million tokens) and the cost of one message's usage.
// Unknown models return null: their tokens are counted, their cost is unknown, never 0.
// Prices as published by Anthropic, checked 2026-11-26. Cache writes: 5-minute at 1.25× and
// 1-hour at 2× the input price; cache reads at 0.1×.

import type { Usage } from "./types.ts";

export interface Price {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export const pricesAsOf = "2026-11-26";

function price(input: number, output: number): Price {
  return {
    input,
    output,
    cacheWrite5m: input * 1.25,
    cacheWrite1h: input * 2,
    cacheRead: input * 0.1,
  };
}

/** First match wins: more specific patterns first. Matched against a normalized model id. */
const table: Array<[RegExp, Price]> = [
  [/^claude-opus-4-(5|6|7)/, price(5, 25)],
  [/^claude-opus-4/, price(15, 75)],
  [/^claude-3-opus/, price(15, 75)],
  [/^claude-sonnet-4/, price(3, 15)],
  [/^claude-3-(7|5)-sonnet/, price(3, 15)],
  [/^claude-3-sonnet/, price(3, 15)],
  [/^claude-haiku-4/, price(1, 5)],
  [/^claude-3-5-haiku/, price(0.8, 4)],
  [/^claude-3-haiku/, price(0.25, 1.25)],
];

/** Strips provider wrappers: "anthropic.claude-…-v1:0" (Bedrock), "claude-…@20250929" (Vertex). */
export function normalizeModel(model: string): string {
  return model
    .toLowerCase()
    .replace(/^(us\.|eu\.|apac\.)?anthropic\./, "")
    .replace(/-v\d+(:\d+)?$/, "")
    .replace(/@.*$/, "");
}

export function priceOf(model: string | null): Price | null {
  if (!model) return null;
  const id = normalizeModel(model);
  for (const [pattern, p] of table) if (pattern.test(id)) return p;
  return null;
}

/** Cost in USD, or null when the model has no known price and tokens were used. */
export function costOf(model: string | null, u: Usage): number | null {
  const total = u.input_tokens + u.output_tokens + u.cache_creation_tokens + u.cache_read_tokens;
  if (total === 0) return 0;
  const p = priceOf(model);
  if (!p) return null;
  const oneHour = Math.min(u.cache_creation_1h_tokens, u.cache_creation_tokens);
  const fiveMin = u.cache_creation_tokens - oneHour;
  return (
    u.input_tokens * p.input +
    u.output_tokens * p.output +
    fiveMin * p.cacheWrite5m +
    oneHour * p.cacheWrite1h +
    u.cache_read_tokens * p.cacheRead
  ) / 1_000_000;
}

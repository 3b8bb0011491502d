// Dated model price table (USD per million tokens) and the cost of one message's usage.
// Unknown models return null: their tokens are counted, their cost is unknown, never 0.
// Prices as published by Anthropic, checked 2026-11-26. Cache writes: 5-minute at 1.25× and
// 1-hour at 2× the input price; cache reads at 0.1×. The user's overrides (settings, keyed by
// model id prefix) are consulted first: the longest prefix of the normalized id wins. They live
// in one PriceTable per server, set at start-up (src/commands/dashboard.ts) and on save
// (src/http/routes/settings.tsx); the free priceOf/costOf use the built-in table only.

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

/** One override as stored in settings: USD per million tokens; cache prices optional. */
export interface PriceOverrideInput {
  input: number;
  output: number;
  cache_write_5m?: number;
  cache_write_1h?: number;
  cache_read?: number;
}

/** The price an override means: cache prices default to the usual multiples of `input`. */
export function overridePrice(o: PriceOverrideInput): Price {
  const base = price(o.input, o.output);
  return {
    ...base,
    cacheWrite5m: o.cache_write_5m ?? base.cacheWrite5m,
    cacheWrite1h: o.cache_write_1h ?? base.cacheWrite1h,
    cacheRead: o.cache_read ?? base.cacheRead,
  };
}

/** Prices a model: the overrides first (longest prefix of the normalized id), then the table. */
export type Pricer = (model: string | null) => Price | null;

/** A pricer for these overrides (keys are model id prefixes, matched case-insensitively). */
export function pricer(map: Record<string, PriceOverrideInput>): Pricer {
  const overrides = Object.entries(map)
    .map(([prefix, o]): [string, Price] => [prefix.toLowerCase(), overridePrice(o)])
    .sort((a, b) => b[0].length - a[0].length);
  if (overrides.length === 0) return builtInPriceOf;
  return (model) => {
    if (!model) return null;
    const id = normalizeModel(model);
    for (const [prefix, p] of overrides) if (id.startsWith(prefix)) return p;
    return builtInPriceOf(model);
  };
}

/** The prices in force: the built-in table under the user's overrides, replaced on save. */
export class PriceTable {
  #pricer: Pricer;

  constructor(overrides: Record<string, PriceOverrideInput> = {}) {
    this.#pricer = pricer(overrides);
  }

  /** Replaces the overrides in force for every later priceOf/costOf (ingest included). */
  setOverrides(map: Record<string, PriceOverrideInput>): void {
    this.#pricer = pricer(map);
  }

  priceOf(model: string | null): Price | null {
    return this.#pricer(model);
  }

  /** Cost in USD, or null when the model has no known price and tokens were used. */
  costOf(model: string | null, u: Usage): number | null {
    return costOf(model, u, this.#pricer);
  }
}

/** The built-in table as text, for the settings page (read-only there). */
export function builtInPrices(): Array<{ pattern: string } & Price> {
  return table.map(([re, p]) => ({ pattern: re.source, ...p }));
}

/** The built-in price of a model, ignoring the overrides. */
export function builtInPriceOf(model: string | null): Price | null {
  if (!model) return null;
  const id = normalizeModel(model);
  for (const [pattern, p] of table) if (pattern.test(id)) return p;
  return null;
}

/** Strips provider wrappers: "anthropic.claude-…-v1:0" (Bedrock), "claude-…@20250929" (Vertex). */
export function normalizeModel(model: string): string {
  return model
    .toLowerCase()
    .replace(/^(us\.|eu\.|apac\.)?anthropic\./, "")
    .replace(/-v\d+(:\d+)?$/, "")
    .replace(/@.*$/, "");
}

/** The built-in price of a model (a PriceTable adds the user's overrides). */
export function priceOf(model: string | null): Price | null {
  return builtInPriceOf(model);
}

/** Cost in USD by `prices` (default: the built-in table), or null when the model has no known
 * price and tokens were used. */
export function costOf(
  model: string | null,
  u: Usage,
  prices: Pricer = builtInPriceOf,
): number | null {
  const total = u.input_tokens + u.output_tokens + u.cache_creation_tokens + u.cache_read_tokens;
  if (total === 0) return 0;
  const p = prices(model);
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

/**
 * The context window (tokens) of a model: 1,000,000 when its id asks for the 1M-token window
 * ("…[1m]", "…-1m"), else 200,000 for a Claude model of the built-in table; null when unknown.
 */
export function contextWindowOf(model: string | null): number | null {
  if (!model) return null;
  const id = normalizeModel(model);
  const bare = id.replace(/\[1m\]$|-1m$/, "");
  if (!table.some(([pattern]) => pattern.test(bare))) return null;
  return bare !== id ? 1_000_000 : 200_000;
}

// Per-client rate limit: a token bucket per client address (bursts up to the per-minute limit,
// refilled evenly), answered with 429 and Retry-After. A live stream (SSE or WebSocket) is one
// request at connect; what it receives afterwards is never counted. Memory is bounded: at most
// rateLimitMaxClients buckets, the idlest forgotten first.

import type { Context, MiddlewareHandler } from "hono";
import { rateLimitMaxClients, rateLimitRequestsPerMin } from "../../core/config.ts";

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimitOptions {
  /** Requests per minute per client address; 0 turns the limit off. */
  perMin?: number;
  maxClients?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** Token buckets keyed by client. Pure apart from the clock it is given. */
export class RateLimiter {
  readonly perMin: number;
  #maxClients: number;
  #now: () => number;
  #buckets = new Map<string, Bucket>();

  constructor(opts: RateLimitOptions = {}) {
    this.perMin = opts.perMin ?? rateLimitRequestsPerMin;
    this.#maxClients = opts.maxClients ?? rateLimitMaxClients;
    this.#now = opts.now ?? Date.now;
  }

  /** Takes one request from the client's bucket: 0 when allowed, else seconds to wait. */
  take(client: string): number {
    if (this.perMin <= 0) return 0;
    const now = this.#now();
    const perMs = this.perMin / 60_000;
    let b = this.#buckets.get(client);
    if (b) {
      b.tokens = Math.min(this.perMin, b.tokens + (now - b.at) * perMs);
      b.at = now;
      this.#buckets.delete(client); // re-insert: the map stays ordered idlest first
    } else {
      b = { tokens: this.perMin, at: now };
      if (this.#buckets.size >= this.#maxClients) {
        this.#buckets.delete(this.#buckets.keys().next().value!);
      }
    }
    this.#buckets.set(client, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.#buckets.size;
  }
}

/** The address a request came from; requests without a socket (app.request) share one key. */
export function clientKey(c: Context): string {
  // Deno.serve passes its ServeHandlerInfo as Hono's env.
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return info?.remoteAddr?.hostname ?? "local";
}

/** Hono middleware answering 429 with Retry-After once a client is over its limit. */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler {
  return async (c, next) => {
    const wait = limiter.take(clientKey(c));
    if (wait > 0) {
      return c.json(
        {
          error: `too many requests: at most ${limiter.perMin} per minute; retry in ${wait} s`,
          retry_after_s: wait,
        },
        429,
        { "Retry-After": String(wait) },
      );
    }
    await next();
  };
}

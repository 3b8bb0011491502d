// State-changing requests (anything but GET/HEAD/OPTIONS) must come from the dashboard's own
// page: the Origin header names this server, and the X-CSRF-Token header carries the token
// made once per app (createApp) and embedded in every page (<meta name="csrf-token">). A cross-site
// form cannot set the header and a cross-site script cannot read the page, so both fail.
// Writes also get their own, stricter rate limit.

import type { Context, MiddlewareHandler } from "hono";
import { encodeBase64Url } from "../../core/base64url.ts";
import { clientKey, RateLimiter } from "./rate_limit.ts";
import { rateLimitWritesPerMin } from "../../core/config.ts";

/** A fresh random CSRF token (the pages embed it; tests read it from a page). */
export function newCsrfToken(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
function sameToken(given: string, token: string): boolean {
  if (given.length !== token.length) return false;
  let diff = 0;
  for (let i = 0; i < token.length; i++) diff |= given.charCodeAt(i) ^ token.charCodeAt(i);
  return diff === 0;
}

/** Refuses state-changing requests without this app's Origin and `token`; rate-limits the rest. */
export function csrfGuard(
  token: string,
  opts: { writesPerMin?: number; exempt?: (c: Context) => boolean } = {},
): MiddlewareHandler {
  const limiter = new RateLimiter({ perMin: opts.writesPerMin ?? rateLimitWritesPerMin });
  return async (c, next) => {
    if (["GET", "HEAD", "OPTIONS"].includes(c.req.method)) return await next();
    // Machine endpoints called with the ingest secret (src/http/machine.ts): no page, no token.
    if (opts.exempt?.(c)) return await next();
    const origin = c.req.header("Origin");
    const host = c.req.header("Host");
    if (!origin || !host || !originIsHost(origin, host)) {
      return c.json(
        { error: "refused: state-changing requests need this dashboard's Origin" },
        403,
      );
    }
    if (!sameToken(c.req.header("X-CSRF-Token") ?? "", token)) {
      return c.json({ error: "refused: missing or wrong X-CSRF-Token" }, 403);
    }
    const wait = limiter.take(clientKey(c));
    if (wait > 0) {
      return c.json(
        { error: `too many changes: at most ${limiter.perMin} per minute`, retry_after_s: wait },
        429,
        { "Retry-After": String(wait) },
      );
    }
    await next();
  };
}

function originIsHost(origin: string, host: string): boolean {
  try {
    const u = new URL(origin);
    return (u.protocol === "http:" || u.protocol === "https:") &&
      u.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

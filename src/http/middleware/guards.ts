// Request guards applied to every route: loopback Host only (DNS-rebinding defence),
// same-origin WebSocket upgrades and state-changing requests, security headers (CSP without
// inline script), and a last check that no JSON or HTML body carries a known secret value.

import type { Context, MiddlewareHandler } from "hono";
import { containsKnown, knownSecretCount, maskKnown } from "../../core/secrets.ts";

const loopbackHost = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d{1,5})?$/i;

export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && loopbackHost.test(host);
}

const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function guards(): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("Host");
    if (!isLoopbackHost(host)) {
      // Refusals carry the same headers as every other answer.
      securityHeaders(c);
      return c.json({
        error: "claude-dash only answers requests addressed to 127.0.0.1 or localhost",
      }, 421);
    }
    const origin = c.req.header("Origin");
    const upgrade = c.req.header("Upgrade")?.toLowerCase() === "websocket";
    const changes = !["GET", "HEAD", "OPTIONS"].includes(c.req.method);
    if ((upgrade || changes) && origin !== undefined && !sameOrigin(origin, host!)) {
      securityHeaders(c);
      return c.json({ error: "cross-origin request refused" }, 403);
    }
    await next();
    if (upgrade) return;
    securityHeaders(c);
    if (knownSecretCount() > 0) await maskKnownInBody(c);
  };
}

function securityHeaders(c: Context): void {
  c.header("Content-Security-Policy", csp);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Frame-Options", "DENY");
}

/**
 * Routes mask secrets in the data they query; this catches what a route forgot: a buffered
 * JSON or HTML body that contains a value from .env.discord is masked before it is sent.
 * Streams (SSE) and assets are left alone; live messages are masked where they are serialized.
 */
async function maskKnownInBody(c: Context): Promise<void> {
  const type = c.res.headers.get("Content-Type") ?? "";
  if (!c.res.body || !/^(application\/json|text\/html)/i.test(type)) return;
  const { status, statusText } = c.res;
  const headers = new Headers(c.res.headers);
  headers.delete("Content-Length");
  const text = await c.res.text();
  const body = containsKnown(text) ? maskKnown(text) : text;
  // Replace, not merge: Hono's setter would copy the old headers over the new response.
  c.res = undefined;
  c.res = new Response(body, { status, statusText, headers });
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

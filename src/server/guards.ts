// Request guards applied to every route: loopback Host only (DNS-rebinding defence),
// same-origin WebSocket upgrades, and security headers (CSP without inline script).

import type { MiddlewareHandler } from "hono";

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
      return c.json({
        error: "claude-dash only answers requests addressed to 127.0.0.1 or localhost",
      }, 421);
    }
    const origin = c.req.header("Origin");
    const upgrade = c.req.header("Upgrade")?.toLowerCase() === "websocket";
    const changes = !["GET", "HEAD", "OPTIONS"].includes(c.req.method);
    if ((upgrade || changes) && origin !== undefined && !sameOrigin(origin, host!)) {
      return c.json({ error: "cross-origin request refused" }, 403);
    }
    await next();
    if (upgrade) return;
    c.header("Content-Security-Policy", csp);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
  };
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

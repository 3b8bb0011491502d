// What the machine endpoints share (POST /hooks, /v1/logs, /v1/metrics: Claude Code, not a
// browser, calls them): the shared-secret check and reading a capped, possibly gzipped body.
// A request to one of them is authorized only by `Authorization: Bearer <ingest secret>`; only
// such a request skips the CSRF guard (it carries no page token), and the Host and Origin
// guards apply to it as to every request.

import type { Context } from "hono";
import { BadRequest } from "../core/errors.ts";

/** The paths of the machine endpoints (POST only). */
export const machinePaths: ReadonlySet<string> = new Set(["/hooks", "/v1/logs", "/v1/metrics"]);

/** Whether the request is a POST to a machine endpoint. */
export function isMachineRequest(c: Context): boolean {
  return c.req.method === "POST" && machinePaths.has(c.req.path);
}

/** Constant-time comparison, so the secret cannot be guessed byte by byte from timings. */
function same(given: string, secret: string): boolean {
  if (given.length !== secret.length) return false;
  let diff = 0;
  for (let i = 0; i < secret.length; i++) diff |= given.charCodeAt(i) ^ secret.charCodeAt(i);
  return diff === 0;
}

/** Whether the request carries `Authorization: Bearer <secret>` (never, without a secret). */
export function bearerMatches(c: Context, secret: string | null | undefined): boolean {
  if (!secret) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "");
  return m !== null && same(m[1], secret);
}

/** A POST to a machine endpoint with the right secret: the CSRF guard lets it through. */
export function authorizedMachineRequest(c: Context, secret: string | null | undefined): boolean {
  return isMachineRequest(c) && bearerMatches(c, secret);
}

/** The body, gunzipped if sent so; null when it is (or unpacks to) more than `maxBytes`. */
export async function readBody(c: Context, maxBytes: number): Promise<Uint8Array | null> {
  const declared = Number(c.req.header("Content-Length") ?? "0");
  if (declared > maxBytes) return null;
  const raw = c.req.raw.body;
  if (!raw) return new Uint8Array();
  const gzip = /^\s*gzip\s*$/i.test(c.req.header("Content-Encoding") ?? "");
  const stream = gzip ? raw.pipeThrough(new DecompressionStream("gzip")) : raw;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += chunk.length;
      if (size > maxBytes) return null;
      chunks.push(chunk);
    }
  } catch (e) {
    throw new BadRequest(`cannot read the body: ${e instanceof Error ? e.message : e}`);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// The whole Hono app in process for the fast tier: a temporary Claude home, a real SQLite
// database beside it, the real ingester run once over the home, and requests through
// `app.request()` (no socket). The one place that knows how the app's dependencies are built.
// Every request records the route that answered it, so a test can prove every route was asked.

import { join } from "node:path";
import type { Hono } from "hono";
import { createApp } from "../../../src/http/app.ts";
import { openDb } from "../../../src/store/db.ts";
import type { Db } from "../../../src/store/db.ts";
import { LiveBus } from "../../../src/live/bus.ts";
import { Ingester } from "../../../src/ingest/ingester.ts";
import { writeSeed } from "./seed.ts";

/** The loopback origin every test request is addressed to (the guards refuse any other). */
export const origin = "http://127.0.0.1";

/** The ingest secret of every test app (POST /hooks, /v1/logs, /v1/metrics need it). */
export const testIngestSecret = "test-ingest-secret-0123456789abcdefghijklmnop";

/** "GET /api/sessions/:id" for every route some test requested, across the whole test file. */
export const requestedRoutes = new Set<string>();

export interface TestApp extends AsyncDisposable {
  app: Hono;
  db: Db;
  bus: LiveBus;
  ingester: Ingester;
  claudeDir: string;
  dbPath: string;
  /** A GET (JSON unless `accept` says otherwise). */
  get(path: string, accept?: string): Promise<Response>;
  /** A state change the way the dashboard's own page sends it: its Origin and the CSRF token. */
  post(path: string, body?: unknown): Promise<Response>;
  /** Any request; Host is filled in. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

export interface TestAppOptions {
  /** Write the seed home (default true); false leaves an empty home. */
  seed?: boolean;
  /** The instant the seed's times count back from (default now): older homes for range tests. */
  seedNow?: number;
  /** The app's ingest secret (default testIngestSecret; null: none). */
  ingestSecret?: string | null;
  /** Keep the ingester running after its backfill (default false: it is stopped, data stays). */
  live?: boolean;
  maxClients?: number;
}

/** Every route of an app as "METHOD path" (middleware, registered for ALL methods, left out). */
export function routeKeys(app: Hono): string[] {
  return [
    ...new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`)),
  ];
}

/** Builds the app over a fresh temporary home; `await using` removes everything afterwards. */
export async function openTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const home = await Deno.makeTempDir({ prefix: "claude-dash-unit-" });
  const claudeDir = join(home, ".claude");
  await Deno.mkdir(join(claudeDir, "hooks/logs/raw_json"), { recursive: true });
  await Deno.mkdir(join(claudeDir, "projects"), { recursive: true });
  if (opts.seed !== false) await writeSeed(claudeDir, opts.seedNow);
  const dbPath = join(claudeDir, "claude-dash/claude-dash.db");
  const db = openDb(dbPath);
  const bus = new LiveBus(opts.maxClients);
  const ingester = new Ingester({
    claudeDir,
    db,
    watch: false,
    transcriptRoots: [],
    scratchDir: join(home, "scratch"),
  });
  ingester.start();
  await ingester.ready;
  if (!opts.live) await ingester.stop();
  const app = createApp({
    db,
    bus,
    ingester,
    claudeDir,
    dbPath,
    startedAt: Date.now(),
    rateLimitPerMin: 0,
    ingestSecret: opts.ingestSecret === undefined ? testIngestSecret : opts.ingestSecret,
  });

  const send = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("Host")) headers.set("Host", "127.0.0.1");
    return app.request(`${origin}${path}`, { ...init, headers });
  };
  const request = async (path: string, init: RequestInit = {}) => {
    const res = await send(path, init);
    record(app, init.method ?? "GET", path);
    return res;
  };
  // The token the dashboard's pages embed, read the way the page's own script reads it.
  let token: string | null = null;
  const pageToken = async () => {
    if (token) return token;
    const html = await (await send("/health", { headers: { Accept: "text/html" } })).text();
    token = html.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1] ?? null;
    if (!token) throw new Error("no csrf-token meta on /health");
    return token;
  };
  return {
    app,
    db,
    bus,
    ingester,
    claudeDir,
    dbPath,
    request,
    get: (path, accept = "application/json") => request(path, { headers: { Accept: accept } }),
    post: async (path, body = {}) =>
      request(path, {
        method: "POST",
        headers: {
          Origin: origin,
          "Content-Type": "application/json",
          "X-CSRF-Token": await pageToken(),
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    async [Symbol.asyncDispose]() {
      await ingester.stop();
      db.close();
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
}

/** Records the route Hono's own router picks for this request (the first non-middleware). */
function record(app: Hono, method: string, path: string): void {
  const pathname = new URL(path, origin).pathname;
  const [matches] = app.router.match(method, pathname);
  const route = matches.map(([[, r]]) => r).find((r) => r.method !== "ALL");
  if (route) requestedRoutes.add(`${route.method} ${route.path}`);
}

/** The JSON body of a response, after checking its status. */
export async function json<T = Record<string, unknown>>(
  res: Response,
  status = 200,
): Promise<T> {
  const text = await res.text();
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

/** The text body of a response, after checking its status. */
export async function text(res: Response, status = 200): Promise<string> {
  const body = await res.text();
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${body.slice(0, 300)}`);
  }
  return body;
}

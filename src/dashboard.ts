// Wires the parts together: store → ingester → live bus → HTTP server on 127.0.0.1.
// Used by main.ts and by the integration tests, so tests run exactly what users run.

import { dirname } from "node:path";
import { openDb } from "./store/db.ts";
import { sessionsByIds } from "./store/queries.ts";
import { Ingester } from "./ingest/ingester.ts";
import { LiveBus } from "./live/bus.ts";
import { createApp } from "./server/app.ts";
import type { LiveMessage } from "./types.ts";
import type { Db } from "./store/db.ts";

export interface DashboardOptions {
  claudeDir: string;
  dbPath: string;
  port: number;
  hostname?: string;
  /** Watch the file system (default true). */
  watch?: boolean;
  maxClients?: number;
  onListen?: (url: string) => void;
}

export interface Dashboard {
  url: string;
  port: number;
  db: Db;
  bus: LiveBus;
  ingester: Ingester;
  stop(): Promise<void>;
}

export function startDashboard(opts: DashboardOptions): Dashboard {
  const db = openDb(opts.dbPath);
  const bus = new LiveBus(opts.maxClients);
  const ingester = new Ingester({
    claudeDir: opts.claudeDir,
    db,
    watch: opts.watch,
    scratchDir: `${dirname(opts.dbPath)}/scratch`,
    onCommit: (result) => {
      const messages: LiveMessage[] = result.events.map((event) => ({ type: "event", event }));
      for (const session of sessionsByIds(db, result.sessions)) {
        messages.push({ type: "session", session });
      }
      bus.publish(messages);
    },
  });
  const app = createApp({
    db,
    bus,
    ingester,
    claudeDir: opts.claudeDir,
    dbPath: opts.dbPath,
    startedAt: Date.now(),
  });
  const hostname = opts.hostname ?? "127.0.0.1";
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ hostname, port: opts.port, onListen: () => {} }, app.fetch);
  } catch (e) {
    db.close();
    throw e;
  }
  const port = server.addr.port;
  const url = `http://${hostname}:${port}`;
  opts.onListen?.(url);
  ingester.start();
  return {
    url,
    port,
    db,
    bus,
    ingester,
    async stop() {
      await ingester.stop();
      await server.shutdown();
      db.close();
    },
  };
}

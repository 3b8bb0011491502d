// Real dashboards for tests: the whole service (store, ingester, server on 127.0.0.1 port 0)
// over a test home, handed over only once its first backfill is done so a test reads settled data.

import { type Dashboard, startDashboard } from "../../src/commands/dashboard.ts";
import { makeHome, type TestHome } from "./home.ts";

/** A dashboard over `home`, backfilled; `watch` turns on the file watcher (off: only scans read). */
export async function startReady(home: TestHome, watch = false): Promise<Dashboard> {
  const d = startDashboard({ claudeDir: home.claudeDir, dbPath: home.dbPath, port: 0, watch });
  await d.ingester.ready;
  return d;
}

/** A fresh home filled by `fill`, a dashboard on it for `fn`; both are removed whatever happens. */
export async function withDashboard(
  fill: (h: TestHome) => Promise<void>,
  fn: (d: Dashboard, h: TestHome) => Promise<void>,
): Promise<void> {
  const h = await makeHome();
  try {
    await fill(h);
    const d = startDashboard({ claudeDir: h.claudeDir, dbPath: h.dbPath, port: 0, watch: false });
    try {
      await d.ingester.ready;
      await fn(d, h);
    } finally {
      await d.stop();
    }
  } finally {
    await h.cleanup();
  }
}
